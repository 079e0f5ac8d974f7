"""Time signature verification over every signed PDF and OFD of ../shared/data/real (one process).

    .venv/bin/python samples/bench_signatures.py [--repeat N] [--trust DIR]

Prints, per file, the median wall time of `Verifier.verify` over N runs (after one warm-up run of the
whole set, which also pays the imports), the number of signatures and a short verdict; then totals.
Without --trust, the trust store is the pyHanko test CAs of _derived_gt plus the ofdrw SM2 root of
samples/signed (what the tests use).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
sys.path.insert(0, str(ROOT))

from pipeline.errors import InputError  # noqa: E402
from validators.signatures import Verifier  # noqa: E402

AT = dt.datetime(2020, 11, 1, tzinfo=dt.timezone.utc)


def _files() -> list[Path]:
    pdfs = sorted((REAL / "signed_docs").rglob("*.pdf"))
    ofds = sorted((REAL / "signed_docs").rglob("*.ofd")) + sorted((REAL / "e_licence").glob("*.ofd"))
    return pdfs + ofds


def _default_trust() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench_trust_"))
    for cert in (REAL / "_derived_gt" / "pyhanko_generated_certs").iterdir():
        shutil.copy(cert, folder / cert.name)
    shutil.copy(REAL / "signed_docs/certs/pyhanko/testing-ca/root/root.cert.pem", folder / "legacy-root.pem")
    shutil.copy(ROOT / "samples/signed/ofdrw_sm2_root.pem", folder / "ofdrw-root.pem")
    return folder


def _once(verifier: Verifier, data: bytes, kind: str) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        results = verifier.verify(data, kind, AT)  # type: ignore[arg-type]
        verdict = " ".join(
            ("ok" if r.intact else "BAD") + ("/trusted" if r.trusted else "") + ("" if r.covers_whole_file else "/partial") for r in results
        ) or "no signatures"
    except InputError as exc:
        verdict = exc.code
    return time.perf_counter() - start, verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--trust", type=Path, default=None)
    args = parser.parse_args()
    if not REAL.is_dir():
        sys.exit(f"shared data not found at {REAL}")
    start = time.perf_counter()
    verifier = Verifier(args.trust or _default_trust())
    files = [(path, path.read_bytes(), path.suffix.lower().lstrip(".")) for path in _files()]
    for _, data, kind in files:  # warm-up: imports, pyHanko's lazy setup
        _once(verifier, data, kind)
    print(f"start-up + warm-up run of {len(files)} files: {time.perf_counter() - start:.2f} s\n")

    rows, per_kind = [], {"pdf": [], "ofd": []}
    for path, data, kind in files:
        times, verdict = [], ""
        for _ in range(args.repeat):
            seconds, verdict = _once(verifier, data, kind)
            times.append(seconds)
        median = statistics.median(times)
        per_kind[kind].append(median)
        rows.append((median, path.relative_to(REAL), len(data), verdict))
    width = max(len(str(r[1])) for r in rows)
    print(f"{'file':<{width}}  {'KiB':>6}  {'ms':>7}  verdict")
    for median, name, size, verdict in rows:
        print(f"{str(name):<{width}}  {size / 1024:6.0f}  {median * 1000:7.1f}  {verdict}")
    print()
    for kind, times in per_kind.items():
        if times:
            print(
                f"{kind}: {len(times)} files, median {statistics.median(times) * 1000:.1f} ms, "
                f"max {max(times) * 1000:.1f} ms, total {sum(times):.2f} s"
            )


if __name__ == "__main__":
    main()

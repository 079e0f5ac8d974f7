"""ID-card benchmark: accuracy, confidence reliability, and time, bare OCR versus the whole pipeline.

Each side runs as its own process over the same files (model load included once); per-card times are
measured inside the process, total wall time outside it. Not a test: it prints figures.

    .venv/bin/python samples/bench.py --seed 2026 --count 40
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness  # noqa: E402

SELF = Path(__file__).resolve()


def _child(mode: str, folder: Path, out: Path, threads: int) -> None:
    files = _harness.image_files(folder)
    results = _harness.run_bare(files, threads) if mode == "bare" else _harness.run_pipeline(files, threads=threads)
    out.write_text(json.dumps(results, ensure_ascii=False))


def _run(mode: str, folder: Path, threads: int) -> tuple[list[dict], float]:
    out = folder.parent / f"{folder.name}-{mode}.json"
    start = time.perf_counter()
    subprocess.run([sys.executable, str(SELF), "--child", mode, str(folder), str(out), "--threads", str(threads)],
                   check=True, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text()), time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=40, help="card holders per variant (two sides each)")
    parser.add_argument("--variants", default="clean,camera")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DIR", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]), args.threads)
        return

    from extractors import build_registry

    classes = {t.code: t.field_classes for t in build_registry()}
    reliability: dict[str, list[tuple[float, int]]] = {}
    print(f"seed {args.seed}, {args.count} holders per variant, {args.threads} ONNX threads")
    print(f"{'variant':8s} {'cards':>5s} {'type':>6s} {'id(bare)':>9s} {'id(pipe)':>9s} {'name':>6s} {'all fields':>10s} "
          f"{'bare med/p95 s':>15s} {'pipe med/p95 s':>15s} {'wall bare/pipe s':>17s} {'ratio':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants.split(","):
            folder = Path(tmp) / variant
            files = _harness.write_set(Path(tmp), args.seed, args.count, [variant])
            bare, bare_wall = _run("bare", folder, args.threads)
            pipe, pipe_wall = _run("pipeline", folder, args.threads)
            fronts = type_ok = id_bare = id_pipe = name_ok = all_ok = 0
            for path, b, p in zip(files, bare, pipe):
                truth = _harness.truth_of(path)
                docs = [d for d in p["documents"] if d["type"] == truth["type"]]
                type_ok += bool(docs) and len(p["documents"]) == 1
                got = docs[0]["fields"] if docs else {}
                all_ok += all(got.get(k, {}).get("value") == v for k, v in truth["fields"].items())
                for name, value in truth["fields"].items():
                    if name in got:
                        field_class = classes[truth["type"]].get(name, "text")
                        reliability.setdefault(field_class, []).append((got[name]["confidence"], int(got[name]["value"] == value)))
                if truth["type"] == "id_card_front":
                    fronts += 1
                    id_bare += b["id_number"] == truth["fields"]["id_number"]
                    id_pipe += got.get("id_number", {}).get("value") == truth["fields"]["id_number"]
                    name_ok += got.get("name", {}).get("value") == truth["fields"]["name"]
            n = len(files)
            bs, ps = [r["seconds"] for r in bare], [r["seconds"] for r in pipe]
            print(f"{variant:8s} {n:5d} {type_ok / n:6.1%} {id_bare / fronts:9.1%} {id_pipe / fronts:9.1%} {name_ok / fronts:6.1%} "
                  f"{all_ok / n:10.1%} {statistics.median(bs):7.2f}/{_pct(bs, .95):<7.2f} {statistics.median(ps):7.2f}/{_pct(ps, .95):<7.2f} "
                  f"{bare_wall:8.1f}/{pipe_wall:<8.1f} {pipe_wall / bare_wall:6.2f}")
    print("\nreliability (calibrated confidence vs exact match), per field class:")
    print(f"{'class':10s} {'bin':>11s} {'n':>5s} {'mean conf':>9s} {'accuracy':>9s}")
    edges = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0001]
    for field_class, points in sorted(reliability.items()):
        for lo, hi in zip(edges, edges[1:]):
            chunk = [(c, ok) for c, ok in points if lo <= c < hi]
            if chunk:
                print(f"{field_class:10s} [{lo:.2f},{min(hi, 1):.2f}) {len(chunk):5d} {statistics.mean(c for c, _ in chunk):9.3f} "
                      f"{statistics.mean(ok for _, ok in chunk):9.3f}")


if __name__ == "__main__":
    main()

"""Signed judged right: the whole pipeline (capture, PP-OCR, extraction, the ink judgement, checks) over pages whose
signature area samples/signatures.py signed or left blank, per signature kind and per layout, clean and photographed.

    .venv/bin/python samples/bench_handwriting.py [--seeds N] [--variants clean,camera] [--layouts a,b] [--kinds a,b]

Layouts (samples/signature_pages.py): the generator's application form and power of attorney, and four drawn there
(label + date on one row, a ruled cell, the signature under its label, a letter with two signers). The ink thresholds
were set on the generator's two layouts; the four others are reported apart as "layouts not tuned on".

Prints per kind and per layout: signed judged right (a signed page → `signed: true`), unsigned judged right (a blank
area → `signed: false`), and how often a blank area was a definite finding (error) rather than a warning; then totals
and the seconds per page. (samples/bench_signatures.py times electronic signature verification, a different thing.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import signature_pages as sp  # noqa: E402
import signatures as sg  # noqa: E402
from pipeline.interfaces import SHANGHAI  # noqa: E402

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
TUNED = {"application_form", "power_of_attorney"}


def _deps():
    from extractors import build_registry
    from pipeline.capture import CaptureSettings
    from pipeline.confidence import Calibrator
    from pipeline.ocr import RapidOcrEngine
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks

    return Dependencies(engine=RapidOcrEngine(threads=2), store=MemoryStore(), types=build_registry(),
                        checks=build_checks(), calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds(),
                        capture=CaptureSettings())


def judge_page(deps, layout: str, kind: str, seed: int, variant: str) -> dict:
    """One page through the pipeline: what it said about the signature."""
    from pipeline.runner import make_upload, process

    data, truth = sp.page(layout, kind, seed, variant)
    docs = process(make_upload(data, f"{layout}-{kind}-{seed}", AT), data, deps, AT)
    doc = next((d for d in docs if d.type == truth["doc_type"]), None)
    signed = doc.fields.get("signed") if doc is not None else None
    definite = doc is not None and any(f.code.endswith(".unsigned") and f.severity == "error" for f in doc.findings)
    return {"truth": truth["signed"], "said": None if signed is None else signed.value, "definite": definite,
            "typed": doc is not None}


def _line(label: str, rows: list[dict]) -> str:
    signed = [r for r in rows if r["truth"]]
    blank = [r for r in rows if not r["truth"]]

    def rate(part, ok):
        return f"{sum(ok(r) for r in part)}/{len(part)} ({100 * sum(ok(r) for r in part) / len(part):.1f} %)" if part else "-"

    false_errors = sum(r["definite"] for r in signed)
    return (f"{label:28s} signed→true {rate(signed, lambda r: r['said'] is True):>18s}   "
            f"unsigned→false {rate(blank, lambda r: r['said'] is False):>18s}   "
            f"blank as error {rate(blank, lambda r: r['definite']):>18s}   false errors {false_errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--variants", default="clean,camera")
    parser.add_argument("--layouts", default=",".join(sp.LAYOUTS))
    parser.add_argument("--kinds", default=",".join(sg.KINDS))
    args = parser.parse_args()
    start = time.perf_counter()
    deps = _deps()
    rows: list[dict] = []
    for variant in args.variants.split(","):
        for layout in args.layouts.split(","):
            for kind in args.kinds.split(","):
                for seed in range(args.seeds):
                    row = judge_page(deps, layout, kind, seed, variant)
                    row.update(layout=layout, kind=kind, variant=variant)
                    rows.append(row)
                    verdict = "right" if row["said"] is row["truth"] else f"WRONG (said {row['said']})"
                    print(f"  {variant} {layout} {kind} seed {seed}: {verdict}", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[f"{r['variant']} kind {r['kind']}"].append(r)
        groups[f"{r['variant']} layout {r['layout']}"].append(r)
        groups[f"{r['variant']} " + ("tuned on" if r["layout"] in TUNED else "not tuned on")].append(r)
        groups["all " + ("layouts tuned on" if r["layout"] in TUNED else "layouts not tuned on")].append(r)
    for label in sorted(groups):
        print(_line(label, groups[label]))
    print(_line("all", rows))
    print(f"\n{len(rows)} pages, {elapsed:.0f} s, {elapsed / max(1, len(rows)):.1f} s per page (model load included)")


if __name__ == "__main__":
    main()

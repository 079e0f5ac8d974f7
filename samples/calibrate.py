"""Fit the confidence calibration shipped as pipeline/calibration.json.

Runs the pipeline with raw (uncalibrated) scores over a seeded generated set held apart from the benchmark
set, labels each field value exact-right or not against the ground truth, and fits an isotonic regression
raw score -> probability per field class. The set is synthetic; the README says so.

    .venv/bin/python samples/calibrate.py --seed 1001 --count 60 --doc-count 4

Both ID cards (generate_idcards.py) and the reference item's documents (generate_documents.py, every type,
clean and camera-like) feed the fit; the seed differs from the benchmarks' (2026).

    .venv/bin/python samples/calibrate.py --refit bench-out/layout-pairs.json --held-out \
        bench-out/layout-pairs-held-out.json [--classes name,text]

refits from saved pairs (bench_layouts.py's tuning layouts) and prints the reliability on the held-out layouts'
pairs under the shipped and the refit curves; `--classes` refits only those classes and keeps the others.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness  # noqa: E402

OUT = _harness.ROOT / "pipeline" / "calibration.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1001)
    parser.add_argument("--count", type=int, default=60, help="ID cards per variant")
    parser.add_argument("--doc-count", type=int, default=4, help="documents per type and variant")
    parser.add_argument("--layout-count", type=int, default=3,
                        help="documents per tuning layout and variant (generate_layouts.py; held-out layouts never)")
    parser.add_argument("--refit", nargs="+", type=Path, metavar="PAIRS",
                        help="fit from saved (raw, exact) pairs instead of running OCR: bench-out/calibration-pairs.json "
                             "of an earlier run, bench-out/layout-pairs.json of bench_layouts.py (tuning layouts only)")
    parser.add_argument("--classes", metavar="A,B",
                        help="with --refit: refit only these field classes, keep the shipped curves of the others")
    parser.add_argument("--held-out", type=Path, metavar="PAIRS",
                        help="with --refit: print the reliability on these pairs (bench-out/layout-pairs-held-out.json) "
                             "under the shipped calibration and under the refit one")
    args = parser.parse_args()
    if args.refit:
        pairs = _load(args.refit)
        held_out = _load([args.held_out]) if args.held_out else {}
        if held_out:
            reliability("shipped calibration, held-out layouts", held_out, _curves_of(json.loads(OUT.read_text())))
        only = args.classes.split(",") if args.classes else None
        _write(pairs, {"refit_from": [p.name for p in args.refit]}, only)
        if held_out:
            reliability("refit calibration, held-out layouts", held_out, _curves_of(json.loads(OUT.read_text())))
        return
    pairs = _measure(args)
    (_harness.ROOT / "bench-out").mkdir(exist_ok=True)
    (_harness.ROOT / "bench-out" / "calibration-pairs.json").write_text(json.dumps(pairs))  # to refit without OCR
    _write(pairs, {"seed": args.seed, "count": args.count, "doc_count": args.doc_count, "layout_count": args.layout_count})


def _load(paths: list[Path]) -> dict[str, list]:
    pairs: dict[str, list] = {}
    for path in paths:
        for field_class, points in json.loads(path.read_text()).items():
            pairs.setdefault(field_class, []).extend(tuple(p) for p in points)
    return pairs


def _curves_of(data: dict):
    from pipeline.confidence import Calibrator, Curve

    return Calibrator({name: Curve(tuple(c["x"]), tuple(c["y"])) for name, c in data.get("classes", {}).items()})


def reliability(title: str, pairs: dict[str, list], calibrator) -> None:
    """Per field class: mean calibrated confidence against the observed exact-match rate of saved (raw, exact) pairs
    (the raw support already carries the shape factor, so the calibrator is asked without the value)."""
    print(f"{title}:  class        n  mean conf  exact    gap")
    for field_class, points in sorted(pairs.items()):
        conf = sum(calibrator(field_class, raw) for raw, _ in points) / len(points)
        exact = sum(ok for _, ok in points) / len(points)
        print(f"{'':{len(title) + 3}s}{field_class:10s} {len(points):4d} {conf:10.3f} {exact:6.3f} {100 * (conf - exact):+6.1f}")


def _measure(args) -> dict[str, list[tuple[float, int]]]:
    """Run the uncalibrated pipeline over a seeded set: per field class, (raw support, exact match) pairs."""
    from extractors import build_registry

    classes = {t.code: t.field_classes for t in build_registry()}
    with tempfile.TemporaryDirectory() as tmp:
        files = _harness.write_set(Path(tmp), args.seed, args.count, ["clean", "camera"],
                                   camera={"random_distortions": 0.3})
        files += _harness.write_document_set(Path(tmp) / "documents", args.seed, args.doc_count, ["clean", "camera"])
        if args.layout_count:
            files += _harness.write_layout_set(Path(tmp) / "layouts", args.seed, args.layout_count, ["clean", "camera"], "tuning")
        results = _harness.run_pipeline(files, calibrated=False)
        pairs: dict[str, list[tuple[float, int]]] = {}
        for path, result in zip(files, results):
            truth = _harness.truth_of(path)
            expected = truth.get("fields") or {}
            for doc in result["documents"]:
                if doc["type"] != truth["type"]:
                    continue
                for name, value in expected.items():
                    got = doc["fields"].get(name)
                    if got is None:
                        continue
                    field_class = classes[doc["type"]].get(name, "text")
                    pairs.setdefault(field_class, []).append((got["confidence"], int(got["value"] == value)))
    return pairs


def _write(pairs: dict[str, list[tuple[float, int]]], source: dict, only: list[str] | None = None) -> None:
    """Fit and ship the curves of `pairs`; with `only`, just those classes, the shipped file's others kept and
    its meta told which classes were refit from what."""
    if only:
        shipped = json.loads(OUT.read_text(encoding="utf-8"))
        curves = dict(shipped["classes"])
        for field_class in only:
            curves[field_class] = fit_curve(pairs[field_class])
            c = curves[field_class]
            print(f"{field_class:10s} n={c['n']:4d} accuracy={c['accuracy']:.3f} knots={len(c['x'])} "
                  f"range=[{c['y'][0]:.3f}, {c['y'][-1]:.3f}]  (refit)")
        meta = {**shipped["meta"], "refit": {**shipped["meta"].get("refit", {}), "classes": sorted(
            set(shipped["meta"].get("refit", {}).get("classes", [])) | set(only)), f"{'+'.join(only)} from": source}}
        OUT.write_text(json.dumps({"meta": meta, "classes": curves}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
        return
    curves = {}
    for field_class, points in sorted(pairs.items()):
        curves[field_class] = fit_curve(points)
        c = curves[field_class]
        print(f"{field_class:10s} n={c['n']:4d} accuracy={c['accuracy']:.3f} knots={len(c['x'])} "
              f"range=[{c['y'][0]:.3f}, {c['y'][-1]:.3f}]")
    meta = {**source, "layouts": "tuning only (generate_layouts.HELD_OUT never used)", "variants": ["clean", "camera"], "synthetic": True,
            "method": "isotonic regression of exact-match on the raw support (the engine's line score times the factors "
                      "of how the value was found and its shape, pipeline/confidence.py); each block's rate "
                      "smoothed as (right + 1) / (n + 2); below the fitted range the raw score caps it"}
    OUT.write_text(json.dumps({"meta": meta, "classes": curves}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


def fit_curve(points: list[tuple[float, int]]) -> dict:
    """Isotonic fit whose blocks carry a Beta(1, 1) posterior mean instead of the raw block rate: a class that
    was never wrong on n samples gets (n + 1) / (n + 2), never a certainty the data cannot show."""
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    order = sorted(points)
    xs = np.array([x for x, _ in order], dtype=float)
    ys = np.array([y for _, y in order], dtype=float)
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True).fit_transform(xs, ys)
    knots_x: list[float] = []
    knots_y: list[float] = []
    start = 0
    for end in range(1, len(xs) + 1):
        if end == len(xs) or fitted[end] != fitted[start]:
            block = ys[start:end]
            rate = (block.sum() + 1.0) / (len(block) + 2.0)
            knots_x += [float(xs[start]), float(xs[end - 1])]
            knots_y += [rate, rate]
            start = end
    knots_y = list(np.maximum.accumulate(knots_y))
    return {"x": [round(x, 4) for x in knots_x], "y": [round(float(y), 4) for y in knots_y], "n": len(points),
            "accuracy": round(float(ys.mean()), 4)}


if __name__ == "__main__":
    main()

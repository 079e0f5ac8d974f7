"""Benchmark: reading paperwork in layouts tuned on and layouts held out (samples/generate_layouts.py), clean and
photographed: type accuracy, key fields exact, reliability of the calibrated field confidence per field class,
and time per page against bare OCR of the same images, timed side by side page by page in one process.

    nice -n 10 .venv/bin/python samples/bench_layouts.py --count 4
    .venv/bin/python samples/bench_layouts.py --seed 3030 --count 2 --threads 1 --repeat 3   # time, quiet machine

Layouts in generate_layouts.HELD_OUT are reported apart as "layouts not tuned on". Synthetic pages: the figures
say how the readers do on layouts they were not fitted to, not how they do on every real form.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))
SELF = Path(__file__).resolve()

# Key fields: the parties and their ID numbers, credit codes, names, dates.
KEY_FIELDS = {
    "application_form": ("operator_name", "operator_id_number", "signed_on"),
    "power_of_attorney": ("principal_name", "principal_id_number", "agent_name", "agent_id_number", "valid_until"),
    "legal_rep_certificate": ("organisation_name", "credit_code", "representative_name", "representative_id_number",
                              "signed_on"),
    "business_licence": ("credit_code", "name", "legal_representative", "established_on"),
}
SKIP = ("signed",)  # judged by the handwriting stage and samples/bench_handwriting.py
EDGES = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0001)


def write_set(out: Path, seed: int, count: int, variant: str, split: str) -> list[Path]:
    import generate_documents as gd
    import generate_layouts as gl

    out.mkdir(parents=True, exist_ok=True)
    files = []
    for data, truth in gl.generate(seed, count, variant, split):
        path = out / f"{gd.file_stem(truth)}{gd.extension(truth)}"
        path.write_bytes(data)
        path.with_suffix(".json").write_text(gd.truth_json(truth), encoding="utf-8")
        files.append(path)
    return sorted(files)


def _child(folder: Path, out: Path, threads: int, bare: bool, repeat: int) -> None:
    """Run the pipeline over the pages of `folder` in this one process and, with `bare`, bare OCR of each page
    just before it: the two are timed side by side, page by page, so that a machine that gets busier or quieter
    during the run moves both alike. With `repeat`, each page's times are the median of that many runs."""
    import cv2
    import numpy as np

    from pipeline.runner import make_upload, process
    from pipeline.settings import Settings
    from storage.objects import MemoryStore
    from workers.wiring import build_services

    from dataclasses import replace

    from pipeline.confidence import Calibrator

    # raw support kept (the parent calibrates it), so one run gives both the reliability table and the pairs
    # calibrate.py --refit fits from
    deps = replace(build_services(Settings(ocr_threads=threads), ocr=True, database=False, store=MemoryStore()).deps, calibrator=Calibrator({}))
    results = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg")):
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        data = path.read_bytes()
        at = dt.datetime.fromisoformat(truth["reference_date"] + "T12:00:00+08:00")
        bare_times, pipe_times = [], []
        for _ in range(repeat):
            if bare:
                start = time.perf_counter()
                deps.engine.read(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))
                bare_times.append(time.perf_counter() - start)
            deps = replace(deps, store=MemoryStore())  # each run stores its page images afresh
            start = time.perf_counter()
            docs = process(make_upload(data, path.name, at), data, deps, at)
            pipe_times.append(time.perf_counter() - start)
        results.append({"file": path.name, "seconds": statistics.median(pipe_times),
                        "bare": statistics.median(bare_times) if bare else None, "documents": [
            {"type": d.type, "type_confidence": d.type_confidence,
             "fields": {k: {"value": f.value, "confidence": f.confidence} for k, f in d.fields.items()}} for d in docs]})
    out.write_text(json.dumps(results, ensure_ascii=False))


def run(folder: Path, threads: int, bare: bool, repeat: int) -> list[dict]:
    out = folder.parent / f"{folder.name}-pipeline.json"
    cmd = [sys.executable, str(SELF), "--child", str(folder), str(out), "--threads", str(threads),
           "--repeat", str(repeat)] + (["--bare"] if bare else [])
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text())


class Tally:
    def __init__(self) -> None:
        self.types: Counter = Counter()
        self.pages = 0
        self.fields: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.reliability: dict[str, list[tuple[float, int]]] = defaultdict(list)
        self.misses: list[str] = []
        self.raw: dict[str, list[tuple[float, int]]] = defaultdict(list)

    def add(self, truth: dict, result: dict, classes: dict, calibrator) -> None:
        doc = result["documents"][0] if result["documents"] else None
        self.pages += 1
        right_type = doc is not None and doc["type"] == truth["type"]
        self.types[right_type] += 1
        if not right_type:
            self.misses.append(f"{result['file']}: type {doc['type'] if doc else None}")
        for name, want in truth["fields"].items():
            if name in SKIP:
                continue
            got = doc["fields"].get(name) if right_type else None
            ok = int(got is not None and got["value"] == want)
            self.fields[(truth["type"], name)].append(ok)
            if got is not None:
                field_class = classes[truth["type"]].get(name, "text")
                self.raw[field_class].append((got["confidence"], ok))
                self.reliability[field_class].append((calibrator(field_class, got["confidence"]), ok))
            if not ok and len(self.misses) < 40:
                self.misses.append(f"{result['file']}: {name} {got['value'] if got else None!r} != {want!r}")

    def report(self, title: str) -> None:
        print(f"\n== {title}: {self.pages} pages")
        print(f"  type right: {self.types[True]}/{self.pages} = {self.types[True] / max(self.pages, 1):.1%}")
        key_ok = key_n = 0
        for (doc_type, name), oks in sorted(self.fields.items()):
            key = name in KEY_FIELDS.get(doc_type, ())
            if key:
                key_ok, key_n = key_ok + sum(oks), key_n + len(oks)
            print(f"    {doc_type:22s} {name:26s} {sum(oks):4d}/{len(oks):<4d} {sum(oks) / len(oks):7.1%}{'  key' if key else ''}")
        print(f"  key fields exact: {key_ok}/{key_n} = {key_ok / max(key_n, 1):.1%}")
        print(f"  {'class':10s} {'n':>5s} {'mean conf':>9s} {'exact':>7s} {'gap':>6s}   (calibrated confidence vs observed)")
        for name, pts in sorted(self.reliability.items()):
            conf, acc = statistics.mean(c for c, _ in pts), statistics.mean(ok for _, ok in pts)
            print(f"  {name:10s} {len(pts):5d} {conf:9.3f} {acc:7.3f} {100 * (conf - acc):+6.1f}")
            for lo, hi in zip(EDGES, EDGES[1:]):
                chunk = [(c, ok) for c, ok in pts if lo <= c < hi]
                if chunk:
                    print(f"      [{lo:.2f},{min(hi, 1):.2f}) {len(chunk):5d} {statistics.mean(c for c, _ in chunk):9.3f} "
                          f"{statistics.mean(ok for _, ok in chunk):7.3f}")
        for miss in self.misses[:20]:
            print(f"  miss  {miss}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=3030)
    parser.add_argument("--count", type=int, default=4, help="documents per type, layout and variant")
    parser.add_argument("--variants", default="clean,camera")
    parser.add_argument("--splits", default="tuning,held_out")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-OCR timing")
    parser.add_argument("--repeat", type=int, default=1, help="runs per page; times are each page's median")
    parser.add_argument("--child", nargs=2, metavar=("DIR", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)  # the child times bare OCR too
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), Path(args.child[1]), args.threads, args.bare, args.repeat)
        return

    from extractors import build_registry
    from pipeline.confidence import Calibrator

    calibrator = Calibrator.shipped()
    pairs: dict[str, dict[str, list]] = {"tuning": defaultdict(list), "held_out": defaultdict(list)}
    classes = {t.code: t.field_classes for t in build_registry()}
    print(f"seed {args.seed}: {args.count} documents per type, layout and variant; {args.threads} ONNX threads")
    with tempfile.TemporaryDirectory() as tmp:
        for split in args.splits.split(","):
            for variant in args.variants.split(","):
                folder = Path(tmp) / f"{split}-{variant}"
                files = write_set(folder, args.seed, args.count, variant, split)
                results = run(folder, args.threads, not args.no_bare, args.repeat)
                tally = Tally()
                for path, result in zip(files, results):
                    tally.add(json.loads(path.with_suffix(".json").read_text(encoding="utf-8")), result, classes, calibrator)
                for field_class, pts in tally.raw.items():
                    pairs[split][field_class].extend(pts)
                label = "layouts not tuned on" if split == "held_out" else "tuning layouts"
                tally.report(f"{label}, {variant}")
                pipe = statistics.mean(r["seconds"] for r in results)
                if not args.no_bare:
                    bare = statistics.mean(r["bare"] for r in results)
                    ratios = sorted(r["seconds"] / r["bare"] for r in results)
                    print(f"  time per page: pipeline {pipe:.2f} s, bare OCR {bare:.2f} s, ratio {pipe / bare:.2f} "
                          f"(per page: median {statistics.median(ratios):.2f}, highest {ratios[-1]:.2f})")
                    for r in sorted(results, key=lambda r: -r["seconds"] / r["bare"])[:3]:
                        print(f"    slowest against bare OCR: {r['file']} {r['seconds'] / r['bare']:.2f}")
                else:
                    print(f"  time per page: pipeline {pipe:.2f} s")
    (ROOT / "bench-out").mkdir(exist_ok=True)
    for split, name in (("tuning", "layout-pairs.json"), ("held_out", "layout-pairs-held-out.json")):
        if pairs[split]:
            out = ROOT / "bench-out" / name
            out.write_text(json.dumps(pairs[split]))
            print(f"\nraw support and exact-match of the {split} layouts written to {out}")
    print("refit on the tuning layouts only, judged on the others: samples/calibrate.py --refit "
          "bench-out/layout-pairs.json --held-out bench-out/layout-pairs-held-out.json")


if __name__ == "__main__":
    main()

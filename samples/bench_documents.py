"""Document benchmark: classification (confusion matrix, accuracy per type), per-field exact match per type,
reliability of the confidences, and pages per second on the born-digital PDF path versus the OCR path.

A seeded set is generated with generate_documents.py (clean and camera-like page images of every type and
of other kinds, and multi-document PDF bundles, born-digital and scanned); each set runs in its own process
with one OCR engine (model load included once). Not a test: it prints figures.

    .venv/bin/python samples/bench_documents.py --seed 2026 --count 6 --bundles 3
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

KEY_FIELDS = {
    "business_licence": ("credit_code", "name", "legal_representative", "established_on"),
    "application_form": ("operator_name", "operator_id_number", "signed_on"),
    "power_of_attorney": ("principal_name", "principal_id_number", "agent_name", "agent_id_number", "valid_until"),
    "property_certificate": ("certificate_number", "unit_number", "holder"),
    "lease_contract": ("lessor", "lessee", "term_from", "term_until"),
}


def write_set(out: Path, seed: int, count: int, variant: str, bundles: int) -> list[Path]:
    import generate_documents as gen

    out.mkdir(parents=True, exist_ok=True)
    if variant in ("pdf_text", "pdf_scan"):
        items = gen.generate(seed, bundles, variant)
    else:
        items = gen.generate(seed, count, variant, (*gen.TYPES, gen.OTHER))
    files = []
    for data, truth in items:
        path = out / f"{gen.file_stem(truth)}{gen.extension(truth)}"
        path.write_bytes(data)
        path.with_suffix(".json").write_text(gen.truth_json(truth), encoding="utf-8")
        files.append(path)
    return sorted(files)


def _child(folder: Path, out: Path, threads: int) -> None:
    """Run the pipeline over every file of `folder` in this one process."""
    from pipeline.runner import make_upload, process
    from pipeline.settings import Settings
    from storage.objects import MemoryStore
    from workers.wiring import build_services

    deps = build_services(Settings(ocr_threads=threads), ocr=True, database=False, store=MemoryStore()).deps
    results = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg", ".pdf")):
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        at = dt.datetime.fromisoformat(truth["reference_date"] + "T12:00:00+08:00")
        data = path.read_bytes()
        start = time.perf_counter()
        docs = process(make_upload(data, path.name, at), data, deps, at)
        seconds = time.perf_counter() - start
        results.append({"file": path.name, "seconds": seconds, "documents": [
            {"type": d.type, "type_confidence": d.type_confidence, "pages": list(d.pages),
             "fields": {k: {"value": f.value, "confidence": f.confidence} for k, f in d.fields.items()},
             "findings": [f"{f.code}:{f.severity}" for f in d.findings]} for d in docs]})
    out.write_text(json.dumps(results, ensure_ascii=False))


def _run(folder: Path, threads: int) -> tuple[list[dict], float]:
    out = folder.parent / f"{folder.name}-results.json"
    start = time.perf_counter()
    subprocess.run([sys.executable, str(SELF), "--child", str(folder), str(out), "--threads", str(threads)],
                   check=True, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text()), time.perf_counter() - start


class Tally:
    def __init__(self) -> None:
        self.confusion: dict[str, Counter] = defaultdict(Counter)
        self.fields: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.reliability: dict[str, list[tuple[float, int]]] = defaultdict(list)
        self.type_reliability: list[tuple[float, int]] = []

    def page(self, truth_type: str, doc: dict | None, truth_fields: dict, classes: dict, skip=()) -> None:
        predicted = doc["type"] if doc else "unknown"
        self.confusion[truth_type][predicted] += 1
        if doc and predicted != "unknown":
            self.type_reliability.append((doc["type_confidence"], int(predicted == truth_type)))
        for name, want in truth_fields.items():
            if name in skip:
                continue
            got = (doc or {}).get("fields", {}).get(name) if predicted == truth_type else None
            ok = int(got is not None and got["value"] == want)
            self.fields[(truth_type, name)].append(ok)
            if got is not None:
                self.reliability[classes.get(truth_type, {}).get(name, "text")].append((got["confidence"], ok))


def _print_confusion(tally: Tally, types: list[str]) -> None:
    predicted = sorted({p for row in tally.confusion.values() for p in row} | set(types))
    short = {t: t.replace("business_", "").replace("_certificate", "_cert").replace("power_of_attorney", "attorney")
             .replace("application_", "app_").replace("lease_contract", "lease")[:10] for t in predicted}
    print("  " + "truth / predicted".ljust(22) + "".join(f"{short[p]:>11s}" for p in predicted) + f"{'accuracy':>10s}")
    total = right = silent = 0
    for t in types:
        row = tally.confusion.get(t, Counter())
        n = sum(row.values())
        if not n:
            continue
        total += n
        right += row[t]
        silent += sum(c for p, c in row.items() if p not in (t, "unknown"))
        print(f"  {t:22s}" + "".join(f"{row[p]:11d}" for p in predicted) + f"{row[t] / n:10.1%}")
    print(f"  overall {right}/{total} = {right / max(total, 1):.1%}; wrong type given with confidence above the threshold: {silent}")


def _print_fields(tally: Tally) -> None:
    key_ok = key_n = 0
    for (doc_type, name), oks in sorted(tally.fields.items()):
        key = name in KEY_FIELDS.get(doc_type, ())
        if key:
            key_ok += sum(oks)
            key_n += len(oks)
        print(f"    {doc_type:22s} {name:24s} {sum(oks):4d}/{len(oks):<4d} {sum(oks) / len(oks):7.1%}{'  key' if key else ''}")
    print(f"  key fields exact: {key_ok}/{key_n} = {key_ok / max(key_n, 1):.1%}")


def _print_reliability(points: dict[str, list[tuple[float, int]]]) -> None:
    edges = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0001]
    print(f"  {'class':10s} {'bin':>11s} {'n':>5s} {'mean conf':>9s} {'accuracy':>9s}")
    for name, pts in sorted(points.items()):
        for lo, hi in zip(edges, edges[1:]):
            chunk = [(c, ok) for c, ok in pts if lo <= c < hi]
            if chunk:
                print(f"  {name:10s} [{lo:.2f},{min(hi, 1):.2f}) {len(chunk):5d} {statistics.mean(c for c, _ in chunk):9.3f} "
                      f"{statistics.mean(ok for _, ok in chunk):9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=6, help="documents per type per image variant")
    parser.add_argument("--bundles", type=int, default=3, help="multi-document PDFs per PDF variant")
    parser.add_argument("--variants", default="clean,camera,pdf_text,pdf_scan")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("DIR", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), Path(args.child[1]), args.threads)
        return

    import generate_documents as gen
    from extractors import build_registry

    classes = {t.code: t.field_classes for t in build_registry()}
    types = [*gen.TYPES, gen.OTHER]
    print(f"seed {args.seed}: {args.count} documents per type and variant (+ {args.count} other pages), "
          f"{args.bundles} PDF bundles per PDF variant, {args.threads} ONNX threads")
    per_page: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants.split(","):
            folder = Path(tmp) / variant
            files = write_set(folder, args.seed, args.count, variant, args.bundles)
            results, wall = _run(folder, args.threads)
            tally = Tally()
            pages = 0
            split_ok = split_n = 0
            for path, result in zip(files, results):
                truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
                docs = result["documents"]
                if truth["type"] == "bundle":
                    pages += truth["page_count"]
                    split_n += 1
                    split_ok += [(d["type"], d["pages"]) for d in docs] == [(t["type"], t["pages"]) for t in truth["documents"]]
                    for expected in truth["documents"]:
                        doc = next((d for d in docs if d["pages"] == expected["pages"]), None)
                        skip = expected["handwritten"] if variant == "pdf_text" else ()
                        tally.page(expected["type"], doc, expected["fields"], classes, skip)
                else:
                    pages += 1
                    tally.page(truth["type"], docs[0] if docs else None, truth["fields"], classes)
            seconds = [r["seconds"] for r in results]
            per_page[variant] = sum(seconds) / max(pages, 1)
            print(f"\n== {variant}: {len(files)} files, {pages} pages; {sum(seconds):.1f} s in the pipeline "
                  f"({per_page[variant]:.3f} s/page, {1 / max(per_page[variant], 1e-9):.2f} pages/s), {wall:.1f} s wall")
            if split_n:
                print(f"  bundles split into exactly the right documents: {split_ok}/{split_n}")
            print("  classification (documents for bundles, pages for images):")
            _print_confusion(tally, types)
            print("  fields (exact match of the normalised value):")
            _print_fields(tally)
            print("  reliability of field confidence:")
            _print_reliability(tally.reliability)
            print("  reliability of type confidence:")
            _print_reliability({"type": tally.type_reliability})
    if "pdf_text" in per_page and "pdf_scan" in per_page:
        print(f"\nPDF text layer {1 / per_page['pdf_text']:.2f} pages/s vs OCR {1 / per_page['pdf_scan']:.2f} pages/s: "
              f"{per_page['pdf_scan'] / per_page['pdf_text']:.1f} x faster per page")


if __name__ == "__main__":
    main()

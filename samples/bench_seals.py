"""Benchmark of the civil records, other identity documents, red seals and QR codes. Not a test: it prints figures.

1. Document types (generate_more_documents.py, clean and camera pages through the whole pipeline in this one
   process, model load included once): confusion matrix and accuracy per type, per-field exact match.
2. Seals (pipeline/seals.py directly on the page images, so every page is searched whatever its type): pages with
   seals (法定代表人身份证明书 with round, oval and square seals, 户口簿 户主页, 结婚证, 营业执照) and seal-free pages
   (申请书, 授权委托书, 不动产权证书, 常住人口登记卡, identity documents, certificates stamped by nobody):
   detection precision and recall per kind, false seals on seal-free pages, exact match of the organisation read.
3. QR codes on business licences: decoded and exact.

    .venv/bin/python samples/bench_seals.py --seed 2027 --count 4 --seal-count 12
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import bench_documents as bd  # noqa: E402
import generate_documents as gd  # noqa: E402
import generate_more_documents as gm  # noqa: E402

KEY_FIELDS = {
    "household_register": ("page_kind", "head_name", "household_number", "name", "id_number"),
    "marriage_certificate": ("certificate_number", "party1_name", "party1_id_number", "party2_name", "party2_id_number"),
    "legal_rep_certificate": ("organisation_name", "credit_code", "representative_name", "representative_id_number"),
    "temporary_id_card": ("id_number",), "residence_permit": ("id_number",), "travel_permit_hkmo": ("permit_number",),
    "travel_permit_tw": ("permit_number",), "passport": ("passport_number",),
}
SEALED = ("legal_rep_certificate", "household_register", "marriage_certificate", "business_licence")
SEAL_FREE = ("application_form", "power_of_attorney", "property_certificate", "lease_contract", "temporary_id_card",
             "passport")


def _decode(data: bytes):
    import cv2

    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def _inside(point, quad) -> bool:
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    return min(xs) <= point[0] <= max(xs) and min(ys) <= point[1] <= max(ys)


def _print_misses(truth: dict, doc: dict | None) -> None:
    if doc is None or doc["type"] != truth["type"]:
        print(f"  miss {truth['type']} {gd.file_stem(truth)}: read as {doc['type'] if doc else None}")
        return
    for name, want in truth["fields"].items():
        got = doc["fields"].get(name)
        if got is None or got["value"] != want:
            print(f"  miss {truth['type']} {gd.file_stem(truth)} {name}: {want!r} -> {got['value'] if got else None!r}")


def bench_types(deps, seed: int, count: int, variants: list[str], types: tuple[str, ...] = gm.TYPES,
                show_misses: bool = False) -> None:
    from extractors import build_registry
    from pipeline.runner import make_upload, process

    bd.KEY_FIELDS.update(KEY_FIELDS)
    classes = {t.code: t.field_classes for t in build_registry()}
    for variant in variants:
        tally, seconds, pages = bd.Tally(), 0.0, 0
        for data, truth in gm.generate(seed, count, variant, types):
            at = dt.datetime.fromisoformat(truth["reference_date"] + "T12:00:00+08:00")
            start = time.perf_counter()
            docs = process(make_upload(data, "page", at), data, deps, at)
            seconds += time.perf_counter() - start
            pages += 1
            doc = docs[0] if docs else None
            as_dict = None if doc is None else {
                "type": doc.type, "type_confidence": doc.type_confidence,
                "fields": {k: {"value": f.value, "confidence": f.confidence} for k, f in doc.fields.items()}}
            tally.page(truth["type"], as_dict, truth["fields"], classes)
            if show_misses:
                _print_misses(truth, as_dict)
        print(f"\n== document types, {variant}: {pages} pages, {seconds / max(pages, 1):.2f} s/page")
        print("  classification:")
        bd._print_confusion(tally, list(types))
        print("  fields (exact match of the normalised value):")
        bd._print_fields(tally)


def seal_pages(seed: int, count: int, variant: str):
    """(image, truth) of pages with seals and of seal-free pages."""
    for doc_type in SEALED + SEAL_FREE:
        n = count * 3 if doc_type == "legal_rep_certificate" else count
        for index in range(n):
            for data, truth in gd.page_images(seed, index, doc_type, variant):
                yield data, truth


def bench_seals(engine, seed: int, count: int, variants: list[str], show_misses: bool = False) -> None:
    from pipeline import seals as seal_mod

    for variant in variants:
        truth_n = Counter()
        found_n = Counter()
        hit_n = Counter()
        read_ok = Counter()
        free_pages = free_false = 0
        detect_s = read_s = 0.0
        codes_n = codes_ok = 0
        misreads = []
        for data, truth in seal_pages(seed, count, variant):
            image = _decode(data)
            start = time.perf_counter()
            found = seal_mod.find_seals(image)
            detect_s += time.perf_counter() - start
            expected = truth.get("seals", [])
            if not expected:
                free_pages += 1
                free_false += bool(found)
            matched = set()
            for f in found:
                found_n[f.kind] += 1
                centre = ((f.box[0] + f.box[2]) / 2, (f.box[1] + f.box[3]) / 2)
                which = next((i for i, t in enumerate(expected) if i not in matched and _inside(centre, t["box"])), None)
                if which is None:
                    continue
                matched.add(which)
                want = expected[which]
                hit_n[want["kind"]] += 1
                start = time.perf_counter()
                read = seal_mod.read_seal(image, f, engine)
                read_s += time.perf_counter() - start
                ok = read.organisation == want["organisation"]
                read_ok[want["kind"]] += ok
                if not ok and (show_misses or len(misreads) < 8):
                    misreads.append(f"{want['kind']} {want['organisation']} -> {read.organisation}")
            for t in expected:
                truth_n[t["kind"]] += 1
            for text in truth.get("codes", []):
                from pipeline.qr import read_codes

                codes_n += 1
                codes_ok += any(c.text == text for c in read_codes(image, 1))
        print(f"\n== seals, {variant}: detection {detect_s:.1f} s in all, reading {read_s:.1f} s in all")
        print(f"  {'kind':8s} {'truth':>6s} {'found':>6s} {'right':>6s} {'recall':>8s} {'precision':>10s} {'org exact':>10s}")
        for kind in ("round", "oval", "square"):
            t, f, h = truth_n[kind], found_n[kind], hit_n[kind]
            print(f"  {kind:8s} {t:6d} {f:6d} {h:6d} {h / max(t, 1):8.1%} {h / max(f, 1):10.1%} {read_ok[kind] / max(h, 1):10.1%}")
        t, f, h, r = sum(truth_n.values()), sum(found_n.values()), sum(hit_n.values()), sum(read_ok.values())
        print(f"  {'all':8s} {t:6d} {f:6d} {h:6d} {h / max(t, 1):8.1%} {h / max(f, 1):10.1%} {r / max(h, 1):10.1%}")
        print(f"  seal-free pages with a false seal: {free_false}/{free_pages} = {free_false / max(free_pages, 1):.1%}")
        if codes_n:
            print(f"  QR codes on business licences decoded exactly: {codes_ok}/{codes_n}")
        if misreads:
            print("  some misread organisations: " + "; ".join(misreads))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--count", type=int, default=4, help="documents per new type and variant (pipeline part)")
    parser.add_argument("--seal-count", type=int, default=12, help="pages per type and variant (seal part)")
    parser.add_argument("--variants", default="clean,camera")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-types", action="store_true")
    parser.add_argument("--skip-seals", action="store_true", help="run only the document-types part")
    parser.add_argument("--misses", action="store_true", help="print every field and seal organisation read wrong or not read")
    parser.add_argument("--types", default=",".join(gm.TYPES), help="document types of the types part")
    args = parser.parse_args()
    from pipeline.settings import Settings
    from storage.objects import MemoryStore
    from workers.wiring import build_services

    deps = build_services(Settings(ocr_threads=args.threads), ocr=True, database=False, store=MemoryStore()).deps
    variants = args.variants.split(",")
    print(f"seed {args.seed}: {args.count} documents per new type and variant; seals on {args.seal_count} pages per type "
          f"and variant ({args.seal_count * 3} legal-representative certificates); {args.threads} ONNX threads")
    if not args.skip_seals:
        bench_seals(deps.engine, args.seed, args.seal_count, variants, args.misses)
    if not args.skip_types:
        bench_types(deps, args.seed, args.count, variants, tuple(t for t in args.types.split(",") if t),
                    args.misses)


if __name__ == "__main__":
    main()

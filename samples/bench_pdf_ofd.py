"""PDF text layers and OFD e-licences benchmark (issue 17). Not a test: it prints figures.

- forged hidden layers: ID card pictures (generator, clean and camera-like) in a PDF whose invisible text layer states
  another person's name and number (samples/make_forged_pdf.py) — caught when the document gets
  `pdf.text_layer_mismatch`; the visible reading must still be the card's. Control: the same pictures with an honest
  invisible layer (an OCR sandwich) must get no such finding.
- OFD e-licence fields: generated OFDs (samples/make_ofd.py; template image + text objects, or text objects only) of
  不动产登记证明, 不动产权证书 and 营业执照 on a seed apart from the committed samples, and the third-party OFD e-licence
  in samples/real_estate_registration_certificate/ (reported apart: no generator fitted to it).
- born-digital fast path: pages of generated born-digital PDF bundles, seconds per page, OCR calls counted (must be 0).

One process, one OCR engine (model load included once, not in the per-file times).

    .venv/bin/python samples/bench_pdf_ofd.py --seed 2031 --cards 10 --ofd-count 4 --bundles 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

THIRD_PARTY = ROOT / "samples" / "real_estate_registration_certificate" / "bdc_registration_certificate_signed"


def _normal(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


class CountingEngine:
    """The real engine, counting how often it is asked to read."""

    def __init__(self, inner) -> None:
        self.inner, self.calls, self.name = inner, 0, inner.name

    def read(self, image):
        self.calls += 1
        return self.inner.read(image)

    def __getattr__(self, name):  # orientation, … pass through uncounted
        return getattr(self.inner, name)


def _process(deps, data: bytes, name: str, at: dt.datetime):
    from pipeline.runner import make_upload, process

    start = time.perf_counter()
    docs = process(make_upload(data, name, at), data, deps, at)
    return docs, time.perf_counter() - start


def bench_forged(deps, seed: int, count: int) -> None:
    import generate_idcards as idg
    import make_forged_pdf as mf

    at = dt.datetime.combine(idg.REFERENCE_DATE, dt.time(12), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    print(f"\n## Forged hidden layers (seed {seed}, {count} card fronts per variant)\n")
    print("| variant | forged PDFs | caught | as error | visible ID number read | honest layers | false alarms |")
    print("|---|---|---|---|---|---|---|")
    for variant in ("clean", "camera"):
        cards = idg.generate(seed, count, variant, sides=("front",))
        caught = errors = visible = alarms = 0
        for i, (image, truth) in enumerate(cards):
            other = idg.make_person(random.Random(seed * 7919 + i))
            docs, _ = _process(deps, mf.forged_pdf(image, truth, other["name"], other["id_number"]), "forged.pdf", at)
            found = [f for d in docs for f in d.findings if f.code == "pdf.text_layer_mismatch"]
            caught += bool(found)
            errors += any(f.severity == "error" for f in found)
            visible += any(d.value("id_number") == truth["fields"]["id_number"] for d in docs)
            docs, _ = _process(deps, mf.sandwich_pdf(image, truth), "sandwich.pdf", at)
            alarms += any(f.code == "pdf.text_layer_mismatch" for d in docs for f in d.findings)
        n = len(cards)
        print(f"| {variant} | {n} | {caught}/{n} = {100 * caught / n:.0f} % | {errors}/{n} | {visible}/{n} | {n} | {alarms}/{n} |")


def _ofd_row(deps, data: bytes, truth: dict, at: dt.datetime) -> tuple[int, int, bool, float, list[str]]:
    docs, seconds = _process(deps, data, "licence.ofd", at)
    doc = docs[0]
    right = [k for k, v in truth["fields"].items() if _normal(doc.value(k)) == _normal(v)]
    wrong = [f"{k}={doc.value(k)!r}" for k in truth["fields"] if k not in right]
    return len(right), len(truth["fields"]), doc.type == truth["type"] and doc.pages == (1,), seconds, wrong


def bench_ofd(deps, seed: int, count: int) -> None:
    import make_ofd

    at = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    print(f"\n## OFD e-licence fields (seed {seed}, {count} per type and layout)\n")
    print("| type | layout | files | typed right | fields exact | seconds per file (median) |")
    print("|---|---|---|---|---|---|")
    totals = [0, 0]
    for type_code in make_ofd.TYPES:
        for layout in make_ofd.LAYOUTS:
            right = total = typed = 0
            times, misses = [], []
            for i in range(count):
                data, truth = make_ofd.make(type_code, layout, seed, i)
                r, t, ok, seconds, wrong = _ofd_row(deps, data, truth, at)
                right, total, typed = right + r, total + t, typed + ok
                times.append(seconds)
                misses += wrong
            totals = [totals[0] + right, totals[1] + total]
            print(f"| {type_code} | {layout} | {count} | {typed}/{count} | {right}/{total} = {100 * right / total:.1f} % "
                  f"| {statistics.median(times):.2f} |")
            for miss in misses[:3]:
                print(f"|  |  |  |  | missed: {miss} |  |")
    truth = json.loads(THIRD_PARTY.with_suffix(".json").read_text(encoding="utf-8"))
    r, t, ok, seconds, wrong = _ofd_row(deps, THIRD_PARTY.with_suffix(".ofd").read_bytes(), truth, at)
    print(f"| {truth['type']} | third-party (held out) | 1 | {int(ok)}/1 | {r}/{t} = {100 * r / t:.1f} % | {seconds:.2f} |")
    all_right, all_total = totals[0] + r, totals[1] + t
    print(f"\nAll OFD fields: {all_right}/{all_total} = {100 * all_right / all_total:.1f} % "
          f"(generated {totals[0]}/{totals[1]}, third-party {r}/{t}{'; missed ' + ', '.join(wrong) if wrong else ''})")


def bench_fast_path(deps, engine: CountingEngine, seed: int, bundles: int) -> None:
    import generate_documents as gen

    print(f"\n## Born-digital fast path (seed {seed}, {bundles} generated PDF bundles)\n")
    pages, seconds = 0, 0.0
    before = engine.calls
    per_page = []
    for data, truth in gen.generate(seed, bundles, "pdf_text"):
        at = dt.datetime.fromisoformat(truth["reference_date"] + "T12:00:00+08:00")
        docs, took = _process(deps, data, "bundle.pdf", at)
        n = sum(len(d.pages) for d in docs)
        pages, seconds = pages + n, seconds + took
        per_page.append(took / max(n, 1))
    print(f"{pages} pages in {seconds:.2f} s: {seconds / pages * 1000:.0f} ms per page ({pages / seconds:.1f} pages/s), "
          f"median file {statistics.median(per_page) * 1000:.0f} ms per page; OCR calls {engine.calls - before}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2031)
    parser.add_argument("--cards", type=int, default=10)
    parser.add_argument("--ofd-count", type=int, default=4)
    parser.add_argument("--bundles", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=("forged", "ofd", "fast"))
    args = parser.parse_args()

    from dataclasses import replace

    from pipeline.settings import Settings
    from storage.objects import MemoryStore
    from workers.wiring import build_services

    deps = build_services(Settings(ocr_threads=args.threads), ocr=True, database=False, store=MemoryStore()).deps
    engine = CountingEngine(deps.engine)
    deps = replace(deps, engine=engine)
    if args.only in (None, "forged"):
        bench_forged(deps, args.seed, args.cards)
    if args.only in (None, "ofd"):
        bench_ofd(deps, args.seed, args.ofd_count)
    if args.only in (None, "fast"):
        bench_fast_path(deps, engine, args.seed, args.bundles)


if __name__ == "__main__":
    main()

"""Benchmark: whole cases of the reference item (个体工商户设立登记, the operator applying in person) through the
pipeline and the assessment, as `yichuang verify --item` would judge them.

    nice -n 10 .venv/bin/python samples/bench_cases.py --complete 6 --unsigned 4

Each case is drawn from one generate_documents.make_case: the application form in one of generate_layouts.py's
layouts (cycling through all, held-out ones included), the operator's ID card (front and back, generate_idcards.py)
and a property certificate whose holder is the operator. A case whose drawn application is signed is "complete"
(expected: `accept`); one whose application was left unsigned (the generator's own unsigned share, about 15 %)
is expected `correction_required` with the `application` material flagged, and must never be accepted.
Clean pages at 200 dpi. Synthetic: the figures say how the verdict holds on drawn paperwork, not on every hall's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import generate_documents as gd  # noqa: E402
import generate_idcards as idg  # noqa: E402
import generate_layouts as gl  # noqa: E402

ITEM = "individual-business-registration"
SITUATION = "self"


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def case_files(seed: int, index: int) -> tuple[list[tuple[str, bytes]], bool, str]:
    """(name, bytes) of one case's files, whether its application is signed, and the application's layout."""
    case = gd.make_case(seed, index)
    case = {**case, "owner": case["operator"]}
    layouts = gl.LAYOUTS["application_form"]
    layout = layouts[index % len(layouts)]
    sheets, fields = gl.RENDERERS[("application_form", layout)](case, gd._rng(seed, index, "application_form", layout))
    signed = any(f.get("signed") for f in fields)
    files = [(f"application-{n}.png", data) for n, (data, _t) in
             enumerate(gd.page_images(seed, index, "application_form", "clean", rendered=(sheets, fields, case)), 1)]
    rng = random.Random(f"{seed}-{index}-card")
    files += [("card-front.png", _png(idg.render_front(case["operator"], rng))),
              ("card-back.png", _png(idg.render_back(case["operator"], rng)))]
    prop = gd.property_certificate(case, gd._rng(seed, index, "property_certificate"))
    files += [(f"property-{n}.png", data) for n, (data, _t) in
              enumerate(gd.page_images(seed, index, "property_certificate", "clean", rendered=(*prop, case)), 1)]
    return files, signed, layout


def judge(deps, assessor, item, files: list[tuple[str, bytes]], at: dt.datetime):
    from pipeline.interfaces import SHANGHAI
    from pipeline.runner import cross_check, make_upload, process
    from validators.assess import assess_documents

    documents = []
    for name, data in files:
        documents.extend(process(make_upload(data, name, at), data, deps, at, cross=False))
    documents = cross_check(documents, deps, at.astimezone(SHANGHAI).date())
    return assess_documents(assessor, item, SITUATION, documents, at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=4040)
    parser.add_argument("--complete", type=int, default=6, help="cases with a signed application")
    parser.add_argument("--unsigned", type=int, default=4, help="cases with an unsigned application")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from pipeline.interfaces import SHANGHAI
    from pipeline.settings import Settings
    from storage.objects import MemoryStore
    from validators.assess import Assessor
    from validators.catalog import load_catalog
    from workers.wiring import build_services

    deps = build_services(Settings(ocr_threads=args.threads), ocr=True, database=False, store=MemoryStore()).deps
    assessor = Assessor(thresholds=deps.thresholds, types=deps.types, checks=deps.checks)
    item = load_catalog().get(ITEM)
    at = dt.datetime.combine(gd.REFERENCE_DATE, dt.time(10, 0), SHANGHAI)
    want = {True: args.complete, False: args.unsigned}
    seen: dict[bool, list] = {True: [], False: []}
    start, index = time.perf_counter(), 0
    while any(len(seen[k]) < want[k] for k in want) and index < 50 * (args.complete + args.unsigned):
        files, signed, layout = case_files(args.seed, index)
        index += 1
        if len(seen[signed]) >= want[signed]:
            continue
        result = judge(deps, assessor, item, files, at)
        flagged = {m.code: (m.status, sorted({f.code for f in m.findings if f.severity in ("error", "warning")}))
                   for m in result.materials if m.status != "ok"}
        seen[signed].append((result.decision, flagged))
        print(f"  case {index - 1} ({layout}, {'signed' if signed else 'unsigned'}): {result.decision} {flagged}",
              file=sys.stderr, flush=True)
    complete, unsigned = seen[True], seen[False]
    accepted = sum(d == "accept" for d, _ in complete)
    print(f"seed {args.seed}: item {ITEM} ({SITUATION}), clean pages")
    print(f"complete cases -> accept: {accepted}/{len(complete)} = {accepted / max(1, len(complete)):.1%}   "
          f"verdicts {dict(Counter(d for d, _ in complete))}")
    right = sum(d == "correction_required" and "application" in f for d, f in unsigned)
    false_accepts = sum(d.startswith("accept") for d, _ in unsigned)
    print(f"unsigned application -> correction_required with application flagged: {right}/{len(unsigned)}   "
          f"false accepts {false_accepts}   verdicts {dict(Counter(d for d, _ in unsigned))}")
    for (decision, flagged) in complete:
        if decision != "accept":
            print(f"  complete case not accepted: {decision} {flagged}")
    cases = len(complete) + len(unsigned)
    print(f"{cases} cases, {time.perf_counter() - start:.0f} s (machine shared: times are not figures)")


if __name__ == "__main__":
    main()

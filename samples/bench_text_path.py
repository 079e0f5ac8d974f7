"""Born-digital fast text path benchmark (issue 25). Not a test: it prints figures.

Generated born-digital PDF bundles (samples/generate_documents.py: 申请书, 授权委托书, 租赁合同, 不动产权证书, 营业执照)
with their pictures (seals, handwriting) left out, so that every page is a text page without images: the path that
pipeline/decode.py reads from the text layer without OCR. Per page it reports the milliseconds of decoding alone and
of reading (decode, preprocess, read: the page's lines), of the whole pipeline (`runner.process`: classification,
extraction and checks included; no OCR engine loaded), the pages per second, and how many pages were rendered
(a fast page is rendered only when a stage needs its pixels: the seals or codes of its type).

    .venv/bin/python samples/bench_text_path.py --bundles 6        # full
    .venv/bin/python samples/bench_text_path.py --quick            # smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

# types that judge no seals or codes: their pages are never rendered (power_of_attorney would be, for its seal)
TEXT_TYPES = ("application_form", "lease_contract", "property_certificate")


def text_only_bundle(seed: int, index: int, types: tuple[str, ...] = TEXT_TYPES) -> tuple[bytes, int]:
    """A born-digital PDF of several documents whose pictures are left out; returns (bytes, page count)."""
    import _sheet
    import generate_documents as gen

    sheets = []
    for doc_type in types:
        doc_sheets, _fields, _case = gen.render_document(seed, index, doc_type)
        for sheet in doc_sheets:
            sheet.ops = [op for op in sheet.ops if op[0] != "picture"]
        sheets.extend(doc_sheets)
    return _sheet.to_pdf(sheets), len(sheets)


class RenderCounter:
    """Counts pdfium page renders (pipeline.decode.render_pdf_page) while installed."""

    def __init__(self) -> None:
        from pipeline import decode

        self.calls, self._decode = 0, decode
        self._inner = getattr(decode, "render_pdf_page", None)

    def __enter__(self) -> "RenderCounter":
        if self._inner is not None:
            def counted(*args, **kwargs):
                self.calls += 1
                return self._inner(*args, **kwargs)
            self._decode.render_pdf_page = counted
        return self

    def __exit__(self, *_exc) -> None:
        if self._inner is not None:
            self._decode.render_pdf_page = self._inner


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--bundles", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per file (the best counts)")
    parser.add_argument("--quick", action="store_true", help="one bundle, one run")
    args = parser.parse_args()
    if args.quick:
        args.bundles, args.repeat = 1, 1

    from extractors import build_registry
    from pipeline import runner
    from pipeline.confidence import Calibrator
    from pipeline.decode import decode
    from pipeline.interfaces import SHANGHAI
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks
    from validators.signatures import Verifier

    deps = runner.Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                               calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds(),
                               signatures=Verifier(None))
    at = dt.datetime(2026, 6, 1, 12, tzinfo=SHANGHAI)
    files = [text_only_bundle(args.seed, i) for i in range(args.bundles)]
    pages = sum(n for _, n in files)
    decode_ms, read_ms, process_ms, fast = [], [], [], 0
    with RenderCounter() as renders:
        for data, n in files:
            upload = runner.make_upload(data, "bundle.pdf", at)
            decode_ms.append(min(_timed(lambda: decode(data, deps.limits)) for _ in range(args.repeat)) / n)
            read_ms.append(min(_timed(lambda: read(upload, data, deps)) for _ in range(args.repeat)) / n)
            process_ms.append(min(_timed(lambda: runner.process(upload, data, deps, at)) for _ in range(args.repeat)) / n)
            fast += sum(1 for p in decode(data, deps.limits)[1] if p.text_lines)
    total = statistics.fmean(process_ms)
    print(f"{len(files)} born-digital PDFs, {pages} pages ({fast} on the fast text path), best of {args.repeat} runs")
    print(f"decode:   {statistics.fmean(decode_ms):.1f} ms/page")
    print(f"read:     {statistics.fmean(read_ms):.1f} ms/page (decode, preprocess, read: the page's lines)")
    print(f"pipeline: {total:.1f} ms/page ({1000 / total:.1f} pages/s); median file {statistics.median(process_ms):.1f} ms/page")
    print(f"pages rendered: {renders.calls} ")


def read(upload, data: bytes, deps):
    """The page-reading stages of pipeline/runner.process: what a page costs before classification."""
    from pipeline import stages
    from pipeline.decode import decode

    kind, raw_pages = decode(data, deps.limits)
    images = stages.Images(deps.store)
    pages = stages.preprocess(upload, kind, raw_pages, deps.engine, images, deps.capture)
    return stages.read(pages, raw_pages, deps.engine, images)


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()

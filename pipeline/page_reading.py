"""A file's pages read one by one, apart, and joined into documents afterwards (issue 25): how a multi-page
scan is spread over several workers (workers/fanout.py). `read_page` runs the page stages of pipeline/runner.py
(capture, OCR or the text layer, whole frames) for one page and returns a `PageResult` that can be stored as JSON;
`join` runs the file stages over all of them (signatures, classification with the page-joining rules, extraction,
checks). Reading every page apart and joining gives the documents `runner.process` gives for the whole file.

Who calls it: workers/fanout.py. It stores page images through the object store it is given, nothing else.
"""

from __future__ import annotations

import datetime as dt

from pipeline import runner, stages
from pipeline.decode import RawPage, decode, page_count, renderer
from pipeline.models import Document, Frozen, PageReading, Reading, Upload
from pipeline.text_layer import TextLayer

FANNED_KINDS = ("pdf", "tiff")  # the multi-page kinds; an OFD is read whole


class PageResult(Frozen):
    """What reading one page gave: its readings (a copy holding two cards gives two), its text layer kept as
    evidence, and for a fast text page the resolution to render it at when a stage needs its pixels."""

    number: int
    kind: str
    readings: tuple[PageReading, ...]
    layer: TextLayer | None = None
    fast_dpi: float | None = None


def pages_to_fan_out(data: bytes, deps: runner.Dependencies, min_pages: int) -> int:
    """How many page tasks the file becomes: its page count for a PDF or multi-frame TIFF of at least `min_pages`
    pages, else 0 (read in one task; a file that cannot be used too: `runner.process` gives its error document)."""
    from pipeline.errors import InputError

    if min_pages <= 0:
        return 0
    try:
        kind, count = page_count(data, deps.limits)
    except InputError:
        return 0
    return count if kind in FANNED_KINDS and count >= min_pages else 0


def read_page(upload: Upload, data: bytes, number: int, deps: runner.Dependencies) -> PageResult:
    """Page `number` (1-based) read as `runner.process` reads it. Raises InputError for a file that cannot be used
    (`pages_to_fan_out` has checked it before)."""
    kind, raw_pages = decode(data, deps.limits, only=number)
    reading = runner.read(upload, kind, raw_pages, deps, stages.Images(deps.store))
    [raw] = raw_pages
    return PageResult(number=number, kind=reading.kind, readings=reading.pages, layer=raw.layer,
                      fast_dpi=raw.dpi if raw.text_lines and not raw.rendered else None)


def join(upload: Upload, data: bytes, results: list[PageResult], deps: runner.Dependencies, at: dt.datetime
         ) -> list[Document]:
    """The documents of the file from all its pages' results (in any order; one per page)."""
    ordered = sorted(results, key=lambda r: r.number)
    reading = Reading(upload=upload, kind=ordered[0].kind, pages=tuple(p for r in ordered for p in r.readings))
    raw_pages = [RawPage(page=r.number, layer=r.layer, dpi=r.fast_dpi,
                         render=renderer(data, r.number, r.fast_dpi) if r.fast_dpi else None) for r in ordered]
    return runner.documents(upload, data, reading, raw_pages, deps, at)

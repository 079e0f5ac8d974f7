"""samples/generate_layouts.py: enough layouts per type, a held-out split, signatures from samples/signatures.py,
and — on the born-digital PDF of each *tuning* layout (no OCR) — every printed field read exactly. The held-out
layouts are measured by samples/bench_layouts.py, not tuned on here."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples"))

import _sheet  # noqa: E402
import generate_layouts as gl  # noqa: E402

AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_layouts_per_type_and_a_held_out_split():
    counts = {t: len(ls) for t, ls in gl.LAYOUTS.items()}
    assert counts["application_form"] >= 4 and counts["power_of_attorney"] >= 3
    assert counts["legal_rep_certificate"] >= 2 and counts["business_licence"] >= 2
    for doc_type, held in gl.HELD_OUT.items():
        assert set(held) < set(gl.LAYOUTS[doc_type])  # some held out, some to tune on
    assert set(gl.layouts("tuning")).isdisjoint(gl.layouts("held_out"))
    assert set(gl.layouts("tuning")) | set(gl.layouts("held_out")) == set(gl.layouts("all"))


def test_signatures_are_drawn_signed_and_unsigned():
    seen = {True: 0, False: 0}
    for index in range(12):
        sheets, fields, _case = gl.render(5, index, "power_of_attorney", "prose")
        signed = fields[0]["signed"]
        seen[signed] += 1
        assert ("signed" in sheets[0].boxes) == signed  # the ink's box only where there is ink
    assert seen[True] and seen[False]


@pytest.fixture(scope="module")
def text_deps():
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks

    return Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())


@pytest.mark.parametrize("doc_type,layout", gl.layouts("tuning"))
def test_tuning_layout_pdf_is_typed_and_read(text_deps, doc_type, layout):
    from pipeline.runner import make_upload, process

    sheets, fields, _case = gl.render(41, 0, doc_type, layout)
    data = _sheet.to_pdf(sheets)
    docs = process(make_upload(data, "doc.pdf", AT), data, text_deps, AT)
    assert [d.type for d in docs] == [doc_type]
    hidden = {k for sheet in sheets for k in sheet.handwritten} | {"signed"}  # a text layer cannot show ink
    want = {k: v for page in fields for k, v in page.items() if k not in hidden}
    assert {k: docs[0].value(k) for k in want} == want

"""Born-digital PDF bundles from samples/generate_documents.py through the whole pipeline without OCR: pages
are read from the text layer, split into documents by type, and every printed field is read exactly.
Also the generator's own promises (valid numbers, determinism). Fast: no OCR engine is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import load_sample_module

from pipeline import numbers

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


_load = load_sample_module


gen = _load("generate_documents")


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


@pytest.mark.parametrize("index", range(4))
def test_bundle_is_split_by_type_and_read_exactly(text_deps, index):
    from pipeline.runner import make_upload, process

    data, truth = gen.bundle(31, index, "pdf_text")
    docs = process(make_upload(data, "bundle.pdf", AT), data, text_deps, AT)
    assert [(d.type, list(d.pages)) for d in docs] == [(t["type"], t["pages"]) for t in truth["documents"]]
    for doc, expected in zip(docs, truth["documents"]):
        assert doc.type_confidence >= 0.9
        readable = {k: v for k, v in expected["fields"].items() if k not in expected["handwritten"]}
        got = {k: doc.fields[k].value for k in readable if k in doc.fields}
        assert got == readable, doc.type
        assert all(f.source == "pdf_text" and f.confidence == 1.0 for f in doc.fields.values())
        # a text layer cannot show handwriting: whether it is signed is left to a person
        assert "signed" not in doc.fields
        errors = {f.code for f in doc.findings if f.severity == "error"}
        valid_until = expected["fields"].get("valid_until")
        expired = valid_until is not None and valid_until < AT.date().isoformat()
        assert errors == ({"power_of_attorney.expired"} if expired else set())


def test_generated_numbers_are_valid_and_generation_is_deterministic():
    for index in range(6):
        case = gen.make_case(5, index)
        assert numbers.uscc_is_valid(case["credit_code"])
        assert numbers.id_is_valid(case["operator"]["id_number"]) and numbers.id_is_valid(case["agent"]["id_number"])
        sheets, fields, _ = gen.render_document(5, index, "property_certificate")
        unit = fields[0]["unit_number"]
        assert len(unit) == 28 and unit[:6] == case["premises_place"].code
    first = gen.page_images(5, 1, "business_licence", "clean")
    again = gen.page_images(5, 1, "business_licence", "clean")
    assert first[0][0] == again[0][0] and first[0][1] == again[0][1]


def test_every_truth_field_has_a_box_on_its_page():
    for doc_type in gen.TYPES:
        for data, truth in gen.page_images(6, 0, doc_type, "clean"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            assert set(truth["boxes"]) == set(truth["fields"]) - {"signed"} or set(truth["boxes"]) == set(truth["fields"])

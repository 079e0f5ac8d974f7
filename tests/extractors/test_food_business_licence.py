"""食品经营许可证 (extractors/food_business_licence.py), the example type added by the README's "How to add a document
type" steps: pages drawn by its generator (samples/food_business_licence/generate.py) are classified and every
printed field is read — from born-digital PDFs without OCR (fast), and from the committed samples with PP-OCR
(slow)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json

import pytest

from extractors import build_registry
from pipeline.settings import Thresholds
from tests.conftest import SAMPLES, load_sample_module

TYPE = "food_business_licence"
AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
KEY_FIELDS = ("licence_number", "operator_name", "credit_code", "legal_representative", "valid_until")


def _generator():
    """samples/food_business_licence/generate.py: it registers its renderer with samples/generate_documents.py."""
    load_sample_module("generate_documents")
    spec = importlib.util.spec_from_file_location("food_business_licence_generate", SAMPLES / TYPE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def text_deps():
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits
    from storage.objects import MemoryStore
    from validators import build_checks

    return Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())


@pytest.mark.parametrize("index", range(3))
def test_a_generated_licence_is_classified_and_every_field_read(text_deps, index):
    from pipeline.runner import make_upload, process

    _generator()
    gd, sheet = load_sample_module("generate_documents"), load_sample_module("_sheet")
    sheets, fields, _case = gd.render_document(41, index, TYPE)
    data = sheet.to_pdf(sheets)
    docs = process(make_upload(data, "licence.pdf", AT), data, text_deps, AT)
    assert [d.type for d in docs] == [TYPE]
    assert {name: docs[0].value(name) for name in fields[0]} == fields[0]
    assert set(fields[0]) == set(build_registry().get(TYPE).fields), "the generator prints every declared field"
    assert docs[0].findings == ()  # a current licence with a well-formed number and code


def test_the_generator_writes_what_is_committed(tmp_path):
    module = _generator()
    module.main(["--seed", "7", "--count", "1", "--variant", "clean", "--out", str(tmp_path)])
    written = tmp_path / f"{TYPE}_s7-0000_clean.json"
    committed = SAMPLES / TYPE / written.name
    assert json.loads(written.read_text(encoding="utf-8"))["fields"] == \
        json.loads(committed.read_text(encoding="utf-8"))["fields"]


FILES = sorted(p.name for p in (SAMPLES / TYPE).glob("*.[pj][np]g"))


@pytest.fixture(scope="module")
def deps(deps_factory):
    return deps_factory()


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_committed_sample_type_and_key_fields(deps, name):
    from pipeline.runner import make_upload, process

    path = SAMPLES / TYPE / name
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    data = path.read_bytes()
    docs = process(make_upload(data, name, AT), data, deps, AT)
    assert [d.type for d in docs] == [TYPE]
    assert docs[0].type_confidence >= 0.6
    for name in KEY_FIELDS:
        assert docs[0].value(name) == truth["fields"][name], name

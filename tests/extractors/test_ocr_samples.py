"""The committed samples through the whole pipeline with PP-OCR (slow): each page is typed right and its key
fields are read exactly; a page of another kind is `unknown` with its candidates listed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import SAMPLES

AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
KEY_FIELDS = {
    "business_licence": ("credit_code", "name", "legal_representative", "established_on"),
    "application_form": ("operator_name", "operator_id_number"),
    "power_of_attorney": ("principal_name", "principal_id_number", "agent_name", "agent_id_number", "valid_until"),
    "property_certificate": ("certificate_number", "unit_number", "holder"),
    "lease_contract": ("lessor", "lessee", "term_from", "term_until"),
}
FILES = [name for name in (f"{t}/{t}_s7-0000{'_p1' if t in ('application_form', 'lease_contract') else ''}_{v}.{e}"
                      for t in KEY_FIELDS for v, e in (("clean", "png"), ("camera", "jpg")))]


def _run(deps, path):
    from pipeline.runner import make_upload, process

    data = path.read_bytes()
    return process(make_upload(data, path.name, AT), data, deps, AT)


@pytest.fixture(scope="module")
def deps(deps_factory):
    return deps_factory()


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_sample_page_type_and_key_fields(deps, name):
    path = SAMPLES / name
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    docs = _run(deps, path)
    assert [d.type for d in docs] == [truth["type"]]
    doc = docs[0]
    assert doc.type_confidence >= 0.6
    for field in KEY_FIELDS[truth["type"]]:
        if field in truth["fields"]:
            assert doc.value(field) == truth["fields"][field], field
            assert 0.0 < doc.fields[field].confidence <= 1.0


@pytest.mark.slow
def test_page_of_another_kind_is_unknown_with_candidates(deps):
    docs = _run(deps, SAMPLES / "unknown" / "unknown_s7-0000_clean.png")
    assert [d.type for d in docs] == ["unknown"]
    assert docs[0].findings[0].code == "document.unknown_type"

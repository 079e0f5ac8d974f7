"""The licence library in the assessment, on the embedded library loaded from the sample (SQLite and
PostgreSQL), with the licence files fetched and their e-seals verified against the sample's test CA:
the reference item's operator ID from the library (no scans), evidence in the assessment body, tampered or
untrusted files never `from_library`, every non-valid status refused, and presented licences reconciled."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil

import pytest

from pipeline.interfaces import SHANGHAI
from pipeline.settings import Settings, Thresholds
from storage.licences import import_licences
from tests.licences.helpers import (
    AT, CATALOG, INDEX, SAMPLE, TYPES, ZHANG, application, assess, codes, doc, property_certificate, record,
    statuses, zhang_card,
)
from validators.assess import Assessor
from validators.licences import VerifiedLibrary
from validators.signatures import Verifier

LOOKED_UP = dt.datetime(2026, 11, 23, 10, 0, 5, tzinfo=SHANGHAI)


def assessor(library, trust=SAMPLE) -> Assessor:
    verified = VerifiedLibrary(library, Verifier(trust), library.store, source="embedded")
    return Assessor(thresholds=Thresholds(), types=TYPES, library=verified, clock=lambda: LOOKED_UP)


def tampered(data: bytes) -> bytes:
    """One byte changed inside the signed byte range (the document's creation date)."""
    assert data.count(b"D:20260601090000") == 1
    return data.replace(b"D:20260601090000", b"D:20260602090000")


def import_rows(library, tmp_path, rows, files: dict[str, bytes] | None = None):
    for name, data in (files or {}).items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    import_licences(library.engine, library.store, tmp_path / "rows.json")


def test_reference_item_operator_id_comes_from_the_library_without_scans(library):
    result = assess(assessor(library), application(), property_certificate())
    assert result.decision == "accept", result.notice
    assert statuses(result) == {"application": "ok", "operator_id": "from_library", "premises_proof": "ok"}
    operator = result.material("operator_id")
    assert operator.documents == () and "library.found" in codes(operator, "info")
    card = record("张三", "id_card", "01")
    data = (SAMPLE / card["file"]).read_bytes()
    evidence = operator.licence
    assert evidence.identifier == card["identifier"] and evidence.status == "VALID" and evidence.source_status == "01"
    assert evidence.looked_up_at == LOOKED_UP and evidence.looked_up_on == dt.date(2026, 11, 23)
    assert evidence.source == "embedded" and evidence.answer["holder_code"] == ZHANG
    assert evidence.file.verified and evidence.file.problems == ()
    assert evidence.file.sha256 == hashlib.sha256(data).hexdigest() and evidence.file.size == len(data)
    assert evidence.file.signed_by == "北京市公安局朝阳分局" and evidence.file.signed_at.startswith("2026-06-01")
    assert evidence.file_key == evidence.file.file_key and library.store.get(evidence.file_key) == data
    body = json.loads(json.dumps(result.to_case_dict()))  # what the case keeps
    kept = next(m for m in body["materials"] if m["code"] == "operator_id")["licence"]
    assert kept["file"]["sha256"] == evidence.file.sha256 and kept["answer"]["identifier"] == card["identifier"]
    assert kept["looked_up_at"].startswith("2026-11-23T10:00:05")


def test_without_the_library_the_same_case_needs_the_scans(empty_library):
    result = assess(assessor(empty_library), application(), property_certificate())
    assert result.decision == "correction_required" and statuses(result)["operator_id"] == "missing"
    assert codes(result.material("operator_id")) == {"material.missing"}, "an empty library behaves like none"


def test_a_tampered_licence_file_is_never_from_library(empty_library, tmp_path):
    card = dict(record("张三", "id_card", "01"))
    data = tampered((SAMPLE / card["file"]).read_bytes())
    card["file"] = "tampered.pdf"
    import_rows(empty_library, tmp_path, [card], {"tampered.pdf": data})
    result = assess(assessor(empty_library), application(), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "needs_review" and operator.licence is None
    assert result.decision == "needs_review"
    (finding,) = [f for f in operator.findings if f.code == "library.file_unverified"]
    assert finding.severity == "warning" and "电子签章校验失败" in finding.message


def test_a_file_sealed_by_another_authority_than_the_issuer_is_not_used(empty_library, tmp_path):
    card = {**record("张三", "id_card", "01"), "issuer": "北京市公安局海淀分局", "file": "card.pdf"}
    import_rows(empty_library, tmp_path, [card], {"card.pdf": (SAMPLE / "files" / "id_card_zhangsan.pdf").read_bytes()})
    operator = assess(assessor(empty_library), application(), property_certificate()).material("operator_id")
    assert operator.status == "needs_review" and operator.licence is None
    (finding,) = [f for f in operator.findings if f.code == "library.file_unverified"]
    assert "签章人与颁发机构“北京市公安局海淀分局”不一致" in finding.message


def test_a_file_signed_under_an_untrusted_root_is_not_used(library, tmp_path):
    result = assess(assessor(library, trust=tmp_path), application(), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "needs_review" and operator.licence is None
    assert any("不受信任" in f.message for f in operator.findings if f.code == "library.file_unverified")


def test_a_file_replaced_in_the_store_is_caught_by_its_hash(library):
    found = library.by_identifier(record("张三", "id_card", "01")["identifier"])
    path = library.store._path(found.file_key)  # replace the stored bytes behind the store's back
    path.chmod(0o644)
    path.write_bytes((SAMPLE / "files" / "id_card_lisi.pdf").read_bytes())
    result = assess(assessor(library), application(), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "needs_review"
    assert any("摘要不一致" in f.message for f in operator.findings if f.code == "library.file_unverified")


@pytest.mark.parametrize("status", ["02", "03", "04", "05", "07", "废止", "OTHER"])
def test_a_licence_that_is_not_valid_never_fills_the_material(empty_library, tmp_path, status):
    card = {**record("张三", "id_card", "01"), "status": status, "file": "card.pdf"}
    import_rows(empty_library, tmp_path, [card], {"card.pdf": (SAMPLE / "files" / "id_card_zhangsan.pdf").read_bytes()})
    result = assess(assessor(empty_library), application(), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "missing" and result.decision == "correction_required"
    assert codes(operator, "error") == {"material.missing"}
    assert "library.not_usable" in codes(operator, "info")


@pytest.mark.parametrize("trust, used", [("A", True), ("B", True), ("C", False), ("D", False)])
def test_only_licences_the_agency_issued_or_the_window_checked_fill_a_material(empty_library, tmp_path, trust, used):
    card = {**record("张三", "id_card", "01"), "trust_level": trust, "file": "card.pdf"}
    import_rows(empty_library, tmp_path, [card], {"card.pdf": (SAMPLE / "files" / "id_card_zhangsan.pdf").read_bytes()})
    operator = assess(assessor(empty_library), application(), property_certificate()).material("operator_id")
    assert (operator.status == "from_library") is used
    if not used:
        assert operator.status == "missing" and any("需核验原件" in f.message for f in operator.findings)


def test_a_valid_licence_whose_validity_ended_is_not_used(empty_library, tmp_path):
    card = {**record("张三", "id_card", "01"), "valid_until": "2026-11-22", "file": "card.pdf"}
    import_rows(empty_library, tmp_path, [card], {"card.pdf": (SAMPLE / "files" / "id_card_zhangsan.pdf").read_bytes()})
    result = assess(assessor(empty_library), application(), property_certificate())
    assert statuses(result)["operator_id"] == "missing"
    assert any("不在有效期内" in f.message for f in result.material("operator_id").findings)


# --- reconciling what the applicant presents ---------------------------------------------------------


def test_a_presented_card_that_agrees_with_the_library_is_ok_and_the_record_is_kept(library):
    result = assess(assessor(library), application(), zhang_card(), property_certificate())
    assert result.decision == "accept"
    operator = result.material("operator_id")
    assert operator.status == "ok" and operator.licence is None
    assert "library.reconciled" in codes(operator, "info")
    assert operator.library_record.identifier == record("张三", "id_card", "01")["identifier"]
    assert operator.library_record.looked_up_at == LOOKED_UP


def test_a_presented_cancelled_card_is_superseded_by_the_valid_one_in_the_library(library):
    result = assess(assessor(library), application(), zhang_card("2011-05-10", "2021-05-10"), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "from_library" and result.decision == "accept"
    assert operator.library_record.identifier == record("张三", "id_card", "04")["identifier"], \
        "the presented card is matched to the cancelled edition by its dates"
    (not_valid,) = [f for f in operator.findings if f.code == "library.licence_not_valid"]
    assert not_valid.severity == "info" and "注销" in not_valid.message


def test_a_presented_card_naming_another_holder_is_not_replaced_by_the_library(library):
    result = assess(assessor(library), application(), zhang_card(name="张珊"), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "invalid" and operator.licence is None
    assert {"library.holder_mismatch", "consistency.operator_name"} <= codes(operator, "error")
    assert result.decision == "correction_required"


def test_an_uncertain_reading_that_disagrees_is_a_warning_not_an_error(library):
    front, back = zhang_card(name="张珊")
    front = front.model_copy(update={"fields": {**front.fields, "name": front.fields["name"].model_copy(update={"confidence": 0.5})}})
    result = assess(assessor(library), application(), [front, back], property_certificate())
    operator = result.material("operator_id")
    assert "library.holder_mismatch" in codes(operator, "warning") and operator.status == "needs_review"


def test_a_presented_card_with_other_dates_is_flagged_and_filled_from_the_library(library):
    result = assess(assessor(library), application(), zhang_card("2021-06-01", "2041-06-01"), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "from_library"
    (mismatch,) = [f for f in operator.findings if f.code == "library.validity_mismatch"]
    assert mismatch.severity == "info" and "2041年05月10日" in mismatch.message


HYGIENE = CATALOG.get("public-place-hygiene-licence")
HENGTAI = record("北京恒泰商贸有限公司", "business_licence")["holder_code"]
BOYUAN = record("北京博远日用百货店", "business_licence")["holder_code"]


def hygiene_case(entity: str, credit: str, *, licence: bool = True) -> list:
    form = doc("application_form", entity_name=entity, credit_code=credit, legal_representative="王五",
               legal_rep_id_number="370829197502031512", premises_address="北京市朝阳区建国路1号", signed=True)
    sha = "rep-card"
    rep = [doc("id_card_front", sha=sha, name="王五", sex="男", ethnicity="汉", birth_date="1975-02-03",
               address="山东省嘉祥县城关镇", id_number="370829197502031512"),
           doc("id_card_back", sha=sha, issuing_authority="嘉祥县公安局", valid_from="2016-04-01", valid_until="长期")]
    premises = doc("property_certificate", certificate_number="京(2020)朝阳区不动产权第0012345号", holder="王五",
                   co_ownership="单独所有", location="北京市朝阳区建国路1号", unit_number="110105001001GB00001F00010001",
                   right_type="国有建设用地使用权/房屋所有权", usage="商业", area="86.5")
    out = [form, rep, premises]
    if licence:
        out.append(doc("business_licence", credit_code=credit, name=entity, entity_type="有限责任公司",
                       legal_representative="王五", registered_capital="100万元", established_on="2018-03-01",
                       address="北京市朝阳区建国路1号", business_scope="日用百货零售"))
    return out


def test_a_presented_business_licence_the_library_says_is_revoked_is_invalid(library):
    result = assess(assessor(library), *hygiene_case("北京恒泰商贸有限公司", HENGTAI), item=HYGIENE)
    material = result.material("business_licence")
    assert material.status == "invalid" and result.decision == "correction_required"
    (finding,) = [f for f in material.findings if f.code == "library.licence_not_valid"]
    assert finding.severity == "error" and "撤销（吊销）" in finding.message and "07" in finding.message
    assert "电子证照库显示所交营业执照已撤销（吊销）" in result.notice


def test_a_business_licence_filled_from_the_library_for_an_organisation(library):
    result = assess(assessor(library), *hygiene_case("北京博远日用百货店", BOYUAN, licence=False), item=HYGIENE)
    material = result.material("business_licence")
    assert material.status == "from_library", material.findings
    assert material.licence.file.verified and material.licence.file.signed_by == "北京市朝阳区市场监督管理局"


def test_wiring_builds_the_configured_library(library, tmp_path):
    from pipeline.library import NullLicenceLibrary
    from storage.licence_http import HttpLicenceLibrary
    from storage.licences import EmbeddedLicenceLibrary
    from workers.wiring import build_licence_library

    wired = build_licence_library(Settings(data_dir=tmp_path, licence_trust_dir=SAMPLE), library.store, library.engine)
    assert isinstance(wired.inner, EmbeddedLicenceLibrary) and wired.source == "embedded"
    result = assess(Assessor(thresholds=Thresholds(), types=TYPES, library=wired), application(), property_certificate())
    assert result.decision == "accept" and result.material("operator_id").licence.file.verified
    none = build_licence_library(Settings(data_dir=tmp_path, licence_library="none"), library.store, library.engine)
    assert isinstance(none.inner, NullLicenceLibrary)
    remote = build_licence_library(Settings(data_dir=tmp_path, licence_library="http://127.0.0.1:9/lib",
                                            licence_library_timeout=0.5), library.store)
    assert isinstance(remote.inner, HttpLicenceLibrary) and remote.source == "http://127.0.0.1:9/lib"


def test_the_worker_assesses_with_the_wired_library(library, tmp_path):
    from storage.repository import Repository
    from workers.wiring import build_services

    settings = Settings(data_dir=tmp_path, licence_trust_dir=SAMPLE)
    svc = build_services(settings, repo=Repository(library.engine), store=library.store)  # as worker_services does
    result = assess(svc.assessor, application(), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "from_library" and operator.licence.file.verified


def test_an_ofd_licence_with_a_verified_sm2_seal_fills_the_material(empty_library, tmp_path):
    """OFD e-licences (GB/T 38540 seals, SM2/SM3) go through the same check: here ofdrw's sealed test file
    (samples/signed, trusted under its SM2 test root) stands in as the licence file."""
    signed = SAMPLE.parent / "signed"
    card = {**record("张三", "id_card", "01"), "issuer": "OFD R&W 测试用印章", "issuer_code": None, "file": "card.ofd"}
    import_rows(empty_library, tmp_path, [card], {"card.ofd": (signed / "ofdrw_allprotected.ofd").read_bytes()})
    operator = assess(assessor(empty_library, trust=signed), application(), property_certificate()).material("operator_id")
    assert operator.status == "from_library", operator.findings
    assert operator.licence.file.kind == "ofd" and operator.licence.file.verified
    assert operator.licence.file.signed_by == "OFD R&W 测试用印章"

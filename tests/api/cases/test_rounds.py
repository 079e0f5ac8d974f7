"""Through the API on SQLite and PostgreSQL: a resubmission through POST /api/v1/documents supersedes exactly as
through the case endpoint; a person's field correction goes through the document type's own checks (fixing a
misread clears the finding, introducing a wrong value raises one); the 不予许可决定书 after a reviewer refused."""

from __future__ import annotations

import datetime as dt

from extractors import build_registry
from pipeline import stages
from pipeline.models import Document
from pipeline.settings import Thresholds
from tests.api.cases.helpers import (
    READER, accepted_case, act, audit_actions, audit_details, embedded_fonts, finish_upload, jpeg, new_case, pdf_text,
)
from tests.case_data import application, doc, premises, utc
from validators import build_checks

TYPES, CHECKS = build_registry(), build_checks()


def as_the_worker_checks(documents: list[Document], today: dt.date = dt.date(2026, 9, 29)) -> list[Document]:
    """Each document with the findings the worker's `check` stage gives it (the same registry)."""
    return [stages.check(d, CHECKS, today, Thresholds(), TYPES.get(d.type).field_classes) for d in documents]


def id_card(id_number="110105199003071239", valid_until="2041-05-10") -> list[Document]:
    return as_the_worker_checks([
        doc("id_card_front", "op-front", "s-id", name="张三", sex="男", ethnicity="汉", birth_date="1990-03-07",
            address="北京市朝阳区建国路1号", id_number=id_number),
        doc("id_card_back", "op-back", "s-id", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10",
            valid_until=valid_until)])


def material(case: dict, code: str) -> dict:
    return next(m for m in case["assessment"]["materials"] if m["code"] == code)


def standing(findings: list[dict], code: str) -> list[dict]:
    return [f for f in findings if f["code"] == code and f["severity"] != "info"]


# --- 1. one upload path -------------------------------------------------------------------------------------------


def test_a_resubmission_through_post_documents_supersedes_like_the_case_endpoint(env):
    client, key, app, now, enqueued = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]

    def post_document(**hints):
        response = client.post("/api/v1/documents", headers=clerk, files={"file": ("scan.jpg", jpeg(), "image/jpeg")},
                               data={"case_id": case_id, **hints})
        assert response.status_code == 202, response.text
        assert set(response.json()) == {"upload_id", "documents_url"}  # the documented contract, unchanged
        return response.json()["upload_id"]

    old = finish_upload(client, app, clerk, case_id, [application(signed=False)], material="application")["upload_id"]
    first = post_document(material="application")  # a second scan of the first submission supersedes nothing
    assert client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()["superseded_uploads"] == []
    app.state.repo.claim(first, lease_seconds=60, max_attempts=3)
    app.state.repo.finish(first, [application(doc_id="app-b", sha="sb", signed=False)])

    assert act(client, clerk, case_id, "request_correction").status_code == 200
    now["at"] = utc(2026, 10, 8)  # the applicant comes back after the holiday
    new = post_document(material="application")
    assert (new, "counter") in enqueued
    history = client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()
    assert {(r["upload_id"], r["superseded_by"], r["material"]) for r in history["superseded_uploads"]} == {
        (old, new, "application"), (first, new, "application")}
    assert {r["at"] for r in history["superseded_uploads"]} == {utc(2026, 10, 8).isoformat()}  # the app's clock
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert case["documents"] == []  # the old scans left the assessment at once; the new one is still queued
    assert material(case, "application")["status"] == "missing"
    app.state.repo.claim(new, lease_seconds=60, max_attempts=3)
    app.state.repo.finish(new, [application(doc_id="app-2", sha="s2")])
    svc = app.state.services
    svc.cases.reassess(case_id, svc.assessor)
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert [d["id"] for d in case["documents"]] == ["app-2"] and material(case, "application")["status"] == "ok"
    assert audit_actions(app).count("case.upload") == 3  # both paths audit the same act
    assert old in audit_details(app) and new in audit_details(app)


def test_post_documents_for_a_closed_case_or_by_a_reviewer_is_refused_before_storing(env):
    client, key, app, _now, _ = env
    clerk, reviewer = key("clerk"), key("reviewer")
    case_id = new_case(client, clerk)["case_id"]
    refused = client.post("/api/v1/documents", headers=reviewer, files={"file": ("scan.jpg", jpeg(), "image/jpeg")},
                          data={"case_id": case_id})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.forbidden"
    assert client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["uploads"] == []


# --- 2. corrections go through the document's own checks ------------------------------------------------------------


def test_a_correction_of_an_ocr_misread_clears_the_check_finding(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    misread = id_card(id_number="110105199003071238")  # the OCR read the last 9 as 8
    assert [f.code for f in misread[0].findings] == ["id_number.checksum"]
    finish_upload(client, app, clerk, case_id, misread, material="operator_id")
    before = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert material(before, "operator_id")["status"] == "invalid"
    assert standing(material(before, "operator_id")["findings"], "id_number.checksum")[0]["severity"] == "error"

    response = client.post(f"/api/v1/cases/{case_id}/corrections", headers=clerk, json={
        "kind": "field", "document": "op-front", "field": "id_number", "value": "110105199003071239",
        "reason": "核对原件，末位为9"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["act"]["machine_value"]["value"] == "110105199003071238"
    assert body["act"]["person_value"] == "110105199003071239"
    operator_id = next(m for m in body["assessment"]["materials"] if m["code"] == "operator_id")
    assert operator_id["status"] == "ok", operator_id
    assert standing(operator_id["findings"], "id_number.checksum") == []
    set_aside = [f for f in operator_id["findings"] if f["code"] == "id_number.checksum"]
    assert set_aside and set_aside[0]["severity"] == "info"  # the machine's finding stays on record
    assert "field.corrected" in {f["code"] for f in operator_id["findings"]}
    history = client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()
    assert [(a["kind"], a["machine_value"]["value"], a["person_value"]) for a in history["acts"]] == [
        ("field", "110105199003071238", "110105199003071239")]
    assert "110105199003071238" not in audit_details(app)


def test_a_number_the_machine_could_not_read_at_all_is_entered_and_checked(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    unread = id_card()
    unread[0] = as_the_worker_checks([doc("id_card_front", "op-front", "s-id", name="张三", sex="男", ethnicity="汉",
                                          birth_date="1990-03-07", address="北京市朝阳区建国路1号")])[0]
    assert [f.code for f in unread[0].findings] == ["id_number.missing"]  # a finding naming no field
    finish_upload(client, app, clerk, case_id, unread, material="operator_id")
    assert standing(material(client.get(f"/api/v1/cases/{case_id}", headers=clerk).json(), "operator_id")["findings"],
                    "id_number.missing")

    wrong = client.post(f"/api/v1/cases/{case_id}/corrections", headers=clerk, json={
        "kind": "field", "document": "op-front", "field": "id_number", "value": "110105199103071239", "reason": "手工录入"})
    assert wrong.status_code == 201, wrong.text
    assert wrong.json()["act"]["machine_value"] is None
    operator_id = next(m for m in wrong.json()["assessment"]["materials"] if m["code"] == "operator_id")
    assert standing(operator_id["findings"], "id_number.missing") == []
    # typed with the wrong birth year: its check digit fails, as the card's own check says
    assert standing(operator_id["findings"], "id_number.checksum")[0]["severity"] == "error"
    right = client.post(f"/api/v1/cases/{case_id}/corrections", headers=clerk, json={
        "kind": "field", "document": "op-front", "field": "id_number", "value": "110105199003071239", "reason": "手工录入"})
    operator_id = next(m for m in right.json()["assessment"]["materials"] if m["code"] == "operator_id")
    assert operator_id["status"] == "ok", operator_id
    assert standing(operator_id["findings"], "id_number.missing") == standing(operator_id["findings"],
                                                                              "id_number.checksum") == []


def test_a_correction_that_introduces_an_invalid_value_raises_the_finding(env):
    client, key, app, _now, _ = env
    clerk, reviewer = key("clerk"), key("reviewer")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    finish_upload(client, app, clerk, case_id, id_card(), material="operator_id")
    finish_upload(client, app, clerk, case_id, premises(), material="premises_proof")
    assert material(client.get(f"/api/v1/cases/{case_id}", headers=clerk).json(), "operator_id")["status"] == "ok"

    typed = client.post(f"/api/v1/cases/{case_id}/corrections", headers=clerk, json={
        "kind": "field", "document": "op-front", "field": "id_number", "value": "110105199003071230",
        "reason": "按申请人口述更正"})
    assert typed.status_code == 201, typed.text
    operator_id = next(m for m in typed.json()["assessment"]["materials"] if m["code"] == "operator_id")
    checksum = standing(operator_id["findings"], "id_number.checksum")
    assert operator_id["status"] == "invalid" and checksum and checksum[0]["severity"] == "error"
    assert "更正后的值" in checksum[0]["message"] and checksum[0]["document"] == "op-front"
    assert typed.json()["assessment"]["decision"] == "correction_required"

    # the reviewer puts the right number back and shortens the validity to a length the law does not know
    client.post(f"/api/v1/cases/{case_id}/corrections", headers=reviewer, json={
        "kind": "field", "document": "op-front", "field": "id_number", "value": "110105199003071239", "reason": "复核"})
    length = client.post(f"/api/v1/cases/{case_id}/corrections", headers=reviewer, json={
        "kind": "field", "document": "op-back", "field": "valid_until", "value": "2038-05-10", "reason": "复核"})
    assert length.status_code == 201, length.text
    operator_id = next(m for m in length.json()["assessment"]["materials"] if m["code"] == "operator_id")
    assert standing(operator_id["findings"], "id_number.checksum") == []  # the latest act on the number wins
    found = standing(operator_id["findings"], "id_card.validity_length")
    assert operator_id["status"] == "invalid" and found and found[0]["severity"] == "error"
    assert length.json()["act"]["machine_value"]["value"] == "2041-05-10"


def test_a_corrected_expiry_date_is_judged_on_the_case_day(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    finish_upload(client, app, clerk, case_id, id_card(valid_until="2026-05-10"), material="operator_id")
    before = material(client.get(f"/api/v1/cases/{case_id}", headers=clerk).json(), "operator_id")
    assert standing(before["findings"], "id_card.expired")  # misread: the card really runs to 2041
    fixed = client.post(f"/api/v1/cases/{case_id}/corrections", headers=clerk, json={
        "kind": "field", "document": "op-back", "field": "valid_until", "value": "2041-05-10", "reason": "核对原件"})
    operator_id = next(m for m in fixed.json()["assessment"]["materials"] if m["code"] == "operator_id")
    assert standing(operator_id["findings"], "id_card.expired") == [] and operator_id["status"] == "ok"


# --- 4. 不予许可决定书 -------------------------------------------------------------------------------------------


def test_the_refusal_decision_after_review_carries_every_element(env):
    client, key, app, now, _ = env
    clerk, reviewer = key("clerk", label="C0231"), key("reviewer", label="R0007")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    assert client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json=READER).status_code == 201
    finish_upload(client, app, clerk, case_id, premises(), material="premises_proof")
    client.post(f"/api/v1/cases/{case_id}/originals", headers=clerk,
                json={"material": "application", "originals_seen": 1, "copies_kept": 0})
    assert act(client, clerk, case_id, "accept").status_code == 200
    now["at"] = utc(2026, 9, 30)
    assert act(client, reviewer, case_id, "start_review").status_code == 200
    early = client.get(f"/api/v1/cases/{case_id}/notices/refusal_decision.pdf", headers=reviewer)
    assert early.status_code == 404 and early.json()["error"]["code"] == "not_found"  # nobody refused yet

    now["at"] = utc(2026, 10, 9)
    reason = "经营场所位于居民住宅楼内，不符合本地个体工商户经营场所登记条件"
    assert act(client, reviewer, case_id, "refuse", reason=reason).status_code == 200
    response = client.get(f"/api/v1/cases/{case_id}/notices/refusal_decision.pdf", headers=clerk)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "")
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    for element in ("不予行政许可决定书", "决定不予行政许可", reason, "第三十八条第二款",
                    "六十日内", "行政复议", "六个月内", "行政诉讼", "实施机关印章", "审查人员工号：R0007",
                    "2026年10月09日", "2026年09月29日受理", case["case_number"], case["query_code"],
                    "110105********1239", "签收"):
        assert element in text, element
    assert "110105199003071239" not in text
    assert all(embedded for _name, embedded in embedded_fonts(response.content))
    assert client.get(f"/api/v1/cases/{case_id}/notices/refusal_decision.pdf",
                      headers=key("integrator")).status_code == 404  # another hall's caller sees nothing
    assert client.get(f"/api/v1/cases/{case_id}/notices/refusal_decision.pdf",
                      headers=key("integrator", hall="hall-1")).status_code in (403, 404)
    assert audit_actions(app).count("case.notice") == 1


def test_an_approved_case_has_no_refusal_decision(env):
    client, key, app, _now, _ = env
    clerk, reviewer = key("clerk"), key("reviewer")
    case_id = accepted_case(client, app, clerk)
    act(client, clerk, case_id, "accept")
    act(client, reviewer, case_id, "start_review")
    assert act(client, reviewer, case_id, "approve", reason="符合条件").status_code == 200
    response = client.get(f"/api/v1/cases/{case_id}/notices/refusal_decision.pdf", headers=clerk)
    assert response.status_code == 404 and "尚未出具" in response.json()["error"]["message"]
    unknown = client.get(f"/api/v1/cases/{case_id}/notices/denial.pdf", headers=clerk)
    assert unknown.status_code == 404 and "refusal_decision" in unknown.json()["error"]["message"]

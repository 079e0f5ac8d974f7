"""The case lifecycle through the API (SQLite and PostgreSQL): a case carried from receipt to archive by a
clerk and a reviewer, roles refused, corrections, the chip reader, PDF notices (text and embedded fonts),
parallel uploads, and an audit row for every call, reads included."""

from __future__ import annotations

import base64
import io
import threading

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.api.cases.helpers import (
    READER, REFERENCE, act, audit_actions, audit_details, embedded_fonts, finish_upload, jpeg, new_case, pdf_text, png,
)
from tests.case_data import application, id_card, premises, utc


# --- receipt to archive --------------------------------------------------------------------------------------------


def test_a_case_from_receipt_to_archive(env):
    client, key, app, now, _ = env
    clerk, reviewer = key("clerk", label="C0231"), key("reviewer", label="R0007")
    created = new_case(client, clerk)
    case_id = created["case_id"]
    assert created["case_number"] == "hall-1-2026-000001" and created["status"] == "received"
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    assert client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json=READER).status_code == 201
    finish_upload(client, app, clerk, case_id, premises(), material="premises_proof")
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert case["assessment"]["decision"] == "accept"
    assert set(case["allowed_acts"]) == {"prereview", "accept", "accept_tolerance", "request_correction", "not_accept",
                                         "withdraw"}
    assert case["deadlines"]["notice"] == {"received_on": "2026-09-29", "due": "2026-10-12", "late": False,
                                           "year_not_covered": None}
    refused = act(client, clerk, case_id, "accept")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "case.originals_unattested"
    attested = client.post(f"/api/v1/cases/{case_id}/originals", headers=clerk,
                           json={"material": "application", "originals_seen": 1, "copies_kept": 0})
    assert attested.status_code == 201
    assert attested.json()["act"]["machine_value"] == {"originals": 1, "copies": 0}
    assert act(client, reviewer, case_id, "accept").status_code == 403
    accepted = act(client, clerk, case_id, "accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["event"]["clerk_number"] == "C0231" and not accepted.json()["event"]["overridden"]

    now["at"] = utc(2026, 9, 29, 15)  # review starts and asks for a correction on the day of acceptance
    assert act(client, clerk, case_id, "start_review").status_code == 403
    assert act(client, reviewer, case_id, "start_review").status_code == 200
    no_reason = act(client, reviewer, case_id, "return_for_correction")
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "case.reason_required"
    assert act(client, reviewer, case_id, "return_for_correction", reason="经营场所证明需补充产权人同意书").status_code == 200
    now["at"] = utc(2026, 10, 14)
    case = client.get(f"/api/v1/cases/{case_id}", headers=reviewer).json()
    assert case["status"] == "suspended" and case["deadlines"]["decision"]["suspended"]
    assert [f["code"] for f in case["flags"]] == ["case.clock_suspended"]
    assert act(client, clerk, case_id, "resume").status_code == 200
    case = client.get(f"/api/v1/cases/{case_id}", headers=reviewer).json()
    # promised 1 working day from Tue 29 Sep; suspended the same day, the clock resumed on Wed 14 Oct
    assert case["deadlines"]["decision"]["due"] == "2026-10-15" and case["flags"] == []
    now["at"] = utc(2026, 10, 16)
    overdue = client.get(f"/api/v1/cases/{case_id}", headers=reviewer).json()
    assert [f["code"] for f in overdue["flags"]] == ["case.overdue"]
    listed = client.get("/api/v1/cases?flag=case.overdue", headers=reviewer).json()
    assert [c["case_id"] for c in listed] == [case_id]
    assert act(client, reviewer, case_id, "approve", reason="符合登记条件，准予登记").status_code == 200
    assert act(client, reviewer, case_id, "deliver").status_code == 403
    assert act(client, clerk, case_id, "deliver").status_code == 200
    assert act(client, clerk, case_id, "archive").status_code == 200
    bad = client.post(f"/api/v1/cases/{case_id}/evaluation", headers=clerk, json={"rating": "不满意"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "case.reason_required"
    assert client.post(f"/api/v1/cases/{case_id}/evaluation", headers=reviewer, json={"rating": "满意"}).status_code == 403
    rated = client.post(f"/api/v1/cases/{case_id}/evaluation", headers=clerk, json={"rating": "非常满意"})
    assert rated.status_code == 201 and rated.json()["act"]["person_value"] == {"rating": "非常满意"}
    final = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert (final["status"], final["outcome"], final["flags"], final["allowed_acts"]) == ("archived", "approved", [], [])
    history = client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()
    assert [(e["act"], e["role"]) for e in history["events"]] == [
        ("accept", "clerk"), ("start_review", "reviewer"), ("return_for_correction", "reviewer"), ("resume", "clerk"),
        ("approve", "reviewer"), ("deliver", "clerk"), ("archive", "clerk")]
    assert history["events"][2]["reason"] == "经营场所证明需补充产权人同意书"
    assert [a["kind"] for a in history["acts"]] == ["original_seen", "evaluation"]
    actions = audit_actions(app)
    assert actions.count("case.transition") == 7 and actions.count("case.transition_refused") == 5
    assert {"case.create", "case.upload", "case.reader", "case.read", "case.originals", "case.history",
            "case.list", "case.evaluation"} <= set(actions)
    details = audit_details(app)
    assert "张三" not in details and "110105199003071239" not in details


def test_overrides_need_a_reason_through_the_api(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application(signed=False)], material="application")
    refused = act(client, clerk, case_id, "accept_tolerance", commitment_signed=True)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "case.reason_required"
    assert act(client, clerk, case_id, "request_correction").status_code == 200
    event = client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()["events"][0]
    assert (event["recommendation"], event["overridden"]) == ("correction_required", False)


def test_roles_and_halls_are_enforced_on_every_lifecycle_call(env):
    client, key, _app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    applicant, integrator, stranger = key("applicant"), key("integrator"), key("clerk", "hall-2")
    assert act(client, applicant, case_id, "accept").status_code == 404, "not the applicant's own case"
    assert act(client, integrator, case_id, "prereview").status_code == 404
    assert act(client, stranger, case_id, "accept").status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}/history", headers=stranger).status_code == 404
    own = new_case(client, applicant)["case_id"]
    assert act(client, applicant, own, "prereview").status_code == 200
    assert act(client, applicant, own, "accept").status_code == 403
    assert client.post(f"/api/v1/cases/{own}/corrections", headers=applicant,
                       json={"kind": "manual_check", "material": "application", "reason": "x"}).status_code == 403
    assert client.post(f"/api/v1/cases/{case_id}/reader", headers=key("reviewer"), json=READER).status_code == 403
    assert client.post(f"/api/v1/cases/{case_id}/originals", headers=key("reviewer"),
                       json={"material": "application", "originals_seen": 1}).status_code == 403
    unknown = act(client, clerk, case_id, "stamp")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "case.unknown_act"
    assert client.get(f"/api/v1/cases/{case_id}/notices/acceptance.pdf", headers=clerk).status_code == 404


# --- corrections and the chip reader ---------------------------------------------------------------------------------


def test_a_field_correction_through_the_api_keeps_both_values(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application(operator_name="张二")], material="application")
    client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json=READER)
    before = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert {m["code"]: m["status"] for m in before["assessment"]["materials"]}["operator_id"] == "invalid"
    response = client.post(f"/api/v1/cases/{case_id}/corrections", headers=clerk, json={
        "kind": "field", "document": "app", "field": "operator_name", "value": "张三", "reason": "申请书手写字迹识别错误"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["act"]["machine_value"]["value"] == "张二" and body["act"]["person_value"] == "张三"
    assert {m["code"]: m["status"] for m in body["assessment"]["materials"]}["operator_id"] == "ok"
    after = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert after["assessment_version"] == before["assessment_version"] + 1
    from sqlalchemy.orm import Session

    from storage.models import AuditEvent

    with Session(app.state.repo.engine) as s:
        [audited] = s.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case.correction")).all()
    assert (audited.target_id, audited.detail["kind"], audited.detail["document"], audited.detail["field"]) == (
        case_id, "field", "app", "operator_name"), "the correction itself is audited"
    assert "张二" not in audit_details(app) and "张三" not in audit_details(app)


def test_a_chip_reader_record_is_an_authoritative_identity_document(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    response = client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk,
                           json={**READER, "photo": base64.b64encode(png()).decode()})
    assert response.status_code == 201, response.text
    front, back = response.json()["documents"]
    assert (front["type"], back["type"], front["source"], back["source"]) == (
        "id_card_front", "id_card_back", "chip_reader", "chip_reader")
    assert front["type_confidence"] == 1.0
    assert {(f["confidence"], f["source"]) for d in (front, back) for f in d["fields"].values()} == {(1.0, "reader")}
    assert front["fields"]["id_number"]["value"] == "110105199003071239"
    assert back["fields"]["valid_until"]["value"] == "2041-05-10"
    operator = next(m for m in response.json()["assessment"]["materials"] if m["code"] == "operator_id")
    assert operator["documents"] == [front["id"], back["id"]]
    assert not any(f["code"] == "field.uncertain" for f in operator["findings"])
    [upload] = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["uploads"]
    assert upload["status"] == "done" and upload["material"] == "operator_id"
    stored = app.state.services.cases.submitted(case_id)[0].document
    assert len(stored.image_keys) == 1 and app.state.store.get(stored.image_keys[0]) == png()


@pytest.mark.parametrize(("change", "code"), [
    ({"id_number": "110105199003071238"}, "reader.invalid"),  # check character wrong
    ({"birth_date": "1990-03-08"}, "reader.invalid"),  # disagrees with the number
    ({"sex": "女"}, "reader.invalid"),
    ({"valid_from": "2041-05-10", "valid_until": "2021-05-10"}, "reader.invalid"),  # ends before it starts
    ({"photo": base64.b64encode(b"not an image at all").decode()}, "reader.invalid"),
    ({"photo": "@@@"}, "reader.invalid"),
    ({"id_number": "11010519900307"}, "request.invalid"),
    ({"sex": "M"}, "request.invalid"),
    ({"material": "agent_id"}, "request.invalid"),  # not a material of the `self` situation
])
def test_bad_reader_records_are_refused_with_a_clear_code(env, change, code):
    client, key, _app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    response = client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json={**READER, **change})
    assert response.status_code == 422 and response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


# --- notices ------------------------------------------------------------------------------------------------------


def test_acceptance_and_tolerance_notices_carry_every_element(env):
    client, key, app, now, _ = env
    clerk = key("clerk", label="C0231")
    case = new_case(client, clerk)
    case_id = case["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json=READER)
    client.post(f"/api/v1/cases/{case_id}/originals", headers=clerk,
                json={"material": "application", "originals_seen": 1, "copies_kept": 1})
    assert act(client, clerk, case_id, "accept_tolerance", place="济宁市政务服务中心A区3号窗口").status_code == 422
    assert act(client, clerk, case_id, "accept_tolerance", commitment_signed=True,
               place="济宁市政务服务中心A区3号窗口").status_code == 200
    response = client.get(f"/api/v1/cases/{case_id}/notices/tolerance.pdf", headers=clerk)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    query_code = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["query_code"]
    for element in ("市场监督管理局", "容缺受理通知书", "hall-1-2026-000001", "个体工商户设立登记", "张三",
                    "110105********1239", "2026年09月29日", "经营场所使用证明", "2026年10月12日前补交",
                    "《容缺受理信用承诺书》", "济宁市政务服务中心A区3号窗口", "《中华人民共和国行政许可法》",
                    "《市场主体登记管理条例》", "受理人员工号：C0231", query_code, "实施机关印章", "签收",
                    "核验原件1份", "承诺办结时限为1个工作日"):
        assert element in text.replace("\n", ""), element
    assert "110105199003071239" not in text
    fonts = embedded_fonts(response.content)
    assert fonts and all(embedded for _name, embedded in fonts), fonts
    assert client.get(f"/api/v1/cases/{case_id}/notices/acceptance.pdf", headers=clerk).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}/notices/tolerance.pdf", headers=key("integrator")).status_code == 404
    assert "case.notice" in audit_actions(app)


def test_correction_and_refusal_notices(env):
    client, key, app, _now, _ = env
    clerk = key("clerk", label="C0231")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application(signed=False)], material="application")
    past = act(client, clerk, case_id, "request_correction", supplement_by="2026-09-28")  # the day before
    assert past.status_code == 422 and past.json()["error"]["code"] == "request.invalid", past.text
    assert act(client, clerk, case_id, "request_correction", supplement_by="2026-10-16").status_code == 200
    text = pdf_text(client.get(f"/api/v1/cases/{case_id}/notices/correction.pdf", headers=clerk).content).replace("\n", "")
    for element in ("补齐补正材料通知书（一次性告知）", "一次性告知", "申请书未签字，请签字后重新提交", "经营者身份证明：未提交",
                    "2026年10月16日前", "第三十二条第一款第（四）项", "受理人员工号：C0231", "110105********1239"):
        assert element in text, element
    assert act(client, clerk, case_id, "not_accept", reason="申请人不具备经营能力证明，不符合受理条件").status_code == 200
    refusal = client.get(f"/api/v1/cases/{case_id}/notices/refusal.pdf", headers=clerk)
    text = pdf_text(refusal.content).replace("\n", "")
    for element in ("不予受理决定书", "决定不予受理", "申请人不具备经营能力证明，不符合受理条件", "六十日内", "行政复议",
                    "六个月内", "行政诉讼", "实施机关印章", "进度查询码"):
        assert element in text, element
    assert all(embedded for _name, embedded in embedded_fonts(refusal.content))


def test_an_organisation_applicant_shows_its_credit_code(env):
    client, key, app, _now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk, applicant={"kind": "organisation", "name": "济宁博远商贸有限公司",
                                                 "credit_code": "91110105MA01H7K23Y"})["case_id"]
    assert act(client, clerk, case_id, "not_accept", reason="不属于本机关职权范围").status_code == 200
    text = pdf_text(client.get(f"/api/v1/cases/{case_id}/notices/refusal.pdf", headers=clerk).content)
    assert "统一社会信用代码：91110105MA01H7K23Y" in text and "济宁博远商贸有限公司" in text


# --- parallel uploads -----------------------------------------------------------------------------------------------


def test_parallel_uploads_to_one_case_lose_nothing(env):
    client, key, app, _now, enqueued = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    barrier = threading.Barrier(6, timeout=30)
    answers, errors = [], []

    def send(n):
        try:
            barrier.wait()
            r = client.post(f"/api/v1/cases/{case_id}/uploads", headers=clerk,
                            files={"file": (f"scan{n}.jpg", jpeg(), "image/jpeg")})
            answers.append((r.status_code, r.json().get("upload_id")))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and {status for status, _ in answers} == {202}
    ids = {upload_id for _, upload_id in answers}
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert {u["upload_id"] for u in case["uploads"]} == ids and len(ids) == 6
    assert {upload_id for upload_id, _queue in enqueued} == ids
    # the worker finishes them in parallel, each reassessing the case: the last assessment holds every document
    parts = [[application()], id_card()[:1], id_card()[1:], premises(), [], []]
    svc = app.state.services
    barrier = threading.Barrier(6, timeout=30)

    def work(upload_id, documents):
        try:
            app.state.repo.claim(upload_id, lease_seconds=60, max_attempts=3)
            app.state.repo.finish(upload_id, documents)
            barrier.wait()
            svc.cases.reassess(case_id, svc.assessor)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u, d)) for u, d in zip(sorted(ids), parts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    final = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assigned = {d for m in final["assessment"]["materials"] for d in m["documents"]}
    assert assigned == {"app", "op-front", "op-back", "cert"} and final["assessment"]["decision"] == "accept"
    assert app.state.repo.audit_chain_ok(), "parallel requests audit into one unbroken chain"


def test_an_oversized_case_upload_is_refused_while_it_streams_in(env):
    client, key, _app, _now, enqueued = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    big = b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024)
    response = client.post(f"/api/v1/cases/{case_id}/uploads", headers=clerk, files={"file": ("big.jpg", big, "image/jpeg")})
    assert response.status_code == 413 and response.json()["error"]["code"] == "file.too_large"
    unauthenticated = client.post(f"/api/v1/cases/{case_id}/uploads", files={"file": ("big.jpg", big, "image/jpeg")})
    assert unauthenticated.status_code == 413, "refused by the body limit before the route even reads the key"
    assert enqueued == []
    assert client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["uploads"] == []


def bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (4000, 4000), 0).save(buf, "PNG")  # 16 MP over the 4 MP cap, ~20 KB on the wire
    return buf.getvalue()


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"", 400, "file.empty"),
    (b"plain text pretending", 415, "file.unsupported_type"),
    (None, 422, "file.too_many_pixels"),
])
def test_bad_case_uploads_are_refused_and_not_stored(env, data, status, code):
    client, key, app, _now, enqueued = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    for url, form in ((f"/api/v1/cases/{case_id}/uploads", {}), ("/api/v1/documents", {"case_id": case_id})):
        response = client.post(url, headers=clerk, data=form,
                               files={"file": ("scan.png", bomb() if data is None else data, "image/png")})
        assert response.status_code == status and response.json()["error"]["code"] == code, (url, response.text)
        assert response.json()["error"]["message"]
    assert enqueued == [] and client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["uploads"] == []
    assert "case.upload" not in audit_actions(app)


def test_nul_characters_and_unparsable_bodies_get_a_clear_error_not_a_500(env):
    """PostgreSQL text cannot hold NUL: such requests answered 500 (or 503 from the licence library)."""
    client, key, app, _now, enqueued = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    body = {"item": REFERENCE, "situation": "self", "applicant": {"kind": "person", "name": "张\u0000三"}}
    answers = [
        client.post("/api/v1/cases", headers=clerk, json=body),
        client.post(f"/api/v1/cases/{case_id}/transitions", headers=clerk, json={"act": "not_accept", "reason": "x\u0000"}),
        client.get(f"/api/v1/cases/{case_id}%00", headers=clerk),
        client.get("/api/v1/licences", headers=clerk, params={"holder_code": "1\u0000", "holder_code_type": "111",
                                                               "licence_type": "id_card"}),
        client.post("/api/v1/documents", headers=clerk, data={"material": "operator_id\u0000"},
                    files={"file": ("scan.jpg", jpeg(), "image/jpeg")}),
        client.post(f"/api/v1/cases/{case_id}/uploads", headers=clerk, data={"person": "operator\u0000"},
                    files={"file": ("scan.jpg", jpeg(), "image/jpeg")}),
    ]
    for response in answers:
        assert response.status_code == 422, (response.request.url, response.text)
        assert response.json()["error"]["code"] == "request.invalid" and response.json()["error"]["message"]
    assert enqueued == [] and client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["status"] == "received"
    deep = client.post("/api/v1/cases", headers={**clerk, "content-type": "application/json"},
                       content=b"[" * 100_000 + b"]" * 100_000)
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "request.invalid", deep.text
    nowhere = client.get("/api/v1/nowhere", headers=clerk)
    assert nowhere.status_code == 404 and nowhere.json()["error"] == {"code": "not_found", "message": "找不到该地址"}


def test_a_closed_case_takes_no_more_uploads(env):
    client, key, app, _now, enqueued = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    assert act(client, clerk, case_id, "not_accept", reason="不属于本机关职权范围").status_code == 200
    for url, form in ((f"/api/v1/cases/{case_id}/uploads", {}), ("/api/v1/documents", {"case_id": case_id})):
        response = client.post(url, headers=clerk, data=form, files={"file": ("scan.jpg", jpeg(), "image/jpeg")})
        assert response.status_code == 409 and response.json()["error"]["code"] == "case.transition_not_allowed", url
        assert "不予受理" in response.json()["error"]["message"]
    assert client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json=READER).status_code == 409
    assert enqueued == [] and client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["uploads"] == []


def test_a_case_left_without_a_notice_is_flagged_after_five_working_days(env):
    client, key, _app, now, _ = env
    clerk = key("clerk")
    now["at"] = utc(2026, 2, 12)
    case_id = new_case(client, clerk)["case_id"]
    now["at"] = utc(2026, 2, 26, 17)  # the 5th working day (make-up Sat 14, holiday 15–23)
    assert client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["flags"] == []
    now["at"] = utc(2026, 2, 27)
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert [f["code"] for f in case["flags"]] == ["case.notice_overdue"]
    assert case["deadlines"]["notice"]["due"] == "2026-02-26"
    flagged = client.get("/api/v1/cases?state=received&flag=case.notice_overdue", headers=clerk).json()
    assert [c["case_id"] for c in flagged] == [case_id]
    assert client.get("/api/v1/cases?state=received&flag=case.notice_overdue", headers=key("clerk", "hall-2")).json() == []


def test_a_resubmission_through_the_api_supersedes_the_old_upload(env):
    client, key, app, now, _ = env
    clerk = key("clerk")
    case_id = new_case(client, clerk)["case_id"]
    old = finish_upload(client, app, clerk, case_id, [application(signed=False)], material="application")["upload_id"]
    assert act(client, clerk, case_id, "request_correction").status_code == 200
    now["at"] = utc(2026, 10, 8)  # the applicant comes back after the holiday
    new = finish_upload(client, app, clerk, case_id, [application(doc_id="app-2", sha="s2")], material="application")
    assert new["superseded"] == [old]
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert [d["id"] for d in case["documents"]] == ["app-2"]
    assert next(u for u in case["uploads"] if u["upload_id"] == old)["superseded_by"] == new["upload_id"]
    application_result = next(m for m in case["assessment"]["materials"] if m["code"] == "application")
    assert application_result["status"] == "ok"
    history = client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()
    assert history["superseded_uploads"][0]["upload_id"] == old
    assert {(d["id"], d["superseded"]) for d in history["documents"]} == {("app", True), ("app-2", False)}

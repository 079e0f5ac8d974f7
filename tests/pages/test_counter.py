"""The counter's forms without a browser: a scan uploaded from the page with a material hint joins the case on the
camera's path, discarding a shot leaves it out of the assessment (kept on record), the checklist fragment answers
204 when nothing changed, the case layer's refusals come back as Chinese pages, shots are joined into one document
(titled page first) and split again, and a document of unknown type shows the text read from it."""

from __future__ import annotations

from pathlib import Path

from tests.pages.conftest import browser, csrf_of, open_case, sign_in
from api.deps import services_of

ROOT = Path(__file__).resolve().parents[2]
SCAN = ROOT / "samples" / "id_card_front" / "idcard_s7-0000_front_clean.png"


def _upload(client, case_id: str, token: str, material: str = "operator_id"):
    return client.post(f"/pages/cases/{case_id}/upload", follow_redirects=False,
                       data={"csrf_token": token, "material": material},
                       files={"file": (SCAN.name, SCAN.read_bytes(), "image/png")})


def test_a_scan_from_the_page_joins_the_case_and_a_discarded_shot_leaves_the_assessment(site):
    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    token = csrf_of(client, f"/counter/cases/{case_id}")
    response = _upload(client, case_id, token)
    assert response.status_code == 303 and response.headers["location"].endswith("?done=upload")
    case = client.get(f"/api/v1/cases/{case_id}").json()
    [upload] = case["uploads"]
    assert upload["material"] == "operator_id" and upload["status"] == "queued"
    page = client.get(response.headers["location"])
    assert "正在识别 1 份材料" in page.text and "已上传，正在识别" in page.text

    response = client.post(f"/pages/cases/{case_id}/discard", follow_redirects=False,
                           data={"csrf_token": token, "upload_id": upload["upload_id"], "reason": "拍糊了"})
    assert response.status_code == 303
    case = client.get(f"/api/v1/cases/{case_id}").json()
    assert case["uploads"][0]["superseded_by"] == "discarded"
    assert not any(f["code"] == "case.uploads_pending" for f in case["assessment"]["findings"])
    history = client.get(f"/api/v1/cases/{case_id}/history").json()
    assert [a["kind"] for a in history["acts"]] == ["discard"] and history["acts"][0]["reason"] == "拍糊了"
    assert "正在识别" not in client.get(f"/counter/cases/{case_id}").text

    again = client.post(f"/pages/cases/{case_id}/discard", data={"csrf_token": token, "upload_id": upload["upload_id"]})
    assert again.status_code == 422 and "已作废" in again.text
    wrong = client.post(f"/pages/cases/{case_id}/upload", data={"csrf_token": token, "material": "nonsense"},
                        files={"file": (SCAN.name, SCAN.read_bytes(), "image/png")})
    assert wrong.status_code == 422 and "材料代码应为" in wrong.text


def test_the_checklist_fragment_answers_204_when_nothing_changed(site):
    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    fragment = client.get(f"/counter/cases/{case_id}/checklist")
    assert fragment.status_code == 200 and 'id="m-application"' in fragment.text and "<html" not in fragment.text
    signature = fragment.text.split('data-sig="', 1)[1].split('"', 1)[0]
    assert client.get(f"/counter/cases/{case_id}/checklist?since={signature}").status_code == 204
    _upload(client, case_id, csrf_of(client, f"/counter/cases/{case_id}"))
    assert client.get(f"/counter/cases/{case_id}/checklist?since={signature}").status_code == 200


def test_refusals_of_the_case_layer_are_shown_in_chinese(site):
    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    token = csrf_of(client, f"/counter/cases/{case_id}")
    no_reason = client.post(f"/pages/cases/{case_id}/act", data={"csrf_token": token, "act": "not_accept"})
    assert no_reason.status_code == 409 and "须填写理由" in no_reason.text
    unsigned = client.post(f"/pages/cases/{case_id}/act",
                           data={"csrf_token": token, "act": "accept_tolerance", "reason": "经营场所证明后补"})
    assert unsigned.status_code == 409 and "容缺受理信用承诺书" in unsigned.text
    refused = client.post(f"/pages/cases/{case_id}/act",
                          data={"csrf_token": token, "act": "not_accept", "reason": "不属于本机关职权范围"})
    assert refused.status_code == 200 and "不予受理通知书" in refused.text  # followed to the case page
    notice = client.get(f"/api/v1/cases/{case_id}/notices/refusal.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")


def test_a_chip_reader_record_entered_at_the_counter_fills_the_identity_material(site):
    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    token = csrf_of(client, f"/counter/cases/{case_id}")
    record = {"name": "李四", "sex": "女", "ethnicity": "汉", "birth_date": "1949-12-31", "address": "北京市朝阳区某路1号",
              "id_number": "11010519491231002x", "issuing_authority": "北京市公安局朝阳分局", "valid_from": "2015-01-01",
              "valid_until": "长期", "material": "operator_id"}
    bad = client.post(f"/pages/cases/{case_id}/reader", data={**record, "birth_date": "1949-12-30", "csrf_token": token})
    assert bad.status_code == 422
    assert "出生日期或性别与公民身份号码不一致" in bad.text
    done = client.post(f"/pages/cases/{case_id}/reader", data={**record, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=reader")
    case = client.get(f"/api/v1/cases/{case_id}").json()
    assert sorted(d["type"] for d in case["documents"]) == ["id_card_back", "id_card_front"]
    assert all(d["source"] == "chip_reader" for d in case["documents"])
    page = client.get(done.headers["location"]).text
    assert "已录入读卡器信息" in page and "居民身份证人像面（读卡器）" in page


def test_a_case_opened_at_a_named_counter_is_that_counters_case(site):
    client = browser(site)
    sign_in(client, "clerk1")
    token = csrf_of(client, "/counter")
    form = {"csrf_token": token, "item": "individual-business-registration@1",
            "situation": "individual-business-registration@1/self", "applicant_name": "李四", "counter": "7号窗口"}
    first = client.post("/counter/cases", data=form, follow_redirects=False)
    assert first.status_code == 303
    case_id = first.headers["location"].rsplit("/", 1)[1]
    found = client.get("/api/v1/counters/7号窗口/case")  # what `yichuang watch --counter 7号窗口` asks
    assert found.status_code == 200 and found.json()["case_id"] == case_id
    assert 'value="7号窗口"' in client.get("/counter").text, "the counter is remembered for the next case"
    second = client.post("/counter/cases", data=form, follow_redirects=False).headers["location"].rsplit("/", 1)[1]
    assert client.get("/api/v1/counters/7号窗口/case").json()["case_id"] == second != case_id
    page = client.get(f"/counter/cases/{case_id}").text  # the first case taken up again: the camera back to it
    assert 'id="counter-name"' in page and 'value="7号窗口"' in page
    back = client.post(f"/pages/cases/{case_id}/counter", data={"csrf_token": token, "counter": "7号窗口"},
                       follow_redirects=False)
    assert back.status_code == 303 and client.get("/api/v1/counters/7号窗口/case").json()["case_id"] == case_id
    refused = client.post("/counter/cases", data={**form, "counter": "7号 窗口"})
    assert refused.status_code == 422 and "窗口名称" in refused.text
    other = browser(site)
    sign_in(other, "clerk2")  # another hall's counter of the same name has no case
    assert other.get("/api/v1/counters/7号窗口/case").json()["error"]["code"] == "not_found"


def _read(site, client, case_id: str, token: str, document) -> str:
    """A shot from the page, finished as the worker would (the document given), and the case reassessed."""
    response = _upload(client, case_id, token, material="application")
    assert response.status_code == 303
    upload_id = client.get(f"/api/v1/cases/{case_id}").json()["uploads"][-1]["upload_id"]
    assert site.state.repo.claim(upload_id, lease_seconds=60, max_attempts=3) is not None
    assert site.state.repo.finish(upload_id, [document])
    svc = services_of(site)
    svc.cases.reassess(case_id, svc.assessor)
    return document.id


def test_the_join_form_puts_a_titled_page_first_and_shows_the_shots_as_one(site):
    """The signature page (no title of its own) was photographed first: the form joins it after the first page."""
    from pipeline.models import Document, FieldValue

    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    token = csrf_of(client, f"/counter/cases/{case_id}")
    signature = _read(site, client, case_id, token, Document(
        id="p2", source="p2.jpg", type="application_form", type_confidence=0.9, continues=True, image_keys=(),
        fields={"signed": FieldValue(value=True, confidence=0.99), "signed_on": FieldValue(value="2026-11-20", confidence=0.99)}))
    first = _read(site, client, case_id, token, Document(
        id="p1", source="p1.jpg", type="application_form", type_confidence=0.9,
        fields={"operator_name": FieldValue(value="李四", confidence=0.99)}))
    page = client.get(f"/counter/cases/{case_id}").text
    assert page.count('name="documents"') == 2 and 'id="join-form"' in page

    alone = client.post(f"/pages/cases/{case_id}/join", data={"csrf_token": token, "documents": [first]})
    assert alone.status_code == 422 and "请选择 2–20 张" in alone.text
    joined = client.post(f"/pages/cases/{case_id}/join", follow_redirects=False,
                         data={"csrf_token": token, "documents": [signature, first], "reason": "首页与签字页"})
    assert joined.status_code == 303 and joined.headers["location"].endswith("?done=join")
    case = client.get(f"/api/v1/cases/{case_id}").json()
    assert case["assessment"]["joined"] == {first: [signature]}
    page = client.get(joined.headers["location"]).text
    assert "已合并为一份材料" in page and "2 张照片合并为一份" in page and "合并的一页" in page
    assert 'name="documents"' not in page and "拆分为单独的照片" in page
    history = client.get(f"/api/v1/cases/{case_id}/history").json()
    assert [(a["kind"], a["reason"], a["person_value"]) for a in history["acts"]] == [
        ("join", "首页与签字页", {"documents": [first, signature]})]

    split = client.post(f"/pages/cases/{case_id}/split", follow_redirects=False,
                        data={"csrf_token": token, "document": first})
    assert split.status_code == 303 and split.headers["location"].endswith("?done=split")
    assert client.get(f"/api/v1/cases/{case_id}").json()["assessment"]["joined"] == {}
    reviewer = browser(site)
    sign_in(reviewer, "rev1")
    refused = reviewer.post(f"/pages/cases/{case_id}/join",
                            data={"csrf_token": csrf_of(reviewer, "/review"), "documents": [first, signature]})
    assert refused.status_code == 403


def test_a_document_of_unknown_type_shows_the_text_read_from_it(site):
    from pipeline.models import Document

    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    token = csrf_of(client, f"/counter/cases/{case_id}")
    _read(site, client, case_id, token, Document(id="u1", source="发票.ofd", type="unknown",
                                                 text="电子发票（增值税专用发票）\n价税合计（大写） 肆仟肆佰肆拾玖圆整"))
    page = client.get(f"/counter/cases/{case_id}").text
    assert "识别出的文字" in page and "价税合计（大写） 肆仟肆佰肆拾玖圆整" in page

"""The back office without a browser: the queue (only accepted cases of the reviewer's hall, masked applicants,
sorted by deadline, filters, paging), claiming by 开始审查, a finding confirmed, a manual check, and the gates
(a clerk cannot use the back office, a reviewer not the counter)."""

from __future__ import annotations

import re

from api.pages import review
from tests.pages.conftest import browser, csrf_of, open_case, sign_in


def _accepted_cases(site, count: int) -> list[str]:
    clerk = browser(site)
    sign_in(clerk, "clerk1")
    ids = []
    for _ in range(count):
        case_id = open_case(clerk)
        token = csrf_of(clerk, f"/counter/cases/{case_id}")
        done = clerk.post(f"/pages/cases/{case_id}/act", follow_redirects=False,
                          data={"csrf_token": token, "act": "accept", "reason": "已当面核对原件"})
        assert done.status_code == 303, done.text
        ids.append(case_id)
    open_case(clerk)  # received, not accepted: not in the queue
    return ids


def test_the_queue_lists_the_halls_accepted_cases_by_deadline_with_filters_and_pages(site, monkeypatch):
    ids = _accepted_cases(site, 3)
    reviewer = browser(site)
    sign_in(reviewer, "rev1")
    page = reviewer.get("/review").text
    listed = re.findall(r'href="/review/cases/([0-9a-f-]{36})"', page)
    assert sorted(listed) == sorted(ids) and "共 3 件" in page
    assert "李*" in page and "李四" not in page and "11010519491231002X" not in page
    assert page.count("需补齐补正") + page.count("需人工核验") + page.count("建议受理") == 3
    token = csrf_of(reviewer, f"/review/cases/{ids[0]}")
    claimed = reviewer.post(f"/pages/cases/{ids[0]}/act", data={"csrf_token": token, "act": "start_review"},
                            follow_redirects=False)
    assert claimed.headers["location"] == f"/review/cases/{ids[0]}?done=act"
    only = reviewer.get("/review", params={"state": "reviewing"}).text
    assert re.findall(r'href="/review/cases/([0-9a-f-]{36})"', only) == [ids[0]]
    assert "共 0 件" in reviewer.get("/review", params={"item": "food-business-licence"}).text
    assert "共 0 件" in reviewer.get("/review", params={"due_before": "2000-01-01"}).text
    assert "共 0 件" in reviewer.get("/review", params={"flag": "case.overdue"}).text  # nothing is late yet
    suspended = reviewer.post(f"/pages/cases/{ids[0]}/act", follow_redirects=False,
                              data={"csrf_token": token, "act": "suspend", "reason": "需现场核查经营场所"})
    assert suspended.status_code == 303
    flagged = reviewer.get("/review", params={"flag": "case.clock_suspended"}).text
    assert re.findall(r'href="/review/cases/([0-9a-f-]{36})"', flagged) == [ids[0]] and "挂起中" in flagged
    monkeypatch.setattr(review, "PAGE_SIZE", 2)
    first, second = reviewer.get("/review").text, reviewer.get("/review", params={"page": 2}).text
    assert "第 1 / 2 页" in first and "下一页" in first and "第 2 / 2 页" in second
    assert len(re.findall(r'href="/review/cases/', first)) == 2 and len(re.findall(r'href="/review/cases/', second)) == 1
    elsewhere = browser(site)
    sign_in(elsewhere, "rev2")
    assert "共 0 件" in elsewhere.get("/review").text
    assert elsewhere.get(f"/review/cases/{ids[0]}").status_code == 404


def test_a_reviewer_confirms_a_finding_and_records_a_manual_check(site):
    [case_id] = _accepted_cases(site, 1)
    reviewer = browser(site)
    sign_in(reviewer, "rev1")
    token = csrf_of(reviewer, f"/review/cases/{case_id}")
    reviewer.post(f"/pages/cases/{case_id}/act", data={"csrf_token": token, "act": "start_review"})
    no_reason = reviewer.post(f"/pages/cases/{case_id}/correction",
                              data={"csrf_token": token, "kind": "manual_check", "material": "premises_proof"})
    assert no_reason.status_code == 409 and "人工核验须说明" in no_reason.text
    checked = reviewer.post(f"/pages/cases/{case_id}/correction", follow_redirects=False, data={
        "csrf_token": token, "kind": "manual_check", "material": "premises_proof", "reason": "已核对租赁合同原件"})
    assert checked.status_code == 303
    case = reviewer.get(f"/api/v1/cases/{case_id}").json()
    premises = next(m for m in case["assessment"]["materials"] if m["code"] == "premises_proof")
    assert any(f["code"] == "material.checked_by_hand" for f in premises["findings"])
    finding = next(f for m in case["assessment"]["materials"] for f in m["findings"] if f["severity"] != "info")
    material = next(m["code"] for m in case["assessment"]["materials"] if finding in m["findings"])
    confirmed = reviewer.post(f"/pages/cases/{case_id}/correction", follow_redirects=False, data={
        "csrf_token": token, "kind": "finding", "finding": finding["code"], "material": material, "action": "confirm",
        "reason": "经核实确属问题"})
    assert confirmed.status_code == 303
    history = reviewer.get(f"/api/v1/cases/{case_id}/history").json()
    assert [a["kind"] for a in history["acts"]][-2:] == ["manual_check", "finding"]
    page = reviewer.get(f"/review/cases/{case_id}").text
    assert "人工核验" in page and "经核实确属问题" in page


def test_roles_keep_to_their_pages(site):
    clerk, reviewer = browser(site), browser(site)
    sign_in(clerk, "clerk1")
    sign_in(reviewer, "rev1")
    assert clerk.get("/review").status_code == 403 and reviewer.get("/counter").status_code == 403
    case_id = open_case(clerk)
    token = csrf_of(reviewer, "/review")
    refused = reviewer.post(f"/pages/cases/{case_id}/discard", data={"csrf_token": token, "upload_id": "x"})
    assert refused.status_code == 403

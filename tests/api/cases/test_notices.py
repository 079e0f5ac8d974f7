"""Notices through the API as a hall hands them out: the hall's configuration (or a visible placeholder), only
citizen words, the legal basis of the stated reason, the appeal bodies, gap-free document numbers, previews
before the act, the approval decision and the 容缺 commitment."""

from __future__ import annotations

import logging
import threading

import pytest
import sqlalchemy as sa

from storage.cases import CaseRepository
from storage.db import make_engine, migrate
from storage.notice_numbers import NoticeNumbers
from storage.repository import Identity, Repository
from tests.api.cases.helpers import (
    READER, accepted_case, act, audit_actions, finish_upload, new_case, pdf_text,
)
from tests.case_data import application, premises
from tests.workers.cases.helpers import new_case as make_case

INTERNAL = ("需人工核验", "容缺后补", "系统建议", "人工改判")


def text_of(client, headers, case_id, kind, **params):
    response = client.get(f"/api/v1/cases/{case_id}/notices/{kind}.pdf", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return pdf_text(response.content).replace("\n", "")


def test_correction_notice_has_citizen_words_only_and_never_the_clerks_reason(env):
    client, key, app, _now, _ = env
    clerk = key("clerk", label="C0231")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application(signed=False)], material="application")
    reason = "人工改判：系统建议需人工核验，但扫描件模糊，内部备注勿外传"
    assert act(client, clerk, case_id, "request_correction", reason=reason).status_code == 200
    text = text_of(client, clerk, case_id, "correction")
    assert "申请书未签字，请签字后重新提交" in text and "经营者身份证明：未提交，请补交" in text
    assert "内部备注" not in text and "扫描件模糊" not in text
    for word in INTERNAL:
        assert word not in text, word
    assert "济市监受字〔2026〕第0001号" in text and "济宁市市场监督管理局" in text


def test_refusal_cites_the_basis_of_its_reason_names_the_appeal_bodies_and_numbers_without_gaps(env):
    client, key, app, _now, _ = env
    clerk = key("clerk", label="C0231")
    first = new_case(client, clerk)["case_id"]
    bad = act(client, clerk, first, "not_accept", reason_code="no_such_reason")
    assert bad.status_code == 422 and "not_corrected" in bad.json()["error"]["message"]
    assert act(client, clerk, first, "not_accept", reason_code="not_corrected").status_code == 200
    text = text_of(client, clerk, first, "refusal")
    assert "第三十二条第一款第（四）项" in text and "（一）、（二）" not in text
    assert "授权委托书已超过委托期限" in text  # the reason's label stands in for an empty reason
    assert "复议机关：济宁市人民政府" in text and "管辖法院：济宁市任城区人民法院" in text
    assert "济市监受字〔2026〕第0001号" in text
    second = new_case(client, clerk)["case_id"]
    assert act(client, clerk, second, "not_accept", reason_code="not_competent", reason="请向区行政审批服务局申请").status_code == 200
    text = text_of(client, clerk, second, "refusal")
    assert "第三十二条第一款第（二）项" in text and "请向区行政审批服务局申请" in text
    assert "济市监受字〔2026〕第0002号" in text
    assert "济市监受字〔2026〕第0001号" in text_of(client, clerk, first, "refusal"), "a notice keeps its number"
    with app.state.repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT seq FROM notice_numbers ORDER BY seq")).scalars().all() == [1, 2]


def test_a_preview_is_available_before_the_act_marked_and_audited(env):
    client, key, app, _now, _ = env
    clerk = key("clerk", label="C0231")
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application(signed=False)], material="application")
    assert client.get(f"/api/v1/cases/{case_id}/notices/correction.pdf", headers=clerk).status_code == 404
    text = text_of(client, clerk, case_id, "correction", preview=1)
    assert "预览 不作为正式文书" in text and "申请书未签字" in text and "正式出具时编号" in text
    assert "case.notice_preview" in audit_actions(app)
    with app.state.repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM notice_numbers")).scalar() == 0, "a preview takes no number"
    official = text_of(client, clerk, case_id, "refusal", preview=1)
    assert "不予受理决定书" in official and "预览 不作为正式文书" in official


def test_a_missing_hall_configuration_is_a_visible_placeholder_and_a_warning(env, caplog):
    client, key, app, _now, _ = env
    clerk = key("clerk", hall="hall-9", label="C0231")
    case_id = new_case(client, clerk)["case_id"]
    assert act(client, clerk, case_id, "not_accept", reason="不属于本机关职权范围").status_code == 200
    with caplog.at_level(logging.WARNING, logger="api.halls"):
        text = text_of(client, clerk, case_id, "refusal")
    assert "【未配置】实施机关" in text and "【未配置】复议机关" in text
    assert "市场监督管理局" not in text and "政务服务中心受理窗口" not in text
    assert any("hall-9" in r.getMessage() for r in caplog.records)


def test_approval_gives_the_licence_decision_and_the_commitment_is_printed_for_signature(env):
    client, key, app, now, _ = env
    clerk, reviewer = key("clerk", label="C0231"), key("reviewer", label="R0007")
    case_id = accepted_case(client, app, clerk)
    assert act(client, clerk, case_id, "accept").status_code == 200
    assert act(client, reviewer, case_id, "start_review").status_code == 200
    assert act(client, reviewer, case_id, "approve", reason="符合登记条件").status_code == 200
    text = text_of(client, reviewer, case_id, "approval")
    assert "准予行政许可决定书" in text and "决定准予行政许可" in text and "营业执照（个体工商户）" in text
    assert "第三十八条第一款" in text and "审查人员工号：R0007" in text
    assert client.get(f"/api/v1/cases/{case_id}/notices/completion.pdf", headers=clerk).status_code == 404
    tolerant = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, tolerant, [application(doc_id="app2", sha="s-app2")], material="application")
    client.post(f"/api/v1/cases/{tolerant}/reader", headers=clerk, json=READER)
    text = text_of(client, clerk, tolerant, "commitment")
    assert "容缺受理信用承诺书" in text and "经营场所使用证明" in text and "承诺人（签字或盖章）" in text
    assert "预览" not in text


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def test_numbers_are_gap_free_and_unique_under_concurrency(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path}/n.sqlite" if backend == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    key_id = Repository(engine).add_key(key_id="k" * 16, key_hash="h" * 64, role="clerk", hall="h1", label="C1")
    row = make_case(CaseRepository(engine), Identity(key_id=key_id, role="clerk", hall="h1", label="C1"))  # for the FK
    numbers, got, barrier = NoticeNumbers(engine), [], threading.Barrier(8, timeout=30)

    def take(i: int) -> None:
        barrier.wait()
        for j in range(5):
            got.append(numbers.allocate(hall="h1", year=2026, case_id=row.id, kind="refusal", event_id=i * 10 + j,
                                        number=lambda seq: f"文号{seq}").seq)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 41))
    again = numbers.allocate(hall="h1", year=2026, case_id=row.id, kind="refusal", event_id=0, number=str)
    assert again.seq in got and len(numbers.issued("h1", 2026)) == 40
    assert numbers.allocate(hall="h1", year=2027, case_id=row.id, kind="refusal", event_id=999, number=str).seq == 1
    engine.dispose()

"""POST /api/v1/progress: the right query code shows the state in citizen words and nothing personal; a wrong
code and an unknown number give the very same answer; codes are read as typed from paper; lookups are rate
limited per client IP with Retry-After; every lookup is audited without the code."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.app import create_app
from api.progress import ProgressLimiter
from pipeline.case_facts import EventFact, ProgressFacts
from pipeline.settings import Settings
from storage.cases import CaseRepository
from tests.validators.stats_cases import build
from validators.progress import code_matches, progress_of


@pytest.fixture()
def env(tmp_path):
    app = create_app(Settings(data_dir=tmp_path), enqueue=lambda *_: None)
    repo = app.state.repo
    owners = {h: repo.add_key(key_id=f"clerk_{h}_000000", key_hash="h" * 64, role="clerk", hall=h, label="C1")
              for h in ("h1", "h2")}
    made = build(CaseRepository(repo.engine), owners)
    return TestClient(app), app, made


def ask(client, number, code, **kw):
    return client.post("/api/v1/progress", json={"case_number": number, "query_code": code}, **kw)


def test_the_right_code_shows_the_state_in_citizen_words_and_nothing_personal(env):
    client, _app, made = env
    b = made["B"]
    response = ask(client, b.case_number, b.query_code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "已办结：准予许可，请按通知领取办理结果"
    assert body["item_name"] == "个体工商户设立登记" and body["received_on"] == "2026-11-02"
    assert [(s["on"], s["step"]) for s in body["steps"]] == [
        ("2026-11-02", "收件"), ("2026-11-03", "补齐补正"), ("2026-11-05", "受理"), ("2026-11-05", "审查"),
        ("2026-11-12", "办结")]
    assert "【未配置】" in body["hall"]  # the hall has no file: never a made-up name
    for personal in ("张三", "110105199003071239", "C0231", "测试", b.query_code):
        assert personal not in response.text


def test_codes_are_read_as_typed_from_paper(env):
    client, _app, made = env
    code = made["G"].query_code
    typed = f" {code[:5].lower()} {code[5:].lower()} "
    assert ask(client, made["G"].case_number, typed).json()["state"] == "已受理，正在审查"


def test_a_wrong_code_and_an_unknown_number_give_the_same_answer(env):
    client, _app, made = env
    a = made["A"]
    wrong = ask(client, a.case_number, "ZZZZZZZZZZ")
    other_case_code = ask(client, a.case_number, made["C"].query_code)
    unknown = ask(client, "h1-2026-999999", a.query_code)
    empty_code_case = ask(client, "h9-2026-000001", "ZZZZZZZZZZ")
    assert wrong.status_code == other_case_code.status_code == unknown.status_code == empty_code_case.status_code == 404
    assert wrong.content == other_case_code.content == unknown.content == empty_code_case.content
    assert wrong.json()["error"]["code"] == "progress.not_found"


def test_lookups_are_rate_limited_per_client_ip(env):
    client, app, made = env
    app.state.progress_limiter = ProgressLimiter("3/minute")
    a = made["A"]
    assert [ask(client, a.case_number, a.query_code).status_code for _ in range(3)] == [200, 200, 200]
    limited = ask(client, a.case_number, a.query_code)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate.limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert ask(client, "h1-2026-999999", "ZZZZZZZZZZ").status_code == 429  # wrong guesses count too
    # another client IP has its own allowance
    other = TestClient(app, client=("203.0.113.9", 50000))
    assert ask(other, a.case_number, a.query_code).status_code == 200


def test_every_lookup_is_audited_without_the_code(env):
    client, app, made = env
    a = made["A"]
    ask(client, a.case_number, a.query_code)
    ask(client, a.case_number, "ZZZZZZZZZZ")
    with app.state.repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT target_id, detail FROM audit_events WHERE action = 'case.progress' "
                                    "ORDER BY id")).all()
    details = [(r.target_id, r.detail if isinstance(r.detail, dict) else json.loads(r.detail)) for r in rows]
    assert [(t, d["found"]) for t, d in details] == [(a.id, True), ("*", False)]
    assert all(d["client"] == "testclient" for _t, d in details)
    with app.state.repo.engine.connect() as conn:
        dump = " ".join(str(v) for v in conn.execute(sa.text("SELECT detail FROM audit_events")).scalars())
    assert a.query_code not in dump and "ZZZZZZZZZZ" not in dump
    assert app.state.repo.audit_chain_ok()


def test_no_key_is_needed_and_the_contract_says_so(env):
    client, _app, _made = env
    op = client.get("/openapi.json").json()["paths"]["/api/v1/progress"]["post"]
    assert op["security"] == [] and "401" not in op["responses"]
    assert {"404", "422", "429"} <= set(op["responses"])


def test_code_comparison():
    assert code_matches("K7M2Q9XH3T", "k7m2-q9xh 3t")
    assert not code_matches("K7M2Q9XH3T", "K7M2Q9XH3")
    assert not code_matches("", "")  # a case without a code never matches


def test_progress_dates_are_shanghai_days():
    late = dt.datetime(2026, 11, 2, 16, 30, tzinfo=dt.timezone.utc)  # 00:30 on 11-03 in Shanghai
    facts = ProgressFacts(case_id="x", status="accepted", outcome=None, hall="h1", item_name="事项",
                          received_at=late, events=(EventFact("accept", "accepted", late, 1),))
    assert progress_of("n", facts, "大厅").steps == ((dt.date(2026, 11, 3), "收件"), (dt.date(2026, 11, 3), "受理"))

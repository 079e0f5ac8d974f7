"""网上申报 in-process (no worker): registration by one-time code (expiry, attempt limits, resend limits, the
development sender refused in production), the platform's identity as an applicant, own cases only (every
route of another applicant's case answers 404), audit rows without phone numbers, and the counter's mark."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from api.pages import code_senders, oidc
from api.pages.oidc import ExternalIdentity
from storage.accounts import AccountError
from storage.applicants import MAX_ATTEMPTS, CodeError, mask_contact, parse_contact
from tests.case_data import write_hall
from tests.pages.conftest import CSRF, browser, sign_in

PHONE = "13912345678"
PASSWORD = "apply-pass-42"


def _outbox_code(app, contact: str) -> str:
    text = (app.state.settings.data_dir / "dev-outbox" / "codes.txt").read_text(encoding="utf-8")
    return [line.split("\t")[2] for line in text.splitlines() if f"\t{contact}\t" in line][-1]


def _register(app, contact: str, name: str = "罗志"):
    client = browser(app)
    token = CSRF.search(client.get("/apply/register").text).group(1)
    sent = client.post("/apply/register/code", data={"csrf_token": token, "contact": contact})
    assert sent.status_code == 200 and f"验证码已发送至 {mask_contact(contact)}" in sent.text
    done = client.post("/apply/register", follow_redirects=False, data={
        "csrf_token": token, "contact": contact, "code": _outbox_code(app, contact), "name": name,
        "password": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/apply", done.text
    return client


def _new_case(client, hall: str = "h1") -> str:
    token = CSRF.search(client.get("/apply/new").text).group(1)
    response = client.post("/apply/cases", follow_redirects=False, data={
        "csrf_token": token, "hall": hall, "item": "individual-business-registration@1",
        "situation": "individual-business-registration@1/self", "applicant_name": "罗志",
        "applicant_id_number": "532626194906224992"})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _audit(app) -> list[tuple]:
    with app.state.repo.engine.connect() as db:
        return list(db.execute(sa.text("SELECT action, role, target_id, detail FROM audit_events ORDER BY id")))


def test_a_code_proves_the_contact_and_wrong_codes_run_out(site):
    repo = site.state.applicants
    contact = parse_contact("+86 139-1234-5678")
    assert contact.value == PHONE and contact.masked == "139****5678"
    t0 = dt.datetime(2026, 12, 7, 8, tzinfo=dt.timezone.utc)
    code = repo.issue_code(contact, at=t0)
    with pytest.raises(CodeError) as too_soon:
        repo.issue_code(contact, at=t0 + dt.timedelta(seconds=10))
    assert too_soon.value.code == "applicant.code_too_soon"
    wrong = "000000" if code != "000000" else "111111"
    for left in range(MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(CodeError) as refused:
            repo.use_code(contact, wrong, at=t0 + dt.timedelta(minutes=1))
        assert refused.value.remaining == left
    with pytest.raises(CodeError) as spent:
        repo.use_code(contact, wrong, at=t0 + dt.timedelta(minutes=1))
    assert spent.value.code == "applicant.code_attempts"
    with pytest.raises(CodeError) as still:  # even the right code: the tries are used up
        repo.use_code(contact, code, at=t0 + dt.timedelta(minutes=1))
    assert still.value.code == "applicant.code_attempts"

    fresh = repo.issue_code(contact, at=t0 + dt.timedelta(minutes=2))
    with pytest.raises(CodeError) as expired:
        repo.use_code(contact, fresh, at=t0 + dt.timedelta(minutes=13))
    assert expired.value.code == "applicant.code_expired"
    last = repo.issue_code(contact, at=t0 + dt.timedelta(minutes=14))
    repo.use_code(contact, last, at=t0 + dt.timedelta(minutes=15))
    with pytest.raises(CodeError):  # one use only
        repo.use_code(contact, last, at=t0 + dt.timedelta(minutes=15))
    for minute in range(16, 18):
        repo.issue_code(contact, at=t0 + dt.timedelta(minutes=minute))
    with pytest.raises(CodeError) as limit:  # five codes within the hour already
        repo.issue_code(contact, at=t0 + dt.timedelta(minutes=19))
    assert limit.value.code == "applicant.code_limit"
    for n in range(20):  # one address asking for many numbers
        repo.issue_code(parse_contact(f"1380000{n:04d}"), at=t0 + dt.timedelta(minutes=30), client="198.51.100.7")
    with pytest.raises(CodeError) as flood:
        repo.issue_code(parse_contact("13900000000"), at=t0 + dt.timedelta(minutes=31), client="198.51.100.7")
    assert flood.value.code == "applicant.code_limit"
    repo.issue_code(parse_contact("13900000000"), at=t0 + dt.timedelta(minutes=31), client="198.51.100.8")
    with sa.create_engine(site.state.repo.engine.url).connect() as db:
        stored = str(list(db.execute(sa.text("SELECT * FROM applicant_codes"))))
    assert PHONE not in stored and last not in stored


def test_contacts_are_checked_and_masked():
    assert parse_contact("Zhang.San@Example.COM").value == "zhang.san@example.com"
    assert mask_contact("zhang.san@example.com") == "z***@example.com"
    for bad in ("12345", "2391234567", "a@b", "", "1391234567x"):
        with pytest.raises(AccountError):
            parse_contact(bad)


def test_the_development_senders_are_refused_in_production(monkeypatch):
    for kind in ("file", "console"):
        with pytest.raises(ValidationError, match="refused in production"):
            code_senders.SenderSettings(env="production", applicant_sender=kind)
    assert code_senders.SenderSettings(env="production").kind == "none"
    assert code_senders.SenderSettings(env="development").kind == "file"
    monkeypatch.setenv("YICHUANG_ENV", "production")
    monkeypatch.setenv("YICHUANG_APPLICANT_SENDER", "file")
    with pytest.raises(ValidationError):
        code_senders.SenderSettings()


def test_registration_without_a_sender_is_closed(site):
    site.state.code_sender = None
    client = browser(site)
    page = client.get("/apply/register")
    assert "暂未开通验证码注册" in page.text
    token = client.cookies.get("yc_register")  # no form is shown; a hand-made post is refused all the same
    response = client.post("/apply/register/code", data={"csrf_token": token, "contact": PHONE})
    assert response.status_code == 503 and "暂未开通" in response.text
    assert not (site.state.settings.data_dir / "dev-outbox" / "codes.txt").exists()


def test_registration_signs_in_an_applicant_and_no_phone_reaches_the_audit(site, tmp_path):
    client = _register(site, PHONE)
    home = client.get("/apply")
    assert home.status_code == 200 and "我的办件" in home.text and 'lang="zh-CN"' in home.text
    account = site.state.accounts.get(PHONE)
    assert account.role == "applicant" and account.hall == ""
    wrong = browser(site)
    assert sign_in(wrong, PHONE, "wrong-password-1").status_code == 401
    assert sign_in(browser(site), PHONE, PASSWORD).headers["location"] == "/apply"
    rows = _audit(site)
    assert {"applicant.code_sent", "account.create", "account.signin", "account.signin_failed"} <= {r[0] for r in rows}
    assert PHONE not in str(rows) and "139****5678" in str(rows)
    assert client.get("/counter").status_code == 403  # an applicant is no clerk


def test_the_second_registration_of_a_contact_is_refused(site):
    _register(site, PHONE)
    client = browser(site)
    token = CSRF.search(client.get("/apply/register").text).group(1)
    client.post("/apply/register/code", data={"csrf_token": token, "contact": PHONE})
    with site.state.applicants.session() as s:  # let the resend window pass
        s.execute(sa.text("UPDATE applicant_codes SET created_at = :t"), {"t": dt.datetime(2020, 1, 1)})
    client.post("/apply/register/code", data={"csrf_token": token, "contact": PHONE})
    again = client.post("/apply/register", data={"csrf_token": token, "contact": PHONE, "name": "罗志",
                                                  "code": _outbox_code(site, PHONE), "password": PASSWORD, "password2": PASSWORD})
    assert again.status_code == 422 and "已注册" in again.text


def test_an_applicant_sees_own_cases_only(site, tmp_path):
    write_hall(tmp_path, "h1")
    owner, other = _register(site, PHONE), _register(site, "other@example.com", "王五")
    new = owner.get("/apply/new")
    assert "济宁市政务服务中心" in new.text and 'name="hall"' in new.text
    case_id = _new_case(owner)
    page = owner.get(f"/apply/cases/{case_id}")
    assert page.status_code == 200 and 'capture="environment"' in page.text and 'accept="image/*,application/pdf"' in page.text
    assert not re.search(r"needs_review|invalid|需人工核验|建议", page.text)
    assert owner.get(f"/apply/cases/{case_id}/summary").status_code == 200
    token = CSRF.search(other.get("/apply").text).group(1)
    assert case_id not in other.get("/apply").text
    for path in ("", "/status", "/summary", "/documents/x/images/0", "/notices/correction.pdf"):
        response = other.get(f"/apply/cases/{case_id}{path}")
        assert response.status_code == 404 and "罗志" not in response.text, path
    for path in ("/submit", "/materials/application"):
        assert other.post(f"/apply/cases/{case_id}{path}", data={"csrf_token": token},
                          files={"file": ("a.png", b"x", "image/png")}).status_code == 404, path
    assert other.get(f"/api/v1/cases/{case_id}").status_code == 401  # applicants use their pages, not the API
    assert owner.get(f"/api/v1/cases/{case_id}").status_code == 401
    submitted = owner.post(f"/apply/cases/{case_id}/submit", data={"csrf_token": CSRF.search(page.text).group(1)},
                           follow_redirects=False)
    assert submitted.status_code == 303
    assert owner.get(f"/apply/cases/{case_id}").text.count("已提交，等待窗口受理") >= 1
    actions = [(r[0], r[1]) for r in _audit(site) if r[2] == case_id]
    assert {("case.create", "applicant"), ("case.read", "applicant"), ("case.summary", "applicant"),
            ("case.transition", "applicant")} <= set(actions)

    clerk = browser(site)
    sign_in(clerk, "clerk1")
    queue = clerk.get("/counter").text
    assert f"/counter/cases/{case_id}" in queue and "网上申报" in queue
    assert "网上申报" in clerk.get(f"/counter/cases/{case_id}").text
    other_hall = browser(site)
    sign_in(other_hall, "clerk2")
    assert f"/counter/cases/{case_id}" not in other_hall.get("/counter").text


def test_an_applicant_cannot_pick_a_hall_without_configuration(site, tmp_path):
    write_hall(tmp_path, "h1")
    client = _register(site, PHONE)
    token = CSRF.search(client.get("/apply/new").text).group(1)
    response = client.post("/apply/cases", data={"csrf_token": token, "hall": "h2", "item": "individual-business-registration@1",
                                                 "situation": "individual-business-registration@1/self"})
    assert response.status_code == 422 and "请选择办理的大厅" in response.text


class FakePlatform:
    """A provider that vouches for one subject (the real one verifies tokens; api/pages/oidc.py)."""

    def authorization_url(self, state: str) -> str:
        return f"https://sso.example/authorize?state={state}"

    def complete(self, query, state):
        return ExternalIdentity(subject="platform-user-42", name="赵六") if query.get("code") == "ok" else None


def test_the_platform_identity_becomes_an_applicant_only_from_the_applicant_page(site):
    oidc.register(site, FakePlatform())
    staff = browser(site)
    start = staff.get("/signin/sso", follow_redirects=False)
    state = re.search(r"state=([^&]+)", start.headers["location"]).group(1)
    refused = staff.get(f"/signin/sso/callback?state={state}&code=ok", follow_redirects=False)
    assert refused.status_code == 403  # a staff sign-in never creates an account

    applicant = browser(site)
    start = applicant.get("/signin/sso?as=applicant", follow_redirects=False)
    state = re.search(r"state=([^&]+)", start.headers["location"]).group(1)
    done = applicant.get(f"/signin/sso/callback?state={state}&code=ok", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/apply"
    account = site.state.accounts.by_subject("platform-user-42")
    assert account.role == "applicant" and account.display_name == "赵六"
    assert applicant.get("/apply").status_code == 200


@pytest.fixture()
def engine(migrated_engine):
    return migrated_engine  # tests/conftest.py: SQLite, and PostgreSQL as an integration test


def test_codes_and_accounts_on_both_databases(engine):
    from storage.applicants import ApplicantRepository, online_owners, owned_cases

    repo = ApplicantRepository(engine, b"test-secret")
    contact = parse_contact(PHONE)
    t0 = dt.datetime(2026, 12, 7, 8, tzinfo=dt.timezone.utc)
    code = repo.issue_code(contact, at=t0)
    with pytest.raises(CodeError):
        repo.use_code(contact, "999999" if code != "999999" else "000000", at=t0)
    repo.use_code(contact, code, at=t0 + dt.timedelta(minutes=9))
    account = repo.create(username=contact.value, display_name="罗志", password=PASSWORD, at=t0)
    with pytest.raises(AccountError):
        repo.create(username=contact.value, display_name="罗志", password=PASSWORD, at=t0)
    assert account.role == "applicant" and owned_cases(engine, account.key_row_id) == []
    assert online_owners(engine, {account.key_row_id, "not-a-key"}) == {account.key_row_id}


def test_an_issued_notice_reaches_its_applicant_only(site, tmp_path):
    from storage.repository import Identity
    from workers.cases.flow import perform

    write_hall(tmp_path, "h1")
    owner, other = _register(site, PHONE), _register(site, "other@example.com", "王五")
    case_id = _new_case(owner)
    assert owner.get(f"/apply/cases/{case_id}/notices/correction.pdf").status_code == 404  # not issued yet
    svc = site.state.services
    clerk = site.state.accounts.get("clerk1")
    perform(svc.cases, svc.calendar, case_id, "request_correction",
            Identity(key_id=clerk.key_row_id, role="clerk", hall="h1", label="A001"),
            at=dt.datetime.now(dt.timezone.utc), reason="材料不齐，一次性告知补齐")
    page = owner.get(f"/apply/cases/{case_id}")
    assert "需补齐补正，请按告知补交" in page.text and f"/apply/cases/{case_id}/notices/correction.pdf" in page.text
    pdf = owner.get(f"/apply/cases/{case_id}/notices/correction.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert other.get(f"/apply/cases/{case_id}/notices/correction.pdf").status_code == 404
    assert ("case.notice", "applicant") in {(r[0], r[1]) for r in _audit(site) if r[2] == case_id}

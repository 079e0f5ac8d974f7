"""Signing in to the pages, CSRF on every form, the lockout, landing per role, and a hall's cases closed to the
people of another hall (URL guessing included) — in-process, without a browser (tests/pages/test_browser.py
drives the same pages in Chromium)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import AuditEvent
from tests.pages.conftest import PASSWORD, browser, csrf_of, open_case, sign_in

ROOT = Path(__file__).resolve().parents[2]


def test_root_sends_strangers_to_sign_in_and_each_role_to_its_home(site):
    client = browser(site)
    assert client.get("/", follow_redirects=False).headers["location"] == "/signin"
    assert client.get("/counter", follow_redirects=False).headers["location"] == "/signin?next=%2Fcounter"
    for username, home in (("clerk1", "/counter"), ("rev1", "/review"), ("admin1", "/admin")):
        client = browser(site)
        response = sign_in(client, username)
        assert response.status_code == 303 and response.headers["location"] == home
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
        assert client.get("/", follow_redirects=False).headers["location"] == home
        assert client.get(home).status_code == 200
    assert browser(site).get("/review", follow_redirects=False).status_code == 303


def test_sign_in_follows_next_only_within_the_site(site):
    client = browser(site)
    token = csrf_of(client, "/signin")
    response = client.post("/signin", follow_redirects=False, data={
        "username": "clerk1", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"})
    assert response.headers["location"] == "/counter"


def test_forms_without_their_csrf_token_are_refused(site):
    client = browser(site)
    client.get("/signin")
    refused = client.post("/signin", data={"username": "clerk1", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403 and "安全校验码" in refused.text and "set-cookie" not in refused.headers
    assert sign_in(client, "clerk1").status_code == 303
    case_id = open_case(client)
    for path, data in ((f"/pages/cases/{case_id}/act", {"act": "not_accept", "reason": "材料不全"}),
                       (f"/pages/cases/{case_id}/act", {"act": "not_accept", "reason": "x", "csrf_token": "forged"}),
                       ("/counter/cases", {"item": "individual-business-registration@1"}),
                       ("/signout", {})):
        response = client.post(path, data=data, follow_redirects=False)
        assert response.status_code == 403 and "安全校验码" in response.text, path
    assert client.get(f"/api/v1/cases/{case_id}").json()["status"] == "received"  # nothing happened
    # the JSON API takes the session cookie, but a state change needs the session's token in a header
    assert client.post(f"/api/v1/cases/{case_id}/transitions", json={"act": "prereview"}).status_code == 401
    token = csrf_of(client, f"/counter/cases/{case_id}")
    done = client.post(f"/api/v1/cases/{case_id}/transitions", json={"act": "prereview"}, headers={"X-CSRF-Token": token})
    assert done.status_code == 200 and done.json()["event"]["clerk_number"] == "A001"


def test_the_fifth_wrong_password_locks_the_account_even_for_the_right_one(site):
    client = browser(site)
    for _ in range(4):
        response = sign_in(client, "clerk1", "wrong-password-9")
        assert response.status_code == 401 and "用户名或密码不正确" in response.text
    fifth = sign_in(client, "clerk1", "wrong-password-9")
    assert fifth.status_code == 423 and "已锁定" in fifth.text
    assert sign_in(client, "clerk1").status_code == 423
    with site.state.repo.session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "account")))
    assert actions.count("account.signin_failed") == 4 and actions.count("account.locked") == 2


def test_a_clerk_of_another_hall_cannot_open_the_case_by_any_address(site):
    own = browser(site)
    sign_in(own, "clerk1")
    case_id = open_case(own)
    assert own.get(f"/counter/cases/{case_id}").status_code == 200
    other = browser(site)
    sign_in(other, "clerk2")
    for path in (f"/counter/cases/{case_id}", f"/counter/cases/{case_id}/checklist",
                 f"/pages/cases/{case_id}/documents/anything/images/0", f"/api/v1/cases/{case_id}"):
        response = other.get(path)
        assert response.status_code == 404, path
        assert "李四" not in response.text
    token = csrf_of(other, "/counter")
    response = other.post(f"/pages/cases/{case_id}/act", data={"csrf_token": token, "act": "not_accept", "reason": "x"})
    assert response.status_code == 404
    reviewer_elsewhere = browser(site)
    sign_in(reviewer_elsewhere, "rev1")  # same hall: the reviewer may read it
    assert reviewer_elsewhere.get(f"/review/cases/{case_id}").status_code == 200
    assert "李*" in own.get("/counter").text and "李四" not in own.get("/counter").text  # masked in lists


def test_signing_out_ends_the_session(site):
    client = browser(site)
    sign_in(client, "clerk1")
    token = csrf_of(client, "/counter")
    assert client.post("/signout", data={"csrf_token": token}, follow_redirects=False).headers["location"] == "/signin"
    assert client.get("/counter", follow_redirects=False).status_code == 303


def test_pages_carry_security_headers(site):
    response = browser(site).get("/signin")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY" and response.headers["cache-control"] == "no-store"
    assert "<html lang=\"zh-CN\">" in response.text and 'for="username"' in response.text
    client = browser(site)
    sign_in(client, "clerk1")
    page = client.get("/counter", params={"message": "请拨打电话 110", "done": "<script>"}).text
    assert "110" not in page and "<script>" not in page  # nothing from the address is shown as a message


@pytest.mark.slow  # five CLI processes, each migrating and hashing
def test_users_command_creates_disables_and_resets_with_audit(tmp_path):
    env = {"YICHUANG_DATA_DIR": str(tmp_path), "YICHUANG_ENV": "test", "PATH": "/usr/bin:/bin"}

    def users(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "api.cli", "users", *args], input=stdin, cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    made = users("create", "--username", "wang", "--role", "reviewer", "--hall", "h1", "--clerk-number", "R9",
                 "--name", "王五", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0 and "已创建账号 wang" in made.stdout and PASSWORD not in made.stdout + made.stderr
    again = users("create", "--username", "wang", "--role", "clerk", "--hall", "h1", "--clerk-number", "R9",
                  "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "account.exists" in again.stderr
    assert users("reset", "--username", "wang", "--password-stdin", stdin="new-password-77\n").returncode == 0
    assert users("disable", "--username", "wang").returncode == 0
    assert users("disable", "--username", "nobody").returncode == 2
    from storage.accounts import AccountRepository
    from storage.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'yichuang.sqlite'}")
    accounts = AccountRepository(engine)
    assert accounts.check_password("wang", "new-password-77").code == "disabled"
    with accounts.session() as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "account")))
    assert actions == ["account.create", "account.reset", "account.disable"]


def test_an_expired_session_sends_the_browser_back_to_sign_in(site):
    import datetime as dt

    from sqlalchemy import update

    from storage.accounts import WebSessionRow

    client = browser(site)
    sign_in(client, "clerk1")
    assert client.get("/counter").status_code == 200
    with site.state.accounts.session() as s:
        s.execute(update(WebSessionRow).values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    response = client.get("/counter", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")
    assert client.get("/api/v1/cases").status_code == 401  # nor may it call the JSON API


def test_secure_cookies_are_off_only_for_development_and_never_in_production(monkeypatch):
    import pydantic

    from pipeline.settings import Settings

    for key in ("YICHUANG_COOKIE_SECURE", "YICHUANG_ENV", "YICHUANG_SSO_KIND"):
        monkeypatch.delenv(key, raising=False)
    assert Settings(env="development").secure_cookies is False
    assert Settings(env="test").secure_cookies is True and Settings(env="production", secret_key="k" * 48).secure_cookies is True
    assert Settings(env="development", cookie_secure=True).secure_cookies is True
    with pytest.raises(pydantic.ValidationError):
        Settings(env="production", secret_key="k" * 48, cookie_secure=False)
    with pytest.raises(pydantic.ValidationError):
        Settings(sso_kind="oidc")  # single sign-on without its issuer and callback address


def test_single_sign_on_is_absent_until_a_deployment_registers_a_provider(site):
    client = browser(site)
    assert "统一身份认证" not in client.get("/signin").text
    response = client.get("/signin/sso")
    assert response.status_code == 404 and "未配置统一身份认证" in response.text
    assert client.get("/signin/sso/callback", params={"state": "x"}).status_code == 403

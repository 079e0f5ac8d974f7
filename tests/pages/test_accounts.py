"""Accounts for the pages (storage/accounts.py): argon2 hashes, the lockout after five wrong passwords, sessions
that expire (absolute and idle), disable and reset. SQLite in a temporary folder, migrated like production."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from storage.accounts import (
    LOCK_MINUTES, MAX_FAILURES, AccountError, AccountRepository, AccountRow, WebSessionRow, csrf_matches, hash_password,
    password_matches, token_hash,
)
from storage.db import make_engine, migrate
from storage.models import ApiKey

T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "counter-pass-42"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def accounts(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    repo = AccountRepository(engine)
    repo.create(username="Clerk1", display_name="张三", hall="h1", role="clerk", clerk_number="A001", password=PASSWORD)
    yield repo
    engine.dispose()


def test_passwords_are_argon2id_hashes_that_verify_only_the_right_password(accounts):
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert password_matches(stored, PASSWORD) and not password_matches(stored, PASSWORD + "x")
    assert not password_matches("not-a-hash", PASSWORD)
    with accounts.session() as s:
        row = s.scalars(select(AccountRow).where(AccountRow.username == "clerk1")).one()
        assert row.password_hash.startswith("$argon2id$") and row.password_hash != hash_password(PASSWORD)  # salted


def test_an_account_acts_under_its_own_key_row_that_cannot_authenticate_as_an_api_key(accounts):
    from api.auth import parse_key

    account = accounts.get("CLERK1")
    assert (account.username, account.hall, account.role, account.clerk_number) == ("clerk1", "h1", "clerk", "A001")
    with accounts.session() as s:
        key = s.get(ApiKey, account.key_row_id)
    assert key.role == "clerk" and key.hall == "h1" and key.label == "A001"
    assert parse_key(f"yc_{key.key_id}_whatever") is None  # not of the key format: never a usable API key


def test_account_rules_refuse_weak_passwords_duplicates_and_unknown_roles(accounts):
    with pytest.raises(AccountError) as weak:
        accounts.create(username="r1", display_name="", hall="h1", role="reviewer", clerk_number="B1", password="short1")
    assert weak.value.code == "account.weak_password"
    with pytest.raises(AccountError) as twice:
        accounts.create(username="clerk1", display_name="", hall="h1", role="clerk", clerk_number="A2", password=PASSWORD)
    assert twice.value.code == "account.exists"
    with pytest.raises(AccountError):
        accounts.create(username="x1", display_name="", hall="h1", role="applicant", clerk_number="C", password=PASSWORD)


def test_the_fifth_wrong_password_locks_the_account_for_a_while(accounts):
    for attempt in range(1, MAX_FAILURES):
        result = accounts.check_password("clerk1", "wrong-password-1", at=T0)
        assert (result.code, result.failures) == ("invalid", attempt)
    fifth = accounts.check_password("clerk1", "wrong-password-1", at=T0)
    assert fifth.code == "locked" and fifth.locked_until == T0 + dt.timedelta(minutes=LOCK_MINUTES)
    assert accounts.check_password("clerk1", PASSWORD, at=T0 + dt.timedelta(minutes=1)).code == "locked"
    later = accounts.check_password("clerk1", PASSWORD, at=T0 + dt.timedelta(minutes=LOCK_MINUTES, seconds=1))
    assert later.code == "ok" and later.account.username == "clerk1"


def test_a_right_password_resets_the_count_and_unknown_users_are_just_invalid(accounts):
    for _ in range(MAX_FAILURES - 1):
        accounts.check_password("clerk1", "wrong-password-1", at=T0)
    assert accounts.check_password("clerk1", PASSWORD, at=T0).code == "ok"
    assert accounts.check_password("clerk1", "wrong-password-1", at=T0).failures == 1
    assert accounts.check_password("nobody", PASSWORD, at=T0).code == "invalid"


def test_sessions_expire_absolutely_and_when_idle(accounts):
    account = accounts.get("clerk1")
    session = accounts.start_session(account, lifetime=dt.timedelta(hours=1), at=T0)
    idle = dt.timedelta(minutes=30)
    with accounts.session() as s:
        stored = s.get(WebSessionRow, token_hash(session.token))
        assert stored is not None and s.get(WebSessionRow, session.token) is None  # only the hash is stored
    live = T0
    for minutes in (20, 40, 59):  # each request within the idle time keeps it alive
        live = T0 + dt.timedelta(minutes=minutes)
        assert accounts.session_for(session.token, idle=idle, at=live) is not None
    assert accounts.session_for(session.token, idle=idle, at=T0 + dt.timedelta(minutes=61)) is None  # absolute
    other = accounts.start_session(account, lifetime=dt.timedelta(hours=8), at=T0)
    assert accounts.session_for(other.token, idle=idle, at=T0 + dt.timedelta(minutes=29)) is not None
    assert accounts.session_for(other.token, idle=idle, at=T0 + dt.timedelta(minutes=60)) is None  # idle
    assert accounts.session_for("forged-token", idle=idle, at=T0) is None


def test_signing_out_disabling_and_resetting_end_sessions(accounts):
    account = accounts.get("clerk1")
    idle = dt.timedelta(minutes=30)
    first = accounts.start_session(account, lifetime=dt.timedelta(hours=8))
    accounts.end_session(first.token)
    assert accounts.session_for(first.token, idle=idle) is None
    second = accounts.start_session(account, lifetime=dt.timedelta(hours=8))
    accounts.reset_password("clerk1", "another-pass-7")
    assert accounts.session_for(second.token, idle=idle) is None
    assert accounts.check_password("clerk1", PASSWORD).code == "invalid"
    assert accounts.check_password("clerk1", "another-pass-7").code == "ok"
    third = accounts.start_session(account, lifetime=dt.timedelta(hours=8))
    accounts.disable("clerk1")
    assert accounts.session_for(third.token, idle=idle) is None
    assert accounts.check_password("clerk1", "another-pass-7").code == "disabled"
    with accounts.session() as s:
        assert s.get(ApiKey, account.key_row_id).revoked_at is not None


def test_csrf_tokens_compare_exactly():
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", None) and not csrf_matches("abc", "") and not csrf_matches("abc", "abd")

"""Key lifecycle in storage (storage/keys.py with api/auth.py authenticate) on SQLite and PostgreSQL: expiry,
rotation with an overlap, revocation of both secrets, last use to the minute, account rows never listed."""

import datetime as dt

import pytest
import sqlalchemy as sa

from api import auth
from storage import keys
from storage.accounts import AccountRepository
from storage.models import ApiKey
from storage.repository import Repository

SECRET = b"s" * 48


@pytest.fixture()
def repo(migrated_engine):
    return Repository(migrated_engine)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def test_scopes_halls_and_expiry_are_stored_and_an_expired_key_is_refused(repo):
    expires = now() + dt.timedelta(hours=1)
    key = auth.create_key(repo, SECRET, role="integrator", hall="portal", label="p", scopes=["cases:read", "verify"],
                          halls=["B", "A", "A"], expires_at=expires)
    who = auth.identify(repo, SECRET, key)
    assert who.scopes == frozenset({"cases:read", "verify"}) and who.halls == ("A", "B")
    assert auth.authenticate(repo, SECRET, key, at=expires - dt.timedelta(seconds=1)) is not None
    assert auth.authenticate(repo, SECRET, key, at=expires) is None
    record = keys.get_key(repo, auth.parse_key(key))
    assert record.state(expires) == "expired" and record.state(now()) == "active"
    with pytest.raises(ValueError):
        auth.create_key(repo, SECRET, role="clerk", hall="h", label="x", halls=["A"])
    with pytest.raises(ValueError):
        auth.create_key(repo, SECRET, role="clerk", hall="h", label="x", scopes=["root"])


def test_rotation_overlap_then_only_the_new_secret_and_revocation_ends_both(repo):
    old = auth.create_key(repo, SECRET, role="clerk", hall="h", label="scanner")
    key_id, row_id = auth.parse_key(old), auth.identify(repo, SECRET, old).key_id
    at = now()
    new, record = auth.rotate_key(repo, SECRET, key_id, overlap=dt.timedelta(minutes=10), at=at)
    assert record.row_id == row_id, "the same row: its uploads and cases stay its own"
    assert auth.authenticate(repo, SECRET, old, at=at + dt.timedelta(minutes=9)) is not None
    assert auth.authenticate(repo, SECRET, old, at=at + dt.timedelta(minutes=10)) is None
    assert auth.authenticate(repo, SECRET, new, at=at + dt.timedelta(days=1)) is not None
    newer, _ = auth.rotate_key(repo, SECRET, key_id, overlap=dt.timedelta(minutes=10), at=at)
    assert auth.authenticate(repo, SECRET, old, at=at) is None, "at most two secrets: the oldest ends at once"
    assert auth.authenticate(repo, SECRET, new, at=at) is not None
    _, changed = keys.revoke(repo, key_id)
    assert changed and keys.revoke(repo, key_id)[1] is False
    for key in (new, newer):
        assert auth.authenticate(repo, SECRET, key, at=at) is None
    with pytest.raises(keys.KeyStateError):
        auth.rotate_key(repo, SECRET, key_id, overlap=dt.timedelta(0))
    assert auth.rotate_key(repo, SECRET, "0000000000000000", overlap=dt.timedelta(0)) is None


def test_last_use_is_noted_at_most_once_a_minute(repo):
    key = auth.create_key(repo, SECRET, role="clerk", hall="h", label="scanner")
    key_id = auth.parse_key(key)
    assert keys.get_key(repo, key_id).last_used_at is None
    at = now()
    auth.identify(repo, SECRET, key, at)
    assert abs((keys.get_key(repo, key_id).last_used_at - at).total_seconds()) < 1
    auth.identify(repo, SECRET, key, at + dt.timedelta(seconds=30))
    assert abs((keys.get_key(repo, key_id).last_used_at - at).total_seconds()) < 1
    later = at + dt.timedelta(minutes=2)
    auth.identify(repo, SECRET, key, later)
    assert abs((keys.get_key(repo, key_id).last_used_at - later).total_seconds()) < 1


def test_lists_show_keys_not_account_rows_and_hall_filters_bound_halls(repo):
    AccountRepository(repo.engine).create(username="li", display_name="李", hall="A", role="clerk", clerk_number="007",
                                          password="long-enough-1")
    clerk = auth.create_key(repo, SECRET, role="clerk", hall="A", label="c")
    portal = auth.create_key(repo, SECRET, role="integrator", hall="portal", label="p", halls=["A"])
    gone = auth.create_key(repo, SECRET, role="clerk", hall="B", label="g")
    keys.revoke(repo, auth.parse_key(gone))
    assert [r.id for r in keys.list_keys(repo)] == [auth.parse_key(clerk), auth.parse_key(portal)]
    assert {r.id for r in keys.list_keys(repo, include_revoked=True)} == {auth.parse_key(k) for k in (clerk, portal, gone)}
    assert [r.id for r in keys.list_keys(repo, hall="A")] == [auth.parse_key(clerk), auth.parse_key(portal)]
    with repo.engine.connect() as conn:
        account_row = conn.execute(sa.text("SELECT key_id FROM api_keys WHERE key_id LIKE 'acct-%'")).scalar_one()
    assert keys.get_key(repo, account_row) is None and keys.revoke(repo, account_row) is None


def test_an_expired_or_revoked_admin_is_no_active_admin(repo):
    assert not repo.has_active_admin()
    soon = now() + dt.timedelta(seconds=2)
    admin = auth.create_key(repo, SECRET, role="admin", hall="default", label="a", expires_at=soon)
    assert repo.has_active_admin()
    with repo.engine.begin() as conn:  # time passes: the expiry moves into the past
        conn.execute(sa.update(ApiKey).values(expires_at=now() - dt.timedelta(seconds=1)))
    assert not repo.has_active_admin(), "serve writes a new first admin key when the only admin key expired"
    keys.revoke(repo, auth.parse_key(admin))
    assert not repo.has_active_admin()

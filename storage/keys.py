"""API keys as a product (migration 0013): issue with scopes, bound halls and an expiry; list; revoke; rotate with
an overlap during which the previous secret still works; the last use, to the minute.

Functions over any `SessionScope` (the app's Repository): the key rows stay in `api_keys` (storage/models.py),
whose other readers (accounts, uploads, cases) are unchanged. Rows of people's accounts (public id `acct-…`,
storage/accounts.py) are never listed, revoked or rotated here: `yichuang users disable` ends those.
Secrets never pass through this module: callers hand in HMACs (api/auth.py) and get `KeyRecord`s without them.
Who calls it: api/auth.py (authentication), api/keys.py (the routes), api/keys_cli.py (`yichuang keys`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from pipeline.errors import YichuangError
from storage.db import SessionScope, as_utc, utcnow
from storage.models import ApiKey
from storage.paging import Keyset

ACCOUNT_PREFIX = "acct-"  # public ids of account rows (storage/accounts.py): never keys
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most once a minute per key


class KeyStateError(YichuangError):
    """A key operation its state refuses (rotating a revoked key), with a stable code and a Chinese message."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class KeyRecord:
    """A key without its secret: what lists, audits and the CLI show."""

    id: str  # the public id, the `<id>` of `yc_<id>_<secret>`
    row_id: str  # the actor id in the audit trail and the owner of uploads and cases
    role: str
    hall: str
    label: str
    scopes: tuple[str, ...] | None  # None: the role's full rights
    halls: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    previous_valid_until: dt.datetime | None  # a rotated-out secret still works until then

    def state(self, at: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= at:
            return "expired"
        return "active"


def record(row: ApiKey) -> KeyRecord:
    return KeyRecord(id=row.key_id, row_id=row.id, role=row.role, hall=row.hall, label=row.label,
                     scopes=tuple(row.scopes) if row.scopes is not None else None, halls=tuple(row.halls or ()),
                     created_at=as_utc(row.created_at), expires_at=as_utc(row.expires_at),
                     last_used_at=as_utc(row.last_used_at), revoked_at=as_utc(row.revoked_at),
                     previous_valid_until=as_utc(row.previous_valid_until))


def add_key(db: SessionScope, *, key_id: str, key_hash: str, role: str, hall: str, label: str,
            scopes: tuple[str, ...] | None = None, halls: tuple[str, ...] = (),
            expires_at: dt.datetime | None = None) -> KeyRecord:
    row = ApiKey(id=str(uuid.uuid4()), key_id=key_id, key_hash=key_hash, role=role, hall=hall, label=label,
                 created_at=utcnow(), scopes=sorted(set(scopes)) if scopes is not None else None,
                 halls=sorted(set(halls)) or None, expires_at=_utc(expires_at))
    with db.session() as s:
        s.add(row)
    return record(row)


def list_keys(db: SessionScope, *, hall: str | None = None, include_revoked: bool = False) -> list[KeyRecord]:
    """Issued keys, oldest first; `hall`: the keys of that hall or bound to it."""
    query = select(ApiKey).where(~ApiKey.key_id.startswith(ACCOUNT_PREFIX)).order_by(ApiKey.created_at, ApiKey.key_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    with db.session() as s:
        rows = list(s.scalars(query))
    return [record(r) for r in rows if in_hall(r, hall)]


KEY_KEYS = Keyset((ApiKey.created_at, ApiKey.key_id))  # GET /api/v1/keys walks keys in this order


def key_page(db: SessionScope, position: tuple | None, limit: int, *, include_revoked: bool = False) -> list[ApiKey]:
    """One page of issued keys (account keys left out), oldest first by (created_at, key_id), after `position`
    (a `KEY_KEYS` position). Who calls it: GET /api/v1/keys, which narrows by hall with `in_hall`."""
    query = select(ApiKey).where(~ApiKey.key_id.startswith(ACCOUNT_PREFIX))
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    with db.session() as s:
        return KEY_KEYS.page(s, query, position, limit)


def in_hall(row: ApiKey, hall: str | None) -> bool:
    """A key of that hall or bound to it (no hall: every key)."""
    return hall is None or row.hall == hall or hall in (row.halls or [])


def get_key(db: SessionScope, key_id: str) -> KeyRecord | None:
    with db.session() as s:
        row = _row(s, key_id)
        return record(row) if row is not None else None


def revoke(db: SessionScope, key_id: str, at: dt.datetime | None = None) -> tuple[KeyRecord, bool] | None:
    """Revoked at once, the previous secret of a rotation too. (record, whether it changed now); None: no such key."""
    at = at or utcnow()
    with db.session() as s:
        row = _row(s, key_id)
        if row is None:
            return None
        changed = row.revoked_at is None
        if changed:
            row.revoked_at, row.previous_key_hash, row.previous_valid_until = at, None, None
        return record(row), changed


def rotate(db: SessionScope, key_id: str, new_hash: str, *, overlap: dt.timedelta,
           at: dt.datetime | None = None) -> KeyRecord | None:
    """The key gets a new secret; the current one keeps working until `at + overlap` (zero: refused at once).
    A secret rotated out earlier whose overlap still runs ends now: at most two secrets are ever valid."""
    at = _utc(at) or utcnow()
    with db.session() as s:
        row = _row(s, key_id, for_update=True)
        if row is None:
            return None
        if row.revoked_at is not None:
            raise KeyStateError("key.revoked", "该密钥已吊销，不能轮换")
        if row.expires_at is not None and as_utc(row.expires_at) <= at:
            raise KeyStateError("key.expired", "该密钥已过期，不能轮换，请签发新密钥")
        keep = overlap > dt.timedelta(0)
        row.previous_key_hash = row.key_hash if keep else None
        row.previous_valid_until = at + overlap if keep else None
        row.key_hash = new_hash
        return record(row)


def touch(db: SessionScope, row_id: str, at: dt.datetime | None = None) -> None:
    """Note a use of the key, at most once per TOUCH_EVERY (a request does not write a row each time)."""
    at = at or utcnow()
    with db.session() as s:
        s.execute(update(ApiKey).where(ApiKey.id == row_id, or_(ApiKey.last_used_at.is_(None),
                                                                 ApiKey.last_used_at < at - TOUCH_EVERY))
                  .values(last_used_at=at))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored in UTC: SQLite keeps no offset, so a Shanghai time stored as given would read back 8 hours off."""
    return value.astimezone(dt.timezone.utc) if value is not None else None


def _row(s, key_id: str, *, for_update: bool = False) -> ApiKey | None:
    if key_id.startswith(ACCOUNT_PREFIX):
        return None
    query = select(ApiKey).where(ApiKey.key_id == key_id)
    return s.scalars(query.with_for_update() if for_update else query).first()

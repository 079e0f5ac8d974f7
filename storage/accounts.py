"""People's accounts for the pages (migration 0011): a person bound to a hall, with a role and a clerk number
(工号), a password hashed with argon2id (argon2-cffi), a lockout after repeated wrong passwords, and server-side
sessions that expire.

Each account owns one row of `api_keys` that can never authenticate as a key (its public id is not of the key
format, its hash no HMAC): cases, uploads, events and the audit trail keep naming their actor by that row's id,
so a person's acts through the pages are recorded exactly as a system's acts through the JSON API.

Session cookies carry a random token; the database keeps only its SHA-256 (a stolen database holds no usable
session), with an absolute expiry and an idle timeout, and the session's CSRF token (checked on every POST).
Who calls it: api/pages (sign-in, every page request) and `yichuang users` (api/cli.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import ForeignKey, Index, Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from pipeline.errors import YichuangError
from storage.db import SessionScope, as_utc, utcnow
from storage.models import ApiKey, Base

ACCOUNT_ROLES = ("clerk", "reviewer", "admin", "lead")  # lead: 大厅负责人, the hall's statistics
MAX_FAILURES = 5  # the fifth wrong password in a row locks the account
LOCK_MINUTES = 15
MIN_PASSWORD = 10
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountRow(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))  # personal data: never logged
    hall: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    clerk_number: Mapped[str] = mapped_column(String(64))  # 工号, printed on notices
    password_hash: Mapped[str] = mapped_column(String(200))
    key_row_id: Mapped[str] = mapped_column(String(36), ForeignKey("api_keys.id"))  # the actor id of its acts
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    disabled_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    password_changed_at: Mapped[dt.datetime]
    external_subject: Mapped[str | None] = mapped_column(String(200))  # 统一身份认证 subject (api/pages/oidc.py)


class WebSessionRow(Base):
    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("accounts.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_web_sessions_account", "account_id"),)


class AccountError(YichuangError):
    """A refused account operation, with a stable code and a Chinese message for the person."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    display_name: str
    hall: str
    role: str
    clerk_number: str
    key_row_id: str
    disabled: bool


@dataclass(frozen=True)
class SignIn:
    """The outcome of a password check: the account when it passed, else why not (`code`)."""

    account: Account | None
    code: str  # ok | invalid | locked | disabled
    locked_until: dt.datetime | None = None
    failures: int = 0


@dataclass(frozen=True)
class WebSession:
    token: str  # only ever in the cookie; the database has its hash
    csrf_token: str
    account: Account
    expires_at: dt.datetime


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD or password.isdigit() or password.isalpha():
        raise AccountError("account.weak_password", f"密码至少 {MIN_PASSWORD} 位，且须同时包含字母和数字或符号")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _view(row: AccountRow) -> Account:
    return Account(id=row.id, username=row.username, display_name=row.display_name, hall=row.hall, role=row.role,
                   clerk_number=row.clerk_number, key_row_id=row.key_row_id, disabled=row.disabled_at is not None)


class AccountRepository(SessionScope):
    # --- accounts (yichuang users …) ------------------------------------------------------------

    def create(self, *, username: str, display_name: str, hall: str, role: str, clerk_number: str,
               password: str) -> Account:
        username = username.strip().lower()
        if not username or len(username) > 64 or not set(username) <= USERNAME_CHARS:
            raise AccountError("account.invalid", "用户名应为 1–64 位小写字母、数字或 . _ -")
        if role not in ACCOUNT_ROLES:
            raise AccountError("account.invalid", f"角色应为 {'、'.join(ACCOUNT_ROLES)} 之一")
        if not 1 <= len(hall) <= 64 or not 1 <= len(clerk_number) <= 64 or len(display_name) > 100:
            raise AccountError("account.invalid", "营业厅编码和工号应为 1–64 个字符，姓名不超过 100 个字符")
        check_password_rules(password)
        now = utcnow()
        with self.session() as s:
            if s.scalars(select(AccountRow.id).where(AccountRow.username == username)).first():
                raise AccountError("account.exists", f"用户名 {username} 已存在")
            key_row = ApiKey(id=str(uuid.uuid4()), key_id=f"acct-{secrets.token_hex(8)}",
                             key_hash=f"account:{secrets.token_hex(16)}", role=role, hall=hall, label=clerk_number,
                             created_at=now)
            s.add(key_row)
            s.flush()
            row = AccountRow(id=str(uuid.uuid4()), username=username, display_name=display_name or username,
                             hall=hall, role=role, clerk_number=clerk_number, password_hash=hash_password(password),
                             key_row_id=key_row.id, failed_count=0, created_at=now, password_changed_at=now)
            s.add(row)
        return _view(row)

    def get(self, username: str) -> Account | None:
        with self.session() as s:
            row = s.scalars(select(AccountRow).where(AccountRow.username == username.strip().lower())).first()
            return _view(row) if row else None

    def by_subject(self, subject: str) -> Account | None:
        """The account bound to a single-sign-on subject (api/pages/oidc.py)."""
        with self.session() as s:
            row = s.scalars(select(AccountRow).where(AccountRow.external_subject == subject)).first()
            return _view(row) if row else None

    def disable(self, username: str, at: dt.datetime | None = None) -> Account:
        """Disabled: cannot sign in, every session ends, its key row is revoked."""
        at = at or utcnow()
        with self.session() as s:
            row = self._row(s, username)
            row.disabled_at = row.disabled_at or at
            s.execute(update(ApiKey).where(ApiKey.id == row.key_row_id, ApiKey.revoked_at.is_(None)).values(revoked_at=at))
            s.execute(update(WebSessionRow).where(WebSessionRow.account_id == row.id, WebSessionRow.ended_at.is_(None))
                      .values(ended_at=at))
            return _view(row)

    def reset_password(self, username: str, password: str, at: dt.datetime | None = None) -> Account:
        """A new password (an administrator's reset): the lockout is lifted and every session ends."""
        check_password_rules(password)
        at = at or utcnow()
        with self.session() as s:
            row = self._row(s, username)
            row.password_hash, row.password_changed_at = hash_password(password), at
            row.failed_count, row.locked_until = 0, None
            s.execute(update(WebSessionRow).where(WebSessionRow.account_id == row.id, WebSessionRow.ended_at.is_(None))
                      .values(ended_at=at))
            return _view(row)

    @staticmethod
    def _row(s, username: str) -> AccountRow:
        row = s.scalars(select(AccountRow).where(AccountRow.username == username.strip().lower())).first()
        if row is None:
            raise AccountError("account.not_found", f"没有用户名为 {username} 的账号")
        return row

    # --- signing in -----------------------------------------------------------------------------

    def check_password(self, username: str, password: str, at: dt.datetime | None = None) -> SignIn:
        """Counts wrong passwords: the MAX_FAILURES-th in a row locks the account for LOCK_MINUTES; while locked
        even the right password is refused. An unknown username costs the same hash as a known one."""
        at = at or utcnow()
        with self.session() as s:
            row = s.scalars(select(AccountRow).where(AccountRow.username == username.strip().lower())
                            .with_for_update()).first()
            if row is None:
                password_matches(_dummy_hash(), password)
                return SignIn(None, "invalid")
            if row.disabled_at is not None:
                return SignIn(None, "disabled")
            locked = as_utc(row.locked_until)
            if locked is not None and locked > at:
                return SignIn(None, "locked", locked_until=locked, failures=row.failed_count)
            if locked is not None:  # the lock ran out: a fresh count
                row.failed_count, row.locked_until = 0, None
            if not password_matches(row.password_hash, password):
                row.failed_count += 1
                if row.failed_count >= MAX_FAILURES:
                    row.locked_until = at + dt.timedelta(minutes=LOCK_MINUTES)
                    return SignIn(None, "locked", locked_until=row.locked_until, failures=row.failed_count)
                return SignIn(None, "invalid", failures=row.failed_count)
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            row.failed_count = 0
            return SignIn(_view(row), "ok")

    # --- sessions -------------------------------------------------------------------------------

    def start_session(self, account: Account, *, lifetime: dt.timedelta, at: dt.datetime | None = None) -> WebSession:
        at = at or utcnow()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.session() as s:
            s.add(WebSessionRow(id=token_hash(token), account_id=account.id, csrf_token=csrf, created_at=at,
                                last_seen_at=at, expires_at=at + lifetime))
        return WebSession(token=token, csrf_token=csrf, account=account, expires_at=at + lifetime)

    def session_for(self, token: str, *, idle: dt.timedelta, at: dt.datetime | None = None) -> WebSession | None:
        """The live session of a cookie's token: not ended, not past its expiry, not idle longer than `idle`,
        its account not disabled. Touches `last_seen_at` (at most once a minute)."""
        at = at or utcnow()
        with self.session() as s:
            row = s.get(WebSessionRow, token_hash(token))
            if row is None or row.ended_at is not None or as_utc(row.expires_at) <= at \
                    or as_utc(row.last_seen_at) + idle <= at:
                return None
            account = s.get(AccountRow, row.account_id)
            if account is None or account.disabled_at is not None:
                return None
            if at - as_utc(row.last_seen_at) > dt.timedelta(minutes=1):
                row.last_seen_at = at
            return WebSession(token=token, csrf_token=row.csrf_token, account=_view(account),
                              expires_at=as_utc(row.expires_at))

    def end_session(self, token: str, at: dt.datetime | None = None) -> None:
        with self.session() as s:
            s.execute(update(WebSessionRow).where(WebSessionRow.id == token_hash(token), WebSessionRow.ended_at.is_(None))
                      .values(ended_at=at or utcnow()))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Unknown usernames are checked against this, so they cost the same time as known ones."""
    return hash_password(secrets.token_urlsafe(16))

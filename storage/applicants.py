"""Applicants (网上申报) who register themselves (migration 0015): a one-time code sent to a phone number or an
e-mail address proves the contact; the account is an `accounts` row (storage/accounts.py) with the role
`applicant`, no hall and no clerk number, signing in, locking out and keeping sessions exactly like staff.
An applicant's key row owns the cases they open, so `Identity.can_see` (storage/repository.py) shows them their own cases only.

One-time codes: six digits, kept only as an HMAC under the service's secret (with the contact also only as an
HMAC: the table never holds a phone number), valid for CODE_MINUTES, at most MAX_ATTEMPTS wrong tries per code,
a new code no sooner than RESEND_SECONDS after the last and at most MAX_PER_HOUR per contact and hour.

Who calls it: api/pages/applicant_signup.py (registration) and api/pages/signin.py (single sign-on of an
applicant through the platform's 统一身份认证).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from storage.accounts import Account, AccountError, AccountRow, _view, check_password_rules, hash_password
from storage.db import SessionScope, as_utc, utcnow
from storage.models import ApiKey, Base, CaseRow

APPLICANT = "applicant"
CODE_MINUTES = 10
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
MAX_PER_HOUR = 5
MAX_PER_CLIENT_HOUR = 20  # codes asked from one network address in an hour, whatever the contacts

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[a-z0-9._%+-]{1,40}@[a-z0-9-]+(\.[a-z0-9-]+)+$")


class CodeRow(Base):
    __tablename__ = "applicant_codes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_hash: Mapped[str] = mapped_column(String(64), index=True)  # HMAC of the contact: no phone number here
    client_hash: Mapped[str] = mapped_column(String(64), index=True)  # HMAC of the asking network address
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None]


@dataclass(frozen=True)
class Contact:
    """A normalised phone number (11 digits) or e-mail address (lower case)."""

    kind: str  # phone | email
    value: str

    @property
    def masked(self) -> str:
        return mask_contact(self.value)


def parse_contact(text: str) -> Contact:
    value = re.sub(r"[\s-]", "", (text or "").strip().lower())
    if value.startswith("+86"):
        value = value[3:]
    if _PHONE.match(value):
        return Contact("phone", value)
    if len(value) <= 64 and _EMAIL.match(value):
        return Contact("email", value)
    raise AccountError("applicant.contact_invalid", "请填写正确的手机号码（11位）或电子邮箱地址")


def mask_contact(value: str) -> str:
    """138****8000, z***@example.com: what logs, audit details and pages may show of a contact."""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) == 11 and value.isdigit():
        return f"{value[:3]}****{value[-4:]}"
    return "*" * min(len(value), 8)


def mask_login(username: str) -> str:
    """A user name as audit rows and logs may name it: an applicant's phone or e-mail masked, staff names as
    they are."""
    return mask_contact(username) if "@" in username or _PHONE.match(username) else username


class CodeError(AccountError):
    """A code that was refused: wrong (`remaining` tries left), expired, used up or asked for too often."""

    def __init__(self, code: str, message: str, remaining: int = 0) -> None:
        super().__init__(code, message)
        self.remaining = remaining


def _refusal(row: CodeRow | None, at: dt.datetime) -> CodeError | None:
    if row is None:
        return CodeError("applicant.code_missing", "请先获取验证码")
    if as_utc(row.expires_at) <= at:
        return CodeError("applicant.code_expired", "验证码已过期，请重新获取")
    if row.attempts >= MAX_ATTEMPTS:
        return CodeError("applicant.code_attempts", "验证码输错次数过多，请重新获取")
    return None


class ApplicantRepository(SessionScope):
    def __init__(self, engine, secret: bytes) -> None:
        super().__init__(engine)
        self._secret = secret

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._secret, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()

    # --- one-time codes -------------------------------------------------------------------------

    def issue_code(self, contact: Contact, at: dt.datetime | None = None, *, client: str = "") -> str:
        """A new code for `contact` (the caller sends it); earlier codes of the contact stop counting. `client`:
        the asking network address (at most MAX_PER_CLIENT_HOUR codes an hour, so nobody floods many numbers)."""
        at = at or utcnow()
        who, where = self._mac("contact", contact.value), self._mac("client", client)
        with self.session() as s:
            asked = s.scalars(select(func.count()).select_from(CodeRow).where(
                CodeRow.client_hash == where, CodeRow.created_at > at - dt.timedelta(hours=1))).one()
            if asked >= MAX_PER_CLIENT_HOUR:
                raise CodeError("applicant.code_limit", "获取验证码次数过多，请一小时后再试")
            recent = list(s.scalars(select(CodeRow).where(CodeRow.contact_hash == who,
                                                          CodeRow.created_at > at - dt.timedelta(hours=1))))
            if recent and max(as_utc(r.created_at) for r in recent) > at - dt.timedelta(seconds=RESEND_SECONDS):
                raise CodeError("applicant.code_too_soon", f"验证码已发送，请 {RESEND_SECONDS} 秒后再重新获取")
            if len(recent) >= MAX_PER_HOUR:
                raise CodeError("applicant.code_limit", "获取验证码次数过多，请一小时后再试")
            for row in recent:
                row.used_at = row.used_at or at  # only the newest code counts
            code = f"{secrets.randbelow(1_000_000):06d}"
            row_id = str(uuid.uuid4())
            s.add(CodeRow(id=row_id, contact_hash=who, client_hash=where, code_hash=self._mac("code", row_id, code), created_at=at,
                          expires_at=at + dt.timedelta(minutes=CODE_MINUTES), attempts=0))
        return code

    def use_code(self, contact: Contact, code: str, at: dt.datetime | None = None) -> None:
        """Consumes the contact's newest code if `code` matches it; else CodeError. A wrong try is counted (and
        committed) before the error is raised."""
        at = at or utcnow()
        with self.session() as s:
            row = s.scalars(select(CodeRow).where(CodeRow.contact_hash == self._mac("contact", contact.value),
                                                  CodeRow.used_at.is_(None))
                            .order_by(CodeRow.created_at.desc()).limit(1).with_for_update()).first()
            refusal = _refusal(row, at)
            if refusal is None and not hmac.compare_digest(row.code_hash, self._mac("code", row.id, (code or "").strip())):
                row.attempts += 1
                left = MAX_ATTEMPTS - row.attempts
                refusal = CodeError("applicant.code_wrong", f"验证码不正确，还可以再试 {left} 次", remaining=left) \
                    if left > 0 else CodeError("applicant.code_attempts", "验证码输错次数过多，请重新获取")
            elif refusal is None:
                row.used_at = at
        if refusal is not None:
            raise refusal

    # --- accounts -------------------------------------------------------------------------------

    def create(self, *, username: str, display_name: str, password: str | None,
               external_subject: str | None = None, at: dt.datetime | None = None) -> Account:
        """An applicant's account: an `accounts` row with role `applicant` and its never-authenticating key row
        (the owner of the cases they open). `password` None only for a single-sign-on account (no password
        sign-in: a random hash nobody knows)."""
        if password is not None:
            check_password_rules(password)
        name = (display_name or "").strip()
        if not 1 <= len(name) <= 100:
            raise AccountError("account.invalid", "请填写姓名（1–100 个字符）")
        at = at or utcnow()
        with self.session() as s:
            taken = s.scalars(select(func.count()).select_from(AccountRow).where(AccountRow.username == username)).one()
            if taken:
                raise AccountError("account.exists", "该手机号码或邮箱已注册，请直接登录")
            key_row = ApiKey(id=str(uuid.uuid4()), key_id=f"appl-{secrets.token_hex(8)}",
                             key_hash=f"account:{secrets.token_hex(16)}", role=APPLICANT, hall="", label="申请人",
                             created_at=at)
            s.add(key_row)
            s.flush()
            row = AccountRow(id=str(uuid.uuid4()), username=username, display_name=name, hall="", role=APPLICANT,
                             clerk_number="", key_row_id=key_row.id, failed_count=0, created_at=at,
                             password_changed_at=at, external_subject=external_subject,
                             password_hash=hash_password(password if password is not None else secrets.token_urlsafe(32)))
            s.add(row)
            s.flush()
            return _view(row)

    def create_from_subject(self, subject: str, name: str | None) -> Account:
        """The account of a platform identity (统一身份认证) seen for the first time by the applicant's
        single sign-on. Its user name is derived from the subject and cannot be typed at the sign-in form."""
        username = "sso:" + hashlib.sha256(subject.encode()).hexdigest()[:32]
        return self.create(username=username, display_name=name or "申请人", password=None, external_subject=subject)


def owned_cases(engine, key_id: str) -> list[CaseRow]:
    """The cases an applicant's key row owns, newest first (the applicant's home page)."""
    with SessionScope(engine).session() as s:
        return list(s.scalars(select(CaseRow).where(CaseRow.owner_key_id == key_id).order_by(CaseRow.created_at.desc())))


def online_owners(engine, key_ids: set[str]) -> set[str]:
    """Which of these key rows are applicants' (their cases were made online, 网上申报): the counter marks them."""
    if not key_ids:
        return set()
    with SessionScope(engine).session() as s:
        return set(s.scalars(select(ApiKey.id).where(ApiKey.id.in_(sorted(key_ids)), ApiKey.role == APPLICANT)))

"""The licence library interface (电子证照库, docs/domain.md; docs/architecture.md "The licence library interface").

Defined here so that the assessment can depend on it; implemented at the edges by the licence-library
work. `NullLicenceLibrary` is "no library configured": it finds nothing, so the assessment judges only
what the applicant presented. Both lookups raise `LibraryUnavailable` (retryable) when a remote library
cannot answer; the assessment turns that into `needs_review`, never `ok`.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import Field

from pipeline.errors import LibraryUnavailable
from pipeline.models import Frozen

__all__ = ["FileCheck", "HolderCodeType", "Licence", "LicenceFileChecker", "LicenceLibrary", "LicenceStatus",
           "LibraryUnavailable", "NullLicenceLibrary", "STATUS_LABELS", "status_from_source"]


class LicenceStatus(str, Enum):
    """Internal status; each source maps its own codes onto it (one sector: 01 有效, 02 暂扣, 03 撤销, 04 注销,
    05 失效, 07 吊销)."""

    VALID = "VALID"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    ABOLISHED = "ABOLISHED"
    OTHER = "OTHER"


# Source status codes and words mapped onto the internal status (docs/domain.md: no national list exists; one
# sector uses 01 有效, 02 暂扣, 03 撤销, 04 注销, 05 失效, 07 吊销). An unknown code is OTHER, never VALID.
SOURCE_STATUS: dict[str, LicenceStatus] = {
    "01": LicenceStatus.VALID, "02": LicenceStatus.SUSPENDED, "03": LicenceStatus.REVOKED,
    "04": LicenceStatus.CANCELLED, "05": LicenceStatus.EXPIRED, "07": LicenceStatus.REVOKED,
    "有效": LicenceStatus.VALID, "正常": LicenceStatus.VALID, "暂扣": LicenceStatus.SUSPENDED,
    "暂停": LicenceStatus.SUSPENDED, "撤销": LicenceStatus.REVOKED, "吊销": LicenceStatus.REVOKED,
    "注销": LicenceStatus.CANCELLED, "失效": LicenceStatus.EXPIRED, "过期": LicenceStatus.EXPIRED,
    "废止": LicenceStatus.ABOLISHED, "作废": LicenceStatus.ABOLISHED,
}
STATUS_LABELS: dict[str, str] = {
    "VALID": "有效", "SUSPENDED": "暂扣", "REVOKED": "撤销（吊销）", "CANCELLED": "注销", "EXPIRED": "失效（过期）",
    "ABOLISHED": "废止", "OTHER": "其他（非有效）",
}


def status_from_source(code: object, mapping: dict[str, LicenceStatus] | None = None) -> LicenceStatus:
    """The internal status of a source's status code or word (an internal name such as "REVOKED" passes
    through). `mapping` adds or overrides a source's own codes. Unknown codes are OTHER, never VALID."""
    text = str(code).strip() if code is not None else ""
    if text.upper() in LicenceStatus.__members__:
        return LicenceStatus[text.upper()]
    table = {**SOURCE_STATUS, **(mapping or {})}
    return table.get(text, table.get(text.zfill(2), LicenceStatus.OTHER) if text.isdigit() else LicenceStatus.OTHER)


class HolderCodeType:
    """持证主体代码类型 (GB/T 36903 Annex A), the ones the shipped catalog uses."""

    ID_NUMBER = "111"  # 公民身份号码
    CREDIT_CODE = "001"  # 统一社会信用代码
    HOUSEHOLD_REGISTER = "113"  # 户口簿
    PASSPORT = "414"  # 普通护照


class Licence(Frozen):
    """One licence as the library knows it: the catalog fields of docs/domain.md, its status, trust level and
    the storage key of its signed file (OFD or PDF), which the case bundle keeps byte for byte."""

    identifier: str | None = None  # 证照标识 (GB/T 36904)
    name: str  # 证照名称
    type_code: str  # 证照类型代码
    number: str | None = None  # 证照编号 (printed on it)
    version: str | None = None
    issuer: str | None = None  # 颁发机构
    issuer_code: str | None = None  # 颁发机构代码 (USCC)
    issued_on: dt.date | None = None
    holder: str | None = None  # 持证主体
    holder_code: str  # 持证主体代码: ID number or USCC
    holder_code_type: str  # HolderCodeType
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # None: 长期
    region: str | None = None  # 所属区划
    related_items: tuple[str, ...] = ()  # 关联事项
    face: dict[str, Any] = Field(default_factory=dict)  # 照面信息
    status: LicenceStatus
    source_status: str | None = None  # the source's own status code or word, as it answered
    trust_level: Literal["A", "B", "C", "D"] = "A"
    file_key: str | None = None  # object-store key of the signed file
    file_kind: Literal["ofd", "pdf"] | None = None

    def covers(self, day: dt.date) -> bool:
        """The validity period includes `day` (a missing end date means 长期)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


class FileCheck(Frozen):
    """What checking a licence's signed file found: the bytes fetched from the library (their hash, stored in
    the case's object store under `file_key`), and whether its e-seal verified with a signer matching the
    issuer. `problems` are short Chinese sentences for the reviewer."""

    file_key: str | None = None  # object-store key the fetched bytes were kept under
    sha256: str | None = None
    size: int = 0
    kind: Literal["ofd", "pdf"] | None = None
    verified: bool = False
    signed_by: str | None = None
    signed_at: str | None = None
    problems: tuple[str, ...] = ()
    checked_at: dt.datetime | None = None


@runtime_checkable
class LicenceFileChecker(Protocol):
    """Fetches a licence's signed file and verifies its e-seal at `at`. Raises LibraryUnavailable when the file
    cannot be fetched. A library that can check its own files (the wiring builds one) is its own checker."""

    def check_file(self, licence: Licence, at: dt.datetime) -> FileCheck: ...


@runtime_checkable
class LicenceLibrary(Protocol):
    """Lookups in an electronic licence library. Both raise LibraryUnavailable when the library cannot answer."""

    def by_identifier(self, identifier: str) -> Licence | None: ...

    def by_holder(self, holder_code: str, holder_code_type: str, licence_type: str, on: dt.date) -> list[Licence]: ...


class NullLicenceLibrary:
    """No library configured: nothing is ever found, and nothing is ever unavailable."""

    def by_identifier(self, identifier: str) -> Licence | None:
        return None

    def by_holder(self, holder_code: str, holder_code_type: str, licence_type: str, on: dt.date) -> list[Licence]:
        return []

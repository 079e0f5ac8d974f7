"""The licence library interface (电子证照库, DOMAIN.md §4; DESIGN.md "The licence library interface").

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

__all__ = ["HolderCodeType", "Licence", "LicenceLibrary", "LicenceStatus", "LibraryUnavailable", "NullLicenceLibrary"]


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


class HolderCodeType:
    """持证主体代码类型 (GB/T 36903 Annex A), the ones the shipped catalog uses."""

    ID_NUMBER = "111"  # 公民身份号码
    CREDIT_CODE = "001"  # 统一社会信用代码
    HOUSEHOLD_REGISTER = "113"  # 户口簿
    PASSPORT = "414"  # 普通护照


class Licence(Frozen):
    """One licence as the library knows it: the catalog fields of DOMAIN.md §4, its status, trust level and
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
    trust_level: Literal["A", "B", "C", "D"] = "A"
    file_key: str | None = None  # object-store key of the signed file
    file_kind: Literal["ofd", "pdf"] | None = None

    def covers(self, day: dt.date) -> bool:
        """The validity period includes `day` (a missing end date means 长期)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


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

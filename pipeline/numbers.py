"""Number formats shared by readers and checks: 公民身份号码 (GB 11643) and 统一社会信用代码 (GB 32100).

Each format follows python-stdnum's shape (compact / validate / is_valid) with typed errors. We use
stdnum for the arithmetic where it is right for this domain and wrap it where it is not (docs/domain.md):
`stdnum.cn.ric` rejects numbers whose address code is younger than the holder, and `stdnum.cn.uscc`
rejects codes starting with A/N/Y and skips the inner GB 11714 check.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

__all__ = [
    "InvalidChecksum", "InvalidComponent", "InvalidFormat", "InvalidLength", "ValidationError",
    "IdNumber", "id_compact", "id_validate", "id_is_valid", "id_check_char", "id_parse", "region_name",
    "uscc_compact", "uscc_check_char", "uscc_validate", "uscc_is_valid", "org_code_check_char",
]

_FULLWIDTH = str.maketrans("０１２３４５６７８９ＸｘＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
                           "0123456789XxABCDEFGHJKLMNPQRTUWXY")


def _clean(value: str) -> str:
    return re.sub(r"[\s\-]", "", value.translate(_FULLWIDTH)).upper()


# --- 公民身份号码 -------------------------------------------------------------------------


@dataclass(frozen=True)
class IdNumber:
    number: str
    region: str
    birth_date: dt.date
    sex: str  # 男 / 女


def id_compact(value: str) -> str:
    """Remove spaces and separators, full-width digits to half-width, x to X."""
    return _clean(value)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """GB 11643: S = sum(digit * weight); check = "10X98765432"[S mod 11]."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def id_parse(value: str) -> IdNumber:
    """Validate format, birth date and check character (not the region's age) and return the parts.

    15-digit legacy numbers are converted by inserting "19" and computing the check character.
    Raises InvalidLength / InvalidFormat / InvalidComponent (birth date) / InvalidChecksum."""
    number = id_compact(value)
    if len(number) == 15 and number.isdigit():
        number = number[:6] + "19" + number[6:]
        number += id_check_char(number)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidFormat()
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidComponent("birth date") from exc
    if birth.year < 1880:
        raise InvalidComponent("birth date")
    if number[17] != id_check_char(number[:17]):
        raise InvalidChecksum()
    return IdNumber(number=number, region=number[:6], birth_date=birth, sex="男" if int(number[16]) % 2 else "女")


def id_validate(value: str) -> str:
    return id_parse(value).number


def id_is_valid(value: str) -> bool:
    try:
        id_parse(value)
    except ValidationError:
        return False
    return True


@lru_cache(maxsize=4096)
def region_name(code: str) -> str | None:
    """Province + county name of a 6-digit address code if it ever existed (GB/T 2260, current and
    historical, from python-stdnum's data file), else None. Any existing code is acceptable in an ID
    number whatever the holder's birth year (docs/domain.md)."""
    from stdnum import numdb

    if len(code) != 6 or not code.isdigit():
        return None
    info = numdb.get("cn/loc").info(code)
    if len(info) < 2 or not info[-1][1]:
        return None
    parts = [props.get("province") or props.get("city") or props.get("county") or "" for _p, props in info]
    return "".join(re.sub(r"\[[^\]]*\]", "", part) for part in parts)


# --- 统一社会信用代码 ---------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_compact(value: str) -> str:
    return _clean(value)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """GB 11714 check over positions 9-16 of a USCC: digits 0-9, letters A=10 … Z=35."""
    total = sum((int(c) if c.isdigit() else ord(c) - ord("A") + 10) * w for c, w in zip(first8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_validate(value: str, *, inner: bool = True) -> str:
    """Format and both check characters. Letters A/N/Y in front are legal (unlike stdnum)."""
    code = uscc_compact(value)
    if len(code) != 18:
        raise InvalidLength()
    if any(c not in _USCC_ALPHABET for c in code) or not code[2:8].isdigit():
        raise InvalidFormat()
    if code[17] != uscc_check_char(code[:17]):
        raise InvalidChecksum()
    if inner and code[16] != org_code_check_char(code[8:16]):
        raise InvalidChecksum("organisation code")
    return code


def uscc_is_valid(value: str) -> bool:
    try:
        uscc_validate(value)
    except ValidationError:
        return False
    return True

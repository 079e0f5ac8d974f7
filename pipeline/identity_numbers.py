"""Numbers of the other identity documents (docs/domain.md): the 公民身份号码 of a 港澳台居民居住证, the numbers
of 港澳居民来往内地通行证 and 台湾居民来往大陆通行证, passport numbers, and a passport's machine-readable zone
(ICAO Doc 9303, TD3: two lines of 44 characters) with its check digits.

Same shape as pipeline/numbers.py (compact / validate / is_valid, python-stdnum's typed errors). python-stdnum
has no module for any of these. Its `cn.ric` is wrong for residence permits: it rejects 810000 and 820000 as
address codes younger than the holder and does not know 830000, so the GB 11643 part is `numbers.id_parse`
(check character and birth date only) and the address code is checked here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.numbers import IdNumber, InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from pipeline.numbers import id_parse

__all__ = [
    "RESIDENCE_REGIONS", "residence_parse", "residence_is_valid", "permit_compact", "hkmo_permit_validate",
    "hkmo_permit_is_valid", "tw_permit_validate", "tw_permit_is_valid", "passport_validate", "passport_is_valid",
    "chinese_passport_pattern", "mrz_check_digit", "Mrz", "mrz_parse", "mrz_validate",
]

# Address codes of 港澳台居民居住证 numbers (港澳台居民居住证申领发放办法).
RESIDENCE_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)}
                           | {chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)}
                           | {chr(0xFF41 + i): chr(ord("A") + i) for i in range(26)} | {"＜": "<", "«": "<<"})


def _clean(value: str) -> str:
    return re.sub(r"[\s\-()（）]", "", str(value).translate(_FULLWIDTH)).upper()


# --- 港澳台居民居住证 --------------------------------------------------------------------------


def residence_parse(value: str) -> IdNumber:
    """A GB 11643 number (format, birth date, check character) whose address code is 810000, 820000 or 830000.
    Raises InvalidLength / InvalidFormat / InvalidComponent (birth date, or "region") / InvalidChecksum."""
    parsed = id_parse(value)
    if parsed.region not in RESIDENCE_REGIONS:
        raise InvalidComponent("region")
    return parsed


def residence_is_valid(value: str) -> bool:
    try:
        residence_parse(value)
    except ValidationError:
        return False
    return True


# --- 港澳居民来往内地通行证, 台湾居民来往大陆通行证 -----------------------------------------------

_HKMO = re.compile(r"[HM]\d{8}(\d{2})?")  # card (2013-): H/M + 8 digits; booklet: + 2 digits of issue count
_TW = re.compile(r"\d{8}(\d{2})?")  # card (2015-): 8 digits; booklet: + 2 digits of issue count


def permit_compact(value: str) -> str:
    return _clean(value)


def _permit(pattern: re.Pattern[str], value: str, lengths: tuple[int, ...]) -> str:
    number = permit_compact(value)
    if len(number) not in lengths:
        raise InvalidLength()
    if not pattern.fullmatch(number):
        raise InvalidFormat()
    return number


def hkmo_permit_validate(value: str) -> str:
    """港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits, or 10 on the older booklets. No check digit."""
    return _permit(_HKMO, value, (9, 11))


def hkmo_permit_is_valid(value: str) -> bool:
    try:
        hkmo_permit_validate(value)
    except ValidationError:
        return False
    return True


def tw_permit_validate(value: str) -> str:
    """台湾居民来往大陆通行证: 8 digits, or 10 on the older booklets. No check digit."""
    return _permit(_TW, value, (8, 10))


def tw_permit_is_valid(value: str) -> bool:
    try:
        tw_permit_validate(value)
    except ValidationError:
        return False
    return True


# --- passports -------------------------------------------------------------------------------

_CHINESE_ORDINARY = re.compile(r"E\d{8}|E[A-Z]\d{7}|G\d{8}")


def passport_validate(value: str) -> str:
    """Any state's passport number as ICAO Doc 9303 writes it in the MRZ: 5 to 9 letters and digits."""
    number = _clean(value)
    if not 5 <= len(number) <= 9:
        raise InvalidLength()
    if not number.isalnum() or not number.isascii():
        raise InvalidFormat()
    return number


def passport_is_valid(value: str) -> bool:
    try:
        passport_validate(value)
    except ValidationError:
        return False
    return True


def chinese_passport_pattern(value: str) -> bool | None:
    """For a number shaped like a Chinese ordinary passport's (starting E or G, 9 characters): whether it follows
    the pattern (E + 8 digits, E + a letter + 7 digits, or the older G + 8 digits); None for other numbers."""
    number = _clean(value)
    if len(number) != 9 or number[0] not in "EG":
        return None
    return _CHINESE_ORDINARY.fullmatch(number) is not None


# --- machine-readable zone (ICAO Doc 9303 part 3 and 4, TD3) ---------------------------------------


def mrz_check_digit(text: str) -> str:
    """Weights 7, 3, 1 repeated; digits count as themselves, A-Z as 10-35, '<' as 0; the sum modulo 10."""
    total = 0
    for i, c in enumerate(text):
        if c.isdigit():
            value = int(c)
        elif "A" <= c <= "Z":
            value = ord(c) - ord("A") + 10
        elif c == "<":
            value = 0
        else:
            raise InvalidFormat()
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


@dataclass(frozen=True)
class Mrz:
    document_code: str  # P, PO, PD …
    issuing_state: str
    surname: str
    given_names: str
    number: str
    nationality: str
    birth_date: dt.date | None
    sex: str  # M / F / <
    expiry: dt.date | None
    personal_number: str
    failed: tuple[str, ...]  # parts whose check digit fails: number, birth_date, expiry, personal_number, composite


_MRZ_CHARS = re.compile(r"[A-Z0-9<]{88}")


def _mrz_date(text: str, *, expiry: bool, today: dt.date) -> dt.date | None:
    if not text.isdigit():
        return None
    year = int(text[:2])
    if expiry:
        year += 2000  # passports issued since 2000 end after it
    else:
        year += 1900 if year > today.year % 100 else 2000
    try:
        return dt.date(year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def mrz_parse(value: str, today: dt.date | None = None) -> Mrz:
    """The two lines of a passport's MRZ (line breaks and spaces ignored). Raises InvalidLength / InvalidFormat;
    failed check digits are listed in `failed` (all of them, so that a person sees every problem at once)."""
    text = _clean(value)
    if len(text) != 88:
        raise InvalidLength()
    if not _MRZ_CHARS.fullmatch(text) or text[0] != "P":
        raise InvalidFormat()
    today = today or dt.date.today()
    line1, line2 = text[:44], text[44:]
    names = line1[5:].split("<<", 1)
    parts = {"number": (line2[0:9], line2[9]), "birth_date": (line2[13:19], line2[19]),
             "expiry": (line2[21:27], line2[27]), "personal_number": (line2[28:42], line2[42])}
    failed = [name for name, (data, digit) in parts.items()
              if not (name == "personal_number" and digit == "<" and set(data) <= {"<"}) and mrz_check_digit(data) != digit]
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    if mrz_check_digit(composite) != line2[43]:
        failed.append("composite")
    return Mrz(document_code=line1[0:2].rstrip("<"), issuing_state=line1[2:5].rstrip("<"),
               surname=names[0].replace("<", " ").strip(),
               given_names=names[1].replace("<", " ").strip() if len(names) > 1 else "",
               number=line2[0:9].rstrip("<"), nationality=line2[10:13].rstrip("<"),
               birth_date=_mrz_date(line2[13:19], expiry=False, today=today), sex=line2[20],
               expiry=_mrz_date(line2[21:27], expiry=True, today=today), personal_number=line2[28:42].rstrip("<"),
               failed=tuple(failed))


def mrz_validate(value: str, today: dt.date | None = None) -> Mrz:
    parsed = mrz_parse(value, today)
    if parsed.failed:
        raise InvalidChecksum(", ".join(parsed.failed))
    return parsed

"""Normalisation and comparison of values across documents (docs/architecture.md "From findings to a decision").

Names: full/half width, spaces, 〇/零, the middle dots of minority names; a name field listing several
people (共有人 "张三、李四") matches any of them. ID numbers and credit codes: compacted (full width, spaces,
x/X). Addresses: province/city/district prefixes dropped, then equal or one a prefix of the other (a
certificate often adds the unit and room). Who calls it: validators/assess.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from pipeline import numbers

_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "．": "·", "∙": "·", "⋅": "·", "〇": "零"})


def _base(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).translate(_DOTS)
    return re.sub(r"\s+", "", text)


def name_key(value: object) -> str:
    return _base(value).upper()


def names_in(value: object) -> set[str]:
    """The names a field states: one, or several separated by 、 ， ; / (co-owners)."""
    text = unicodedata.normalize("NFKC", str(value)).translate(_DOTS)
    parts = [name_key(p) for p in re.split(r"[、，,；;/]", text)]
    return {p for p in parts if p}


def code_key(value: object) -> str:
    return numbers.id_compact(str(value))


def text_key(value: object) -> str:
    return _base(value).upper()


@lru_cache(maxsize=1)
def _region_names() -> tuple[str, ...]:
    """Names of provinces, cities and counties (GB/T 2260, current and historical) from python-stdnum's data,
    longest first, so that '济宁市任城区' loses '济宁市' and then '任城区'."""
    import stdnum

    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    names: set[str] = set()
    for match in re.finditer(r'(?:province|city|county)="([^"]+)"', path.read_text(encoding="utf-8")):
        for entry in match.group(1).split(","):  # '[1983-1992]郊区,[1993-]任城区': every name it ever had
            name = re.sub(r"^\[[^\]]*\]", "", entry)
            if len(name) >= 2 and name not in ("市辖区", "郊区", "矿区", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                names.add(name)
    return tuple(sorted(names, key=len, reverse=True))


def address_key(value: object) -> str:
    text = text_key(value)
    regions = _region_names()
    for _ in range(4):  # province, city, district, and a county-level city inside a city
        for name in regions:
            if text.startswith(name) and len(text) > len(name):
                text = text[len(name):]
                break
        else:
            break
    return text


def same(kind: str, a: object, b: object) -> bool:
    """Whether two readings state the same thing, compared as `kind` (name, id_number, credit_code, address,
    text)."""
    if a in (None, "") or b in (None, ""):
        return False
    if kind == "name":
        return bool(names_in(a) & names_in(b))
    if kind in ("id_number", "credit_code"):
        return code_key(a) == code_key(b)
    if kind == "address":
        x, y = address_key(a), address_key(b)
        return bool(x and y) and (x == y or x.startswith(y) or y.startswith(x))
    return text_key(a) == text_key(b)

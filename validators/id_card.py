"""Resident ID cards (GB 11643 numbers, validity of the card): the rules their checks
(validators/checks/id_card_front.py, id_card_back.py), the assignment and the assessment share — an ID number's
parts, which front goes with which back, and the validity length a holder's age asks for. docs/domain.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import Failure

VALID_SPANS = {5, 10, 20}


def parts(value: str | None) -> numbers.IdNumber | None:
    """The region, birth date and sex of an ID number whose only fault may be its check character (None when its
    format or birth date is wrong): checks that do not depend on the check character still run on it."""
    if not value:
        return None
    try:
        return numbers.id_parse(value)
    except numbers.InvalidChecksum:
        number = numbers.id_compact(value)
        return numbers.id_parse(number[:17] + numbers.id_check_char(number[:17]))
    except numbers.ValidationError:
        return None


def pair_sides(documents: list[Document]) -> list[tuple[Document, Document]]:
    """Which front goes with which back, never across two people (docs/architecture.md "Uploads, documents and materials"):
    a back joins the front of its own file; otherwise the one free front whose address code the issuing authority
    names best (county before province) among those whose holder's age fits the validity length; otherwise, when the
    batch holds exactly one front and one back, that front — unless a county bureau issued the back for another
    place. A back that fits several fronts, or none, stays unpaired (the case's assignment or a person decides)."""
    fronts = [d for d in documents if d.type == "id_card_front"]
    backs = [d for d in documents if d.type == "id_card_back"]
    pairs, free, left = [], list(fronts), []
    for back in backs:
        same_file = [f for f in free if f.upload_sha256 and f.upload_sha256 == back.upload_sha256]
        match = same_file[0] if len(same_file) == 1 else _best_fit(same_file, back)
        if match is None:
            left.append(back)
            continue
        pairs.append((match, back))
        free.remove(match)
    for back in left:
        match = _best_fit(free, back)
        if match is None and len(fronts) == 1 and len(backs) == 1 and free and not _names_another_place(free[0], back):
            match = free[0]  # one card's two sides: checked together, so a wrong validity length is still found
        if match is not None:
            pairs.append((match, back))
            free.remove(match)
    return pairs


def _best_fit(fronts: list[Document], back: Document) -> Document | None:
    """The one front the back fits best: the front whose place its authority names most specifically (county before
    province) — whatever its age, so that a wrong validity length is found on its own card — and where the authority
    cannot tell, the one front among those tied whose holder's age fits the validity length. None when no front or
    more than one fits as well: never a guess between two people."""
    scored = [(f, _region_fit(f, back)) for f in fronts if not _names_another_place(f, back)]
    if not scored:
        return None
    best = max(score for _f, score in scored)
    tied = [f for f, score in scored if score == best]
    if len(tied) == 1 and best > 0:
        return tied[0]
    fitting = [f for f in tied if _age_fits(f, back)]
    return fitting[0] if len(fitting) == 1 else None


def _age_fits(front: Document, back: Document) -> bool:
    try:
        return not any(f.severity == "error" for f in pair_failures(front, back))
    except ValueError:  # a date that is not ISO: the back's own checks report it
        return True


def _region_fit(front: Document, back: Document) -> int:
    """How well the back's issuing authority names the place of the front's address code: 2 county, 1 province,
    0 neither (a city's bureau issues for its districts, and GB/T 2260 as stdnum keeps it names no cities), -1 when
    either is unknown (unread authority, number or code)."""
    number, authority = front.value("id_number"), back.value("issuing_authority") or ""
    info = _region_parts(number[:6]) if number and len(number) >= 6 else None
    if not authority or info is None:
        return -1
    province, counties = info
    if any(stem in authority for stem in counties):
        return 2
    return 1 if province and province in authority else 0


def _names_another_place(front: Document, back: Document) -> bool:
    """The authority is a county-level bureau (…分局, …县公安局) that names neither the county nor the province of
    the front's address code: the sides of two people."""
    import re

    authority = back.value("issuing_authority") or ""
    return _region_fit(front, back) == 0 and bool(re.search(r"分局|[县旗区]公安局", authority))


def _region_parts(code: str) -> tuple[str, list[str]] | None:
    """The province's stem and the county's stems (current and former names) of an address code."""
    import re

    name = numbers.region_name(code)
    if not name:
        return None
    province = re.match(r"(.+?)(省|市|自治区|特别行政区)", name)
    rest = name[province.end():] if province else name
    stem = province.group(1) if province else ""
    stem = re.sub(r"(壮族|回族|维吾尔)$", "", stem)
    counties = [re.sub(r"(新区|自治县|自治旗|区|县|市|旗)$", "", part) for part in rest.split(",")]
    return stem, [c for c in counties if len(c) >= 2 and c != "郊"]


def dates(doc: Document) -> tuple[dt.date | None, dt.date | None]:
    def parse(value):
        try:
            return dt.date.fromisoformat(value) if value and value != "长期" else None
        except ValueError:
            return None

    return parse(doc.value("valid_from")), parse(doc.value("valid_until"))


def span_years(start: dt.date, end: dt.date) -> int | None:
    """Whole years from start to end when the end falls on the same month and day (29 Feb -> 28 Feb/1 Mar)."""
    years = end.year - start.year
    if (end.month, end.day) == (start.month, start.day):
        return years
    if (start.month, start.day) == (2, 29) and (end.month, end.day) in ((2, 28), (3, 1)):
        return years
    return None


def expected_span(birth: dt.date, issued: dt.date) -> int | str:
    """Validity by age on the application day: <16: 5 years, 16-25: 10, 26-45: 20, 46+: long-term."""
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    if age < 16:
        return 5
    if age < 26:
        return 10
    if age < 46:
        return 20
    return "长期"


def pair_failures(front: Document, back: Document) -> Iterator[Failure]:
    """Cross-side check for a front and back judged to belong together: the validity length fits the
    holder's age when the card was applied for. The card is issued up to about two months after the
    application, so a length one band off near a 16th/26th/46th birthday is at most a warning."""
    birth_text, start_text, end_text = front.value("birth_date"), back.value("valid_from"), back.value("valid_until")
    number = front.value("id_number")
    if number and numbers.id_is_valid(number):
        birth = numbers.id_parse(number).birth_date
    elif birth_text:
        birth = dt.date.fromisoformat(birth_text)
    else:
        return
    if not start_text or not end_text:
        return
    start = dt.date.fromisoformat(start_text)
    actual: int | str | None = "长期" if end_text == "长期" else span_years(start, dt.date.fromisoformat(end_text))
    if actual is None:
        return
    expected = expected_span(birth, start)
    if actual == expected:
        return
    applied = start - dt.timedelta(days=75)
    if expected_span(birth, applied) == actual:
        yield Failure("id_card.validity_age", "身份证有效期限与持证人年龄段基本相符（接近年龄分界），请留意",
                      ("valid_from", "valid_until"), severity="warning")
        return
    yield Failure("id_card.validity_age", "身份证有效期限与持证人签发时的年龄不符", ("valid_from", "valid_until"))

"""What the checks of the other lawful identity documents share (docs/domain.md): 临时居民身份证, 港澳台居民居住证,
港澳居民来往内地通行证, 台湾居民来往大陆通行证 and passports — the validity and a printed 公民身份号码. Their checks
are validators/checks/<type>.py.

Every failure names the fields it judges, so the check runner's confidence rule makes it a warning when the
reading is uncertain: an OCR misread never sends a citizen home. Rules this project has not checked against a
source (validity lengths) are warnings even on a certain reading.

These documents still make an identity material `needs_review` (validators/assess.py, identity.unreadable_kind):
their holder is not yet compared with the application.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pipeline import identity_numbers as ids
from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators import id_card
from validators.vocabulary import type_label

def day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _span_fits(start: dt.date, end: dt.date, months: tuple[int, ...]) -> bool:
    for m in months:
        due = _add_months(start, m)
        # 29 February + whole years ends on 28 February or 1 March
        if end in (due, due - dt.timedelta(days=1)) or (start.month, start.day) == (2, 29) and end == due + dt.timedelta(days=1):
            return True
    return False


def validity(doc: Document, ctx: CheckContext, until: dt.date | None = None) -> Iterator[Failure]:
    """<type>.validity_unread (warning), .validity_dates (error: ends before it starts, or 长期 on a document
    that always ends), .not_yet_valid (warning), .expired (error). `until` is the
    end read elsewhere (a passport's MRZ) when the printed one is absent."""
    kind, label = doc.type, type_label(doc.type)
    printed = doc.value("valid_until")
    if printed == "长期":
        yield Failure(f"{kind}.validity_dates", f"{label}的有效期限不应为长期，请核对", ("valid_until",))
        return
    end = day(printed) or (until if printed is None else None)
    fields = ("valid_until",) if printed is not None else ("mrz",)
    if end is None:
        yield Failure(f"{kind}.validity_unread", f"未能读取{label}的有效期限，请人工核对", (), severity="warning")
        return
    start = day(doc.value("valid_from"))
    if start is not None and end <= start:
        yield Failure(f"{kind}.validity_dates", f"{label}有效期限的截止日期早于起始日期", ("valid_from", "valid_until"))
        return
    if start is not None and start > ctx.today:
        yield Failure(f"{kind}.not_yet_valid", f"{label}有效期限的起始日期晚于今天，请核对", ("valid_from",), severity="warning")
    if end < ctx.today:
        yield Failure(f"{kind}.expired", f"{label}已过期（有效期至{end:%Y年%m月%d日}）", fields)


def validity_length(doc: Document, months: tuple[int, ...], text: str) -> Iterator[Failure]:
    """<type>.validity_length (warning): the printed validity is not `months` long (`text` says it in Chinese), for
    a document whose validity has a lawful length. Printed ends fall on the same day or the day before; nothing
    is said when `validity` found the dates unread or out of order."""
    start, end = day(doc.value("valid_from")), day(doc.value("valid_until"))
    if start is not None and end is not None and end > start and not _span_fits(start, end, months):
        yield Failure(f"{doc.type}.validity_length", f"{type_label(doc.type)}的有效期限长度不符合规定（应为{text}），请核对",
                      ("valid_from", "valid_until"), severity="warning")


def id_number_failures(doc: Document, ctx: CheckContext, label: str, *, region: bool = True) -> Iterator[Failure]:
    """The 公民身份号码 printed on the document (GB 11643, docs/domain.md): id_number.format / .checksum /
    .birth_date (errors), id_number.region_unknown (warning, when `region`)."""
    value = doc.value("id_number")
    if not value:
        return
    try:
        parsed = numbers.id_parse(value)
    except numbers.InvalidChecksum:
        yield Failure("id_number.checksum", f"{label}上的公民身份号码校验位错误", ("id_number",))
        parsed = id_card.parts(value)  # the birth date and region are judged all the same
    except numbers.InvalidComponent:
        yield Failure("id_number.birth_date", f"{label}上的公民身份号码中的出生日期不是有效日期", ("id_number",))
        return
    except numbers.ValidationError:
        yield Failure("id_number.format", f"{label}上的公民身份号码格式错误（应为18位）", ("id_number",))
        return
    if parsed.birth_date > ctx.today:
        yield Failure("id_number.birth_date", f"{label}上的公民身份号码中的出生日期晚于今天", ("id_number",))
    if region and parsed.region not in ids.RESIDENCE_REGIONS and numbers.region_name(parsed.region) is None:
        yield Failure("id_number.region_unknown", f"{label}上的公民身份号码的地址码不在行政区划代码表中，请人工核对",
                      ("id_number",), severity="warning")

"""Checks on the other lawful identity documents (docs/domain.md): 临时居民身份证, 港澳台居民居住证, 港澳居民来往内地通行证,
台湾居民来往大陆通行证 and passports — the number's format and check character, the validity, and a passport's
machine-readable zone when one was read (pipeline/identity_numbers.py).

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
from pipeline.registry import CheckContext, CheckRegistry, Failure
from validators import id_card
from validators.documents import _missing

LABELS = {"temporary_id_card": "临时居民身份证", "residence_permit": "港澳台居民居住证",
          "travel_permit_hkmo": "港澳居民来往内地通行证", "travel_permit_tw": "台湾居民来往大陆通行证", "passport": "护照"}
# Validity lengths in months: 临时居民身份证 three months (临时居民身份证管理办法), 居住证 five years (港澳台居民居住证申领
# 发放办法), 港澳居民来往内地通行证 five years under 18 and ten years from 18. Printed ends fall on the same day or
# the day before. Not checked for 台湾居民来往大陆通行证 (five-year cards and one-time permits) and passports
# (every state has its own).
SPANS = {"temporary_id_card": (3,), "residence_permit": (60,), "travel_permit_hkmo": (60, 120)}
SPAN_TEXT = {"temporary_id_card": "三个月", "residence_permit": "5年", "travel_permit_hkmo": "5年或10年"}


def _day(value: object) -> dt.date | None:
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
    that always ends), .not_yet_valid (warning), .expired (error), .validity_length (warning). `until` is the
    end read elsewhere (a passport's MRZ) when the printed one is absent."""
    kind, label = doc.type, LABELS[doc.type]
    printed = doc.value("valid_until")
    if printed == "长期":
        yield Failure(f"{kind}.validity_dates", f"{label}的有效期限不应为长期，请核对", ("valid_until",))
        return
    end = _day(printed) or (until if printed is None else None)
    fields = ("valid_until",) if printed is not None else ("mrz",)
    if end is None:
        yield Failure(f"{kind}.validity_unread", f"未能读取{label}的有效期限，请人工核对", (), severity="warning")
        return
    start = _day(doc.value("valid_from"))
    if start is not None and end <= start:
        yield Failure(f"{kind}.validity_dates", f"{label}有效期限的截止日期早于起始日期", ("valid_from", "valid_until"))
        return
    if start is not None and start > ctx.today:
        yield Failure(f"{kind}.not_yet_valid", f"{label}有效期限的起始日期晚于今天，请核对", ("valid_from",), severity="warning")
    if end < ctx.today:
        yield Failure(f"{kind}.expired", f"{label}已过期（有效期至{end:%Y年%m月%d日}）", fields)
    if start is not None and kind in SPANS and not _span_fits(start, end, SPANS[kind]):
        yield Failure(f"{kind}.validity_length", f"{label}的有效期限长度不符合规定（应为{SPAN_TEXT[kind]}），请核对",
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


def register(registry: CheckRegistry) -> None:
    @registry.register("temporary_id_card.fields", ("temporary_id_card",))
    def temporary_card(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """id_number.* (as on a resident ID card), temporary_id_card.permit_number (warning: a number of a
        港澳台居民居住证), the validity (three months), temporary_id_card.unread (warning)."""
        yield from id_number_failures(doc, ctx, "临时居民身份证")
        number = doc.value("id_number")
        if number and numbers.id_compact(number)[:6] in ids.RESIDENCE_REGIONS:
            yield Failure("temporary_id_card.permit_number",
                          "临时居民身份证上的号码以810000/820000/830000开头，是港澳台居民居住证的号码，请核对证件类型",
                          ("id_number",), severity="warning")
        yield from validity(doc, ctx)
        yield from _missing(doc, ("name", "id_number"), "temporary_id_card.unread", "临时居民身份证")

    @registry.register("residence_permit.fields", ("residence_permit",))
    def residence_permit(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """id_number.format / .checksum / .birth_date (errors), residence_permit.region (error: the number does
        not start 810000 / 820000 / 830000), the validity (five years), residence_permit.unread (warning)."""
        yield from id_number_failures(doc, ctx, "港澳台居民居住证", region=False)
        number = doc.value("id_number")
        if number and numbers.id_is_valid(number) and numbers.id_parse(number).region not in ids.RESIDENCE_REGIONS:
            yield Failure("residence_permit.region",
                          "港澳台居民居住证的公民身份号码应以810000（香港）、820000（澳门）或830000（台湾）开头",
                          ("id_number",))
        yield from validity(doc, ctx)
        yield from _missing(doc, ("name", "id_number"), "residence_permit.unread", "港澳台居民居住证")

    @registry.register("travel_permit.fields", ("travel_permit_hkmo", "travel_permit_tw"))
    def travel_permit(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """permit_number.format (error), the validity (港澳: five or ten years), <type>.unread (warning)."""
        label = LABELS[doc.type]
        number = doc.value("permit_number")
        if number:
            validate, shape = ((ids.hkmo_permit_validate, "H或M开头加8位数字") if doc.type == "travel_permit_hkmo"
                               else (ids.tw_permit_validate, "8位数字"))
            try:
                validate(number)
            except numbers.ValidationError:
                yield Failure("permit_number.format", f"{label}的证件号码格式错误（应为{shape}）", ("permit_number",))
        yield from validity(doc, ctx)
        yield from _missing(doc, ("name", "permit_number"), f"{doc.type}.unread", label)

    @registry.register("passport.fields", ("passport",))
    def passport(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """passport_number.format (error), passport_number.pattern (warning: an E/G number off the pattern of
        Chinese ordinary passports), the MRZ when read (mrz.format warning; mrz.checksum, mrz.number_mismatch,
        mrz.expiry_mismatch errors), the validity (the MRZ's expiry when the printed one is absent),
        passport.unread (warning)."""
        number = doc.value("passport_number")
        if number:
            try:
                ids.passport_validate(number)
            except numbers.ValidationError:
                yield Failure("passport_number.format", "护照号码格式错误（应为5至9位字母或数字）", ("passport_number",))
            else:
                if ids.chinese_passport_pattern(number) is False:
                    yield Failure("passport_number.pattern",
                                  "护照号码不符合中国普通护照号码的格式（E加8位数字或E加1位字母和7位数字），请核对",
                                  ("passport_number",), severity="warning")
        mrz_expiry = None
        if mrz := doc.value("mrz"):
            mrz_expiry = yield from _mrz(doc, str(mrz), ctx)
        yield from validity(doc, ctx, mrz_expiry)
        yield from _missing(doc, ("name", "passport_number"), "passport.unread", "护照")


def _mrz(doc: Document, text: str, ctx: CheckContext) -> Iterator[Failure]:
    """Returns the MRZ's expiry when its check digit holds."""
    try:
        mrz = ids.mrz_parse(text, ctx.today)
    except numbers.ValidationError:
        yield Failure("mrz.format", "护照机读区无法解析（应为两行、每行44个字符），请人工核对", ("mrz",), severity="warning")
        return None
    if mrz.failed:
        parts = {"number": "护照号码", "birth_date": "出生日期", "expiry": "有效期", "personal_number": "个人号码",
                 "composite": "整体"}
        yield Failure("mrz.checksum", f"护照机读区的校验位错误（{'、'.join(parts[p] for p in mrz.failed)}）", ("mrz",))
    number = doc.value("passport_number")
    if number and "number" not in mrz.failed and ids.permit_compact(number) != mrz.number:
        yield Failure("mrz.number_mismatch", f"护照机读区中的护照号码（{mrz.number}）与页面上的护照号码不一致",
                      ("mrz", "passport_number"))
    expiry_ok = "expiry" not in mrz.failed and mrz.expiry is not None
    printed = _day(doc.value("valid_until"))
    if expiry_ok and printed is not None and printed != mrz.expiry:
        yield Failure("mrz.expiry_mismatch", f"护照机读区中的有效期（{mrz.expiry:%Y年%m月%d日}）与页面上的有效期不一致",
                      ("mrz", "valid_until"))
    return mrz.expiry if expiry_ok else None

"""Checks on passports: the passport number and its pattern, the machine-readable zone when read
(pipeline/identity_numbers.py), the validity, key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import identity_numbers as ids
from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import missing
from validators.checks._identity import day, validity


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
    yield from missing(doc, ("name", "passport_number"), "passport.unread", "护照")


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
    printed = day(doc.value("valid_until"))
    if expiry_ok and printed is not None and printed != mrz.expiry:
        yield Failure("mrz.expiry_mismatch", f"护照机读区中的有效期（{mrz.expiry:%Y年%m月%d日}）与页面上的有效期不一致",
                      ("mrz", "valid_until"))
    return mrz.expiry if expiry_ok else None


CHECKS = {"passport.fields": passport}

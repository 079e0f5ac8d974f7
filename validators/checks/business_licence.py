"""Checks on 营业执照: the 统一社会信用代码 (GB 32100 + GB 11714), the dates and the business term, key fields read.
docs/domain.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import date_of, missing

# GB 32100: registration department (position 1) -> the categories (position 2) it issues.
CATEGORIES = {"1": "1239", "2": "19", "3": "1234569", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19",
              "9": "123", "A": "19", "N": "1239", "Y": "1"}


def credit_code_valid(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """credit_code.missing (warning), credit_code.format (error), credit_code.category (warning),
    credit_code.checksum and credit_code.org_checksum (warnings: a plausible code that fails a check goes
    to the licence library, since some early pilot codes fail it — docs/domain.md)."""
    value = doc.value("credit_code")
    if not value:
        yield Failure("credit_code.missing", "未能读取统一社会信用代码，请人工核对", (), severity="warning")
        return
    code = numbers.uscc_compact(value)
    try:
        numbers.uscc_validate(code, inner=False)
    except numbers.InvalidChecksum:
        yield Failure("credit_code.checksum", "统一社会信用代码校验位未通过，请通过电子证照库或登记机关核验",
                      ("credit_code",), severity="warning")
    except numbers.ValidationError:
        yield Failure("credit_code.format", "统一社会信用代码格式错误（应为18位，不含I、O、S、V、Z）", ("credit_code",))
        return
    else:
        if code[16] != numbers.org_code_check_char(code[8:16]):
            yield Failure("credit_code.org_checksum", "统一社会信用代码中的组织机构代码校验位未通过，请通过电子证照库核验",
                          ("credit_code",), severity="warning")
    if code[0] not in CATEGORIES or code[1] not in CATEGORIES[code[0]]:
        yield Failure("credit_code.category", "统一社会信用代码的登记管理部门或机构类别代码不在标准范围内，请核对",
                      ("credit_code",), severity="warning")
    entity = doc.value("entity_type") or ""
    if code[:2] == "92" and entity and "个体" not in entity:
        yield Failure("credit_code.entity_type", "统一社会信用代码表明为个体工商户，与营业执照上的类型不一致",
                      ("credit_code", "entity_type"), severity="warning")
    if code[:2] == "91" and "个体工商户" in entity:
        yield Failure("credit_code.entity_type", "统一社会信用代码表明为企业，与营业执照上的类型（个体工商户）不一致",
                      ("credit_code", "entity_type"), severity="warning")

def licence_dates(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """business_licence.established_future, .issued_future, .issued_before_established (errors),
    business_licence.term_ended (error: the business term ended before the judging day)."""
    established, issued = date_of(doc, "established_on"), date_of(doc, "issued_on")
    if established and established > ctx.today:
        yield Failure("business_licence.established_future", "营业执照的成立日期晚于今天", ("established_on",))
    if issued and issued > ctx.today:
        yield Failure("business_licence.issued_future", "营业执照的发照日期晚于今天", ("issued_on",))
    if established and issued and issued < established:
        yield Failure("business_licence.issued_before_established", "营业执照的发照日期早于成立日期",
                      ("established_on", "issued_on"))
    term = doc.value("business_term") or ""
    if "/" in term:
        start, _, end = term.partition("/")
        try:
            end_day = dt.date.fromisoformat(end) if end != "长期" else None
            start_day = dt.date.fromisoformat(start)
        except ValueError:
            return
        if end_day and end_day <= start_day:
            yield Failure("business_licence.term_order", "营业期限的截止日期早于起始日期", ("business_term",))
        elif end_day and end_day < ctx.today:
            yield Failure("business_licence.term_ended", f"营业期限已于{end_day:%Y年%m月%d日}届满", ("business_term",))

def licence_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """business_licence.unread (warning): a key field could not be read."""
    yield from missing(doc, ("name", "legal_representative", "established_on"), "business_licence.unread", "营业执照")


CHECKS = {"credit_code.valid": credit_code_valid, "business_licence.dates": licence_dates,
          "business_licence.fields": licence_fields}

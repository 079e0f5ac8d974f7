"""Checks on the 食品经营许可证: the licence number's form (JY and 14 digits), the operator's number (a 统一社会信用代码
or, for a natural person, an ID number), the validity and the date of issue, key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import credit_code_failures, date_of, missing

NUMBER_DIGITS = 14


def licence_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """food_business_licence.number_format (error), credit_code.format (error) / .checksum (warning),
    food_business_licence.expired (error), .issued_future (error), .unread (warning)."""
    number = doc.value("licence_number")
    if number and not (number.startswith("JY") and len(number) == 2 + NUMBER_DIGITS and number[2:].isdigit()):
        yield Failure("food_business_licence.number_format", "食品经营许可证编号格式不正确（应为JY加14位数字）",
                      ("licence_number",))
    code = doc.value("credit_code")
    if code and not numbers.id_is_valid(code):  # a natural person's licence carries their ID number
        yield from credit_code_failures(code, checksum="社会信用代码校验位未通过，请核对")
    until, issued = date_of(doc, "valid_until"), date_of(doc, "issued_on")
    if until and until < ctx.today:
        yield Failure("food_business_licence.expired", f"食品经营许可证已过期（有效期至{until:%Y年%m月%d日}）", ("valid_until",))
    if issued and issued > ctx.today:
        yield Failure("food_business_licence.issued_future", "食品经营许可证的发证日期晚于今天", ("issued_on",))
    yield from missing(doc, ("licence_number", "operator_name", "valid_until"), "food_business_licence.unread", "食品经营许可证")


CHECKS = {"food_business_licence.fields": licence_fields}

"""Checks on the 个体工商户登记（备案）申请书: the operator's ID number, the signature and its date, key fields read,
the phone number."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import date_of, id_failures, missing, unsigned

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def operator_id(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """operator_id_number.format / .checksum / .birth_date (errors)."""
    yield from id_failures(doc, "operator_id_number", "申请书中经营者的")

def application_signed(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """application.unsigned (error when the signature area was seen blank, see `_unsigned`; else warning),
    application.signature_unchecked (warning: the signature area was not
    found, or the page is born-digital and cannot show handwriting), application.signed_future (error)."""
    signed = doc.value("signed")
    if signed is None:
        yield Failure("application.signature_unchecked", "未能确认申请书是否已由经营者签字，请人工核对", (), severity="warning")
    elif signed is False:
        yield unsigned(doc, "application.unsigned", "申请书未经经营者签字")
    signed_on = date_of(doc, "signed_on")
    if signed_on and signed_on > ctx.today:
        yield Failure("application.signed_future", "申请书的签字日期晚于今天", ("signed_on",))

def application_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """application.unread (warning), phone.format (warning)."""
    yield from missing(doc, ("operator_name", "operator_id_number", "premises_address"), "application.unread", "申请书")
    phone = doc.value("phone")
    if phone and not PHONE.match(phone):
        yield Failure("phone.format", "联系电话格式不正确，请核对", ("phone",), severity="warning")


CHECKS = {"application.operator_id_number": operator_id, "application.signed": application_signed,
          "application.fields": application_fields}

"""Checks on the 法定代表人身份证明书: the representative's ID number, the organisation's credit code, the date it
was issued, key fields read. Its organisation's seal, which it always bears, is judged by validators/seals.py
(DocumentType.seal_default)."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import credit_code_failures, date_of, id_failures, missing


def legal_rep_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """representative_id_number.format / .checksum / .birth_date (errors), credit_code.format (error),
    legal_rep_certificate.signed_future (error), legal_rep_certificate.unread (warning)."""
    yield from id_failures(doc, "representative_id_number", "法定代表人身份证明书中法定代表人的")
    if code := doc.value("credit_code"):
        yield from credit_code_failures(code, checksum="统一社会信用代码校验位未通过，请核对")
    signed = date_of(doc, "signed_on")
    if signed and signed > ctx.today:
        yield Failure("legal_rep_certificate.signed_future", "法定代表人身份证明书的出具日期晚于今天", ("signed_on",))
    yield from missing(doc, ("organisation_name", "representative_name", "representative_id_number"),
                        "legal_rep_certificate.unread", "法定代表人身份证明书")


CHECKS = {"legal_rep_certificate.fields": legal_rep_fields}

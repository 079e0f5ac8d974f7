"""Checks on the 临时居民身份证: its 公民身份号码, a number of a 居住证 on it, the validity (three months), key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import identity_numbers as ids
from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import missing
from validators.checks._identity import id_number_failures, validity, validity_length

MONTHS = (3,)  # lawful validity in months (临时居民身份证管理办法)


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
    yield from validity_length(doc, MONTHS, "三个月")
    yield from missing(doc, ("name", "id_number"), "temporary_id_card.unread", "临时居民身份证")


CHECKS = {"temporary_id_card.fields": temporary_card}

"""Checks on the 港澳台居民居住证: its 公民身份号码 and region (810000 / 820000 / 830000), the validity (five years), key
fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import identity_numbers as ids
from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import missing
from validators.checks._identity import id_number_failures, validity, validity_length

MONTHS = (60,)  # lawful validity in months (港澳台居民居住证申领发放办法)


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
    yield from validity_length(doc, MONTHS, "5年")
    yield from missing(doc, ("name", "id_number"), "residence_permit.unread", "港澳台居民居住证")


CHECKS = {"residence_permit.fields": residence_permit}

"""Checks on the 港澳居民来往内地通行证: the permit number, the validity (five or ten years), key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import identity_numbers as ids
from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import missing
from validators.checks._identity import validity, validity_length
from validators.vocabulary import type_label

MONTHS = (60, 120)  # lawful validity in months (five years under 18, ten years from 18)


def travel_permit_hkmo(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """permit_number.format (error), the validity (five or ten years), <type>.unread (warning)."""
    label = type_label(doc.type)
    number = doc.value("permit_number")
    if number:
        try:
            ids.hkmo_permit_validate(number)
        except numbers.ValidationError:
            yield Failure("permit_number.format", f"{label}的证件号码格式错误（应为H或M开头加8位数字）", ("permit_number",))
    yield from validity(doc, ctx)
    yield from validity_length(doc, MONTHS, "5年或10年")
    yield from missing(doc, ("name", "permit_number"), "travel_permit_hkmo.unread", label)


CHECKS = {"travel_permit_hkmo.fields": travel_permit_hkmo}

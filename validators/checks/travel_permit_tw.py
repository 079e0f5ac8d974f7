"""Checks on the 台湾居民来往大陆通行证: the permit number, the validity, key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import identity_numbers as ids
from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import missing
from validators.checks._identity import validity
from validators.vocabulary import type_label


def travel_permit_tw(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """permit_number.format (error), the validity, <type>.unread (warning)."""
    label = type_label(doc.type)
    number = doc.value("permit_number")
    if number:
        try:
            ids.tw_permit_validate(number)
        except numbers.ValidationError:
            yield Failure("permit_number.format", f"{label}的证件号码格式错误（应为8位数字）", ("permit_number",))
    yield from validity(doc, ctx)
    yield from missing(doc, ("name", "permit_number"), "travel_permit_tw.unread", label)


CHECKS = {"travel_permit_tw.fields": travel_permit_tw}

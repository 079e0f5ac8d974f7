"""Checks on the 结婚证: both parties' ID numbers, the registration date, the holder being one of the parties, key
fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import date_of, id_failures, missing


def marriage_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """party1_id_number.* / party2_id_number.* (errors), marriage_certificate.registered_future (error),
    marriage_certificate.holder_not_party (warning), marriage_certificate.unread (warning)."""
    yield from id_failures(doc, "party1_id_number", "结婚证中一方的")
    yield from id_failures(doc, "party2_id_number", "结婚证中另一方的")
    registered = date_of(doc, "registered_on")
    if registered and registered > ctx.today:
        yield Failure("marriage_certificate.registered_future", "结婚证的登记日期晚于今天", ("registered_on",))
    holder = doc.value("holder")
    parties = [doc.value("party1_name"), doc.value("party2_name")]
    if holder and all(parties) and holder not in parties:
        yield Failure("marriage_certificate.holder_not_party", "结婚证持证人不是登记的双方之一，请核对",
                      ("holder", "party1_name", "party2_name"), severity="warning")
    yield from missing(doc, ("party1_name", "party1_id_number", "party2_name", "party2_id_number"),
                        "marriage_certificate.unread", "结婚证")


CHECKS = {"marriage_certificate.fields": marriage_fields}

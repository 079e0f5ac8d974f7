"""Checks on the 授权委托书: both parties' ID numbers, principal and agent not the same person, the term, the
principal's signature, key fields read. (The principal's seal is the catalog's to ask for: validators/seals.py.)"""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import date_of, id_failures, missing, unsigned


def authorisation_ids(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """principal_id_number.* and agent_id_number.* (format / checksum / birth_date, errors);
    power_of_attorney.same_person (error: the principal authorises themself)."""
    yield from id_failures(doc, "principal_id_number", "授权委托书中委托人的")
    yield from id_failures(doc, "agent_id_number", "授权委托书中受托人的")
    a, b = doc.value("principal_id_number"), doc.value("agent_id_number")
    if a and b and numbers.id_compact(a) == numbers.id_compact(b):
        yield Failure("power_of_attorney.same_person", "授权委托书的委托人与受托人为同一人",
                      ("principal_id_number", "agent_id_number"))

def authorisation_valid(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """power_of_attorney.expired (error), power_of_attorney.unsigned (error when the signature area was seen
    blank, see `_unsigned`; else warning),
    power_of_attorney.signature_unchecked and power_of_attorney.unread (warnings)."""
    until = date_of(doc, "valid_until")
    if until and until < ctx.today:
        yield Failure("power_of_attorney.expired", f"授权委托书已过期（有效期至{until:%Y年%m月%d日}）", ("valid_until",))
    signed = doc.value("signed")
    if signed is None:
        yield Failure("power_of_attorney.signature_unchecked", "未能确认授权委托书是否已由委托人签字，请人工核对", (),
                      severity="warning")
    elif signed is False:
        yield unsigned(doc, "power_of_attorney.unsigned", "授权委托书未经委托人签字")
    yield from missing(doc, ("principal_name", "principal_id_number", "agent_name", "agent_id_number", "matter"),
                        "power_of_attorney.unread", "授权委托书")


CHECKS = {"power_of_attorney.id_numbers": authorisation_ids, "power_of_attorney.valid": authorisation_valid}

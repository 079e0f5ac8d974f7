"""Checks on the 房屋租赁合同: the lease term (in order, begun, not ended) and key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators.checks._common import date_of, missing


def lease_term(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """lease_contract.term_order (error), lease_contract.ended (error), lease_contract.not_started (warning),
    lease_contract.unread (warning)."""
    start, end = date_of(doc, "term_from"), date_of(doc, "term_until")
    if start and end and end <= start:
        yield Failure("lease_contract.term_order", "租赁期限的截止日期早于起始日期", ("term_from", "term_until"))
    elif end and end < ctx.today:
        yield Failure("lease_contract.ended", f"租赁合同已于{end:%Y年%m月%d日}到期", ("term_until",))
    elif start and start > ctx.today:
        yield Failure("lease_contract.not_started", f"租赁期限自{start:%Y年%m月%d日}起，尚未开始", ("term_from",),
                      severity="warning")
    yield from missing(doc, ("lessor", "lessee", "address", "term_from", "term_until"), "lease_contract.unread", "租赁合同")


CHECKS = {"lease_contract.term": lease_term}

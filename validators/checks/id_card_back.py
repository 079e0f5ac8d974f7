"""Checks on the back of a resident ID card (居民身份证国徽面): its validity (dates in order, begun, not ended, a
lawful length), and across a front and back of one card the length against the holder's age. docs/domain.md."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.models import Document
from pipeline.registry import CheckContext, CrossFailure, Failure
from validators import id_card


def validity(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    start, end = id_card.dates(doc)
    if start is None or doc.value("valid_until") is None:
        yield Failure("id_card.validity_unread", "未能读取身份证有效期限，请人工核对", (), severity="warning")
        return
    if end is not None and end <= start:
        yield Failure("id_card.validity_dates", "身份证有效期限的截止日期早于起始日期", ("valid_from", "valid_until"))
        return
    if start > ctx.today:
        yield Failure("id_card.not_yet_valid", "身份证有效期限的起始日期晚于今天，请核对", ("valid_from",),
                      severity="warning")
    if end is not None and end < ctx.today:
        yield Failure("id_card.expired", f"身份证已过期（有效期至{end:%Y年%m月%d日}）", ("valid_until",))
    if end is not None and id_card.span_years(start, end) not in id_card.VALID_SPANS:
        yield Failure("id_card.validity_length", "身份证有效期限长度不符合规定（应为5年、10年、20年或长期）",
                      ("valid_from", "valid_until"))


def pairs(documents: list[Document], ctx: CheckContext) -> Iterator[CrossFailure]:
    for front, back in id_card.pair_sides(documents):
        for failure in id_card.pair_failures(front, back):
            yield CrossFailure(back.id, failure, (front.id, back.id))


CHECKS = {"id_card.validity": validity}
CROSS_CHECKS = {"id_card.pair": pairs}

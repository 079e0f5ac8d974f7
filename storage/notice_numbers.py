"""Document numbers (文号) of notices: per hall and year, 1, 2, 3 … without gaps, one per issued notice.

A number is taken when a notice is first issued for an act (never for a preview) and kept: the same notice
fetched again prints the same number. Allocation is one transaction that reads the year's highest number and
inserts the next; the unique constraint on (hall, year, seq) makes two concurrent allocators collide instead
of sharing a number, and the loser retries with the next one. Only committed rows hold numbers, so a failed
request leaves no gap. The same on SQLite (one writer at a time) and PostgreSQL (the loser's insert waits for
the winner's commit, then fails on the constraint).

Who calls it: the notice route (api/cases.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import SessionScope, as_utc, utcnow
from storage.models import Base

logger = logging.getLogger(__name__)

ATTEMPTS = 50


class NoticeNumberRow(Base):
    __tablename__ = "notice_numbers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100))  # as printed (the hall's pattern at the time)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int] = mapped_column(Integer)  # the case_events row of the act the notice records
    issued_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("hall", "year", "seq", name="uq_notice_numbers_seq"),
                      UniqueConstraint("case_id", "kind", "event_id", name="uq_notice_numbers_notice"))


@dataclass(frozen=True)
class NoticeNumber:
    hall: str
    year: int
    seq: int
    number: str
    issued_at: dt.datetime


class NoticeNumbers(SessionScope):
    def find(self, case_id: str, kind: str, event_id: int) -> NoticeNumber | None:
        with self.session() as s:
            row = s.scalars(select(NoticeNumberRow).where(NoticeNumberRow.case_id == case_id, NoticeNumberRow.kind == kind,
                                                          NoticeNumberRow.event_id == event_id)).first()
            return _of(row) if row else None

    def allocate(self, *, hall: str, year: int, case_id: str, kind: str, event_id: int,
                 number: Callable[[int], str]) -> NoticeNumber:
        """The number of this notice: the one it already has, else the next of the hall's year. `number(seq)`
        formats it with the hall's pattern."""
        for attempt in range(ATTEMPTS):
            found = self.find(case_id, kind, event_id)
            if found is not None:
                return found
            try:
                with self.session() as s:
                    last = s.scalar(select(func.max(NoticeNumberRow.seq)).where(NoticeNumberRow.hall == hall,
                                                                                NoticeNumberRow.year == year))
                    seq = (last or 0) + 1
                    row = NoticeNumberRow(hall=hall, year=year, seq=seq, number=number(seq)[:100], case_id=case_id,
                                          kind=kind, event_id=event_id, issued_at=utcnow())
                    s.add(row)
                return _of(row)
            except (IntegrityError, OperationalError) as exc:  # a concurrent allocator took it (or held the lock)
                logger.debug("notice number for %s/%d taken concurrently (%s); retrying", hall, year, type(exc).__name__)
                time.sleep(0.005 * (attempt + 1))
        raise RuntimeError(f"could not allocate a notice number for hall {hall!r} year {year}")

    def issued(self, hall: str, year: int) -> list[NoticeNumber]:
        with self.session() as s:
            rows = s.scalars(select(NoticeNumberRow).where(NoticeNumberRow.hall == hall, NoticeNumberRow.year == year)
                             .order_by(NoticeNumberRow.seq))
            return [_of(r) for r in rows]


def _of(row: NoticeNumberRow) -> NoticeNumber:
    return NoticeNumber(row.hall, row.year, row.seq, row.number, as_utc(row.issued_at))

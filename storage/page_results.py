"""The pages of a fanned-out upload (workers/fanout.py), in two tables:

- `upload_pages` (migration 0020): the result of each page read, one JSON body per (upload, page), written once (a
  page read twice keeps its first result: reading is deterministic), read by the join, deleted when the upload's
  documents are saved;
- `page_leases` (migration 0021): each page still to read, `queued` (its message waits in the broker) or `reading`
  (a worker holds it until `lease_until`, renewed by a heartbeat). A `reading` page past its lease lost its worker:
  the sweeper sends it again (workers/sweeper.py). Saving a page's result deletes its lease in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import SessionScope, as_utc, utcnow
from storage.models import Base


class UploadPageRow(Base):
    __tablename__ = "upload_pages"
    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PageLeaseRow(Base):
    __tablename__ = "page_leases"
    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    pages: Mapped[int] = mapped_column(Integer)  # the file's page count, for the page's message
    status: Mapped[str] = mapped_column(String(16))  # queued | reading
    reads: Mapped[int] = mapped_column(Integer, default=0)  # claims taken: a page that kills its worker is capped
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class PageResults(SessionScope):
    def save(self, upload_id: str, page: int, body: dict[str, Any]) -> bool:
        """False when the page was saved already (a duplicate delivery, or a page sent again). Either way the
        page's lease is gone: nothing is left to read."""
        lease = delete(PageLeaseRow).where(PageLeaseRow.upload_id == upload_id, PageLeaseRow.page == page)
        try:
            with self.session() as s:
                s.add(UploadPageRow(upload_id=upload_id, page=page, body=body, created_at=utcnow()))
                s.flush()
                s.execute(lease)
        except IntegrityError:
            with self.session() as s:
                s.execute(lease)
            return False
        return True

    def has(self, upload_id: str, page: int) -> bool:
        with self.session() as s:
            return s.get(UploadPageRow, (upload_id, page)) is not None

    def numbers(self, upload_id: str) -> set[int]:
        with self.session() as s:
            return set(s.scalars(select(UploadPageRow.page).where(UploadPageRow.upload_id == upload_id)))

    def count(self, upload_id: str) -> int:
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(UploadPageRow).where(UploadPageRow.upload_id == upload_id)) or 0

    def bodies(self, upload_id: str) -> list[dict[str, Any]]:
        with self.session() as s:
            return list(s.scalars(select(UploadPageRow.body).where(UploadPageRow.upload_id == upload_id)
                                  .order_by(UploadPageRow.page)))

    def forget(self, upload_id: str) -> None:
        """The upload's page results and leases, once its documents are saved (or it failed)."""
        with self.session() as s:
            s.execute(delete(UploadPageRow).where(UploadPageRow.upload_id == upload_id))
            s.execute(delete(PageLeaseRow).where(PageLeaseRow.upload_id == upload_id))


class PageLeases(SessionScope):
    """Who reads which page (workers/fanout.py claims and renews, workers/sweeper.py sends lost pages again).
    Every change is a compare-and-set, so two workers never hold the same page's live lease."""

    def send(self, upload_id: str, pages: int, numbers: list[int]) -> list[int]:
        """Marks `numbers` queued for their messages and returns those to send: a page a live worker is reading
        is left to it (an upload claimed again after its join's worker died does not read it twice)."""
        now, out = utcnow(), []
        with self.session() as s:
            held = {r.page: r for r in s.scalars(select(PageLeaseRow).where(PageLeaseRow.upload_id == upload_id))}
            for number in numbers:
                row = held.get(number)
                if row is None:
                    s.add(PageLeaseRow(upload_id=upload_id, page=number, pages=pages, status="queued", reads=0))
                elif row.status == "reading" and as_utc(row.lease_until) > now:
                    continue
                else:
                    row.status, row.lease_until = "queued", None
                out.append(number)
        return out

    def claim(self, upload_id: str, page: int, pages: int, lease_seconds: float) -> bool:
        """Take the page for `lease_seconds` (a page task, before reading). False while another worker's lease on
        it is live: a second delivery of the same message does not read the page again meanwhile."""
        now = utcnow()
        until = now + dt.timedelta(seconds=lease_seconds)
        with self.session() as s:
            result = s.execute(
                update(PageLeaseRow)
                .where(PageLeaseRow.upload_id == upload_id, PageLeaseRow.page == page,
                       or_(PageLeaseRow.status == "queued", PageLeaseRow.lease_until < now))
                .values(status="reading", lease_until=until, reads=PageLeaseRow.reads + 1))
            if result.rowcount == 1:
                return True
            if s.get(PageLeaseRow, (upload_id, page)) is not None:
                return False
        try:  # a message sent before page leases existed: its page gets one now
            with self.session() as s:
                s.add(PageLeaseRow(upload_id=upload_id, page=page, pages=pages, status="reading", reads=1,
                                   lease_until=until))
        except IntegrityError:
            return False
        return True

    def renew(self, upload_id: str, page: int, lease_seconds: float) -> bool:
        """The page task's heartbeat."""
        with self.session() as s:
            result = s.execute(
                update(PageLeaseRow)
                .where(PageLeaseRow.upload_id == upload_id, PageLeaseRow.page == page, PageLeaseRow.status == "reading")
                .values(lease_until=utcnow() + dt.timedelta(seconds=lease_seconds)))
            return result.rowcount == 1

    def expired(self) -> list[PageLeaseRow]:
        """Pages being read past their lease: their worker died (or hung past the hard time limit)."""
        with self.session() as s:
            return list(s.scalars(select(PageLeaseRow).where(PageLeaseRow.status == "reading",
                                                             PageLeaseRow.lease_until < utcnow())))

    def requeue(self, upload_id: str, page: int) -> bool:
        """The sweeper, before sending the page again: only while its lease is still expired (no late heartbeat)."""
        with self.session() as s:
            result = s.execute(
                update(PageLeaseRow)
                .where(PageLeaseRow.upload_id == upload_id, PageLeaseRow.page == page,
                       and_(PageLeaseRow.status == "reading", PageLeaseRow.lease_until < utcnow()))
                .values(status="queued", lease_until=None))
            return result.rowcount == 1

    def pending(self, upload_id: str) -> int:
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(PageLeaseRow).where(PageLeaseRow.upload_id == upload_id)) or 0

    def forget(self, upload_id: str) -> None:
        with self.session() as s:
            s.execute(delete(PageLeaseRow).where(PageLeaseRow.upload_id == upload_id))

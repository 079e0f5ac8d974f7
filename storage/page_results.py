"""The results of an upload's pages read by page tasks (workers/fanout.py): one JSON body per (upload, page),
written once (a page read twice keeps its first result: reading is deterministic), read by the join, and deleted
when the upload's documents are saved. Table `upload_pages` (migration 0020)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import SessionScope, utcnow
from storage.models import Base


class UploadPageRow(Base):
    __tablename__ = "upload_pages"
    upload_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    page: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PageResults(SessionScope):
    def save(self, upload_id: str, page: int, body: dict[str, Any]) -> bool:
        """False when the page was saved already (a duplicate delivery, or a page sent again)."""
        try:
            with self.session() as s:
                s.add(UploadPageRow(upload_id=upload_id, page=page, body=body, created_at=utcnow()))
        except IntegrityError:
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
        with self.session() as s:
            s.execute(delete(UploadPageRow).where(UploadPageRow.upload_id == upload_id))

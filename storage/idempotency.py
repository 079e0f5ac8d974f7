"""Stored answers of idempotent POSTs: one row per caller and Idempotency-Key. The unique constraint decides
the one winner among parallel duplicates; the winner stores its answer, the others read it. Who calls it:
api/idempotency.py (the middleware)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.db import SessionScope, as_utc, utcnow
from storage.models import IdempotencyKey

RETENTION = dt.timedelta(hours=24)
ABANDONED = dt.timedelta(minutes=10)  # a `running` row this old belongs to a process that died: taken over


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    state: str  # running | done
    status: int | None
    content_type: str | None
    body: bytes | None


class IdempotencyStore(SessionScope):
    def claim(self, owner: str, key: str, fingerprint: str) -> Stored | None:
        """None when this call won the key (a `running` row is now committed); else the row that is there.
        A row older than 24 hours, or abandoned while running, is forgotten first."""
        now = utcnow()
        with self.session() as s:
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - RETENTION))  # anyone's: expired
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key,
                                                   IdempotencyKey.state == "running",
                                                   IdempotencyKey.created_at < now - ABANDONED))
        try:
            with self.session() as s:
                s.add(IdempotencyKey(owner=owner, key=key, fingerprint=fingerprint, state="running", created_at=now))
            return None
        except IntegrityError:  # another call holds the key (or just gave it up: then say it is still running)
            return self.get(owner, key) or Stored(fingerprint, "running", None, None, None)

    def get(self, owner: str, key: str) -> Stored | None:
        with self.session() as s:
            row = s.scalars(select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)).first()
            if row is None or as_utc(row.created_at) < utcnow() - RETENTION:
                return None
            return Stored(row.fingerprint, row.state, row.status, row.content_type, row.body)

    def finish(self, owner: str, key: str, status: int, content_type: str | None, body: bytes) -> None:
        with self.session() as s:
            row = s.scalars(select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)).first()
            if row is None:  # taken over as abandoned meanwhile: the newer run keeps its own answer
                return
            row.state, row.status, row.content_type, row.body = "done", status, content_type, body

    def release(self, owner: str, key: str) -> None:
        """The work failed on our side (5xx or a crash): forget the key so that a retry does the work."""
        with self.session() as s:
            s.execute(delete(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key,
                                                   IdempotencyKey.state == "running"))

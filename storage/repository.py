"""Repository: every query of the service lives here (routes and tasks never write SQL).

The database is the source of truth for pending work: an upload is committed `queued` before it is
enqueued; a task claims it by compare-and-set; a sweeper re-enqueues rows stuck past their lease.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Text, and_, cast, delete, false, or_, select, text, update

from pipeline.models import Document
from storage.db import SessionScope, as_utc, utcnow
from storage.models import ApiKey, AuditEvent, CaseRow, DocumentRow, UploadRow
from storage.webhooks import record_event
from storage.paging import Keyset, Scope

GENESIS = "0" * 64
UPLOAD_KEYS = Keyset((UploadRow.received_at, UploadRow.id))  # GET /api/v1/uploads walks uploads in this order
AUDIT_KEYS = Keyset((AuditEvent.id,))  # ids only grow (one writer at a time: the advisory lock below)
AUDIT_LOCK = 0x79636175  # "ycau": the advisory lock that serialises audit appends on PostgreSQL


@dataclass(frozen=True)
class Identity:
    """Who is calling: an API key's row id, role and hall; the scopes that narrow the role (None: its full rights)
    and the halls whose cases an integrator key reads (storage/keys.py)."""

    key_id: str
    role: str
    hall: str
    label: str = ""
    scopes: frozenset[str] | None = None
    halls: tuple[str, ...] = ()

    def can_see(self, row) -> bool:
        """An upload or case row: applicants and integrators see their own, an integrator also those of the halls
        its key is bound to (reads only: api/auth.py current_identity drops the binding on other methods); clerks
        and reviewers their hall's; admins all."""
        if self.role == "admin":
            return True
        if self.role in ("applicant", "integrator"):
            return row.owner_key_id == self.key_id or (self.role == "integrator" and row.hall in self.halls)
        return row.hall == self.hall


class Repository(SessionScope):
    # --- keys -------------------------------------------------------------------------------

    def add_key(self, *, key_id: str, key_hash: str, role: str, hall: str, label: str) -> str:
        row_id = str(uuid.uuid4())
        with self.session() as s:
            s.add(ApiKey(id=row_id, key_id=key_id, key_hash=key_hash, role=role, hall=hall, label=label, created_at=utcnow()))
        return row_id

    def key_by_public_id(self, key_id: str) -> ApiKey | None:
        with self.session() as s:
            return s.scalars(select(ApiKey).where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))).first()

    def has_active_admin(self) -> bool:
        """An admin key that still works (not revoked, not expired): `serve` writes a first admin key otherwise."""
        with self.session() as s:
            return s.scalars(select(ApiKey.id).where(
                ApiKey.role == "admin", ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > utcnow()))).first() is not None

    # --- uploads ----------------------------------------------------------------------------

    def forget_upload(self, upload_id: str) -> list[str]:
        """Delete an upload that is not to be kept (a synchronous verify without `store`) and its documents.
        Returns the object keys (original, page images) that no other upload or document refers to any more,
        for the caller to delete from the store."""
        with self.session() as s:
            row = s.get(UploadRow, upload_id)
            if row is None:
                return []
            bodies = list(s.scalars(select(DocumentRow.body).where(DocumentRow.upload_id == upload_id)))
            keys = {row.object_key} | {k for body in bodies for k in body.get("image_keys", [])}
            s.execute(delete(DocumentRow).where(DocumentRow.upload_id == upload_id))
            s.delete(row)
            s.flush()
            shared = set(s.scalars(select(UploadRow.object_key).where(UploadRow.object_key.in_(keys))))
            for key in keys - shared:
                if s.scalar(select(DocumentRow.id).where(cast(DocumentRow.body, Text).contains(key)).limit(1)):
                    shared.add(key)
            return sorted(keys - shared)

    def get_upload(self, upload_id: str) -> UploadRow | None:
        with self.session() as s:
            return s.get(UploadRow, upload_id)

    def mark_enqueued(self, upload_id: str, at: dt.datetime | None = None) -> None:
        with self.session() as s:
            s.execute(update(UploadRow).where(UploadRow.id == upload_id).values(enqueued_at=at or utcnow()))

    def claim(self, upload_id: str, lease_seconds: int, max_attempts: int) -> UploadRow | None:
        """Compare-and-set: take a queued row, or a processing row whose lease ran out. A duplicate
        delivery of a row someone else holds, or a finished row, gets None and does nothing."""
        now = utcnow()
        with self.session() as s:
            result = s.execute(
                update(UploadRow)
                .where(
                    UploadRow.id == upload_id,
                    UploadRow.attempts < max_attempts,
                    or_(UploadRow.status == "queued", and_(UploadRow.status == "processing", UploadRow.lease_until < now)),
                )
                .values(status="processing", attempts=UploadRow.attempts + 1, lease_until=now + dt.timedelta(seconds=lease_seconds))
            )
            if result.rowcount != 1:
                return None
            return s.get(UploadRow, upload_id)

    def renew_lease(self, upload_id: str, attempt: int, lease_seconds: float) -> bool:
        """The worker's heartbeat: extend the lease of a claim it still holds (compare-and-set on the attempt
        number, which every claim increments). False when the claim was lost (the row was taken again)."""
        with self.session() as s:
            result = s.execute(
                update(UploadRow).where(UploadRow.id == upload_id, UploadRow.status == "processing",
                                        UploadRow.attempts == attempt)
                .values(lease_until=utcnow() + dt.timedelta(seconds=lease_seconds)))
            return result.rowcount == 1

    def finish(self, upload_id: str, documents: Sequence[Document], attempt: int | None = None) -> bool:
        """Save the documents and mark the upload done, unless someone else finished it first (or, with
        `attempt`, took it over after this claim's lease ran out)."""
        now = utcnow()
        with self.session() as s:
            result = s.execute(
                update(UploadRow).where(*_held(upload_id, attempt))
                .values(status="done", finished_at=now, lease_until=None)
            )
            if result.rowcount != 1:
                return False
            add_documents(s, upload_id, documents, now)
            record_event(s, "upload.done", {"upload_id": upload_id, "case_id": _case_of(s, upload_id), "status": "done"})
            return True

    def fail(self, upload_id: str, code: str, message: str, attempt: int | None = None) -> None:
        condition = _held(upload_id, attempt) if attempt is not None else (UploadRow.id == upload_id, UploadRow.status != "done")
        with self.session() as s:
            result = s.execute(update(UploadRow).where(*condition)
                               .values(status="failed", error_code=code, error_message=message, finished_at=utcnow(), lease_until=None))
            if result.rowcount == 1:
                record_event(s, "upload.done", {"upload_id": upload_id, "case_id": _case_of(s, upload_id),
                                                "status": "failed", "error_code": code})

    def requeue(self, upload_id: str, attempt: int | None = None, *, only_expired: bool = False) -> bool:
        """Back to `queued` (the caller sends a message). With `attempt`, only while that claim still holds it;
        `only_expired` (the sweeper): only when no heartbeat renewed the lease meanwhile."""
        condition = _held(upload_id, attempt) + ((UploadRow.lease_until < utcnow(),) if only_expired else ())
        with self.session() as s:
            result = s.execute(update(UploadRow).where(*condition).values(status="queued", lease_until=None))
            return result.rowcount == 1

    def stuck(self, queued_after: int) -> list[UploadRow]:
        """Rows whose worker died (processing past the lease: no heartbeat renewed it) or whose message was
        lost (queued and last enqueued more than `queued_after` seconds ago)."""
        now = utcnow()
        with self.session() as s:
            return list(s.scalars(select(UploadRow).where(or_(
                and_(UploadRow.status == "processing", UploadRow.lease_until < now),
                and_(UploadRow.status == "queued", or_(UploadRow.enqueued_at.is_(None),
                                                      UploadRow.enqueued_at < now - dt.timedelta(seconds=queued_after)))),
            )))

    def cases_awaiting_assessment(self, grace_seconds: int) -> list[tuple[str, str]]:
        """(case id, queue) of cases with an upload that finished more than `grace_seconds` ago but after the
        case's last assessment: the `assess_case` message was lost (embedded brokers lose it with its worker)."""
        cutoff = utcnow() - dt.timedelta(seconds=grace_seconds)
        with self.session() as s:
            rows = s.execute(select(UploadRow.case_id, UploadRow.queue).join(CaseRow, CaseRow.id == UploadRow.case_id).where(
                UploadRow.status.in_(("done", "failed")), UploadRow.finished_at < cutoff,
                or_(CaseRow.assessed_at.is_(None), CaseRow.assessed_at < UploadRow.finished_at)))
            return sorted(set((case_id, queue) for case_id, queue in rows))

    def documents_of(self, upload_id: str) -> list[Document]:
        """The upload's documents in file order, validated here once (callers never re-read the JSON)."""
        with self.session() as s:
            rows = s.scalars(select(DocumentRow.body).where(DocumentRow.upload_id == upload_id).order_by(DocumentRow.position))
            return [Document.model_validate(body) for body in rows]

    def upload_page(self, position: tuple[Any, ...] | None, limit: int, *, scope: Scope, status: str | None = None,
                    case_id: str | None = None) -> list[UploadRow]:
        """One page of the uploads `scope` may see, oldest first by (received_at, id), after `position` (an
        `UPLOAD_KEYS` position). Who calls it: GET /api/v1/uploads."""
        query = scope.where(select(UploadRow), UploadRow)
        if status is not None:
            query = query.where(UploadRow.status == status)
        if case_id is not None:
            query = query.where(UploadRow.case_id == case_id)
        with self.session() as s:
            return UPLOAD_KEYS.page(s, query, position, limit)

    # --- audit ------------------------------------------------------------------------------

    def audit_page(self, position: tuple[Any, ...] | None, limit: int, *, case_id: str | None = None,
                   actor: str | None = None, action: str | None = None, target_type: str | None = None,
                   target_id: str | None = None) -> list[AuditEvent]:
        """One page of the audit trail in the order it was written (by id), after `position` (an `AUDIT_KEYS`
        position). `case_id`: the events whose target is that case. Who calls it: GET /api/v1/audit."""
        query = select(AuditEvent)
        if case_id is not None:
            target_type, target_id = "case", case_id
        for column, value in ((AuditEvent.actor, actor), (AuditEvent.action, action),
                              (AuditEvent.target_type, target_type), (AuditEvent.target_id, target_id)):
            if value is not None:
                query = query.where(column == value)
        with self.session() as s:
            return AUDIT_KEYS.page(s, query, position, limit)

    def last_audit(self, action: str, target_type: str, target_id: str) -> AuditEvent | None:
        """The newest audit event of this action on this target (the counter's current case: api/counters.py)."""
        with self.session() as s:
            return s.scalars(select(AuditEvent).where(AuditEvent.target_type == target_type, AuditEvent.target_id == target_id,
                                                      AuditEvent.action == action)
                             .order_by(AuditEvent.id.desc()).limit(1)).first()

    def audit(self, actor: Identity | None, action: str, target_type: str, target_id: str, **detail: Any) -> None:
        """Append to the audit trail, chained to the previous row by SHA-256. Serialised per database, before
        the newest hash is read: a transaction-scoped advisory lock on PostgreSQL (locking the newest row left
        the first rows of an empty trail unserialised), SQLite's write lock taken by an empty UPDATE (a plain
        read first would chain two parallel writers to the same previous row)."""
        at = utcnow()
        request_id = structlog.contextvars.get_contextvars().get("request_id")  # bound by api/request_id.py
        with self.session() as s:
            if s.bind.dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
            else:
                s.execute(update(AuditEvent).where(false()).values(action=AuditEvent.action))
            previous = s.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first() or GENESIS
            payload = {
                "at": at.isoformat(), "actor": actor.key_id if actor else "system", "role": actor.role if actor else "system",
                "action": action, "target_type": target_type, "target_id": target_id, "detail": detail,
                **({"request_id": request_id} if request_id else {}),  # chained too; rows before 0010 have none
            }
            digest = hashlib.sha256((previous + json.dumps(payload, sort_keys=True, ensure_ascii=False)).encode()).hexdigest()
            s.add(AuditEvent(at=at, actor=payload["actor"], role=payload["role"], action=action, target_type=target_type,
                             target_id=target_id, detail=detail, prev_hash=previous, hash=digest, request_id=request_id))

    def audit_chain_ok(self) -> bool:
        with self.session() as s:
            previous = GENESIS
            for row in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
                payload = {"at": as_utc(row.at).isoformat(), "actor": row.actor, "role": row.role, "action": row.action,
                           "target_type": row.target_type, "target_id": row.target_id, "detail": row.detail,
                           **({"request_id": row.request_id} if row.request_id else {})}
                digest = hashlib.sha256((previous + json.dumps(payload, sort_keys=True, ensure_ascii=False)).encode()).hexdigest()
                if row.prev_hash != previous or row.hash != digest:
                    return False
                previous = row.hash
            return True


def _held(upload_id: str, attempt: int | None) -> tuple:
    """The row while it is being processed, and with `attempt` only under that claim."""
    condition = (UploadRow.id == upload_id, UploadRow.status == "processing")
    return condition + ((UploadRow.attempts == attempt,) if attempt is not None else ())


def add_documents(s, upload_id: str, documents: Sequence[Document], at: dt.datetime) -> None:
    """The one place document rows are written, in the caller's transaction: a worker's result
    (Repository.finish) and a chip-reader record (storage.cases.CaseRepository.add_upload). The one place a
    Document becomes JSON on its way into the database."""
    for position, document in enumerate(documents):
        s.add(DocumentRow(id=document.id, upload_id=upload_id, position=position, type=document.type,
                          body=document.model_dump(mode="json"), created_at=at))


def _case_of(s, upload_id: str) -> str | None:
    return s.scalars(select(UploadRow.case_id).where(UploadRow.id == upload_id)).first()

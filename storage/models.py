"""Database tables (SQLAlchemy 2). SQLite by default, PostgreSQL by URL; schema by Alembic migrations."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipeline.service_item import ServiceItem


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, dt.datetime: DateTime(timezone=True)}


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)  # public part of the key
    key_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of the whole key under the secret
    role: Mapped[str] = mapped_column(String(16))
    hall: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    # Keys as a product (migration 0013, storage/keys.py):
    expires_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]
    scopes: Mapped[list[str] | None] = mapped_column(JSON)  # None: the role's full rights
    halls: Mapped[list[str] | None] = mapped_column(JSON)  # halls whose cases an integrator key reads
    previous_key_hash: Mapped[str | None] = mapped_column(String(64))  # a rotated-out secret, valid until …
    previous_valid_until: Mapped[dt.datetime | None]


class UploadRow(Base):
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(36), ForeignKey("api_keys.id"))
    hall: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(36))
    object_key: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(500))  # may carry a person's name: never logged
    media_type: Mapped[str | None] = mapped_column(String(100))
    material_hint: Mapped[str | None] = mapped_column(String(64))
    person_hint: Mapped[str | None] = mapped_column(String(32))
    queue: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # queued | processing | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime]
    enqueued_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_uploads_status", "status"), Index("ix_uploads_owner", "owner_key_id"),
                      Index("ix_uploads_case", "case_id"), Index("ix_uploads_received", "received_at", "id"))


class DocumentRow(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    upload_id: Mapped[str] = mapped_column(String(36), ForeignKey("uploads.id"))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]]  # the document object of the result JSON (schema_version inside)
    created_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_documents_upload", "upload_id"),)


class AuditEvent(Base):
    """Insert-only (database triggers refuse UPDATE and DELETE); each row chained to the previous by hash."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(36))  # api key id, or "system"
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))  # the API request's X-Request-ID (migration 0010)

    __table_args__ = (Index("ix_audit_target", "target_type", "target_id", "id"), Index("ix_audit_actor", "actor", "id"))


class IdempotencyKey(Base):
    """A POST with an Idempotency-Key: one row per caller and key (the unique constraint picks one winner among
    parallel duplicates), holding the first answer for 24 hours (storage/idempotency.py)."""

    __tablename__ = "idempotency_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(36))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # running | done
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("owner", "key", name="uq_idempotency_owner_key"),
                      Index("ix_idempotency_created", "created_at"))


class CaseRow(Base):
    """A case (办件): the service item version it was created with (snapshot), the situation, the applicant.
    `version` is the row version for optimistic concurrency: every saved assessment increments it."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(36), ForeignKey("api_keys.id"))
    hall: Mapped[str] = mapped_column(String(64))
    item_code: Mapped[str] = mapped_column(String(100))
    item_version: Mapped[int] = mapped_column(Integer)
    item: Mapped[dict[str, Any]]  # the service item as it was when the case was created (its JSON snapshot)
    situation: Mapped[str] = mapped_column(String(64))
    applicant: Mapped[dict[str, Any]]  # personal data: shown only to authorised roles, never logged
    status: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str | None] = mapped_column(String(32))
    assessed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    # The case lifecycle (migration 0004; rows, events and acts in storage/case_records.py):
    case_number: Mapped[str | None] = mapped_column(String(100), unique=True)  # readable, per hall and year
    query_code: Mapped[str | None] = mapped_column(String(16))  # printed on notices for checking progress
    agent: Mapped[dict[str, Any] | None]  # 代理人: personal data, never logged
    outcome: Mapped[str | None] = mapped_column(String(16))  # decided: approved | refused

    __table_args__ = (Index("ix_cases_owner", "owner_key_id"), Index("ix_cases_hall", "hall"),
                      Index("ix_cases_created", "created_at", "id"))

    @cached_property
    def service_item(self) -> ServiceItem:
        """The item snapshot as the typed stage object, validated once per loaded row; everything in the
        process reads this (the pages' templates too), `item` is only its stored JSON."""
        return ServiceItem.model_validate(self.item)


class AssessmentRow(Base):
    """Every saved assessment of a case, by case version (insert-only in practice: the latest is the highest)."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)
    item_version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]]  # the `case` object of the result JSON
    created_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_assessments_case_version"),)


class WebhookSubscription(Base):
    """An integrator's (or an admin's) webhook (migration 0014, storage/webhooks.py). `secret_sealed` is the
    signing secret encrypted under the service's secret key (workers/webhooks.py): never shown after creation."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_key_id: Mapped[str] = mapped_column(String(36), ForeignKey("api_keys.id"))
    role: Mapped[str] = mapped_column(String(16))  # the owner's role and hall when it subscribed
    hall: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[dict[str, Any]]  # {"events": [...]}: a JSON object, the same on SQLite and PostgreSQL
    secret_sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    deleted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_webhook_subscriptions_owner", "owner_key_id"),)


class WebhookDelivery(Base):
    """One event sent to one subscription: the exact body signed, the attempts and their answers."""

    __tablename__ = "webhook_deliveries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(String(36), ForeignKey("webhook_subscriptions.id"))
    event: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(36))  # the same for every delivery of one event (redeliveries)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    lease_until: Mapped[dt.datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    attempt_log: Mapped[dict[str, Any]]  # {"attempts": [{"at", "status_code", "error", "ms"}, ...]}
    redelivery_of: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime]
    last_attempt_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
                      Index("ix_webhook_deliveries_due", "status", "next_attempt_at"))

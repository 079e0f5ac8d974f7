"""Tables of the case lifecycle (migration 0004): transitions with who/when/opinion, people's acts that keep
the machine's value beside the person's, per-hall case-number counters, and uploads superseded by a
correction round (kept on record, no longer assessed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class CaseEventRow(Base):
    """One transition of a case: who, when, which step, the opinion/reason, and what the machine recommended."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(36))  # api key row id, or "system"
    role: Mapped[str] = mapped_column(String(16))
    actor_label: Mapped[str] = mapped_column(String(200))  # the clerk's number as printed on notices
    act: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str | None] = mapped_column(String(32))
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_case_events_case", "case_id", "id"),)


class CaseActRow(Base):
    """A person's act on a case's readings or materials: a field correction, a finding confirmed or dismissed,
    a material checked by hand, originals seen, the 容缺 commitment. `machine_value` and `person_value` sit
    side by side; nothing is overwritten (a later act on the same target wins)."""

    __tablename__ = "case_acts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))  # field | finding | manual_check | original_seen | commitment
    document_id: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64))
    finding: Mapped[str | None] = mapped_column(String(64))
    material: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(16))
    machine_value: Mapped[Any | None] = mapped_column(JSON)
    person_value: Mapped[Any | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_case_acts_case", "case_id", "id"),)


class CaseNumberRow(Base):
    """The last case number given out per hall and year."""

    __tablename__ = "case_numbers"
    hall: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class SupersededUploadRow(Base):
    """An upload replaced by a resubmission in a later correction round: kept on record, no longer assessed."""

    __tablename__ = "case_superseded_uploads"
    upload_id: Mapped[str] = mapped_column(String(36), ForeignKey("uploads.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    material: Mapped[str] = mapped_column(String(64))
    superseded_by: Mapped[str] = mapped_column(String(36))
    round: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_case_superseded_case", "case_id"),)

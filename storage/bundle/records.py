"""What a bundle is made of, read from the database, and the record of every bundle built.

`BundleRepository.content(case_id)` reads, in one transaction, the case, its latest assessment (whose materials
are in checklist order), the documents that assessment names with the uploads they came from, the transitions
people made (case_events: who decided what, when, why) and their acts on readings and materials (case_acts: the
machine's value beside the person's). The case lifecycle lives in storage/cases.py and storage/case_records.py;
this module only reads their tables, with its own queries.

`case_bundles` keeps one row per bundle built; the PDF itself sits in the object store (content-addressed,
never overwritten), so every earlier version stays retrievable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pipeline.case_states import BY_ACT
from storage.case_records import CaseActRow, CaseEventRow
from storage.db import SessionScope, as_utc, utcnow
from storage.models import AssessmentRow, Base, CaseRow, DocumentRow, UploadRow
from storage.webhooks import record_event
from storage.paging import Keyset


class BundleRow(Base):
    __tablename__ = "case_bundles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    case_version: Mapped[int] = mapped_column(Integer)
    assessment_version: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of everything the bundle shows
    object_key: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    signer: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(36))  # api key row id of whoever asked first
    created_at: Mapped[dt.datetime]
    last_act: Mapped[str | None] = mapped_column(String(32))  # the latest transition it shows (migration 0012)

    __table_args__ = (UniqueConstraint("case_id", "case_version", "fingerprint", name="uq_case_bundles_content"),
                      Index("ix_case_bundles_case", "case_id", "case_version"))


BUNDLE_KEYS = Keyset((BundleRow.id,))  # GET /api/v1/cases/{id}/bundles: in the order built


# --- the content of one bundle ---------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """An original in the object store: an upload of the case or a licence file from the library."""

    object_key: str
    sha256: str
    media_type: str | None
    origin: str  # "upload" | "licence"


@dataclass(frozen=True)
class BundleDocument:
    body: dict[str, Any]  # the document object of the result JSON (image_keys included)
    source: SourceFile | None
    # the documents the assessment judged as part of this one (a clerk's join, a form's later page), in page order
    parts: tuple["BundleDocument", ...] = ()


@dataclass(frozen=True)
class BundleMaterial:
    result: dict[str, Any]  # the material of the assessment body (code, name, status, findings, licence …)
    documents: tuple[BundleDocument, ...]


@dataclass(frozen=True)
class Event:
    """A transition a person (or the deadline sweeper) made: who, when, which act, the reason (case_events)."""

    at: dt.datetime
    act: str
    actor: str  # the clerk's number / label as printed on notices
    role: str
    from_state: str
    to_state: str
    reason: str
    recommendation: str | None
    overridden: bool


@dataclass(frozen=True)
class PersonAct:
    """A person's act on a reading or a material (case_acts): the machine's value beside the person's."""

    at: dt.datetime
    kind: str  # field | finding | manual_check | original_seen | commitment
    role: str
    document: str | None
    field: str | None
    finding: str | None
    material: str | None
    action: str | None
    machine_value: Any
    person_value: Any
    reason: str


@dataclass(frozen=True)
class BundleContent:
    case_id: str
    hall: str
    case_number: str
    item_code: str
    item_name: str
    item_version: int
    situation: str
    situation_name: str
    status: str
    applicant: dict[str, Any]
    case_version: int
    assessment_version: int | None
    assessment: dict[str, Any]  # the assessment body (decision, findings, notice …)
    materials: tuple[BundleMaterial, ...]
    unassigned: tuple[BundleDocument, ...]
    events: tuple[Event, ...] = ()
    acts: tuple[PersonAct, ...] = ()
    agent: dict[str, Any] | None = None
    outcome: str | None = None

    def fingerprint(self) -> str:
        """Changes whenever anything the bundle shows changes (and only then)."""
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class BundleRecord:
    case_id: str
    case_version: int
    assessment_version: int | None
    fingerprint: str
    object_key: str
    sha256: str
    size: int
    signer: str
    created_at: dt.datetime
    id: int = 0  # the bundle's own identifier (/api/v1/cases/{id}/bundles/{bundle_id}.pdf)
    last_act: str | None = None  # the latest transition it shows (a bundle per case version and act)

    @classmethod
    def of(cls, row: BundleRow) -> "BundleRecord":
        return cls(row.case_id, row.case_version, row.assessment_version, row.fingerprint, row.object_key, row.sha256,
                   row.size, row.signer, as_utc(row.created_at), row.id, row.last_act)


class BundleRepository(SessionScope):
    # --- reading the case ---------------------------------------------------------------------

    def case(self, case_id: str) -> CaseRow | None:
        with self.session() as s:
            return s.get(CaseRow, case_id)

    def content(self, case_id: str, version: int | None = None) -> BundleContent | None:
        """Everything the bundle of case version `version` (default: the current one) shows, read in one
        transaction. An earlier version is rebuilt from insert-only records: its assessment, the documents it
        names, and the transitions and acts made before the next version was saved. None when the case or the
        version does not exist."""
        with self.session() as s:
            case = s.get(CaseRow, case_id)
            if case is None:
                return None
            version = case.version if version is None else version
            if not 0 <= version <= case.version:
                return None
            assessment = s.scalars(select(AssessmentRow).where(AssessmentRow.case_id == case_id,
                                                               AssessmentRow.version <= version)
                                   .order_by(AssessmentRow.version.desc()).limit(1)).first()
            cutoff = None if version == case.version else s.scalar(
                select(AssessmentRow.created_at).where(AssessmentRow.case_id == case_id, AssessmentRow.version > version)
                .order_by(AssessmentRow.version).limit(1))
            body = dict(assessment.body) if assessment is not None else {}
            joined = {head: list(parts) for head, parts in (body.get("joined") or {}).items()}
            wanted = [d for m in body.get("materials", []) for d in m.get("documents", [])] + list(body.get("unassigned", []))
            documents = self._documents(s, wanted + [t for parts in joined.values() for t in parts])
            documents = {d: replace(doc, parts=tuple(documents[t] for t in joined.get(d, ()) if t in documents))
                         for d, doc in documents.items()}
            materials = tuple(BundleMaterial(result=m, documents=tuple(documents[d] for d in m.get("documents", [])
                                                                       if d in documents))
                              for m in body.get("materials", []))
            unassigned = tuple(documents[d] for d in body.get("unassigned", []) if d in documents)
            event_query = select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)
            act_query = select(CaseActRow).where(CaseActRow.case_id == case_id).order_by(CaseActRow.id)
            if cutoff is not None:
                event_query = event_query.where(CaseEventRow.at < cutoff)
                act_query = act_query.where(CaseActRow.at < cutoff)
            events = tuple(Event(as_utc(e.at), e.act, e.actor_label or e.actor, e.role, e.from_state, e.to_state,
                                 e.reason or "", e.recommendation, bool(e.overridden))
                           for e in s.scalars(event_query))
            acts = tuple(PersonAct(as_utc(a.at), a.kind, a.role, a.document_id, a.field, a.finding, a.material, a.action,
                                   a.machine_value, a.person_value, a.reason or "")
                         for a in s.scalars(act_query))
            status, outcome = case.status, case.outcome
            if cutoff is not None:  # the state the case was in then
                status = events[-1].to_state if events else "received"
                last = BY_ACT.get(events[-1].act) if events else None
                outcome = last.outcome if last is not None and status == "decided" else None
            item = case.service_item
            situation = item.situation(case.situation)
            return BundleContent(
                case_id=case.id, hall=case.hall, case_number=case.case_number or case.id,
                item_code=case.item_code, item_name=item.name, item_version=case.item_version,
                situation=case.situation, situation_name=situation.name if situation else case.situation, status=status,
                applicant=dict(case.applicant or {}), case_version=version,
                assessment_version=assessment.version if assessment is not None else None, assessment=body,
                materials=materials, unassigned=unassigned, events=events, acts=acts,
                agent=dict(case.agent) if case.agent else None, outcome=outcome)

    @staticmethod
    def _documents(s: Session, ids: list[str]) -> dict[str, BundleDocument]:
        if not ids:
            return {}
        rows = s.execute(select(DocumentRow.id, DocumentRow.body, UploadRow.object_key, UploadRow.sha256,
                                UploadRow.media_type)
                         .join(UploadRow, DocumentRow.upload_id == UploadRow.id).where(DocumentRow.id.in_(set(ids))))
        return {doc_id: BundleDocument(body=body, source=SourceFile(key, sha, media, "upload"))
                for doc_id, body, key, sha, media in rows}

    # --- bundles ------------------------------------------------------------------------------

    def find(self, case_id: str, case_version: int, fingerprint: str) -> BundleRecord | None:
        with self.session() as s:
            row = s.scalars(select(BundleRow).where(BundleRow.case_id == case_id, BundleRow.case_version == case_version,
                                                    BundleRow.fingerprint == fingerprint)).first()
            return BundleRecord.of(row) if row else None

    def first(self, case_id: str, case_version: int) -> BundleRecord | None:
        """The bundle first served for a case version: what `?version=N` keeps returning."""
        with self.session() as s:
            row = s.scalars(select(BundleRow).where(BundleRow.case_id == case_id, BundleRow.case_version == case_version)
                            .order_by(BundleRow.id).limit(1)).first()
            return BundleRecord.of(row) if row else None

    def get(self, case_id: str, bundle_id: int) -> BundleRecord | None:
        with self.session() as s:
            row = s.get(BundleRow, bundle_id)
            return BundleRecord.of(row) if row is not None and row.case_id == case_id else None

    def latest(self, case_id: str, case_version: int | None = None) -> BundleRecord | None:
        """The newest bundle of the case (of one case version when given)."""
        with self.session() as s:
            query = select(BundleRow).where(BundleRow.case_id == case_id)
            if case_version is not None:
                query = query.where(BundleRow.case_version == case_version)
            row = s.scalars(query.order_by(BundleRow.case_version.desc(), BundleRow.id.desc()).limit(1)).first()
            return BundleRecord.of(row) if row else None

    def versions(self, case_id: str) -> list[BundleRecord]:
        with self.session() as s:
            rows = s.scalars(select(BundleRow).where(BundleRow.case_id == case_id).order_by(BundleRow.id))
            return [BundleRecord.of(r) for r in rows]

    def version_page(self, case_id: str, position: tuple[Any, ...] | None, limit: int) -> list[BundleRecord]:
        """One page of `versions`, after `position` (a `BUNDLE_KEYS` position). Who calls it: GET …/bundles."""
        with self.session() as s:
            return [BundleRecord.of(r) for r in BUNDLE_KEYS.page(s, select(BundleRow).where(BundleRow.case_id == case_id),
                                                               position, limit)]

    def record(self, content: BundleContent, fingerprint: str, *, object_key: str, sha256: str, size: int, signer: str,
               created_by: str) -> BundleRecord:
        """Save the record of a built bundle; when a concurrent request saved the same content first, its
        record wins (both PDFs are in the store; only one is named)."""
        row = BundleRow(case_id=content.case_id, case_version=content.case_version,
                        assessment_version=content.assessment_version, fingerprint=fingerprint, object_key=object_key,
                        sha256=sha256, size=size, signer=signer[:300], created_by=created_by, created_at=utcnow(),
                        last_act=content.events[-1].act if content.events else None)
        try:
            with self.session() as s:
                s.add(row)
                s.flush()  # the bundle's id, for the event
                record_event(s, "bundle.ready", {"case_id": row.case_id, "bundle_id": row.id, "case_version": row.case_version,
                                                 "sha256": row.sha256, "url": f"/api/v1/cases/{row.case_id}/bundles/{row.id}.pdf"})
        except IntegrityError:
            existing = self.find(content.case_id, content.case_version, fingerprint)
            if existing is None:
                raise
            return existing
        return BundleRecord.of(row)

"""Case repository: cases, the documents of their uploads, and versioned assessments.

Reassessment is optimistic: read the case's row version, then everything the assessment needs; compute;
save with `UPDATE … WHERE version = read version`; on a conflict read again and recompute. Because the
version is read before the documents, whichever save lands last was computed from documents read after
every earlier save, so concurrent uploads never lose a material (tests/storage/test_cases.py races it on
SQLite and PostgreSQL). Routes and tasks never write SQL; they call this.

The lifecycle (tables in storage/case_records.py): a readable per-hall case number given out at creation;
`transition` moves the state by compare-and-set and records who, when, the act, the opinion and what the
machine recommended; `record_act` keeps a person's value beside the machine's; uploads of a material resubmitted
in a later correction round supersede the earlier ones, which stay on record but are no longer assessed.

Read methods for other features (the case bundle, the API): `get`, `uploads`, `submitted` (assessed documents),
`all_submitted` (with superseded ones, marked), `latest`, `history` (assessments by version), `events`
(transitions, oldest first), `acts` (people's acts, oldest first), `superseded` (upload id -> record). Reads
return typed stage objects (`Submitted`, `Assessment`), validated once here; JSON is only what the database
holds and what the HTTP and page edges render.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.assessment import Assessment, CaseInput, PersonAct, Submitted
from pipeline.case_states import Transition
from pipeline.errors import InfrastructureError
from pipeline.interfaces import SHANGHAI
from pipeline.models import Document, Hints
from pipeline.service_item import ServiceItem
from storage.db import SessionScope, as_utc, utcnow
from storage.case_records import CaseActRow, CaseEventRow, CaseNumberRow, SupersededUploadRow
from storage.models import AssessmentRow, CaseRow, DocumentRow, UploadRow
from storage.repository import add_documents
from storage.webhooks import record_event
from storage.paging import Keyset, Scope

QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper
ROUND_STATES = ("correction", "suspended", "accepted_tolerance")  # entering one starts a resubmission round
ASSESSED_ACTS = ("field", "finding", "manual_check", "join", "split")
CASE_KEYS = Keyset((CaseRow.created_at, CaseRow.id))  # GET /api/v1/cases walks cases in this order

logger = logging.getLogger(__name__)


class CaseConflict(InfrastructureError):
    """Too many concurrent reassessments of one case in a row; the task retries later."""

    code = "case.conflict"
    message = "办件正在被同时更新，请稍后重试"


@dataclass(frozen=True)
class SavedAssessment:
    """A stored assessment of a case: the row version it was saved as, and the typed assessment."""

    version: int
    decision: str
    assessment: Assessment
    created_at: dt.datetime

    @classmethod
    def of(cls, row: AssessmentRow) -> "SavedAssessment":
        assessment = Assessment.from_case_dict(row.body, case_id=row.case_id, input_version=row.version - 1)
        return cls(row.version, row.decision, assessment, as_utc(row.created_at))


class CaseRepository(SessionScope):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.conflicts = 0  # how many saves lost a race (for tests and metrics)

    # --- cases --------------------------------------------------------------------------------

    def create(self, *, owner_key_id: str, hall: str, item: ServiceItem, situation: str,
               applicant: dict[str, Any], agent: dict[str, Any] | None = None, at: dt.datetime | None = None) -> CaseRow:
        """The case keeps `item` as it is now (its JSON snapshot). The case number is
        `<hall>-<year>-<sequence>`, unique, given out in the same transaction."""
        at = at or utcnow()
        year = as_utc(at).astimezone(SHANGHAI).year
        for attempt in range(10):
            try:
                with self.session() as s:
                    number = self._next_number(s, hall, year)
                    row = CaseRow(id=str(uuid.uuid4()), owner_key_id=owner_key_id, hall=hall, item_code=item.code,
                                  item_version=item.version, item=item.snapshot(), situation=situation, applicant=applicant,
                                  agent=agent, status="received", version=0, created_at=at,
                                  case_number=f"{hall}-{year}-{number:06d}",
                                  query_code="".join(secrets.choice(QUERY_ALPHABET) for _ in range(10)))
                    s.add(row)
                return row
            except IntegrityError:  # two first cases of a hall's year created at once: the loser counts again
                time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        raise CaseConflict(detail="case number")

    @staticmethod
    def _next_number(s: Session, hall: str, year: int) -> int:
        result = s.execute(update(CaseNumberRow).where(CaseNumberRow.hall == hall, CaseNumberRow.year == year)
                           .values(last=CaseNumberRow.last + 1).returning(CaseNumberRow.last)).first()
        if result is not None:
            return int(result[0])
        s.execute(insert(CaseNumberRow).values(hall=hall, year=year, last=1))
        s.flush()
        return 1

    def get(self, case_id: str) -> CaseRow | None:
        with self.session() as s:
            return s.get(CaseRow, case_id)

    def uploads(self, case_id: str) -> list[UploadRow]:
        with self.session() as s:
            return list(s.scalars(select(UploadRow).where(UploadRow.case_id == case_id)
                                  .order_by(UploadRow.received_at, UploadRow.id)))

    def submitted(self, case_id: str) -> list[Submitted]:
        """The documents of the case's finished uploads that are assessed (not superseded), in the order they
        were received, with their upload's id and hints; validated once here."""
        with self.session() as s:
            return self._submitted(s, case_id)

    def all_submitted(self, case_id: str) -> list[tuple[Submitted, bool]]:
        """(document with its upload, superseded) for every finished upload, superseded ones included."""
        with self.session() as s:
            gone = set(s.scalars(select(SupersededUploadRow.upload_id).where(SupersededUploadRow.case_id == case_id)))
            return [(d, d.upload_id in gone) for d in self._submitted(s, case_id, include_superseded=True)]

    def _submitted(self, s: Session, case_id: str, *, include_superseded: bool = False) -> list[Submitted]:
        query = (select(DocumentRow.body, UploadRow.id, UploadRow.material_hint, UploadRow.person_hint)
                 .join(UploadRow, DocumentRow.upload_id == UploadRow.id)
                 .where(UploadRow.case_id == case_id, UploadRow.status == "done")
                 .order_by(UploadRow.received_at, UploadRow.id, DocumentRow.position))
        if not include_superseded:
            query = query.where(UploadRow.id.not_in(select(SupersededUploadRow.upload_id)
                                                   .where(SupersededUploadRow.case_id == case_id)))
        return [Submitted(document=Document.model_validate(body), upload_id=upload_id,
                          hints=Hints(material=material, person=person))
                for body, upload_id, material, person in s.execute(query)]

    # --- assessment ---------------------------------------------------------------------------

    def load_input(self, case_id: str) -> CaseInput | None:
        """Everything the assessment reads, the row version first (see the module docstring)."""
        with self.session() as s:
            case = s.get(CaseRow, case_id)
            if case is None:
                return None
            version = case.version
            documents = self._submitted(s, case_id)
            acts = tuple(PersonAct(kind=a.kind, document=a.document_id, field=a.field, value=a.person_value,
                                   finding=a.finding, material=a.material, action=a.action, reason=a.reason, role=a.role)
                         for a in s.scalars(select(CaseActRow).where(CaseActRow.case_id == case_id,
                                                                     CaseActRow.kind.in_(ASSESSED_ACTS))
                                            .order_by(CaseActRow.id)))
            gone = select(SupersededUploadRow.upload_id).where(SupersededUploadRow.case_id == case_id)
            counts = dict(s.execute(select(UploadRow.status, func.count()).where(UploadRow.case_id == case_id,
                                                                                 UploadRow.id.not_in(gone))
                                    .group_by(UploadRow.status)).all())
            latest = s.scalar(select(func.max(UploadRow.received_at)).where(UploadRow.case_id == case_id))
        judged_at = as_utc(latest or case.created_at).astimezone(SHANGHAI)
        return CaseInput(case_id=case_id, item=case.service_item, situation=case.situation, judged_at=judged_at,
                         documents=tuple(documents), pending_uploads=counts.get("queued", 0) + counts.get("processing", 0),
                         failed_uploads=counts.get("failed", 0), version=version, acts=acts)

    def save(self, case_id: str, expected_version: int, assessment: Assessment) -> int | None:
        """Compare-and-set on the row version; returns the new version, or None when someone saved first."""
        now = utcnow()
        with self.session() as s:
            result = s.execute(update(CaseRow).where(CaseRow.id == case_id, CaseRow.version == expected_version)
                               .values(version=expected_version + 1, decision=assessment.decision, assessed_at=now))
            if result.rowcount != 1:
                return None
            s.add(AssessmentRow(case_id=case_id, version=expected_version + 1, item_version=assessment.item_version,
                                decision=assessment.decision, body=assessment.to_case_dict(), created_at=now))
            record_event(s, "case.assessed", {"case_id": case_id, "version": expected_version + 1,
                                              "decision": assessment.decision})
        return expected_version + 1

    def _mark_assessed(self, case_id: str, version: int) -> None:
        with self.session() as s:
            s.execute(update(CaseRow).where(CaseRow.id == case_id, CaseRow.version == version).values(assessed_at=utcnow()))

    def reassess(self, case_id: str, compute: Callable[[CaseInput], Assessment], *, attempts: int = 20) -> Assessment | None:
        """Recompute the case's assessment from the database and save it; idempotent (an unchanged result
        is not saved again). None when the case does not exist; CaseConflict after `attempts` lost races."""
        for attempt in range(attempts):
            case = self.load_input(case_id)
            if case is None:
                return None
            assessment = compute(case)
            if self._unchanged(case_id, case.version, assessment):
                self._mark_assessed(case_id, case.version)  # nothing changed; the sweeper sees it is current
                return assessment
            if self.save(case_id, case.version, assessment) is not None:
                return assessment
            self.conflicts += 1
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        logger.warning("case %s: gave up after %d conflicting reassessments", case_id, attempts)
        raise CaseConflict(detail=f"{attempts} conflicts")

    def _unchanged(self, case_id: str, version: int, assessment: Assessment) -> bool:
        """The latest stored assessment is of this row version and stores exactly what `assessment` would."""
        with self.session() as s:
            row = _latest_row(s, case_id)
            return row is not None and row.version == version and row.body == assessment.to_case_dict()

    def latest(self, case_id: str) -> SavedAssessment | None:
        with self.session() as s:
            row = _latest_row(s, case_id)
            return None if row is None else SavedAssessment.of(row)

    def history(self, case_id: str) -> list[SavedAssessment]:
        with self.session() as s:
            rows = s.scalars(select(AssessmentRow).where(AssessmentRow.case_id == case_id).order_by(AssessmentRow.version))
            return [SavedAssessment.of(r) for r in rows]

    # --- lifecycle ------------------------------------------------------------------------------

    def transition(self, case_id: str, transition: Transition, *, expected_state: str, actor: str, role: str,
                   actor_label: str, reason: str = "", recommendation: str | None = None, overridden: bool = False,
                   assessment_version: int | None = None, detail: dict[str, Any] | None = None,
                   at: dt.datetime | None = None) -> CaseEventRow | None:
        """Compare-and-set on the state: None when the case is no longer in `expected_state` (someone else acted
        first). Records the event in the same transaction."""
        at = at or utcnow()
        values: dict[str, Any] = {"status": transition.target}
        if transition.outcome is not None:
            values["outcome"] = transition.outcome
        with self.session() as s:
            result = s.execute(update(CaseRow).where(CaseRow.id == case_id, CaseRow.status == expected_state).values(**values))
            if result.rowcount != 1:
                return None
            event = CaseEventRow(case_id=case_id, at=at, actor=actor, role=role, actor_label=actor_label,
                                 act=transition.act, from_state=expected_state, to_state=transition.target, reason=reason,
                                 recommendation=recommendation, overridden=overridden,
                                 assessment_version=assessment_version, detail=detail or {})
            s.add(event)
            record_event(s, "case.transition", {"case_id": case_id, "act": transition.act, "from_state": expected_state,
                                                "to_state": transition.target, "outcome": transition.outcome})
        return event

    def record_act(self, case_id: str, *, actor: str, role: str, kind: str, at: dt.datetime | None = None,
                   **values: Any) -> CaseActRow:
        """A person's act; `machine_value` and `person_value` are kept side by side."""
        row = CaseActRow(case_id=case_id, at=at or utcnow(), actor=actor, role=role, kind=kind,
                         reason=values.pop("reason", "") or "", **values)
        with self.session() as s:
            s.add(row)
        return row

    def events(self, case_id: str) -> list[CaseEventRow]:
        """The case's transitions, oldest first."""
        with self.session() as s:
            return list(s.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id)))

    def acts(self, case_id: str) -> list[CaseActRow]:
        """People's acts on the case, oldest first."""
        with self.session() as s:
            return list(s.scalars(select(CaseActRow).where(CaseActRow.case_id == case_id).order_by(CaseActRow.id)))

    def superseded(self, case_id: str) -> dict[str, SupersededUploadRow]:
        """Uploads replaced by a resubmission, by upload id."""
        with self.session() as s:
            return {r.upload_id: r for r in s.scalars(select(SupersededUploadRow).where(SupersededUploadRow.case_id == case_id))}

    def in_states(self, states: tuple[str, ...], hall: str | None = None) -> list[CaseRow]:
        """Cases in any of `states` (a hall's queue, or every hall for the deadline sweeper), oldest first."""
        with self.session() as s:
            query = select(CaseRow).where(CaseRow.status.in_(states))
            if hall is not None:
                query = query.where(CaseRow.hall == hall)
            return list(s.scalars(query.order_by(CaseRow.created_at, CaseRow.id)))

    def page(self, position: tuple[Any, ...] | None, limit: int, *, scope: Scope, states: tuple[str, ...] | None = None,
             item: str | None = None, created_from: dt.datetime | None = None,
             created_to: dt.datetime | None = None) -> list[CaseRow]:
        """One page of the cases `scope` may see, oldest first by (created_at, id), after `position` (a
        `CASE_KEYS` position) and narrowed by the filters (`created_to` exclusive). Who calls it: GET /api/v1/cases."""
        query = scope.where(select(CaseRow), CaseRow)
        if states is not None:
            query = query.where(CaseRow.status.in_(states))
        if item is not None:
            query = query.where(CaseRow.item_code == item)
        if created_from is not None:
            query = query.where(CaseRow.created_at >= created_from)
        if created_to is not None:
            query = query.where(CaseRow.created_at < created_to)
        with self.session() as s:
            return CASE_KEYS.page(s, query, position, limit)

    # --- uploads into a case ---------------------------------------------------------------------

    def add_upload(self, documents: Sequence[Document] | None = None, **values: Any) -> tuple[UploadRow, list[str]]:
        """The one way an upload row is written (workers/cases/intake.py): `queued` for the worker, or, with
        `documents` (a chip-reader record), finished at once with them. With a case and a material hint in a
        correction round, the earlier uploads of that material are superseded in the same transaction. Returns
        the row and the superseded upload ids."""
        row = UploadRow(id=str(uuid.uuid4()), status="queued" if documents is None else "done", attempts=0, **values)
        with self.session() as s:
            s.add(row)
            s.flush()
            if documents is not None:
                add_documents(s, row.id, documents, row.received_at)
            gone = self._supersede(s, row)
        return row, gone

    def _supersede(self, s: Session, row: UploadRow) -> list[str]:
        if not row.case_id or not row.material_hint:
            return []
        rounds = list(s.scalars(select(CaseEventRow.at).where(CaseEventRow.case_id == row.case_id,
                                                              CaseEventRow.to_state.in_(ROUND_STATES))
                                .order_by(CaseEventRow.id)))
        if not rounds:
            return []  # first submission: front and back of a card arrive as separate uploads
        started = rounds[-1]
        already = select(SupersededUploadRow.upload_id).where(SupersededUploadRow.case_id == row.case_id)
        candidates = {u.id: u for u in s.scalars(select(UploadRow).where(
            UploadRow.case_id == row.case_id, UploadRow.id != row.id, UploadRow.received_at <= started,
            UploadRow.id.not_in(already)))}
        latest = _latest_row(s, row.case_id)
        material = SavedAssessment.of(latest).assessment.material(row.material_hint) if latest is not None else None
        assigned = set(material.documents) if material is not None else set()
        docs_by_upload: dict[str, set[str]] = {}
        for doc_id, upload_id in s.execute(select(DocumentRow.id, DocumentRow.upload_id)
                                           .where(DocumentRow.upload_id.in_(list(candidates)))):
            docs_by_upload.setdefault(upload_id, set()).add(doc_id)
        gone = []
        for upload_id, upload in candidates.items():
            docs = docs_by_upload.get(upload_id, set())
            if upload.material_hint == row.material_hint or (docs and docs <= assigned):
                s.add(SupersededUploadRow(upload_id=upload_id, case_id=row.case_id, material=row.material_hint,
                                          superseded_by=row.id, round=len(rounds), at=row.received_at))
                gone.append(upload_id)
        return gone


def _latest_row(s: Session, case_id: str) -> AssessmentRow | None:
    return s.scalars(select(AssessmentRow).where(AssessmentRow.case_id == case_id)
                     .order_by(AssessmentRow.version.desc()).limit(1)).first()

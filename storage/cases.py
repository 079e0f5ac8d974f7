"""Case repository: cases, the documents of their uploads, and versioned assessments.

Reassessment is optimistic: read the case's row version, then everything the assessment needs; compute;
save with `UPDATE … WHERE version = read version`; on a conflict read again and recompute. Because the
version is read before the documents, whichever save lands last was computed from documents read after
every earlier save, so concurrent uploads never lose a material (tests/storage/test_cases.py races it on
SQLite and PostgreSQL). Routes and tasks never write SQL; they call this.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from pipeline.assessment import Assessment, CaseInput, Submitted
from pipeline.errors import InfrastructureError
from pipeline.interfaces import SHANGHAI
from pipeline.models import Document, Hints
from storage.db import as_utc, utcnow
from storage.models import AssessmentRow, CaseRow, DocumentRow, UploadRow

logger = logging.getLogger(__name__)


class CaseConflict(InfrastructureError):
    """Too many concurrent reassessments of one case in a row; the task retries later."""

    code = "case.conflict"
    message = "办件正在被同时更新，请稍后重试"


@dataclass(frozen=True)
class SavedAssessment:
    version: int
    decision: str
    body: dict[str, Any]
    created_at: dt.datetime


class CaseRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.conflicts = 0  # how many saves lost a race (for tests and metrics)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # --- cases --------------------------------------------------------------------------------

    def create(self, *, owner_key_id: str, hall: str, item: dict[str, Any], situation: str,
               applicant: dict[str, Any]) -> CaseRow:
        """`item` is the service item's snapshot (validators.catalog.item_snapshot): the case keeps it."""
        row = CaseRow(id=str(uuid.uuid4()), owner_key_id=owner_key_id, hall=hall, item_code=item["code"],
                      item_version=int(item["version"]), item=item, situation=situation, applicant=applicant,
                      status="received", version=0, created_at=utcnow())
        with self.session() as s:
            s.add(row)
        return row

    def get(self, case_id: str) -> CaseRow | None:
        with self.session() as s:
            return s.get(CaseRow, case_id)

    def uploads(self, case_id: str) -> list[UploadRow]:
        with self.session() as s:
            return list(s.scalars(select(UploadRow).where(UploadRow.case_id == case_id)
                                  .order_by(UploadRow.received_at, UploadRow.id)))

    def documents(self, case_id: str) -> list[dict[str, Any]]:
        """The document objects of the case's finished uploads, in the order they were received."""
        with self.session() as s:
            return [body for body, *_ in self._documents(s, case_id)]

    def _documents(self, s: Session, case_id: str) -> list[tuple[dict[str, Any], str, str | None, str | None]]:
        rows = s.execute(
            select(DocumentRow.body, UploadRow.id, UploadRow.material_hint, UploadRow.person_hint)
            .join(UploadRow, DocumentRow.upload_id == UploadRow.id)
            .where(UploadRow.case_id == case_id, UploadRow.status == "done")
            .order_by(UploadRow.received_at, UploadRow.id, DocumentRow.position))
        return [tuple(r) for r in rows]

    # --- assessment ---------------------------------------------------------------------------

    def load_input(self, case_id: str) -> CaseInput | None:
        """Everything the assessment reads, the row version first (see the module docstring)."""
        with self.session() as s:
            case = s.get(CaseRow, case_id)
            if case is None:
                return None
            version = case.version
            documents = [Submitted(document=Document.model_validate(body), upload_id=upload_id,
                                   hints=Hints(material=material, person=person))
                         for body, upload_id, material, person in self._documents(s, case_id)]
            counts = dict(s.execute(select(UploadRow.status, func.count()).where(UploadRow.case_id == case_id)
                                    .group_by(UploadRow.status)).all())
            latest = s.scalar(select(func.max(UploadRow.received_at)).where(UploadRow.case_id == case_id))
        judged_at = as_utc(latest or case.created_at).astimezone(SHANGHAI)
        return CaseInput(case_id=case_id, item=case.item, situation=case.situation, judged_at=judged_at,
                         documents=tuple(documents), pending_uploads=counts.get("queued", 0) + counts.get("processing", 0),
                         failed_uploads=counts.get("failed", 0), version=version)

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
        return expected_version + 1

    def reassess(self, case_id: str, compute: Callable[[CaseInput], Assessment], *, attempts: int = 20) -> Assessment | None:
        """Recompute the case's assessment from the database and save it; idempotent (an unchanged result
        is not saved again). None when the case does not exist; CaseConflict after `attempts` lost races."""
        for attempt in range(attempts):
            case = self.load_input(case_id)
            if case is None:
                return None
            assessment = compute(case)
            latest = self.latest(case_id)
            if latest is not None and latest.version == case.version and latest.body == assessment.to_case_dict():
                return assessment  # nothing changed since the saved one
            if self.save(case_id, case.version, assessment) is not None:
                return assessment
            self.conflicts += 1
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        logger.warning("case %s: gave up after %d conflicting reassessments", case_id, attempts)
        raise CaseConflict(detail=f"{attempts} conflicts")

    def latest(self, case_id: str) -> SavedAssessment | None:
        with self.session() as s:
            row = s.scalars(select(AssessmentRow).where(AssessmentRow.case_id == case_id)
                            .order_by(AssessmentRow.version.desc()).limit(1)).first()
            return None if row is None else SavedAssessment(row.version, row.decision, row.body, as_utc(row.created_at))

    def history(self, case_id: str) -> list[SavedAssessment]:
        with self.session() as s:
            rows = s.scalars(select(AssessmentRow).where(AssessmentRow.case_id == case_id).order_by(AssessmentRow.version))
            return [SavedAssessment(r.version, r.decision, r.body, as_utc(r.created_at)) for r in rows]

"""A shot the clerk discards (a bad photo, the wrong paper): recorded like an upload superseded by a
resubmission — kept on record, no longer assessed — with `superseded_by` = DISCARDED, so every reader of
superseded uploads (the assessment's input, the case history, the bundle) leaves it out the same way.
Who calls it: workers/cases/acts.py (discard)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.case_records import SupersededUploadRow
from storage.cases import CaseRepository
from storage.models import UploadRow

DISCARDED = "discarded"


def discard_upload(cases: CaseRepository, case_id: str, upload_id: str, at: dt.datetime) -> bool:
    """Marks the case's upload as discarded; False when it is not the case's or already left out."""
    with cases.session() as s:
        upload = s.get(UploadRow, upload_id)
        if upload is None or upload.case_id != case_id:
            return False
        if s.scalars(select(SupersededUploadRow.upload_id).where(SupersededUploadRow.upload_id == upload_id)).first():
            return False
        s.add(SupersededUploadRow(upload_id=upload_id, case_id=case_id, material=upload.material_hint or "",
                                  superseded_by=DISCARDED, round=0, at=at))
        return True

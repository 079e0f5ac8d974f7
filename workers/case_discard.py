"""Discarding a shot (作废): the clerk leaves one upload of a case out of the assessment — a blurred photo, the
wrong paper — and the case is reassessed at once. The upload stays on record (history, audit); nothing is deleted.
Same rules as workers/case_acts.py: checked, recorded as a person's act, errors as CaseFlowError, `at` explicit."""

from __future__ import annotations

import datetime as dt

from pipeline import case_states
from storage.case_discards import discard_upload
from storage.cases import CaseRepository
from storage.repository import Identity
from workers.case_acts import _editable
from workers.case_flow import CaseFlowError


def discard(cases: CaseRepository, assessor, case_id: str, who: Identity, *, upload_id: str, at: dt.datetime,
            reason: str = ""):
    """Who calls it: the counter page (api/pages/counter.py). Returns (act row, new assessment)."""
    row = _editable(cases, case_id, who, roles=("clerk",))
    if row.status not in case_states.BEFORE_ACCEPTANCE:  # after 受理 the scans are the accepted record
        raise CaseFlowError("case.transition_not_allowed", "办件已受理，不能再作废材料照片")
    if not discard_upload(cases, case_id, upload_id, at):
        raise CaseFlowError("request.invalid", "该材料照片不属于本办件，或已作废")
    act = cases.record_act(case_id, actor=who.key_id, role=who.role, kind="discard", at=at,
                           machine_value={"upload_id": upload_id}, person_value={"discarded": True},
                           reason=(reason or "").strip() or "窗口人员作废该照片")
    return act, cases.reassess(case_id, assessor)

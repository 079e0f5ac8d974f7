"""Joining shots into one document (合并) and splitting them again (拆分): a clerk says that two or more document
shots of a case are the pages of one document photographed apart (the two pages of a 户口簿, a two-page 授权委托书),
and the case is reassessed at once with them judged as one (validators/joining.py: the first's fields, then the
others' it lacks; the type's checks on the whole). Nothing is changed in the documents themselves: the join is a
person's act in case_acts (kind `join`, `person_value` = {"documents": [ids in page order]}), undone by a `split`
act naming the first document. Same rules as the discard act (workers/cases/acts.py): checked, recorded as a person's act with its
reason, refusals as CaseRefused with a code of pipeline/errors.py, `at` explicit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pipeline import case_states
from pipeline.errors import ALREADY_JOINED, NOT_FOUND, REQUEST_INVALID, TRANSITION_NOT_ALLOWED, CaseRefused
from storage.cases import CaseRepository
from storage.repository import Identity
from validators.joining import joined_ids, standing_joins
from workers.cases.acts import editable_case

MAX_PARTS = 20


def _open_for_shots(cases: CaseRepository, case_id: str, who: Identity):
    row = editable_case(cases, case_id, who, roles=("clerk",))
    if row.status not in case_states.BEFORE_ACCEPTANCE:  # after 受理 the scans are the accepted record
        raise CaseRefused(TRANSITION_NOT_ALLOWED, "办件已受理，不能再合并或拆分材料照片")
    case = cases.load_input(case_id)
    if case is None:
        raise CaseRefused(NOT_FOUND, "找不到该办件")
    return case


def join(cases: CaseRepository, assessor, case_id: str, who: Identity, *, documents: Sequence[str], at: dt.datetime,
         reason: str = ""):
    """Who calls it: the counter page (api/pages/join_acts.py) and POST /api/v1/cases/{id}/joins. `documents` in
    page order. Returns (act row, new assessment)."""
    case = _open_for_shots(cases, case_id, who)
    ids = list(dict.fromkeys(str(d) for d in documents if d))
    if not 2 <= len(ids) <= MAX_PARTS:
        raise CaseRefused(REQUEST_INVALID, f"请选择 2–{MAX_PARTS} 张属于同一份材料的照片")
    live = {s.document.id: s.document for s in case.documents}  # neither discarded nor superseded
    if any(d not in live for d in ids):
        raise CaseRefused(REQUEST_INVALID, "所选照片不属于本办件，或已作废")
    if any(live[d].error is not None for d in ids):
        raise CaseRefused(REQUEST_INVALID, "无法读取的文件不能合并，请重新拍摄或上传")
    taken = {d for act in standing_joins(case.acts).values() for d in joined_ids(act)}
    if taken & set(ids):
        raise CaseRefused(ALREADY_JOINED, "所选照片中已有照片合并在另一份材料中，请先拆分")
    act = cases.record_act(case_id, actor=who.key_id, role=who.role, kind="join", at=at, document_id=ids[0],
                           machine_value={"types": [live[d].type for d in ids]}, person_value={"documents": ids},
                           reason=(reason or "").strip() or "窗口人员确认为同一份材料的各页")
    return act, cases.reassess(case_id, assessor)


def split(cases: CaseRepository, assessor, case_id: str, who: Identity, *, document: str, at: dt.datetime,
          reason: str = ""):
    """Undoes the clerk's join whose first document is `document` (or that holds it): the shots are judged apart
    again. Who calls it: as `join`. Returns (act row, new assessment)."""
    case = _open_for_shots(cases, case_id, who)
    joins = standing_joins(case.acts)
    head = next((h for h, act in joins.items() if document in joined_ids(act)), None)
    if head is None:
        raise CaseRefused(REQUEST_INVALID, "该材料不是由工作人员合并的，无需拆分")
    act = cases.record_act(case_id, actor=who.key_id, role=who.role, kind="split", at=at, document_id=head,
                           machine_value={"documents": joined_ids(joins[head])}, person_value={"split": True},
                           reason=(reason or "").strip() or "窗口人员拆分为各自独立的材料")
    return act, cases.reassess(case_id, assessor)

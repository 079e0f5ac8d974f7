"""Joining shots of a case into one document, and splitting them again, in the JSON API (clerks, before 受理):

    POST /api/v1/cases/{id}/joins                      {"documents": [ids in page order], "reason"}
    POST /api/v1/cases/{id}/joins/{document_id}/split  {"reason"}: the clerk's join holding that document undone

Both answer 201 with the act and the new assessment (whose `joined` names the documents judged as one). The logic
is the case layer's (workers/cases/joins.py); the counter page's forms (api/pages/join_acts.py) call the same functions. Audited as
`case.join` / `case.split`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from api.auth import IdentityDep
from api.case_schemas import CorrectionDone, RequestModel, act_view
from api.contract import AUTHED, errors
from api.deps import NowDep, ServicesDep
from workers.cases.joins import MAX_PARTS, join, split
from workers.cases.records import visible

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


class JoinRequest(RequestModel):
    documents: list[str] = Field(min_length=2, max_length=MAX_PARTS, description="要合并的文件 id，按页序")
    reason: str = Field(default="", max_length=2000)


class SplitRequest(RequestModel):
    reason: str = Field(default="", max_length=2000)


@router.post("/{case_id}/joins", status_code=201, response_model=CorrectionDone,
             responses=errors(*AUTHED, 403, 404, 409))
def join_documents(case_id: str, body: JoinRequest, who: IdentityDep, svc: ServicesDep, now: NowDep) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    act, saved = join(svc.cases, svc.assessor, case_id, who, documents=body.documents, at=now, reason=body.reason)
    svc.repo.audit(who, "case.join", "case", case_id, act_id=act.id, documents=act.person_value["documents"])
    return {"act": act_view(act), "assessment": saved.to_case_dict() if saved else None}


@router.post("/{case_id}/joins/{document_id}/split", status_code=201, response_model=CorrectionDone,
             responses=errors(*AUTHED, 403, 404, 409))
def split_documents(case_id: str, document_id: str, body: SplitRequest, who: IdentityDep, svc: ServicesDep,
                    now: NowDep) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    act, saved = split(svc.cases, svc.assessor, case_id, who, document=document_id, at=now, reason=body.reason)
    svc.repo.audit(who, "case.split", "case", case_id, act_id=act.id, document=act.document_id)
    return {"act": act_view(act), "assessment": saved.to_case_dict() if saved else None}

"""The lists that are not a resource's own sub-list: uploads and the audit trail, a page at a time
(api/paging.py). Routes stay thin: authorise, call the repository's `…_page`, audit, answer.

    GET /api/v1/uploads?status=&case_id=&cursor=&limit=          the caller's visible uploads, oldest first
    GET /api/v1/audit?case_id=&actor=&action=&cursor=&limit=     the audit trail in the order written (admins)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api import auth
from api.auth import IdentityDep
from api.case_schemas import NO_NUL
from api.contract import AUTHED, UploadState, errors
from api.errors import ApiError
from api.paging import Page, PageDep, answer, fill, paged, scope_of
from storage.db import as_utc
from storage.repository import AUDIT_KEYS, UPLOAD_KEYS

router = APIRouter(prefix="/api/v1", tags=["lists"])


class UploadSummary(BaseModel):
    upload_id: str
    status: UploadState
    case_id: str | None = None
    material: str | None = None
    person: str | None = None
    media_type: str | None = None
    size: int
    received_at: str
    finished_at: str | None = None
    documents_url: str
    error_code: str | None = None


class AuditEntry(BaseModel):
    id: int
    at: str
    actor: str = Field(description="访问密钥（账号）的行 id，或 system")
    role: str
    action: str
    target_type: str
    target_id: str
    detail: dict[str, Any] = Field(description="不含个人信息")
    request_id: str | None = None


def _upload_view(row) -> UploadSummary:
    finished = as_utc(row.finished_at)
    return UploadSummary(upload_id=row.id, status=row.status, case_id=row.case_id, material=row.material_hint,
                         person=row.person_hint, media_type=row.media_type, size=row.size,
                         received_at=as_utc(row.received_at).isoformat(),
                         finished_at=finished.isoformat() if finished else None,
                         documents_url=f"/api/v1/uploads/{row.id}", error_code=row.error_code)


@router.get("/uploads", response_model=Page[UploadSummary], responses={**paged("一页上传记录"), **errors(*AUTHED)})
def list_uploads(request: Request, who: IdentityDep, page: PageDep, response: Response,
                 status: UploadState | None = None,
                 case_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None) -> dict[str, Any]:
    """Uploads the caller may see (api/auth.py `can_see`), oldest first by (received_at, id); file names are not
    listed (they may name a person)."""
    repo = request.app.state.repo
    found = fill(lambda after, n: repo.upload_page(after, n, scope=scope_of(who), status=status, case_id=case_id),
                 keys=UPLOAD_KEYS, name="uploads", page=page, keep=lambda row: who.can_see(row))
    repo.audit(who, "upload.list", "upload", "*", status=status, case_id=case_id, count=len(found.rows))
    return answer(page, found, response, [_upload_view(r) for r in found.rows])


@router.get("/audit", response_model=Page[AuditEntry], responses={**paged("一页审计记录"), **errors(*AUTHED, 403)})
def list_audit(request: Request, who: IdentityDep, page: PageDep, response: Response,
               case_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description="办件 id")] = None,
               actor: Annotated[str | None, Query(max_length=36, pattern=NO_NUL, description="访问密钥行 id 或 system")] = None,
               action: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description="如 case.read")] = None
               ) -> dict[str, Any]:
    """The audit trail in the order it was written (admins only). Reading it is audited too, so a walk of the
    trail sees its own reads appended behind it and ends all the same."""
    if who.role != "admin":
        raise ApiError("auth.forbidden", "只有管理员可以查阅审计记录")
    repo = request.app.state.repo
    found = fill(lambda after, n: repo.audit_page(after, n, case_id=case_id, actor=actor, action=action),
                 keys=AUDIT_KEYS, name="audit", page=page)
    repo.audit(who, "audit.list", "audit", "*", case_id=case_id, by=actor, of_action=action, count=len(found.rows))
    return answer(page, found, response, [
        AuditEntry(id=r.id, at=as_utc(r.at).isoformat(), actor=r.actor, role=r.role, action=r.action,
                   target_type=r.target_type, target_id=r.target_id, detail=r.detail, request_id=r.request_id)
        for r in found.rows])

"""Cases (办件) in the JSON API: create one for a service item and situation, read it with its documents and
latest assessment. Routes stay thin: authorise, call the case repository, audit, answer.

`POST /api/v1/cases` {"item", "item_version"?, "situation", "applicant"?} -> 201 {"case_id", "case_url", …,
"assessment"}; `GET /api/v1/cases/{id}` -> case metadata, uploads, documents and the latest assessment (the
`case` object of the result JSON). Uploads join a case with `case_id` (and optional `material` / `person`
hints) on `POST /api/v1/documents`; each finished upload re-assesses the case in the worker.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from api import auth
from api.errors import ApiError
from pipeline.settings import Settings
from storage.repository import Identity

logger = logging.getLogger(__name__)

CREATORS = ("clerk", "applicant", "integrator", "admin")


async def _identity(request: Request, authorization: Annotated[str | None, Header()] = None,
                    x_api_key: Annotated[str | None, Header()] = None) -> Identity:
    from api.app import current_identity  # api.app includes this router: import at call time

    return await current_identity(request, authorization, x_api_key)


IdentityDep = Annotated[Identity, Depends(_identity)]


class Applicant(BaseModel):
    kind: Literal["person", "organisation"] = "person"
    name: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=32)
    credit_code: str | None = Field(default=None, max_length=32)


class CaseRequest(BaseModel):
    item: str = Field(max_length=100)
    item_version: int | None = None
    situation: str = Field(max_length=64)
    applicant: Applicant = Applicant()


class CaseCreated(BaseModel):
    case_id: str
    case_url: str
    item: str
    item_version: int
    situation: str
    assessment: dict[str, Any] | None = None


class CaseView(BaseModel):
    case_id: str
    item: str
    item_version: int
    item_name: str
    situation: str
    situation_name: str
    status: str
    applicant: dict[str, Any]
    created_at: str
    uploads: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    assessment: dict[str, Any] | None = None
    assessment_version: int | None = None


@dataclass
class CaseServices:
    """Built once per app on first use: the case repository, the catalog and the assessor."""

    cases: Any
    catalog: Any
    assessor: Any


def router_for(settings: Settings) -> APIRouter:
    """Who calls it: api.app.create_app (one include_router line)."""
    router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

    # Used as a parameter default (`Depends(services)`), not inside an annotation: annotations are strings here
    # and FastAPI resolves them in the module, where this closure does not exist.
    def services(request: Request) -> CaseServices:
        state = request.app.state
        if getattr(state, "case_services", None) is None:
            from extractors import build_registry
            from pipeline.errors import ConfigurationError
            from storage.cases import CaseRepository
            from validators.assess import Assessor
            from validators.catalog import CatalogError, load_catalog

            try:
                catalog = load_catalog([settings.data_dir / "catalog"])
            except CatalogError as exc:  # an administrator's item file is broken: say so, do not guess
                logger.error("service-item catalog invalid: %d problems", len(exc.problems))
                raise ConfigurationError(detail="service-item catalog invalid (yichuang catalog validate)") from exc
            state.case_services = CaseServices(
                cases=CaseRepository(state.repo.engine), catalog=catalog,
                assessor=Assessor(thresholds=settings.thresholds, types=build_registry()))
        return state.case_services

    @router.post("", status_code=201, response_model=CaseCreated)
    def create_case(body: CaseRequest, who: IdentityDep, request: Request,
                    svc: CaseServices = Depends(services)) -> CaseCreated:
        from validators.catalog import item_snapshot

        if who.role not in CREATORS:
            raise ApiError("auth.forbidden", "审批人员不能创建办件")
        try:
            item = svc.catalog.get(body.item, body.item_version)
        except KeyError:
            raise ApiError("request.invalid", f"未知的服务事项或版本：{body.item}") from None
        if item.situation(body.situation) is None:
            choices = "、".join(f"{s.code}（{s.name}）" for s in item.situations)
            raise ApiError("request.invalid", f"办理情形应为 {choices} 之一")
        row = svc.cases.create(owner_key_id=who.key_id, hall=who.hall, item=item_snapshot(item), situation=body.situation,
                               applicant=body.applicant.model_dump(exclude_none=True))
        request.app.state.repo.audit(who, "case.create", "case", row.id, item=item.code, item_version=item.version,
                                     situation=body.situation)
        assessment = None
        try:  # the empty checklist at once: what the counter still has to collect
            saved = svc.cases.reassess(row.id, svc.assessor)
            assessment = saved.to_case_dict() if saved else None
        except Exception:  # noqa: BLE001 - the first finished upload assesses it again
            logger.exception("initial assessment of case %s failed", row.id)
        return CaseCreated(case_id=row.id, case_url=f"/api/v1/cases/{row.id}", item=item.code, item_version=item.version,
                           situation=body.situation, assessment=assessment)

    @router.get("/{case_id}", response_model=CaseView)
    def get_case(case_id: str, who: IdentityDep, request: Request, svc: CaseServices = Depends(services)) -> CaseView:
        row = svc.cases.get(case_id)
        if row is None or not auth.can_see(who, row):
            raise ApiError("not_found", "找不到该办件")
        request.app.state.repo.audit(who, "case.read", "case", case_id)
        latest = svc.cases.latest(case_id)
        situation = next((s for s in row.item["situations"] if s["code"] == row.situation), {"name": row.situation})
        uploads = [{"upload_id": u.id, "status": u.status, "material": u.material_hint, "person": u.person_hint,
                    "documents_url": f"/api/v1/uploads/{u.id}"} for u in svc.cases.uploads(case_id)]
        documents = [{k: v for k, v in d.items() if k not in ("image_keys", "upload_sha256")}
                     for d in svc.cases.documents(case_id)]
        return CaseView(case_id=row.id, item=row.item_code, item_version=row.item_version, item_name=row.item["name"],
                        situation=row.situation, situation_name=situation["name"], status=row.status,
                        applicant=row.applicant, created_at=row.created_at.isoformat(), uploads=uploads,
                        documents=documents, assessment=latest.body if latest else None,
                        assessment_version=latest.version if latest else None)

    return router


def check_upload_target(app, who: Identity, case_id: str | None, material: str | None, person: str | None) -> None:
    """Called by POST /api/v1/documents before anything is stored: the case must exist and be visible to the
    caller, and hints must name a material / person of the case's item and situation."""
    if case_id is None:
        return
    from storage.cases import CaseRepository
    from validators.catalog import item_from_snapshot

    row = CaseRepository(app.state.repo.engine).get(case_id)
    if row is None or not auth.can_see(who, row):
        raise ApiError("not_found", "找不到该办件")
    item = item_from_snapshot(row.item)
    codes = [m.code for m in item.materials_for(row.situation)]
    if material is not None and material not in codes:
        raise ApiError("request.invalid", f"材料代码应为该办件所需材料之一：{'、'.join(codes)}")
    if person is not None and person not in item.persons:
        raise ApiError("request.invalid", f"人员代码应为 {'、'.join(item.persons)} 之一")

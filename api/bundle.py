"""The verified case bundle in the JSON API: one signed PDF per case version.

`GET /api/v1/cases/{id}/bundle.pdf` -> the bundle of the case as it stands (built when the case changed since
the last one: a new assessment or a new act); `?version=N` -> the bundle first served for case version N (built
as the case stood when version N+1 came if nobody asked for it then).
`GET /api/v1/cases/{id}/bundles/{bundle_id}.pdf` -> one bundle by its own identifier (e.g. the one signed at
approval, after delivery and archiving made newer ones of the same case version).
`GET /api/v1/cases/{id}/bundles` -> every bundle built for the case, each once, with its own URL.
Clerks and reviewers of the case's hall, the integrator that created it, and admins may read it; applicants
read their case through `GET /api/v1/cases/{id}`. Every read and every build is audited.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FastApiPath
from fastapi.responses import Response
from pydantic import BaseModel

from api.auth import IdentityDep
from api.contract import AUTHED, errors, pdf
from api.errors import ApiError
from api.paging import PageDep, fill, link_headers, paged
from pipeline.settings import Settings
from storage.bundle.records import BUNDLE_KEYS
from storage.repository import Identity

logger = logging.getLogger(__name__)

READERS = ("clerk", "reviewer", "integrator", "admin")


class BundleVersion(BaseModel):
    bundle_id: int
    case_version: int
    last_act: str | None
    assessment_version: int | None
    sha256: str
    size: int
    signer: str
    created_at: str
    url: str


def build_service(settings: Settings, repo, store):
    """The app's BundleService: the hall's signer from settings, the trust store for licence files, the labels."""
    from storage.bundle import BundleService, Labels, load_signer
    from validators.signatures import Verifier
    from validators.vocabulary import field_label, type_label

    passphrase = settings.signing_passphrase.get_secret_value().encode() if settings.signing_passphrase else None
    return BundleService(
        repo.engine, store,
        lambda: load_signer(settings.signing_p12, passphrase, production=settings.env == "production",
                            data_dir=settings.data_dir),
        verifier=Verifier(settings.trust_dir),
        labels=Labels(type_label=type_label, field_label=field_label, hall_label=lambda code: hall_label(settings, code)))


def hall_label(settings: Settings, code: str) -> str:
    """The hall on the bundle cover: its name and agency as configured, or visibly unset."""
    from api.halls import hall_config

    hall, _seal = hall_config(settings, code)
    return f"{hall.name}（{hall.agency}{'，示例配置' if hall.example else ''}）"


def _pdf(case_id: str, bundle) -> Response:
    record = bundle.record
    return Response(bundle.data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="case-{case_id}-v{record.case_version}-b{record.id}.pdf"',
        "X-Bundle-Id": str(record.id), "X-Bundle-Case-Version": str(record.case_version),
        "X-Bundle-SHA256": record.sha256, "ETag": f'"{record.sha256}"', "Cache-Control": "private, no-store"})


router = APIRouter(prefix="/api/v1/cases", tags=["bundles"])


def bundle_service(request: Request):
    """The app's BundleService, built on first use (its signer is loaded only when a bundle is signed)."""
    state = request.app.state
    if getattr(state, "bundle_service", None) is None:
        state.bundle_service = build_service(state.settings, state.repo, state.store)
    return state.bundle_service


BundleDep = Annotated[Any, Depends(bundle_service)]


def _readable_case(who: Identity, case_id: str, svc) -> None:
    if who.role not in READERS:
        raise ApiError("auth.forbidden", "申请人不能下载核验材料包，请通过办件查询了解办理情况")
    row = svc.repo.case(case_id)
    if row is None or not who.can_see(row):
        raise ApiError("not_found", "找不到该办件")


@router.get("/{case_id}/bundle.pdf", response_class=Response,
            responses={**pdf("经大厅证书签名的办件材料包"), **errors(*AUTHED, 403, 404)})
def get_bundle(case_id: str, who: IdentityDep, svc: BundleDep, request: Request,
               version: Annotated[int | None, Query(ge=0, description="办件版本；不填为当前版本")] = None) -> Response:
    _readable_case(who, case_id, svc)
    repo = request.app.state.repo
    bundle = svc.bundle(case_id, version, requested_by=who.key_id)
    if bundle is None:
        raise ApiError("not_found", f"办件没有第 {version} 版")
    record = bundle.record
    if bundle.built:
        repo.audit(who, "bundle.create", "case", case_id, case_version=record.case_version, sha256=record.sha256)
    repo.audit(who, "bundle.read", "case", case_id, case_version=record.case_version, sha256=record.sha256)
    return _pdf(case_id, bundle)


@router.get("/{case_id}/bundles/{bundle_id}.pdf", response_class=Response,
            responses={**pdf("按标识取得的已签名材料包"), **errors(*AUTHED, 403, 404)})
def get_bundle_by_id(case_id: str, bundle_id: Annotated[int, FastApiPath(ge=1, le=2**31 - 1)], who: IdentityDep,
                     svc: BundleDep, request: Request) -> Response:
    _readable_case(who, case_id, svc)
    bundle = svc.stored(case_id, bundle_id)
    if bundle is None:
        raise ApiError("not_found", "找不到该材料包")
    record = bundle.record
    request.app.state.repo.audit(who, "bundle.read", "case", case_id, bundle_id=record.id,
                                 case_version=record.case_version, sha256=record.sha256)
    return _pdf(case_id, bundle)


@router.get("/{case_id}/bundles", response_model=list[BundleVersion],
            responses={**paged("一页材料包（数组）；下一页见 Link / X-Next-Cursor"), **errors(*AUTHED, 403, 404)})
def list_bundles(case_id: str, who: IdentityDep, svc: BundleDep, request: Request, page: PageDep,
                 response: Response) -> list[dict[str, Any]]:
    _readable_case(who, case_id, svc)
    found = fill(lambda after, n: svc.repo.version_page(case_id, after, n), keys=BUNDLE_KEYS, name="bundles", page=page)
    link_headers(page, found, response)
    request.app.state.repo.audit(who, "bundle.list", "case", case_id)
    return [BundleVersion(bundle_id=r.id, case_version=r.case_version, last_act=r.last_act,
                          assessment_version=r.assessment_version, sha256=r.sha256, size=r.size, signer=r.signer,
                          created_at=r.created_at.isoformat(),
                          url=f"/api/v1/cases/{case_id}/bundles/{r.id}.pdf").model_dump()
            for r in found.rows]

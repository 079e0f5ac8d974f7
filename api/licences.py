"""The electronic-licence library for integrators (and clerks, reviewers, admins): look a licence up by its
identifier or by holder, and fetch its signed file. Applicants are refused (a licence names its holder).
Every lookup is audited, found or not; holder codes are masked in the audit detail.

    GET /api/v1/licences/{identifier}          -> {"licence": {...}, "file_url", "source"}   404 when unknown
    GET /api/v1/licences?holder_code=&holder_code_type=&licence_type=&on=YYYY-MM-DD&cursor=&limit=
                                               -> {"licences": [...], "source", "next_cursor"}
    GET /api/v1/licences/{identifier}/file     -> the signed PDF/OFD

An identifier with a wrong shape or check character answers 422 before any lookup; a library that cannot
answer answers 503 (`library.unavailable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.auth import IdentityDep
from api.contract import AUTHED, errors
from api.deps import ServicesDep, TodayDep
from api.errors import ApiError
from api.paging import PageDep, link_headers, page_list, paged
from pipeline import licence_identifier
from pipeline.errors import ObjectNotFound
from pipeline.library import Licence
from pipeline.masking import mask_id_number
from storage.repository import Identity
from workers.wiring import Services

READERS = ("clerk", "reviewer", "integrator", "admin")


class LicenceView(BaseModel):
    licence: dict[str, Any]
    file_url: str | None = None
    source: str | None = None


class LicenceList(BaseModel):
    licences: list[dict[str, Any]]
    source: str | None = None
    next_cursor: str | None = None  # api/paging.py: the holder's next licences, newest first


def _licence_key(lic: Licence) -> tuple[str, str, str]:
    """The order of a holder's licences, newest first (as the library answers): validity start, version, id."""
    start = lic.valid_from or lic.issued_on
    return (start.isoformat() if start else "", lic.version or "", lic.identifier or lic.number or "")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


router = APIRouter(prefix="/api/v1/licences", tags=["licences"])


def _allowed(who: Identity) -> None:
    if who.role not in READERS:
        raise ApiError("auth.forbidden", "申请人不能查询电子证照库")


def _checked(identifier: str) -> str:
    problem = licence_identifier.problem_message(identifier)
    if problem:
        raise ApiError("request.invalid", problem)
    return licence_identifier.compact(identifier)


def _file_url(lic: Licence) -> str | None:
    return f"/api/v1/licences/{lic.identifier}/file" if lic.file_key and lic.identifier else None


@router.get("", response_model=LicenceList, responses={**paged("一页证照"), **errors(*AUTHED, 403)})
def by_holder(who: IdentityDep, svc: ServicesDep, today: TodayDep, page: PageDep, response: Response,
              holder_code: Annotated[str, Query(min_length=1, max_length=64)],
              holder_code_type: Annotated[str, Query(pattern=r"^[0-9]{3}$")],
              licence_type: Annotated[str, Query(min_length=1, max_length=64)],
              on: dt.date | None = None) -> LicenceList:
    _allowed(who)
    page.position("licences")  # a bad cursor is refused before the library is asked
    lib = svc.library
    day = on or today  # the app's clock, judged in Shanghai
    try:
        found = lib.by_holder(holder_code, holder_code_type, licence_type, day)
    finally:
        svc.repo.audit(who, "licence.lookup", "licence_holder", _digest(holder_code.strip().upper()),
                       holder_code=mask_id_number(holder_code), holder_code_type=holder_code_type,
                       licence_type=licence_type, on=day.isoformat())
    one = page_list(found, key=_licence_key, name="licences", page=page, descending=True)
    link_headers(page, one, response)
    return LicenceList(licences=[lic.model_dump(mode="json") | {"file_url": _file_url(lic)} for lic in one.rows],
                       source=getattr(lib, "source", None), next_cursor=one.next_cursor)


def _look_up(svc: Services, who: Identity, identifier: str, action: str):
    """The library and the licence with this identifier (or None); audited whatever the library answered."""
    _allowed(who)
    value = _checked(identifier)
    lib = svc.library
    found = None
    try:
        found = lib.by_identifier(value)
    finally:
        svc.repo.audit(who, action, "licence", _digest(value), identifier=value, found=found is not None)
    return lib, found


@router.get("/{identifier}", response_model=LicenceView, responses=errors(*AUTHED, 403, 404))
def by_identifier(identifier: str, who: IdentityDep, svc: ServicesDep) -> LicenceView:
    lib, found = _look_up(svc, who, identifier, "licence.read")
    if found is None:
        raise ApiError("not_found", "电子证照库中没有该证照")
    return LicenceView(licence=found.model_dump(mode="json"), file_url=_file_url(found), source=getattr(lib, "source", None))


@router.get("/{identifier}/file", response_class=Response, responses={
    200: {"description": "经签名的证照文件（PDF 或 OFD）；X-Content-SHA256 为其摘要",
          "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                      "application/ofd": {"schema": {"type": "string", "format": "binary"}}}},
    **errors(*AUTHED, 403, 404)})
def licence_file(identifier: str, who: IdentityDep, svc: ServicesDep) -> Response:
    lib, found = _look_up(svc, who, identifier, "licence.file")
    if found is None or not found.file_key:
        raise ApiError("not_found", "电子证照库中没有该证照的证照文件")
    try:
        data = lib.file(found)
    except ObjectNotFound:
        raise ApiError("not_found", "电子证照库中没有该证照的证照文件") from None
    media = "application/pdf" if found.file_kind == "pdf" else "application/ofd"
    return Response(content=data, media_type=media, headers={"X-Content-SHA256": hashlib.sha256(data).hexdigest()})

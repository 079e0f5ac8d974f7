"""The service-item catalog for integrators: which items, versions, situations and materials exist, with their
codes and names, and which halls take each item in (an item without `halls` is served by every hall).

    GET /api/v1/catalog?hall=        every item's newest version, with all versions listed
    GET /api/v1/catalog/{item}?version=   one item (newest version unless asked)

Any identity may read it (it holds no personal data); reads are not audited as case reads are.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from api.auth import IdentityDep
from api.contract import AUTHED, errors
from api.deps import ServicesDep
from api.errors import ApiError
from api.paging import PageDep, link_headers, page_list, paged


class CatalogMaterial(BaseModel):
    code: str
    name: str
    necessity: Literal["required", "optional", "tolerable"]
    form: Literal["paper", "electronic", "paper_or_electronic"]
    originals: int
    copies: int
    types: list[str]  # document type codes that satisfy it (e.g. id_card_front)
    person: str | None = None


class CatalogSituation(BaseModel):
    code: str
    name: str
    materials: list[str]  # material codes


class CatalogItem(BaseModel):
    code: str
    name: str
    version: int
    versions: list[int]
    department: str
    case_type: Literal["即办件", "承诺件"]
    allows_tolerance: bool
    halls: list[str]  # empty: every hall
    situations: list[CatalogSituation]
    materials: list[CatalogMaterial]


class CatalogList(BaseModel):
    items: list[CatalogItem]
    next_cursor: str | None = None  # api/paging.py: items by code


def item_view(item, versions: list[int]) -> CatalogItem:
    return CatalogItem(
        code=item.code, name=item.name, version=item.version, versions=versions, department=item.department,
        case_type=item.case_type, allows_tolerance=item.allows_tolerance, halls=list(item.halls),
        situations=[CatalogSituation(code=s.code, name=s.name, materials=list(s.materials)) for s in item.situations],
        materials=[CatalogMaterial(code=m.code, name=m.name, necessity=m.necessity, form=m.form, originals=m.originals,
                                   copies=m.copies, types=sorted(m.types()), person=m.person) for m in item.materials])


router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])


@router.get("", response_model=CatalogList, responses={**paged("一页服务事项（按代码排序）"), **errors(*AUTHED)})
def list_items(_who: IdentityDep, svc: ServicesDep, page: PageDep, response: Response,
               hall: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None) -> CatalogList:
    catalog = svc.catalog
    items = [i for i in catalog.latest() if hall is None or not i.halls or hall in i.halls]
    found = page_list(items, key=lambda i: (i.code,), name="catalog", page=page)
    link_headers(page, found, response)
    return CatalogList(items=[item_view(i, catalog.versions(i.code)) for i in found.rows], next_cursor=found.next_cursor)


@router.get("/{item}", response_model=CatalogItem, responses=errors(*AUTHED, 404))
def get_item(item: str, _who: IdentityDep, svc: ServicesDep,
             version: Annotated[int | None, Query(ge=1, le=10_000)] = None) -> CatalogItem:
    catalog = svc.catalog
    try:
        found = catalog.get(item, version)
    except KeyError:
        raise ApiError("not_found", "找不到该服务事项或版本") from None
    return item_view(found, catalog.versions(found.code))

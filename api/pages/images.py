"""The page images of a case's documents (the straightened scans the fields were read from), for the case pages:
`GET /pages/cases/{case_id}/documents/{document_id}/images/{n}`. Authorised like the case itself (clerks and
reviewers of its hall, admins; another hall's case answers 404) and audited (`case.page_image`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import services_of
from api.pages.web import PageError, identity_of, require
from pipeline.decode import MEDIA_TYPES, sniff
from pipeline.settings import Settings
from pipeline.errors import CaseRefused
from workers.cases.records import visible

VIEWERS = ("clerk", "reviewer", "admin")


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/pages/cases/{case_id}/documents/{document_id}/images/{n}", page_image(settings),
                         methods=["GET"], response_class=Response)
    return router


def page_image(settings: Settings):
    def get(case_id: str, document_id: str, n: int, request: Request) -> Response:
        who = identity_of(require(request, *VIEWERS))
        svc = services_of(request.app)
        try:
            visible(svc.cases, who, case_id)
        except CaseRefused:
            raise PageError(404, "找不到该办件") from None
        body = next((d for d, _upload, _gone in svc.cases.all_documents(case_id) if d["id"] == document_id), None)
        keys = list((body or {}).get("image_keys") or [])
        if not 0 <= n < len(keys) or not keys[n]:
            raise PageError(404, "找不到该页图像")
        data = request.app.state.store.get(keys[n])
        request.app.state.repo.audit(who, "case.page_image", "case", case_id, document=document_id, page=n)
        return Response(data, media_type=MEDIA_TYPES.get(sniff(data), "application/octet-stream"),
                        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
    return get

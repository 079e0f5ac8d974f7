"""The page images of a case's documents (the straightened scans the fields were read from), for the case pages:
`GET /pages/cases/{case_id}/documents/{document_id}/images/{n}`. Authorised like the case itself (clerks and
reviewers of its hall, admins; another hall's case answers 404) and audited (`case.page_image`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ServicesDep, SettingsDep
from api.pages.web import PageError, identity_of, require
from pipeline.decode import MEDIA_TYPES, render_page_image, sniff
from pipeline.models import Document
from pipeline.settings import Settings
from pipeline.errors import CaseRefused, ObjectNotFound
from workers.cases.records import visible
from workers.wiring import Services

VIEWERS = ("clerk", "reviewer", "admin")

router = APIRouter(include_in_schema=False)


def _fetched(svc: Services, key: str) -> bytes | None:
    """The stored object, or None when the store no longer holds it (answered as a missing page image, not a 500)."""
    try:
        return svc.store.get(key)
    except ObjectNotFound:
        return None


def _stored(svc: Services, document: Document, n: int) -> bytes | None:
    keys = document.image_keys
    return _fetched(svc, keys[n]) if 0 <= n < len(keys) and keys[n] else None


def _rendered(svc: Services, settings: Settings, n: int, document: Document, upload_id: str) -> bytes | None:
    """A born-digital PDF document read from its text layer has no stored page images (pipeline/decode.py's fast
    text path): its pages are rendered from the original on demand."""
    pages = document.pages
    upload = svc.repo.get_upload(upload_id)
    if document.image_keys or document.error or upload is None or not 0 <= n < len(pages):
        return None
    original = _fetched(svc, upload.object_key)
    if original is None or sniff(original) != "pdf":
        return None
    return render_page_image(original, pages[n], settings.limits)


@router.get("/pages/cases/{case_id}/documents/{document_id}/images/{n}", response_class=Response)
def page_image(case_id: str, document_id: str, n: int, request: Request, svc: ServicesDep,
               settings: SettingsDep) -> Response:
    who = identity_of(require(request, *VIEWERS))
    try:
        visible(svc.cases, who, case_id)
    except CaseRefused:
        raise PageError(404, "找不到该办件") from None
    found = next(((s.document, s.upload_id or "") for s, _gone in svc.cases.all_submitted(case_id)
                  if s.document.id == document_id), None)
    data = _stored(svc, found[0], n) if found else None
    if data is None and found:
        data = _rendered(svc, settings, n, *found)
    if data is None:
        raise PageError(404, "找不到该页图像")
    svc.repo.audit(who, "case.page_image", "case", case_id, document=document_id, page=n)
    return Response(data, media_type=MEDIA_TYPES.get(sniff(data), "application/octet-stream"),
                    headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})

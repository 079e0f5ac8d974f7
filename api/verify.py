"""Synchronous verify: `POST /api/v1/verify` answers with the result JSON of `yichuang verify --json` for one
file (a card, a short form) while the caller waits.

The file takes the one intake path: stored, an upload row on the `counter` queue (so the counter's priority
holds and the worker's OCR engine does the reading, the embedded worker in the embedded deployment), enqueued;
the route waits for the worker up to `verify_timeout` seconds. Then, as the CLI does, the documents are
cross-checked and, with `item` and `situation`, assessed against the service item. Unless `store=true`, the
upload, its documents and the objects nothing else refers to are deleted again; the audit record stays.
When the worker does not finish in time the answer is 202 with the upload's URL, and the upload is kept so
the result can be fetched there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import IdentityDep
from api.case_schemas import NO_NUL, CaseAssessment
from api.contract import AUTHED, UPLOAD, errors
from api.errors import ApiError
from pipeline.decode import MEDIA_TYPES
from pipeline.errors import TooManyPages
from pipeline.interfaces import SHANGHAI
from pipeline.settings import Settings
from storage.repository import Identity

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2


class VerifyResult(BaseModel):
    """The result JSON (README "Result JSON"), as `yichuang verify --json` prints it."""

    model_config = ConfigDict(extra="allow")
    schema_version: int
    documents: list[dict[str, Any]] = Field(description="结果 JSON 的文档对象")
    case: CaseAssessment | None = None


class VerifyPending(BaseModel):
    upload_id: str
    documents_url: str
    status: Literal["queued", "processing"]


def page_count(data: bytes, kind: str, limits) -> int:
    """Pages of a PDF, frames of an image; OFD counts as one (its reader keeps its own limit)."""
    if kind == "pdf":
        import io

        import pikepdf

        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages)
        except pikepdf.PdfError:
            return 1  # the worker turns an unreadable PDF into a document with an error, as the CLI does
    if kind == "ofd":
        return 1
    from pipeline.decode import image_size

    return image_size(data, limits)[2]


def _catalog_item(request: Request, settings: Settings, item: str | None, situation: str | None):
    if item is None:
        if situation is not None:
            raise ApiError("request.invalid", "办理情形（situation）需要与服务事项（item）一起填写")
        return None
    from api.cases import case_services

    try:
        found = case_services(request.app, settings).catalog.get(item)
    except KeyError:
        raise ApiError("request.invalid", f"未知的服务事项：{item}") from None
    if situation is None or found.situation(situation) is None:
        choices = "、".join(f"{s.code}（{s.name}）" for s in found.situations)
        raise ApiError("request.invalid", f"办理情形应为 {choices} 之一")
    return found


def _judging_time(at: dt.date | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.timezone.utc)
    return dt.datetime.combine(at, dt.time(12), tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def _result(request: Request, settings: Settings, upload_id: str, item, situation: str | None, at: dt.datetime) -> dict:
    """The CLI's result for the worker's documents: cross-checked as a batch, assessed against the item."""
    from pipeline.models import Document, Result
    from pipeline.runner import cross_check

    state = request.app.state
    deps = _verify_dependencies(request.app, settings)
    documents = [Document.model_validate(body) for body in state.repo.documents_of(upload_id)]
    documents = cross_check(documents, deps, at.astimezone(SHANGHAI).date())
    case = None
    if item is not None:
        from api.cases import case_services
        from validators.assess import assess_documents

        case = assess_documents(case_services(request.app, settings).assessor, item, situation, documents, at).to_case_dict()
    return Result(documents=tuple(documents), case=case).to_json_dict()


def _verify_dependencies(app, settings: Settings):
    """Types, checks and thresholds for the cross-checks (no OCR engine: the worker read the file)."""
    if getattr(app.state, "verify_deps", None) is None:
        from workers.wiring import build_dependencies

        app.state.verify_deps = build_dependencies(settings, app.state.store, with_engine=False)
    return app.state.verify_deps


def _forget(app, upload_id: str) -> None:
    for key in app.state.repo.forget_upload(upload_id):
        app.state.store.delete(key)


async def _wait_for(repo, upload_id: str, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        row = await run_in_threadpool(repo.get_upload, upload_id)
        if row.status in ("done", "failed") or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(POLL_SECONDS)


def _intake(request: Request, who: Identity, data: bytes, media_type: str, filename: str, at: dt.datetime):
    """Store the original, add the upload row on the counter queue and enqueue it (as POST /api/v1/documents
    does; the sweeper re-enqueues a row whose message was lost)."""
    state = request.app.state
    key = state.store.put(data, content_type=media_type)
    row = state.repo.add_upload(owner_key_id=who.key_id, hall=who.hall, case_id=None, object_key=key,
                                sha256=key.split("/")[1], size=len(data), filename=filename[:500], media_type=media_type,
                                material_hint=None, person_hint=None, queue="counter", received_at=at)
    try:
        state.enqueue(row.id, "counter")
        state.repo.mark_enqueued(row.id)
    except Exception:  # noqa: BLE001 - the row stays queued; the sweeper enqueues it later
        logger.exception("enqueue failed for verify upload %s; the sweeper will retry", row.id)
    return row


async def verify(request: Request, response: Response, who: IdentityDep,
                 file: Annotated[UploadFile, File(description="一个文件（证件、短表单），页数有上限")],
                 item: Annotated[str | None, Form(max_length=100, pattern=NO_NUL)] = None,
                 situation: Annotated[str | None, Form(max_length=64, pattern=NO_NUL)] = None,
                 at: Annotated[dt.date | None, Form(description="判断日 YYYY-MM-DD（默认今天，北京时间）")] = None,
                 store: Annotated[bool, Form(description="true：保留上传与结果（可在 documents_url 查询）")] = False):
    from api.app import read_upload  # api.app includes this router: import at call time

    settings: Settings = request.app.state.settings
    if who.role == "reviewer":
        raise ApiError("auth.forbidden", "审批人员不能提交核验")
    found = _catalog_item(request, settings, item, situation)
    data, kind = await read_upload(file, settings.limits)
    pages = await run_in_threadpool(page_count, data, kind, settings.limits)
    if pages > settings.verify_max_pages:
        raise ApiError(TooManyPages.code, f"同步核验最多 {settings.verify_max_pages} 页，该文件有 {pages} 页；"
                                          "请改用 POST /api/v1/documents")
    when = _judging_time(at)
    row = await run_in_threadpool(_intake, request, who, data, MEDIA_TYPES[kind], file.filename or "", when)
    done = await _wait_for(request.app.state.repo, row.id, settings.verify_timeout)
    repo = request.app.state.repo
    if done.status not in ("done", "failed"):
        await run_in_threadpool(repo.audit, who, "verify.pending", "upload", row.id, size=len(data), item=item)
        return JSONResponse(VerifyPending(upload_id=row.id, documents_url=f"/api/v1/uploads/{row.id}",
                                          status=done.status).model_dump(), status_code=202)
    if done.status == "failed":  # the worker gave up (a time limit): one document with the error, as the CLI shows it
        from pipeline.models import Document, FileError, Result

        failed = Document(id=row.id, source=file.filename or "",
                          error=FileError(code=done.error_code or "infrastructure", message=done.error_message or ""))
        result = Result(documents=(failed,)).to_json_dict()
    else:
        result = await run_in_threadpool(_result, request, settings, row.id, found, situation, when)
    await run_in_threadpool(repo.audit, who, "verify.create", "upload", row.id, size=len(data), item=item,
                            stored=store, documents=len(result["documents"]))
    if not store:
        await run_in_threadpool(_forget, request.app, row.id)
        response.headers["Cache-Control"] = "no-store"  # not kept anywhere, idempotency answers included
    return result


def router_for(settings: Settings) -> APIRouter:
    """Who calls it: api.app.create_app (one include_router line)."""
    router = APIRouter(prefix="/api/v1", tags=["verify"])
    router.add_api_route("/verify", verify, methods=["POST"], response_model=VerifyResult,
                         responses={202: {"model": VerifyPending, "description": "超时未完成：稍后在 documents_url 查询"},
                                    **errors(*AUTHED, *UPLOAD, 403)})
    return router

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

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import IdentityDep
from api.case_schemas import NO_NUL, CaseAssessment
from api.contract import AUTHED, UPLOAD, errors
from api.deps import EnqueueDep, ServicesDep, read_upload
from api.errors import ApiError
from pipeline.errors import TooManyPages
from pipeline.interfaces import SHANGHAI
from pipeline.models import Document, FileError, Result
from pipeline.runner import cross_check
from validators.assess import assess_documents
from workers.cases import intake
from workers.wiring import Services

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


def _catalog_item(svc: Services, item: str | None, situation: str | None):
    if item is None:
        if situation is not None:
            raise ApiError("request.invalid", "办理情形（situation）需要与服务事项（item）一起填写")
        return None
    try:
        found = svc.catalog.get(item)
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


def _result(svc: Services, upload_id: str, item, situation: str | None, at: dt.datetime) -> dict:
    """The CLI's result for the worker's documents: cross-checked as a batch, assessed against the item."""
    documents = svc.repo.documents_of(upload_id)
    documents = cross_check(documents, svc.deps, at.astimezone(SHANGHAI).date())  # no OCR engine: the worker read it
    case = None
    if item is not None:
        case = assess_documents(svc.assessor, item, situation, documents, at).to_case_dict()
    return Result(documents=tuple(documents), case=case).to_json_dict()


def _forget(svc: Services, upload_id: str) -> None:
    for key in svc.repo.forget_upload(upload_id):
        svc.store.delete(key)


async def _wait_for(repo, upload_id: str, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        row = await run_in_threadpool(repo.get_upload, upload_id)
        if row.status in ("done", "failed") or time.monotonic() >= deadline:
            return row
        await asyncio.sleep(POLL_SECONDS)


async def verify(response: Response, who: IdentityDep, svc: ServicesDep, enqueue: EnqueueDep,
                 file: Annotated[UploadFile, File(description="一个文件（证件、短表单），页数有上限")],
                 item: Annotated[str | None, Form(max_length=100, pattern=NO_NUL)] = None,
                 situation: Annotated[str | None, Form(max_length=64, pattern=NO_NUL)] = None,
                 at: Annotated[dt.date | None, Form(description="判断日 YYYY-MM-DD（默认今天，北京时间）")] = None,
                 store: Annotated[bool, Form(description="true：保留上传与结果（可在 documents_url 查询）")] = False):
    settings = svc.settings
    if who.role == "reviewer":
        raise ApiError("auth.forbidden", "审批人员不能提交核验")
    found = _catalog_item(svc, item, situation)
    incoming = await read_upload(file, settings)
    pages = await run_in_threadpool(page_count, incoming.data, incoming.kind, settings.limits)
    if pages > settings.verify_max_pages:
        raise ApiError(TooManyPages.code, f"同步核验最多 {settings.verify_max_pages} 页，该文件有 {pages} 页；"
                                          "请改用 POST /api/v1/documents")
    when = _judging_time(at)
    # The one intake path, on the counter's queue; audited below, once the outcome is known.
    row = (await run_in_threadpool(intake.accept, svc, enqueue, who, incoming, case_id=None, at=when, queue="counter",
                                   audit=False)).upload
    done = await _wait_for(svc.repo, row.id, settings.verify_timeout)
    if done.status not in ("done", "failed"):
        await run_in_threadpool(svc.repo.audit, who, "verify.pending", "upload", row.id, size=len(incoming.data), item=item)
        return JSONResponse(VerifyPending(upload_id=row.id, documents_url=f"/api/v1/uploads/{row.id}",
                                          status=done.status).model_dump(), status_code=202)
    if done.status == "failed":  # the worker gave up (a time limit): one document with the error, as the CLI shows it
        failed = Document(id=row.id, source=incoming.filename,
                          error=FileError(code=done.error_code or "infrastructure", message=done.error_message or ""))
        result = Result(documents=(failed,)).to_json_dict()
    else:
        result = await run_in_threadpool(_result, svc, row.id, found, situation, when)
    await run_in_threadpool(svc.repo.audit, who, "verify.create", "upload", row.id, size=len(incoming.data), item=item,
                            stored=store, documents=len(result["documents"]))
    if not store:
        await run_in_threadpool(_forget, svc, row.id)
        response.headers["Cache-Control"] = "no-store"  # not kept anywhere, idempotency answers included
    return result


router = APIRouter(prefix="/api/v1", tags=["verify"])
router.add_api_route("/verify", verify, methods=["POST"], response_model=VerifyResult,
                     responses={202: {"model": VerifyPending, "description": "超时未完成：稍后在 documents_url 查询"},
                                **errors(*AUTHED, *UPLOAD, 403)})

"""The JSON API (FastAPI). Routes stay thin: authorise, call the repository or the store, audit, answer."""


import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from pydantic import BaseModel, Field

from api import (
    bundle, case_joins, cases, catalog, contract, counters, docs, edge, keys, licences, listings, pages, progress,
    rate_limits, verify, webhooks,
)
from api.auth import IdentityDep
from api.case_schemas import NO_NUL, public
from api.contract import AUTHED, UPLOAD, UploadState, errors
from api.deps import EnqueueDep, NowDep, ServicesDep, read_upload
from api.errors import ApiError, error_response, handle_yichuang_error
from api.idempotency import Idempotency
from api.request_id import RequestId
from pipeline.errors import FileTooLarge, YichuangError
from pipeline.settings import Settings
from workers.cases import intake
from workers.cases.intake import Enqueue
from workers.celery_app import broker_ping, configure
from workers.sweeper import enqueue as celery_enqueue
from workers.tasks import install_webhook_publisher
from workers.wiring import Services, build_services, secret_key

logger = logging.getLogger(__name__)

UPLOAD_PATH = "/api/v1/documents"
VERIFY_PATH = "/api/v1/verify"
MULTIPART_OVERHEAD = 64 * 1024


class BodyLimit:
    """ASGI middleware: refuses an upload body larger than the cap while it streams in, before it is
    parsed or stored, so memory and disk stay bounded whatever the client claims."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        path = scope.get("path") or ""
        case_upload = path.startswith("/api/v1/cases/") and path.endswith(("/uploads", "/reader"))
        if scope["type"] != "http" or (path not in (UPLOAD_PATH, VERIFY_PATH) and not case_upload) or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        limit = self.max_bytes + MULTIPART_OVERHEAD
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await error_response(FileTooLarge.code, FileTooLarge.message)(scope, receive, send)
        seen, exceeded = 0, False

        async def limited_receive():
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Stop reading; whatever the app answers to the cut body is replaced by a 413 below.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not exceeded:
                return await send(message)
            if message["type"] == "http.response.start":
                response = error_response(FileTooLarge.code, FileTooLarge.message)
                await send({"type": "http.response.start", "status": response.status_code,
                            "headers": response.raw_headers})
                await send({"type": "http.response.body", "body": response.body})

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
            await guarded_send({"type": "http.response.start"})


class RefuseNul:
    """ASGI middleware: a NUL character in the path or query string is refused with 422 before any route runs
    (PostgreSQL text cannot hold it: lookups with it answered 500, or 503 from the licence library)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and ("\x00" in scope.get("path", "")
                                        or b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b"")):
            return await error_response("request.invalid", "请求地址中含有无效字符（NUL）")(scope, receive, send)
        return await self.app(scope, receive, send)


class UploadAccepted(BaseModel):
    upload_id: str
    documents_url: str


class UploadError(BaseModel):
    code: str
    message: str


class UploadStatus(BaseModel):
    upload_id: str
    status: UploadState
    documents: list[dict[str, Any]] = Field(description="结果 JSON 的文档对象（见 README「结果 JSON」）")
    error: UploadError | None = None


class Health(BaseModel):
    status: Literal["ok"]


_DEPENDENCY_WORDS = {"database": "数据库", "object_store": "文件存储", "broker": "任务队列"}


class Readiness(BaseModel):
    status: Literal["ready"]
    checks: dict[str, str] = Field(description="each dependency: ok, timeout or an error code")


router = APIRouter()


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: answers at once whatever the dependencies do (no I/O, not even the thread pool)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses=errors(503))
async def readyz(svc: ServicesDep) -> Readiness | JSONResponse:
    """Readiness: the database, the object store and the broker, each with a short timeout. Not ready is
    503 `service.not_ready` in the one error shape, each dependency's answer in `details.checks`."""
    checks = {"database": svc.repo.has_active_admin, "object_store": svc.store.ping,
              "broker": lambda: broker_ping(svc.settings)}
    ready, report = await edge.readiness(checks, svc.settings.readiness_timeout)
    if not ready:
        down = "、".join(_DEPENDENCY_WORDS.get(name, name) for name, answer in report.items() if answer != "ok")
        return error_response("service.not_ready", f"服务尚未就绪：{down}不可用", 503, details={"checks": report})
    return Readiness(status="ready", checks=report)


@router.post(UPLOAD_PATH, status_code=202, response_model=UploadAccepted, responses=errors(*AUTHED, *UPLOAD, 403, 404, 409))
async def post_document(
    who: IdentityDep,
    svc: ServicesDep,
    enqueue: EnqueueDep,
    now: NowDep,
    file: Annotated[UploadFile, File(description="扫描件或电子文件")],
    case_id: Annotated[str | None, Form(max_length=64, pattern=NO_NUL)] = None,
    material: Annotated[str | None, Form(max_length=64, pattern=NO_NUL)] = None,
    person: Annotated[str | None, Form(max_length=32, pattern=NO_NUL)] = None,
) -> UploadAccepted:
    """The one intake path (workers/cases/intake.py), with or without a case: with one, as
    POST /api/v1/cases/{id}/uploads (resubmissions supersede, audited on the case)."""
    if who.role == "reviewer":
        raise ApiError("auth.forbidden", "审批人员不能上传材料")
    # Database, store and broker calls run in the thread pool: the event loop never waits on them.
    await run_in_threadpool(intake.check_target, svc, who, case_id, material, person)  # before anything is stored
    incoming = await read_upload(file, svc.settings, material=material, person=person)
    accepted = await run_in_threadpool(intake.accept, svc, enqueue, who, incoming, case_id=case_id, at=now)
    return UploadAccepted(upload_id=accepted.upload.id, documents_url=f"/api/v1/uploads/{accepted.upload.id}")


@router.get("/api/v1/uploads/{upload_id}", response_model=UploadStatus, responses=errors(*AUTHED, 404))
def get_upload(upload_id: str, who: IdentityDep, svc: ServicesDep) -> UploadStatus:
    row = svc.repo.get_upload(upload_id)
    if row is None or not who.can_see(row):
        raise ApiError("not_found", "找不到该上传记录")
    svc.repo.audit(who, "upload.read", "upload", upload_id)
    error = UploadError(code=row.error_code, message=row.error_message or "") if row.error_code else None
    documents = [public(d) for d in svc.repo.documents_of(upload_id)] if row.status == "done" else []
    return UploadStatus(upload_id=row.id, status=row.status, documents=documents, error=error)


def create_app(settings: Settings, *, services: Services | None = None, repo=None, store=None,
               enqueue: Enqueue | None = None) -> FastAPI:
    """Who calls it: `yichuang serve` and the tests. Builds the services (workers/wiring.py build_services) unless
    given, but nothing heavy: no OCR engine here. `repo`, `store`, `enqueue`: already built ones (the tests')."""
    services = services or build_services(settings, repo=repo, store=store)
    if enqueue is None:
        configure(settings)
        enqueue = celery_enqueue
        install_webhook_publisher()  # webhook events recorded by requests go out when their transaction commits
    app = FastAPI(title="yichuang 一窗", version="1", description="材料收件核验服务 API", docs_url=None, redoc_url=None)
    app.openapi = lambda: contract.openapi(app)
    docs.install(app)
    app.add_exception_handler(YichuangError, handle_yichuang_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_error)
    app.add_exception_handler(RequestValidationError, handle_invalid)
    state = app.state
    state.services, state.enqueue, state.secret = services, enqueue, secret_key(settings)
    state.repo, state.store, state.settings = services.repo, services.store, settings  # the middlewares read these
    state.rate_limits = rate_limits.build_rate_limits(settings)  # per key and role (api/rate_limits.py)
    app.include_router(router)
    app.include_router(keys.router)  # issue, list, revoke, rotate API keys
    app.include_router(cases.router)
    app.include_router(listings.router)  # GET /api/v1/uploads and /api/v1/audit, a page at a time
    app.include_router(counters.router)  # the case a counter has open, for the document camera's client
    app.include_router(case_joins.router)  # joining shots into one document, splitting them again
    app.include_router(licences.router)  # the electronic-licence library for integrators
    app.include_router(bundle.router)  # the case bundle (signed PDF per case version)
    app.include_router(catalog.router)  # the service items, for integrators
    app.include_router(verify.router)  # synchronous verify through the counter queue
    app.include_router(webhooks.router)  # integrators' webhook subscriptions and delivery log
    app.include_router(progress.router)  # public progress by case number and query code (no key)
    pages.mount(app, settings)  # sign-in, the counter and the back office (server-rendered pages)
    app.add_middleware(Idempotency)  # inside BodyLimit and AuthBeforeBody: the body it buffers is bounded and authorised
    app.add_middleware(edge.AuthBeforeBody)  # the key (or a page session) before one byte of the body is read
    app.add_middleware(BodyLimit, max_bytes=settings.limits.max_upload_bytes)  # a declared oversize: 413 before even the key
    app.add_middleware(edge.DenialAudit)
    app.add_middleware(edge.BodyTimeout, seconds=settings.body_read_timeout)
    app.add_middleware(RefuseNul)
    app.add_middleware(RequestId)  # the outermost: every answer carries X-Request-ID
    return app


async def handle_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """FastAPI's own refusals (an unparsable body, no such route or method) in the API's error shape; a 405
    says in `Allow` which methods the address takes (from every route of the path, not only the first)."""
    if exc.status_code == 405:
        allowed = sorted({m for r in contract.all_routes(request.app) if getattr(r, "methods", None)
                          and r.matches(request.scope)[0] == Match.PARTIAL for m in r.methods})
        return error_response("method.not_allowed", "该地址不支持此请求方法", 405,
                              headers={"Allow": ", ".join(allowed)} if allowed else None)
    code, message = {400: ("request.invalid", "请求内容无法解析，请检查格式"),
                     404: ("not_found", "找不到该地址")}.get(exc.status_code, ("request.invalid", "请求有误"))
    return error_response(code, message, exc.status_code)


async def handle_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    locations = [".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()]
    return error_response("request.invalid", f"请求格式错误：{', '.join(locations)}", details={"fields": locations})

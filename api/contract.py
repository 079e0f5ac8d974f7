"""The API's published contract, beside the routes: the one error schema, the error statuses each kind of route
declares, the enums integrators rely on, and the finishing of /openapi.json (request id and idempotency
headers). Who uses it: every router's `responses=`, api/app.py (install), tests/api/test_contract.py.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from api.problems import PROBLEMS
from pipeline.case_states import STATES, TRANSITIONS

Role = Literal["clerk", "applicant", "reviewer", "integrator", "admin"]
UploadState = Literal["queued", "processing", "done", "failed"]
Severity = Literal["error", "warning", "info"]
ACTS: tuple[str, ...] = tuple(t.act for t in TRANSITIONS)
CASE_STATES: tuple[str, ...] = tuple(STATES)
CaseState = Literal[CASE_STATES]  # type: ignore[valid-type]
Act = Literal[ACTS]  # type: ignore[valid-type]

_DESCRIPTIONS = {
    400: "请求内容无法解析，或上传的文件是空的",
    401: "缺少或无效的访问密钥（auth.required）",
    403: "该角色无权执行此操作（auth.forbidden），或访问密钥的权限范围不包含此操作（auth.scope_missing）",
    404: "资源不存在或调用方无权查看（not_found）",
    409: "与资源当前状态冲突（case.*），或同一幂等键的请求仍在处理（idempotency.in_progress）",
    413: "文件太大（file.too_large）",
    415: "不支持的文件类型（file.unsupported_type）",
    422: "请求格式错误（request.invalid）、文件无法使用（file.*），或幂等键已用于不同内容（idempotency.mismatch）",
    429: "请求过于频繁（rate.limited），请按 Retry-After 等待后再试",
    503: "依赖的服务暂时不可用（storage.unavailable、library.unavailable 等），可稍后重试",
}


class ErrorBody(BaseModel):
    code: str = Field(description="稳定的错误代码（见 README 的错误代码表）", examples=["request.invalid"],
                      json_schema_extra={"x-codes": [p.code for p in PROBLEMS]})
    message: str = Field(description="给人看的中文说明")
    details: dict[str, Any] | None = Field(default=None, description="可选的补充信息（如出错的字段）")


class ErrorResponse(BaseModel):
    """Every error answer of the API, whatever the status."""

    error: ErrorBody


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` declaration of these error statuses, all with the one error schema."""
    return {status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]} for status in statuses}


PUBLIC_PATHS = ("/api/v1/progress",)  # the only routes without a key: a citizen with a notice calls them (no 401)
# Every route that takes an identity: no key, a key whose scopes do not cover the route (api/scopes.py), bad
# parameters, a key past its rate limit (api/rate_limits.py), a store that is down.
AUTHED = (401, 403, 422, 429, 503)
UPLOAD = (400, 413, 415)  # routes that take a file, beside AUTHED


def pdf(description: str) -> dict[int | str, dict[str, Any]]:
    """A 200 answer that is a PDF file, not JSON."""
    return {200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                  "description": description}}


REQUEST_ID = {"description": "请求编号：调用方提供的合规值原样返回，否则由服务生成；同样写入日志与审计记录",
              "schema": {"type": "string", "maxLength": 128}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "幂等键：24 小时内同一调用方以同一键、同一内容重发，返回首次的应答而不重复处理",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"},
}


def all_routes(app: FastAPI) -> list:
    """The app's routes with included routers flattened (FastAPI >= 0.16x keeps them nested as _IncludedRouter)."""
    try:
        from fastapi.routing import _iter_included_route_candidates
    except ImportError:  # older FastAPI: app.routes is already flat
        return list(app.routes)
    return list(_iter_included_route_candidates(app.routes))


def openapi(app: FastAPI) -> dict[str, Any]:
    """/openapi.json: FastAPI's document, plus the X-Request-ID header on every answer and the Idempotency-Key
    header (with its 409/422 answers, and 400 for a body that cannot be parsed) on every POST. Built once per app."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method == "post":
                operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY))
                for status in ("400", "409", "422"):  # 400: a body that cannot be parsed at all
                    operation["responses"].setdefault(
                        status, {"description": _DESCRIPTIONS[int(status)],
                                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}})
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID
    app.openapi_schema = schema
    return schema

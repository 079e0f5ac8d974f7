"""The one place where error codes become HTTP statuses."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from pipeline.errors import YichuangError

STATUS = {
    "file.empty": 400,
    "file.too_large": 413,
    "file.unsupported_type": 415,
    "file.too_many_pixels": 422,
    "file.too_many_pages": 422,
    "file.truncated": 422,
    "file.encrypted": 422,
    "ofd.malformed": 422,
    "auth.required": 401,
    "auth.forbidden": 403,
    "not_found": 404,
    "request.invalid": 422,
    "case.transition_not_allowed": 409,  # case lifecycle (workers/case_flow.py)
    "case.state_changed": 409,
    "case.unknown_act": 422,
    "case.reason_required": 422,
    "case.originals_unattested": 409,
    "case.not_assessed": 409,
    "case.tolerance_not_allowed": 409,
    "case.commitment_missing": 422,
    "case.nothing_tolerated": 409,
    "case.tolerance_outstanding": 409,
    "case.lapse_not_as_item": 409,
    "case.tolerance_not_lapsed": 409,
    "reader.invalid": 422,
    "bundle.signing_unavailable": 503,  # the hall has no signing certificate configured
    "storage.unavailable": 503,
    "infrastructure": 503,
}


class ApiError(YichuangError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def error_response(code: str, message: str, status: int | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status or STATUS.get(code, 500))


async def handle_yichuang_error(_request: Request, exc: YichuangError) -> JSONResponse:
    status = STATUS.get(exc.code, 503 if exc.retryable else 500)
    return error_response(exc.code, exc.message, status)

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

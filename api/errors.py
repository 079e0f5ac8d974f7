"""The one place where error codes become HTTP responses (statuses and messages: api/problems.py)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from api.problems import STATUS
from pipeline.errors import YichuangError

__all__ = ["STATUS", "ApiError", "error_response", "handle_yichuang_error"]


class ApiError(YichuangError):
    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.code = code
        self.details = details
        self.headers = headers  # e.g. Retry-After of a 429 (api/rate_limits.py)
        super().__init__(message)


def error_response(code: str, message: str, status: int | None = None, *, details: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape of the API: {"error": {"code", "message", "details"?}} (api/contract.py ErrorResponse)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status or STATUS.get(code, 500), headers=headers)


async def handle_yichuang_error(_request: Request, exc: YichuangError) -> JSONResponse:
    status = STATUS.get(exc.code, 503 if exc.retryable else 500)
    return error_response(exc.code, exc.message, status, details=getattr(exc, "details", None),
                          headers=getattr(exc, "headers", None))

"""Every answer carries a request id (`X-Request-ID`): the caller's, when it sent a sane one, else a new one.
It is bound into the logs (structlog contextvars, printed by workers.wiring.configure_logging) and written into
every audit row made while the request runs (storage/repository.py reads the same contextvar)."""

from __future__ import annotations

import re
import uuid

import structlog

HEADER = b"x-request-id"
SANE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")  # printable, no spaces: safe in a log line and a header


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's id if it is sane, else a fresh one."""
    sent = dict(headers).get(HEADER)
    if sent is not None:
        try:
            value = sent.decode("ascii")
        except UnicodeDecodeError:
            value = ""
        if SANE.match(value):
            return value
    return uuid.uuid4().hex


class RequestId:
    """ASGI middleware, the outermost: every answer, errors and refusals included, carries the id."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = request_id_of(scope.get("headers") or [])
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, rid.encode())]}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=rid):
            await self.app(scope, receive, send_with_id)

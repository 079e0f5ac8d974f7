"""The API's edge: ASGI middleware that keeps slow or unauthorised clients from holding the service, and the
readiness report.

- `AuthBeforeBody`: a request with a body to /api/ is refused with 401 before one byte of its body is read
  when it carries no valid key (an upload of 20 MiB without a key costs the client, not us), and with 429 when
  its key is past its rate limit (api/rate_limits.py).
- `BodyTimeout`: a body that stops arriving for `body_read_timeout` seconds is answered 408.
- `DenialAudit`: every 401/403/404 of /api/ is audited (caller, route, reason), so guessing ids is visible.
  No personal data: the route template and the path with ID and phone numbers masked.
- `readiness`: GET /readyz, each dependency checked in its own small thread pool with a short timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request

from api.auth import identify, now, parse_key, presented_key, session_identity
from api.contract import PUBLIC_PATHS
from api.errors import STATUS, error_response
from api.rate_limits import COUNTED, refusal, wait_seconds
from pipeline.errors import YichuangError
from pipeline.masking import mask_text

logger = logging.getLogger(__name__)

DENIED = (401, 403, 404)
CHECKS = ThreadPoolExecutor(max_workers=6, thread_name_prefix="readyz")  # never the request pool


def _has_body(scope) -> bool:
    headers = Headers(scope=scope)
    length = headers.get("content-length")
    return bool(headers.get("transfer-encoding")) or (length is not None and length.strip() not in ("", "0"))


class AuthBeforeBody:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path") or ""
        if scope["type"] != "http" or not path.startswith("/api/") or not _has_body(scope) or path in PUBLIC_PATHS:
            return await self.app(scope, receive, send)
        state = scope["app"].state if "app" in scope else None
        key = presented_key(Headers(scope=scope))
        try:
            identity = (await run_in_threadpool(identify, state.repo, state.secret, key, now(scope["app"]))
                        if key and state else None)
            if identity is None and key is None and state is not None:  # a page session (CSRF header checked)
                identity = await run_in_threadpool(session_identity, Request(scope))
        except YichuangError as exc:  # the database is down: 503 in the error shape (outside the app's handlers)
            logger.warning("key check failed before the body: %s", exc.code)
            response = error_response(exc.code, exc.message, STATUS.get(exc.code, 503 if exc.retryable else 500))
            response.headers["connection"] = "close"
            return await response(scope, receive, send)
        if identity is None:
            # The body is never read; the server closes the connection after the answer.
            response = error_response("auth.required", "需要有效的访问密钥")
            response.headers["connection"] = "close"
            return await response(scope, receive, send)
        scope.setdefault("state", {})["identity"] = identity
        wait = await run_in_threadpool(wait_seconds, scope["app"], identity)  # counted before the body is read
        if wait is not None:
            response = refusal(wait)
            response.headers["connection"] = "close"
            return await response(scope, receive, send)
        scope["state"][COUNTED] = True
        return await self.app(scope, receive, send)


class BodyTimeout:
    def __init__(self, app, seconds: float) -> None:
        self.app, self.seconds = app, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        timed_out, started, body_done = False, False, False

        async def timed_receive():
            nonlocal timed_out, body_done
            if timed_out:
                return {"type": "http.disconnect"}
            if body_done:  # after the body only a disconnect can come (a streaming answer waits for it): no limit
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except asyncio.TimeoutError:
                timed_out = True
                return {"type": "http.disconnect"}
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracked_send(message):
            nonlocal started
            if timed_out and not started and message["type"] == "http.response.start":
                return None  # the app's answer to a cut body is replaced by the 408 below
            if timed_out and not started:
                return None
            started = started or message["type"] == "http.response.start"
            return await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except Exception:
            if not timed_out:
                raise
        if timed_out and not started:
            response = error_response("request.timeout", "请求内容发送超时，请检查网络后重试", 408)
            response.headers["connection"] = "close"
            await response(scope, timed_receive, send)


class DenialAudit:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path") or ""
        if scope["type"] != "http" or not path.startswith("/api/"):
            return await self.app(scope, receive, send)
        seen: dict = {"status": 0, "body": b""}

        async def watching_send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and seen["status"] in DENIED and len(seen["body"]) < 4096:
                seen["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        finally:
            if seen["status"] in DENIED:
                await run_in_threadpool(_audit_denial, scope, seen["status"], seen["body"])


def _audit_denial(scope, status: int, body: bytes) -> None:
    """Who calls it: DenialAudit, in the thread pool after the answer went out. A database that is down loses
    this record (logged), never the answer."""
    try:
        reason = json.loads(body or b"{}").get("error", {}).get("code") or str(status)
    except (ValueError, AttributeError):
        reason = str(status)
    identity = (scope.get("state") or {}).get("identity")
    key = presented_key(Headers(scope=scope))
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    detail = {"route": route, "method": scope.get("method", ""), "status": status, "reason": reason,
              "path": mask_text(scope.get("path", ""))[:300]}
    if identity is None:
        detail["presented_key"] = (parse_key(key) or "malformed") if key else "none"
    try:
        scope["app"].state.repo.audit(identity, "access.denied", "route", route, **detail)
    except Exception:  # noqa: BLE001
        logger.warning("could not audit a denied request to %s (%s)", route, reason, exc_info=True)


async def readiness(checks: dict, timeout: float) -> tuple[bool, dict[str, str]]:
    """Each check (a blocking callable) run in `CHECKS` with `timeout` seconds: "ok", "timeout" or the error's
    code. Who calls it: GET /readyz."""
    loop = asyncio.get_running_loop()

    async def one(check) -> str:
        try:
            await asyncio.wait_for(loop.run_in_executor(CHECKS, check), timeout)
            return "ok"
        except asyncio.TimeoutError:
            return "timeout"
        except Exception as exc:  # noqa: BLE001
            return getattr(exc, "code", type(exc).__name__)

    names = list(checks)
    results = await asyncio.gather(*(one(checks[n]) for n in names))
    report = dict(zip(names, results))
    return all(r == "ok" for r in results), report

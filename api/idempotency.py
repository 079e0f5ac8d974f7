"""`Idempotency-Key` on every POST: within 24 hours the same caller sending the same key and the same request
gets the first answer (status and body) again, and the work is not done twice (a scanner's retry does not
duplicate a document); the same key with another request answers 422 `idempotency.mismatch`; a duplicate that
arrives while the first still runs waits briefly for its answer, else 409 `idempotency.in_progress`.
Answers of 500 and above are not kept: a retry does the work; nor are answers marked `Cache-Control: no-store`
(a synchronous verify that keeps nothing: its result is not kept here either). Keys are scoped per caller (the API key's row),
so callers cannot see each other's answers. Storage: storage/idempotency.py (one winner by unique constraint).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api import auth
from api.errors import error_response
from storage.idempotency import IdempotencyStore

HEADER = b"idempotency-key"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as the OpenAPI document says (api/contract.py)
WAIT_SECONDS = 10.0  # how long a duplicate waits for the first request's answer
POLL_SECONDS = 0.05


def fingerprint(method: str, path: str, query: bytes, content_type: str, body: bytes) -> str:
    """The request's identity for idempotency: a multipart body's random boundary and a JSON body's key order or
    spacing do not make two equal requests differ."""
    if content_type.startswith("multipart/") and "boundary=" in content_type:
        boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
        body = body.replace(boundary, b"B")
        content_type = content_type.split(";")[0]
    elif content_type.startswith("application/json"):
        try:
            body = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        except ValueError:
            pass
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, content_type.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def owner_of(state, headers: dict[bytes, bytes]) -> str | None:
    """The caller's key row id, or None when the request carries no valid key (the route then answers 401)."""
    key = headers.get(b"x-api-key", b"").decode("latin-1").strip()
    bearer = headers.get(b"authorization", b"").decode("latin-1")
    if not key and bearer.lower().startswith("bearer "):
        key = bearer[7:].strip()
    row = auth.authenticate(state.repo, state.secret, key) if key else None
    return row.id if row else None


async def read_body(receive) -> tuple[bytes, bool]:
    """The whole body, and whether it arrived whole (BodyLimit cuts a too large one with a disconnect)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


class Idempotency:
    """ASGI middleware inside BodyLimit (so the body it buffers is bounded)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        if scope["type"] != "http" or scope.get("method") != "POST" or HEADER not in headers:
            return await self.app(scope, receive, send)
        key = headers[HEADER].decode("latin-1")
        if not KEY.match(key):
            return await error_response("request.invalid", "幂等键（Idempotency-Key）应为 1 至 200 个可见 ASCII 字符",
                                        details={"fields": ["header.Idempotency-Key"]})(scope, receive, send)
        state = scope["app"].state
        owner = await run_in_threadpool(owner_of, state, headers)
        body, whole = await read_body(receive)
        replay = _replaying(body, receive)
        if owner is None or not whole:
            return await self.app(scope, replay, send)
        store = _store(state)
        mark = fingerprint("POST", scope["path"], scope.get("query_string", b""),
                           headers.get(b"content-type", b"").decode("latin-1"), body)
        existing = await run_in_threadpool(store.claim, owner, key, mark)
        if existing is not None:
            answer = await _answer_duplicate(store, owner, key, mark, existing)
            return await answer(scope, replay, send)
        await _run_and_keep(self.app, scope, replay, send, store, owner, key)


def _store(state) -> IdempotencyStore:
    if getattr(state, "idempotency", None) is None:
        state.idempotency = IdempotencyStore(state.repo.engine)
    return state.idempotency


def _replaying(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # the body is used up: this waits for the client to go away

    return replay


async def _run_and_keep(app, scope, receive, send, store: IdempotencyStore, owner: str, key: str) -> None:
    """Run the request once and keep its answer (unless it is a server error)."""
    start: dict = {}
    chunks: list[bytes] = []

    async def capture(message):
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
        await send(message)

    try:
        await app(scope, receive, capture)
    except BaseException:
        await run_in_threadpool(store.release, owner, key)
        raise
    status = start.get("status", 500)
    headers = dict(start.get("headers") or [])
    if status >= 500 or b"no-store" in headers.get(b"cache-control", b""):  # e.g. a verify that keeps nothing
        await run_in_threadpool(store.release, owner, key)
        return
    content_type = headers.get(b"content-type", b"application/json").decode("latin-1")
    await run_in_threadpool(store.finish, owner, key, status, content_type, b"".join(chunks))


async def _answer_duplicate(store: IdempotencyStore, owner: str, key: str, mark: str, existing) -> Response:
    if existing.fingerprint != mark:
        return error_response("idempotency.mismatch", "同一幂等键已用于内容不同的请求，请换一个幂等键")
    deadline = time.monotonic() + WAIT_SECONDS
    while existing is not None and existing.state != "done" and time.monotonic() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        existing = await run_in_threadpool(store.get, owner, key)
    if existing is None or existing.state != "done":
        return error_response("idempotency.in_progress", "同一幂等键的请求正在处理，请稍后重试")
    return Response(existing.body or b"", status_code=existing.status or 200, media_type=existing.content_type,
                    headers={"Idempotent-Replayed": "true"})

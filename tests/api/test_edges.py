"""The API's edge under faults: blocking I/O never on the event loop, a database that is down or hung answers
503 in the error shape within seconds, auth before the body, body timeouts, denied requests audited."""

from __future__ import annotations

import io
import socket
import threading
import time

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from storage.db import make_engine
from storage.models import AuditEvent
from storage.objects import MemoryStore
from storage.repository import Repository
from tests.api.live_server import LiveServer, free_port
from workers.wiring import secret_key


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, "JPEG")
    return buf.getvalue()


class SlowKeys(Repository):
    """A database whose key lookups take `delay` seconds (a stalled connection)."""

    delay = 0.0

    def key_by_public_id(self, key_id):
        time.sleep(self.delay)
        return super().key_by_public_id(key_id)


@pytest.fixture()
def service(tmp_path):
    settings = Settings(data_dir=tmp_path, body_read_timeout=1.0, env="test")
    engine = make_engine(f"sqlite:///{tmp_path}/t.sqlite")
    from storage.db import migrate

    migrate(engine)
    repo = SlowKeys(engine)
    sent: list[tuple[str, str]] = []
    app = create_app(settings, repo=repo, store=MemoryStore(), enqueue=lambda u, q: sent.append((u, q)))
    key = auth.create_key(repo, secret_key(settings), role="clerk", hall="h1", label="scanner")
    with LiveServer(app) as live:
        yield live, repo, key, sent


def test_healthz_answers_at_once_while_a_request_waits_on_the_database(service):
    live, repo, key, _ = service
    repo.delay = 6.0  # three uploads on the loop would hold it 6-18 s; off the loop /healthz waits for none
    results = []
    threads = [threading.Thread(target=lambda: results.append(httpx.post(
        f"{live.url}/api/v1/documents", headers={"X-API-Key": key}, files={"file": ("a.jpg", _jpeg(), "image/jpeg")},
        timeout=30).status_code)) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # the uploads are now waiting on the slow key lookups
    started = time.perf_counter()
    assert httpx.get(f"{live.url}/healthz", timeout=10).json() == {"status": "ok"}
    assert time.perf_counter() - started < 3, "the event loop was blocked by a database call"
    for t in threads:
        t.join()
    assert results == [202, 202, 202]


def _service_on(url: str, tmp_path) -> tuple:
    settings = Settings(data_dir=tmp_path, db_connect_timeout=2, readiness_timeout=1.0)
    repo = Repository(make_engine(url, connect_timeout=2))
    app = create_app(settings, repo=repo, store=MemoryStore(), enqueue=lambda u, q: None)
    return app, "yc_0123456789abcdef_" + "x" * 43


def test_a_database_that_is_down_answers_503_json(tmp_path):
    port = free_port()  # nothing listens there
    app, key = _service_on(f"postgresql://postgres@127.0.0.1:{port}/x", tmp_path)
    with LiveServer(app) as live:
        started = time.perf_counter()
        response = httpx.get(f"{live.url}/api/v1/uploads/u1", headers={"X-API-Key": key}, timeout=30)
        assert time.perf_counter() - started < 10
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "storage.unavailable" and response.json()["error"]["message"]
        upload = httpx.post(f"{live.url}/api/v1/documents", headers={"X-API-Key": key},
                            files={"file": ("a.jpg", _jpeg(), "image/jpeg")}, timeout=30)
        assert upload.status_code == 503 and upload.json()["error"]["code"] == "storage.unavailable"
        assert httpx.get(f"{live.url}/healthz").status_code == 200
        ready = httpx.get(f"{live.url}/readyz", timeout=10)
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "service.not_ready" and ready.json()["error"]["details"]["checks"]["database"] != "ok"
        assert ready.json()["error"]["details"]["checks"]["object_store"] == "ok"


def test_a_hung_database_answers_503_json_within_the_connect_timeout(tmp_path):
    with socket.socket() as hung:  # accepts connections (the kernel's backlog) and never says a word
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        app, key = _service_on(f"postgresql://postgres@127.0.0.1:{hung.getsockname()[1]}/x", tmp_path)
        with LiveServer(app) as live:
            started = time.perf_counter()
            response = httpx.get(f"{live.url}/api/v1/uploads/u1", headers={"X-API-Key": key}, timeout=30)
            assert response.status_code == 503 and response.json()["error"]["code"] == "storage.unavailable"
            assert time.perf_counter() - started < 10, "the connect timeout did not bound the wait"


def _raw_request(port: int, head: str, body: bytes = b"") -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(head.encode() + b"\r\n" + body)
    return conn


def _read_status(conn: socket.socket) -> tuple[int, bytes]:
    """The status and the whole answer (headers, then the body its Content-Length announces)."""
    data = b""
    while b"\r\n\r\n" not in data and (chunk := conn.recv(65536)):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length and (chunk := conn.recv(65536)):
        body += chunk
    return int(head.split(b" ", 2)[1]), head + b"\r\n\r\n" + body


def test_an_upload_without_a_valid_key_is_refused_before_its_body_is_read(service):
    live, *_ = service
    size = 20 * 1024 * 1024
    for key_header in ("", "X-API-Key: yc_0123456789abcdef_wrongwrongwrongwrongwrongwrongwrongwrong1\r\n"):
        head = (f"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                f"{key_header}Content-Length: {size}\r\n")
        started = time.perf_counter()
        conn = _raw_request(live.port, head, b"--b\r\n" + b"x" * 1024)  # 1 KiB of the promised 20 MiB
        status, answer = _read_status(conn)
        conn.close()
        assert status == 401 and b"auth.required" in answer
        assert time.perf_counter() - started < 2, "the server waited for the body before answering"


def test_a_body_that_stops_arriving_is_answered_408(service):
    live, _, key, sent = service
    head = (f"POST /api/v1/documents HTTP/1.1\r\nHost: x\r\nX-API-Key: {key}\r\n"
            "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n")
    started = time.perf_counter()
    conn = _raw_request(live.port, head, b"--b\r\n")
    status, answer = _read_status(conn)
    conn.close()
    assert status == 408 and b"request.timeout" in answer
    assert 0.9 < time.perf_counter() - started < 5
    assert sent == [], "nothing stored or enqueued"


def test_denied_requests_are_audited_with_caller_route_and_reason_without_personal_data(service):
    live, repo, key, _ = service
    httpx.get(f"{live.url}/api/v1/uploads/110105199003071239", headers={"X-API-Key": key})  # 404: not theirs
    httpx.get(f"{live.url}/api/v1/uploads/u2")  # 401: no key
    httpx.get(f"{live.url}/api/v1/uploads/u3", headers={"X-API-Key": "yc_feedfeedfeedfeed_guess"})  # 401: bad key
    time.sleep(0.3)
    with repo.session() as s:
        rows = [r for r in s.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id))]
    assert [(r.detail["status"], r.detail["reason"]) for r in rows] == [(404, "not_found"), (401, "auth.required"),
                                                                         (401, "auth.required")]
    assert {r.target_id for r in rows} == {"/api/v1/uploads/{upload_id}"}
    assert rows[0].actor != "system" and rows[0].role == "clerk", "the caller of a 404 is named"
    assert rows[1].detail["presented_key"] == "none" and rows[2].detail["presented_key"] == "feedfeedfeedfeed"
    assert "110105199003071239" not in str(rows[0].detail)
    assert repo.audit_chain_ok()


def test_the_body_timeout_never_cuts_a_slow_answer():
    """After the request body, only a disconnect can arrive: a streaming answer longer than the body timeout
    (a large bundle to a slow client) is not taken for a silent client."""
    import asyncio

    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    from api.edge import BodyTimeout

    async def slow_parts():
        for _ in range(4):
            await asyncio.sleep(0.4)
            yield b"part "

    async def stream(_request):
        return StreamingResponse(slow_parts())

    app = BodyTimeout(Starlette(routes=[Route("/slow", stream)]), seconds=0.5)
    with LiveServer(app) as live:
        assert httpx.get(f"{live.url}/slow", timeout=10).content == b"part " * 4

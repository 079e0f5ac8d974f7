"""A Redis broker that is frozen (SIGSTOP) or gone: an upload is still stored and answered 202 within 10 s, its
row stays `queued` for the sweeper, and /readyz names the broker. The test starts its own redis-server."""

from __future__ import annotations

import io
import shutil
import signal
import subprocess
import time

import httpx
import pytest
from PIL import Image

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from tests.api.live_server import LiveServer, free_port
from workers.wiring import secret_key

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")]


@pytest.fixture()
def own_redis(tmp_path):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    import redis

    while time.time() < deadline:
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield proc, f"redis://127.0.0.1:{port}/0"
    proc.send_signal(signal.SIGCONT)
    proc.terminate()
    proc.wait(timeout=10)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, "JPEG")
    return buf.getvalue()


def test_an_upload_during_a_broker_freeze_is_answered_202_within_10_s(tmp_path, own_redis):
    proc, url = own_redis
    settings = Settings(data_dir=tmp_path, broker_url=url, env="test")
    app = create_app(settings)  # the real Celery publisher
    key = auth.create_key(app.state.repo, secret_key(settings), role="clerk", hall="h1", label="scanner")
    with LiveServer(app) as live:
        first = httpx.post(f"{live.url}/api/v1/documents", headers={"X-API-Key": key},
                           files={"file": ("a.jpg", _jpeg(), "image/jpeg")}, timeout=30)
        assert first.status_code == 202
        assert app.state.repo.get_upload(first.json()["upload_id"]).enqueued_at is not None
        proc.send_signal(signal.SIGSTOP)
        started = time.perf_counter()
        frozen = httpx.post(f"{live.url}/api/v1/documents", headers={"X-API-Key": key},
                            files={"file": ("b.jpg", _jpeg(), "image/jpeg")}, timeout=60)
        assert time.perf_counter() - started < 10
        assert frozen.status_code == 202
        row = app.state.repo.get_upload(frozen.json()["upload_id"])
        assert row.status == "queued" and row.enqueued_at is None, "left for the sweeper"
        ready = httpx.get(f"{live.url}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "service.not_ready" and ready.json()["error"]["details"]["checks"]["broker"] != "ok"
        assert ready.json()["error"]["details"]["checks"]["database"] == "ok"


def test_an_upload_sent_again_goes_ahead_of_the_queue_on_redis(redis_broker):
    """A dead worker's upload already waited in the queue once: the sweeper's message is served first."""
    from pipeline.settings import Settings as S
    from workers.celery_app import configure, publish
    from workers.tasks import process_upload

    url, prefix = redis_broker
    app = configure(S(broker_url=url, redis_key_prefix=prefix))
    for n in range(3):
        publish(process_upload, [f"first-{n}"], "bulk")
    publish(process_upload, ["sent-again"], "bulk", resend=True)
    got: list[str] = []

    def on_message(body, message):
        got.append(body[0][0])
        message.ack()

    with app.connection_for_read() as conn, conn.Consumer(app.amqp.queues["bulk"], callbacks=[on_message],
                                                           accept=["json"], prefetch_count=1):
        deadline = time.time() + 20
        while len(got) < 4 and time.time() < deadline:
            conn.drain_events(timeout=5)
    assert got == ["sent-again", "first-0", "first-1", "first-2"]

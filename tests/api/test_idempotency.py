"""Idempotency-Key on POSTs: a retry returns the first answer without doing the work again, on SQLite and
PostgreSQL, also when the duplicates arrive in parallel."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from api import auth
from api import idempotency as idem
from api.app import create_app
from pipeline.errors import StorageUnavailable
from pipeline.settings import Settings


class Env:
    def __init__(self, settings: Settings, work_seconds: float = 0.0) -> None:
        self.enqueued: list[str] = []
        self.work_seconds = work_seconds
        self.app = create_app(settings, enqueue=self._enqueue)
        self.client = TestClient(self.app)

    def _enqueue(self, upload_id: str, _queue: str) -> None:
        time.sleep(self.work_seconds)  # the work a duplicate must not repeat, slow enough to overlap
        self.enqueued.append(upload_id)

    def key(self, role: str = "clerk") -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.create_key(self.app.state.repo, self.app.state.secret, role=role, hall='h1', label=role)}"}

    def upload(self, headers, data: bytes, key: str | None = None):
        extra = {"Idempotency-Key": key} if key else {}
        return self.client.post("/api/v1/documents", headers={**headers, **extra},
                                files={"file": ("scan.jpg", data, "image/jpeg")})

    def rows(self, table: str) -> int:
        with self.app.state.repo.engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def env(request, tmp_path):
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    made = Env(Settings(data_dir=tmp_path, database_url=url, max_upload_bytes=2 * 1024 * 1024))
    yield made
    made.app.state.repo.engine.dispose()


def jpeg(shade: int = 255) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (shade, shade, shade)).save(buf, "JPEG")
    return buf.getvalue()


def test_a_retry_returns_the_first_answer_and_does_not_upload_twice(env):
    clerk = env.key()
    first = env.upload(clerk, jpeg(), key="scan-0001")
    again = env.upload(clerk, jpeg(), key="scan-0001")  # a new multipart boundary, the same request
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(env.enqueued) == 1 and env.rows("uploads") == 1
    assert env.rows("idempotency_keys") == 1
    without = [env.upload(clerk, jpeg()).json()["upload_id"] for _ in range(2)]
    assert len(set(without)) == 2 and env.rows("uploads") == 3


def test_the_same_key_with_another_body_is_refused(env):
    clerk = env.key()
    assert env.upload(clerk, jpeg(), key="k1").status_code == 202
    other = env.upload(clerk, jpeg(shade=10), key="k1")
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency.mismatch"
    assert env.rows("uploads") == 1


def test_keys_are_scoped_per_caller(env):
    alice, bob = env.key(), env.key()
    a = env.upload(alice, jpeg(), key="same").json()
    b = env.upload(bob, jpeg(), key="same").json()
    assert a["upload_id"] != b["upload_id"] and env.rows("uploads") == 2


def test_json_bodies_match_whatever_the_key_order(env):
    clerk = env.key()
    body = {"item": "individual-business-registration", "situation": "self", "applicant": {"name": "张三"}}
    first = env.client.post("/api/v1/cases", headers={**clerk, "Idempotency-Key": "case-1"}, json=body)
    again = env.client.post("/api/v1/cases", headers={**clerk, "Idempotency-Key": "case-1", "Content-Type": "application/json"},
                            content='{"applicant": {"name": "张三"}, "situation": "self", "item": "individual-business-registration"}')
    assert first.status_code == again.status_code == 201 and again.json()["case_id"] == first.json()["case_id"]
    assert env.rows("cases") == 1


def test_a_server_error_is_not_kept_so_a_retry_does_the_work(env):
    clerk = env.key()
    store, calls = env.app.state.store, []
    real_put = store.put

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise StorageUnavailable()
        return real_put(*args, **kwargs)

    store.put = failing_once
    assert env.upload(clerk, jpeg(), key="retry-me").status_code == 503
    assert env.upload(clerk, jpeg(), key="retry-me").status_code == 202
    assert env.rows("uploads") == 1 and len(calls) == 2


def test_a_key_is_forgotten_after_24_hours(env):
    clerk = env.key()
    first = env.upload(clerk, jpeg(), key="old").json()
    with env.app.state.repo.engine.begin() as conn:
        conn.execute(sa.text("UPDATE idempotency_keys SET created_at = :at"), {"at": "2000-01-01 00:00:00+00:00"})
    later = env.upload(clerk, jpeg(), key="old").json()
    assert later["upload_id"] != first["upload_id"] and env.rows("uploads") == 2


@pytest.mark.parametrize("bad", ["", "x" * 201, "with space"])
def test_a_malformed_key_is_refused_before_any_work(env, bad):
    response = env.client.post("/api/v1/documents", headers={**env.key(), "Idempotency-Key": bad},
                               files={"file": ("a.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 422 and response.json()["error"]["code"] == "request.invalid"
    assert env.rows("uploads") == 0


def test_parallel_duplicates_make_one_upload_and_all_get_its_answer(env):
    env.work_seconds = 0.4
    clerk, data = env.key(), jpeg()
    barrier = threading.Barrier(5)

    def send(_):
        barrier.wait()
        return env.upload(clerk, data, key="parallel-1")

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(send, range(5)))
    assert [a.status_code for a in answers] == [202] * 5, [a.text for a in answers]
    assert len({a.json()["upload_id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    assert len(env.enqueued) == 1 and env.rows("uploads") == 1


def test_a_duplicate_that_waits_too_long_is_told_the_first_is_running(env, monkeypatch):
    monkeypatch.setattr(idem, "WAIT_SECONDS", 0.2)
    env.work_seconds = 1.5
    clerk, data = env.key(), jpeg()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(env.upload, clerk, data, "slow-1")
        time.sleep(0.5)
        second = pool.submit(env.upload, clerk, data, "slow-1").result()
        assert first.result().status_code == 202
    assert second.status_code == 409 and second.json()["error"]["code"] == "idempotency.in_progress"
    assert env.rows("uploads") == 1

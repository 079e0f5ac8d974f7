"""POST /api/v1/verify: the CLI's result JSON for one file, through the counter queue and a worker.

The fast tests run the worker's own code path (claim, runner.process, finish) in a thread behind the enqueue
callback, with the instant FixedEngine; the slow one starts a real `yichuang worker` with real OCR."""

from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from api import auth
from api.app import create_app
from pipeline import runner
from pipeline.settings import Settings
from tests.workers.live_worker import SAMPLE_FRONT
from workers.cases.intake import upload_of
from workers.wiring import build_services


class Env:
    def __init__(self, tmp_path, **overrides) -> None:
        self.settings = Settings(data_dir=tmp_path, ocr_engine="tests.fakes:FixedEngine", **overrides)
        self.queues: list[str] = []
        self.hold = threading.Event()  # set: the "worker" does not pick the message up (a busy counter)
        self.app = create_app(self.settings, enqueue=self._enqueue)
        self.client = TestClient(self.app)
        self.deps = build_services(self.settings, ocr=True, repo=self.app.state.repo, store=self.app.state.store).deps

    def _enqueue(self, upload_id: str, queue: str) -> None:
        self.queues.append(queue)
        if not self.hold.is_set():
            threading.Thread(target=self._work, args=(upload_id,), daemon=True).start()

    def _work(self, upload_id: str) -> None:  # what workers/tasks.py process_upload does
        repo = self.app.state.repo
        row = repo.claim(upload_id, 60, 3)
        upload = upload_of(row)
        documents = runner.process(upload, self.app.state.store.get(row.object_key), self.deps, at=upload.received_at)
        repo.finish(upload_id, documents)

    def key(self, role: str = "integrator") -> dict[str, str]:
        return {"X-API-Key": auth.create_key(self.app.state.repo, self.app.state.secret, role=role, hall="h1", label=role)}

    def verify(self, headers, data: bytes, name="card.png", **form):
        return self.client.post("/api/v1/verify", headers=headers, files={"file": (name, data, "image/png")}, data=form)

    def count(self, sql: str) -> int:
        with self.app.state.repo.engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar_one()

    def objects(self) -> int:
        return sum(1 for p in (self.settings.data_dir / "objects").rglob("*") if p.is_file())


def png(pages: int = 1) -> bytes:
    buf = io.BytesIO()
    frames = [Image.new("RGB", (640, 400), "white") for _ in range(pages)]
    frames[0].save(buf, "TIFF" if pages > 1 else "PNG", save_all=pages > 1, append_images=frames[1:])
    return buf.getvalue()


@pytest.fixture()
def env(tmp_path):
    return Env(tmp_path)


def test_sync_verify_answers_the_result_and_keeps_nothing_but_the_audit(env):
    response = env.verify(env.key(), png())
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["schema_version"] == 1 and result["case"] is None
    [doc] = result["documents"]
    assert doc["type"] == "id_card_front" and doc["fields"]["id_number"]["value"]
    assert "image_keys" not in doc and "upload_sha256" not in doc
    assert env.queues == ["counter"]  # the counter's queue, whoever asks
    assert env.count("SELECT count(*) FROM uploads") == 0 and env.count("SELECT count(*) FROM documents") == 0
    assert env.objects() == 0
    assert env.count("SELECT count(*) FROM audit_events WHERE action = 'verify.create'") == 1
    assert response.headers["Cache-Control"] == "no-store"


def test_an_idempotent_verify_that_keeps_nothing_keeps_no_answer_either(env):
    headers = {**env.key(), "Idempotency-Key": "verify-1"}
    first = env.verify(headers, png())
    assert first.status_code == 200 and env.count("SELECT count(*) FROM idempotency_keys") == 0
    again = env.verify(headers, png())  # done again (nothing was kept to answer from)
    assert again.status_code == 200 and "Idempotent-Replayed" not in again.headers
    kept = env.verify({**env.key(), "Idempotency-Key": "verify-2"}, png(), store="true")
    assert kept.status_code == 200 and env.count("SELECT count(*) FROM idempotency_keys") == 1


def test_store_true_keeps_the_upload_and_its_documents(env):
    clerk = env.key("clerk")
    result = env.verify(clerk, png(), store="true").json()
    assert result["documents"][0]["type"] == "id_card_front"
    assert env.count("SELECT count(*) FROM uploads") == 1 and env.count("SELECT count(*) FROM documents") == 1
    assert env.objects() >= 1


def test_an_object_that_another_upload_holds_is_not_deleted(env):
    clerk = env.key("clerk")
    data = png()
    kept = env.client.post("/api/v1/documents", headers=clerk, files={"file": ("a.png", data, "image/png")})
    assert kept.status_code == 202
    before = env.objects()
    assert env.verify(clerk, data).status_code == 200
    assert env.count("SELECT count(*) FROM uploads") == 1 and env.objects() >= before


def test_with_an_item_the_case_is_assessed_as_the_cli_does(env):
    result = env.verify(env.key(), png(), item="individual-business-registration", situation="self", at="2026-11-23").json()
    assert result["case"]["decision"] and isinstance(result["case"]["findings"], list)
    bad = env.verify(env.key(), png(), item="individual-business-registration", situation="nope")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"
    assert env.count("SELECT count(*) FROM uploads") == 0


def test_a_slow_counter_answers_202_with_the_upload_url(tmp_path):
    env = Env(tmp_path, verify_timeout=0.3)
    env.hold.set()
    response = env.verify(env.key(), png())
    assert response.status_code == 202
    body = response.json()
    assert body["documents_url"] == f"/api/v1/uploads/{body['upload_id']}" and body["status"] == "queued"
    assert env.client.get(body["documents_url"], headers=env.key("admin")).json()["status"] == "queued"


def test_too_many_pages_and_reviewers_are_refused_before_any_work(tmp_path):
    env = Env(tmp_path, verify_max_pages=2)
    many = env.client.post("/api/v1/verify", headers=env.key(), files={"file": ("s.tif", png(pages=3), "image/tiff")})
    assert many.status_code == 422 and many.json()["error"]["code"] == "file.too_many_pages"
    reviewer = env.verify(env.key("reviewer"), png())
    assert reviewer.status_code == 403
    assert env.queues == [] and env.count("SELECT count(*) FROM uploads") == 0


@pytest.mark.slow
@pytest.mark.skipif(SAMPLE_FRONT is None, reason="committed ID card samples are missing")
def test_sync_verify_of_a_sample_card_with_a_live_worker(service_factory):
    service = service_factory(YICHUANG_VERIFY_TIMEOUT="170")
    service.start_worker()
    response = service.client.post("/api/v1/verify", headers=service.headers,
                                   files={"file": (SAMPLE_FRONT.name, SAMPLE_FRONT.read_bytes(), "image/png")})
    assert response.status_code == 200, response.text + service.worker_log()
    [doc] = response.json()["documents"]
    assert doc["type"] == "id_card_front"
    assert doc["fields"]["id_number"]["value"] and doc["fields"]["name"]["value"]
    with service.app.state.repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM uploads")).scalar_one() == 0


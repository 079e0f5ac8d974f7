"""The app with the worker's tasks run in-process (the fake FixedEngine reads an ID-card front on every scanned
page, instantly): `make_env` builds it for the bundle's, the case joins' and the webhooks' tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from workers.wiring import secret_key

REFERENCE = "individual-business-registration"


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 400), "white").save(buf, "JPEG")
    return buf.getvalue()


@dataclass
class Env:
    client: TestClient
    app: object
    settings: Settings
    tasks: object

    def key(self, role: str, hall: str = "hall-1", halls: tuple[str, ...] = ()) -> dict[str, str]:
        key = auth.create_key(self.app.state.repo, secret_key(self.settings), role=role, hall=hall, label=f"{role}-{hall}",
                              halls=halls)
        return {"Authorization": f"Bearer {key}"}

    def new_case(self, headers, situation: str = "self") -> str:
        response = self.client.post("/api/v1/cases", headers=headers, json={
            "item": REFERENCE, "situation": situation, "applicant": {"name": "张三", "id_number": "110105199003071239"}})
        assert response.status_code == 201, response.text
        return response.json()["case_id"]

    def upload(self, headers, case_id: str, name: str, data: bytes, media_type: str, **hints) -> str:
        """Upload into the case and let the worker's tasks process it and reassess the case."""
        response = self.client.post("/api/v1/documents", headers=headers, files={"file": (name, data, media_type)},
                                    data={"case_id": case_id, **hints})
        assert response.status_code == 202, response.text
        upload_id = response.json()["upload_id"]
        assert self.tasks.process_upload(upload_id) == "done"
        self.tasks.assess_case(case_id)
        return upload_id

    def bundle(self, headers, case_id: str, **params):
        return self.client.get(f"/api/v1/cases/{case_id}/bundle.pdf", headers=headers, params=params)


def make_env(tmp_path: Path, monkeypatch, **settings) -> Env:
    from workers import tasks, wiring

    settings = Settings(data_dir=tmp_path, **settings)
    app = create_app(settings, enqueue=lambda upload_id, queue: None)
    services = wiring.build_services(settings.model_copy(update={"ocr_engine": "tests.fakes:FixedEngine"}), ocr=True,
                                     repo=app.state.repo, store=app.state.store)
    monkeypatch.setattr(tasks, "worker_services", lambda: services)
    monkeypatch.setattr(tasks, "enqueue_assessment", lambda case_id, queue: None)
    return Env(client=TestClient(app), app=app, settings=settings, tasks=tasks)

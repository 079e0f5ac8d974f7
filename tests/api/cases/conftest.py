"""The case API's fixture: the app on SQLite and PostgreSQL with a hall configured, a clock the test sets, keys
for any role, and the uploads it enqueued (nothing runs them: tests finish uploads as the worker would)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from tests.case_data import utc, write_hall
from workers.wiring import secret_key


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def env(request, tmp_path):
    url = None if request.param == "sqlite" else request.getfixturevalue("pg_url")
    settings = Settings(data_dir=tmp_path, database_url=url, max_upload_bytes=2 * 1024 * 1024, max_pixels=4_000_000)
    write_hall(tmp_path, "hall-1")
    enqueued: list[tuple[str, str]] = []
    app = create_app(settings, enqueue=lambda upload_id, queue: enqueued.append((upload_id, queue)))
    now = {"at": utc(2026, 9, 29, 9)}
    app.state.clock = lambda: now["at"]
    client = TestClient(app)

    def key(role: str, hall: str = "hall-1", label: str | None = None) -> dict[str, str]:
        made = auth.create_key(app.state.repo, secret_key(settings), role=role, hall=hall, label=label or role)
        return {"Authorization": f"Bearer {made}"}

    yield client, key, app, now, enqueued
    app.state.repo.engine.dispose()

"""The app in-process for the API tests: on SQLite in its own data folder, enqueuing into a list."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from workers.wiring import secret_key


@pytest.fixture()
def plain_env(tmp_path):
    """The app without a hall or a clock (tests/api/cases' `env` has both): its client, a function giving the
    headers of a new key for a role (and hall), the (upload id, queue) pairs enqueued, the app and its settings."""
    settings = Settings(data_dir=tmp_path, max_upload_bytes=2 * 1024 * 1024, max_pixels=4_000_000)
    enqueued: list[tuple[str, str]] = []
    app = create_app(settings, enqueue=lambda upload_id, queue: enqueued.append((upload_id, queue)))
    client = TestClient(app)
    repo, secret = app.state.repo, secret_key(settings)

    def key(role: str, hall: str = "hall-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {auth.create_key(repo, secret, role=role, hall=hall, label=role)}"}

    return client, key, enqueued, app, settings

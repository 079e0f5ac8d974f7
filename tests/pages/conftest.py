"""An in-process app with accounts for the page tests (no worker: uploads are not enqueued)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

PASSWORD = "counter-pass-42"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture()
def site(tmp_path, monkeypatch):
    for key, value in {"YICHUANG_DATA_DIR": str(tmp_path), "YICHUANG_ENV": "test", "YICHUANG_COOKIE_SECURE": "false"}.items():
        monkeypatch.setenv(key, value)
    from api.app import create_app
    from pipeline.settings import Settings

    app = create_app(Settings(), enqueue=lambda *_: None)
    for username, hall, role, number in (("clerk1", "h1", "clerk", "A001"), ("clerk2", "h2", "clerk", "B001"),
                                         ("rev1", "h1", "reviewer", "R001"), ("rev2", "h2", "reviewer", "R201"),
                                         ("admin1", "h1", "admin", "M001")):
        app.state.accounts.create(username=username, display_name=username, hall=hall, role=role, clerk_number=number,
                                  password=PASSWORD)
    return app


def browser(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    token = CSRF.search(client.get("/signin").text).group(1)
    return client.post("/signin", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def csrf_of(client: TestClient, path: str) -> str:
    return CSRF.search(client.get(path).text).group(1)


def open_case(client: TestClient) -> str:
    token = csrf_of(client, "/counter")
    response = client.post("/counter/cases", follow_redirects=False, data={
        "csrf_token": token, "item": "individual-business-registration@1",
        "situation": "individual-business-registration@1/self", "applicant_name": "李四",
        "applicant_id_number": "11010519491231002X"})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]

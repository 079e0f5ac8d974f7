"""An in-process app with accounts for the page tests (no worker: uploads are not enqueued); for the tests in
Debian's Chromium, a live `yichuang serve` with its embedded worker, the browser and the screenshots folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.live_server import free_port
from tests.pages.browser_helpers import CHROMIUM, ROOT

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


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """`yichuang serve` (API, pages, embedded worker) on a free port with a temporary data folder; accounts of two
    halls and the camera's clerk key are made beforehand in the same database."""
    data = tmp_path_factory.mktemp("live")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env.update(YICHUANG_DATA_DIR=str(data), YICHUANG_ENV="test", YICHUANG_COOKIE_SECURE="false",
               YICHUANG_SWEEP_INTERVAL="5", PYTHONPATH=str(ROOT), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    from api.auth import create_key
    from pipeline.settings import Settings
    from storage.accounts import AccountRepository
    from workers.wiring import build_services, secret_key

    settings = Settings(data_dir=data, env="test")
    repo = build_services(settings).repo
    accounts = AccountRepository(repo.engine)
    for username, hall, role, number in (("clerk1", "h1", "clerk", "A001"), ("clerk2", "h2", "clerk", "B001"),
                                         ("rev1", "h1", "reviewer", "R001"), ("locked1", "h1", "clerk", "A009")):
        accounts.create(username=username, display_name={"clerk1": "张窗口", "rev1": "李审查"}.get(username, username),
                        hall=hall, role=role, clerk_number=number, password=PASSWORD)
    camera_key = create_key(repo, secret_key(settings), role="clerk", hall="h1", label="高拍仪1")
    repo.engine.dispose()
    port = free_port()
    log = (data / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"yichuang serve did not start: {(data / 'serve.log').read_text()[-2000:]}")
    yield {"base": base, "camera_key": camera_key, "data": data}
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory):
    folder = Path(os.environ.get("YICHUANG_TEST_ARTEFACTS") or tmp_path_factory.mktemp("artefacts"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the pages: {folder}")
    return folder


@pytest.fixture(scope="module")
def chromium():
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()

"""A real `yichuang worker` process on a real broker, driven from an in-process API: `Service` starts workers as
subprocesses in their own process group with a temporary data directory. The `service_factory` fixture (tests/
conftest.py) builds one per test for the worker's, the webhooks' and the sync verify's tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from workers.wiring import secret_key

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FRONT = next(iter(sorted((ROOT / "samples" / "id_card_front").glob("*clean*.png"))), None)


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env.update(YICHUANG_DATA_DIR=str(tmp_path), YICHUANG_ENV="test", PYTHONPATH=str(ROOT), **extra)
    return env


class Service:
    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.env, self.workers, self.logs = env, [], tmp_path / "worker-logs"
        self.logs.mkdir(exist_ok=True)
        for key, value in env.items():
            if key.startswith("YICHUANG_"):
                os.environ[key] = value
        self.settings = Settings()
        self.app = create_app(self.settings)
        self.client = TestClient(self.app)
        self.headers = {"X-API-Key": auth.create_key(self.app.state.repo, secret_key(self.settings), role="clerk",
                                                     hall="h1", label="scanner")}

    def start_worker(self, **extra: str) -> subprocess.Popen:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("wb")
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env={**self.env, **extra}, cwd=ROOT,
                                start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def upload(self, path: Path) -> str:
        response = self.client.post("/api/v1/documents", headers=self.headers,
                                    files={"file": (path.name, path.read_bytes(), "image/png")})
        assert response.status_code == 202, response.text
        return response.json()["documents_url"]

    def wait(self, url: str, statuses=("done", "failed"), timeout=120.0) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            body = self.client.get(url, headers=self.headers).json()
            if body["status"] in statuses:
                return body
            for proc in self.workers:
                if proc.poll() is not None and proc.returncode not in (0, -9, -15):
                    pytest.fail(f"worker exited with {proc.returncode}: {self.worker_log()}")
            time.sleep(0.3)
        pytest.fail(f"upload not {statuses} within {timeout}s: {body['status']}\n{self.worker_log()}")

    def worker_log(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in sorted(self.logs.glob("*.log")))

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                try:  # warm shutdown first; a worker still busy after 30 s is killed (cleanup only)
                    self.kill(proc, signal.SIGTERM)
                except subprocess.TimeoutExpired:
                    self.kill(proc)
        for key in self.env:
            if key.startswith("YICHUANG_"):
                os.environ.pop(key, None)


def blank_scan(tmp_path: Path) -> Path:
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (640, 400), "white").save(image)
    return image

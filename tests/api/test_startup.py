"""`yichuang serve` and `yichuang worker` as a supervisor starts them: the first admin key goes to a 0600 file
(only its path is printed), and without a database they exit with one line, no traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.api.live_server import free_port
from workers.wiring import secret_key

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env.update(YICHUANG_DATA_DIR=str(tmp_path / "data"), YICHUANG_ENV="test", YICHUANG_EMBEDDED_WORKER="false",
               PYTHONPATH=str(ROOT), **extra)
    return env


def test_the_first_admin_key_goes_to_a_0600_file_and_never_to_a_stream(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=_env(tmp_path), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        path = tmp_path / "data" / "admin.key"
        key = path.read_text().strip()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/uploads/none", headers={"X-API-Key": key})
        assert answer.status_code == 404, "the key in the file is a working admin key"
    finally:
        os.killpg(proc.pid, 15)
        out, err = proc.communicate(timeout=30)
    assert key not in out and key not in err, "the key went to a stream"
    assert key.split("_")[2] not in out + err
    assert str(path.resolve()) in out


def test_a_second_start_writes_no_new_key(tmp_path):
    from api.cli import write_first_admin_key
    from pipeline.settings import Settings
    from workers.wiring import build_services

    settings = Settings(data_dir=tmp_path)
    repo = build_services(settings).repo
    path = write_first_admin_key(repo, secret_key(settings), settings.admin_key_file())
    assert repo.has_active_admin() and stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_started_without_a_database_it_exits_with_one_line(tmp_path, command):
    env = _env(tmp_path, YICHUANG_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    started = time.time()
    proc = subprocess.run([sys.executable, "-m", "api.cli", command], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("storage.unavailable: 数据库暂时不可用"), proc.stderr
    assert time.time() - started < 30

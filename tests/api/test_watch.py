"""`yichuang watch` (api/watch.py) against the real app served by uvicorn in a subprocess: a folder of sample
scans reaches the case exactly once across a service restart (the service killed between two runs, the client
retrying while it is down, one file re-sent as after a lost answer), refused files go to failed/ with the
reason, and `--counter` finds the case the counter page opened."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from api import auth
from api.cli import main
from api.counters import set_counter_case
from pipeline.settings import Settings
from storage.models import UploadRow
from storage.repository import Identity
from tests.api.live_server import free_port
from workers.wiring import build_services, secret_key

from api.watch import Watcher

ROOT = Path(__file__).resolve().parents[2]
SCANS = sorted((ROOT / "samples" / "id_card_back").glob("idcard_s7-000*_back_camera.jpg"))[:4]
REFERENCE = "individual-business-registration"
SERVER = """
import sys
from pathlib import Path
import uvicorn
from api.app import create_app
from pipeline.settings import Settings

app = create_app(Settings(data_dir=Path(sys.argv[1])), enqueue=lambda *_: None)  # no worker: uploads stay queued
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def test_a_file_is_ready_only_once_it_stopped_growing(tmp_path):
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(b"\xff\xd8 first half")
    watcher = Watcher(tmp_path, client=None, case_id="c", settle=0.5)
    assert watcher.ready() == []  # just written: not yet
    time.sleep(0.3)
    with shot.open("ab") as fh:
        fh.write(b" second half")  # still being written: the clock starts again
    assert watcher.ready() == []
    time.sleep(0.3)
    assert watcher.ready() == [], "0.3 s after the last write is not 0.5 s"
    time.sleep(0.3)
    assert watcher.ready() == [shot]
    shot.unlink()  # sent
    old = tmp_path / "old.jpg"
    old.write_bytes(b"\xff\xd8 long done")
    os.utime(old, (time.time() - 60, time.time() - 60))
    (tmp_path / ".hidden.jpg").write_bytes(b"x")
    (tmp_path / "upload.part").write_bytes(b"x")
    assert Watcher(tmp_path, client=None, case_id="c", settle=0.5).ready() == [old], "written long ago: at once"


class Service:
    """The app in its own process on a fixed port, so that it can be killed and started again."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir, self.port = data_dir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(self.data_dir), str(self.port)], cwd=ROOT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the service did not start")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture()
def service(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    repo = build_services(settings).repo  # migrated before the service starts: both see the same SQLite file
    clerk = auth.create_key(repo, secret_key(settings), role="clerk", hall="hall-1", label="camera")
    made = Service(settings.data_dir)
    made.start()
    made.repo, made.clerk = repo, clerk
    yield made
    if made.proc.poll() is None:
        made.kill()
    repo.engine.dispose()


def open_case(service) -> str:
    response = httpx.post(f"{service.url}/api/v1/cases", headers={"Authorization": f"Bearer {service.clerk}"},
                          json={"item": REFERENCE, "situation": "self"}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def case_uploads(service, case_id: str) -> list[str]:
    """The sha256 of each upload of the case, through the paged list."""
    response = httpx.get(f"{service.url}/api/v1/uploads", params={"case_id": case_id, "limit": 200},
                         headers={"Authorization": f"Bearer {service.clerk}"}, timeout=30)
    assert response.status_code == 200 and response.json()["next_cursor"] is None
    return [u["upload_id"] for u in response.json()["items"]]


def watch(service, folder: Path, *target: str) -> int:
    return main(["watch", str(folder), *target, "--url", service.url, "--api-key", service.clerk, "--once",
                 "--settle", "0.2", "--interval", "0.1", "--retry-for", "90"])


@pytest.mark.slow  # a service started in a subprocess
def test_a_folder_reaches_the_case_exactly_once_across_a_restart(service, tmp_path, capsys):
    case_id = open_case(service)
    folder = tmp_path / "camera"
    folder.mkdir()
    for scan in SCANS[:2]:
        shutil.copy(scan, folder / scan.name)
    assert watch(service, folder, "--case", case_id) == 0
    assert sorted(p.name for p in (folder / "sent").iterdir()) == sorted(s.name for s in SCANS[:2])
    assert len(case_uploads(service, case_id)) == 2

    service.kill()  # midway: two scans in, two to come, and one answer "lost" (its file back in the folder)
    shutil.copy(folder / "sent" / SCANS[1].name, folder / SCANS[1].name)
    for scan in SCANS[2:]:
        shutil.copy(scan, folder / scan.name)
    restart = threading.Timer(2.0, service.start)  # the client retries against a dead port meanwhile
    restart.start()
    try:
        assert watch(service, folder, "--case", case_id) == 0
    finally:
        restart.join()
    assert [p.name for p in folder.iterdir() if p.is_file()] == [], "everything sent"
    said = capsys.readouterr().err
    assert "无法连接服务" in said and "此前已送达" in said, "it retried while the service was down; the lost answer replayed"
    uploads = case_uploads(service, case_id)
    assert len(uploads) == len(SCANS) == 4, "each scan once: the re-sent one was replayed, not added"
    with service.repo.session() as s:
        digests = list(s.scalars(select(UploadRow.sha256).where(UploadRow.case_id == case_id)))
    assert sorted(digests) == sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in SCANS)
    assert sorted(p.name for p in (folder / "sent").iterdir()) == sorted(
        [s.name for s in SCANS] + [SCANS[1].stem + "-1" + SCANS[1].suffix])  # the re-sent copy kept beside, not lost


@pytest.mark.slow  # a service started in a subprocess
def test_refused_files_go_to_failed_with_the_reason(service, tmp_path):
    case_id = open_case(service)
    folder = tmp_path / "camera"
    folder.mkdir()
    (folder / "notes.txt").write_text("不是扫描件", encoding="utf-8")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "~busy.jpg").write_bytes(b"partial")  # a camera's temporary name: left alone
    shutil.copy(SCANS[0], folder / SCANS[0].name)
    assert watch(service, folder, "--case", case_id) == 0
    reasons = {p.name: p.read_text(encoding="utf-8") for p in (folder / "failed").glob("*.reason.txt")}
    assert set(reasons) == {"notes.txt.reason.txt", "empty.jpg.reason.txt"}
    assert "file.unsupported_type" in reasons["notes.txt.reason.txt"] and "不支持" in reasons["notes.txt.reason.txt"]
    assert "file.empty" in reasons["empty.jpg.reason.txt"]
    assert (folder / "~busy.jpg").exists() and len(case_uploads(service, case_id)) == 1
    shutil.copy(SCANS[1], folder / SCANS[1].name)
    assert main(["watch", str(folder), "--case", case_id, "--url", service.url, "--api-key", "yc_0000000000000000_x",
                 "--once", "--settle", "0"]) == 1, "a refused key stops the client; the file stays"
    assert (folder / SCANS[1].name).exists()


@pytest.mark.slow  # a service started in a subprocess
def test_counter_mode_sends_into_the_case_the_counter_opened(service, tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    shutil.copy(SCANS[0], folder / SCANS[0].name)
    args = ["watch", str(folder), "--counter", "3号窗口", "--url", service.url, "--api-key", service.clerk,
            "--once", "--settle", "0"]
    assert main(args) == 1 and (folder / SCANS[0].name).exists(), "no case open at the counter: the scan waits"
    case_id = open_case(service)
    clerk_row = service.repo.key_by_public_id(auth.parse_key(service.clerk))
    set_counter_case(service.repo, Identity(key_id=clerk_row.id, role="clerk", hall="hall-1"), "3号窗口", case_id)
    headers = {"Authorization": f"Bearer {service.clerk}"}
    found = httpx.get(f"{service.url}/api/v1/counters/3号窗口/case", headers=headers).json()
    assert found["case_id"] == case_id and found["uploads_url"] == f"/api/v1/cases/{case_id}/uploads"
    assert httpx.get(f"{service.url}/api/v1/counters/4号窗口/case", headers=headers).status_code == 404
    assert main(args) == 0 and len(case_uploads(service, case_id)) == 1

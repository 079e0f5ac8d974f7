"""Object stores: content addressing, write-once, atomic writes; S3 against moto's S3 server over HTTP."""

import socket
import subprocess
import sys
import time

import pytest

from pipeline.errors import ObjectNotFound
from storage.objects import LocalStore, MemoryStore, S3Store, key_for


def test_local_store_is_content_addressed_and_write_once(tmp_path):
    store = LocalStore(tmp_path)
    key = store.put(b"original scan")
    assert key == key_for(b"original scan") and store.get(key) == b"original scan"
    path = next(p for p in tmp_path.rglob("*") if p.is_file())
    before = path.stat().st_mtime_ns
    assert store.put(b"original scan") == key
    assert path.stat().st_mtime_ns == before, "an existing object is never rewritten"
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.rglob("*"))


def test_local_store_refuses_bad_keys_and_missing_objects(tmp_path):
    store = LocalStore(tmp_path)
    with pytest.raises(ObjectNotFound):
        store.get("sha256/" + "0" * 64)
    with pytest.raises(ObjectNotFound):
        store.get("../../etc/passwd")
    assert not store.exists("sha256/" + "0" * 64)


def test_memory_store():
    store = MemoryStore()
    key = store.put(b"x")
    assert store.exists(key) and store.get(key) == b"x"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's S3 server as a separate process on a free loopback port (no MinIO server can be installed here)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto server did not start")
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.integration
def test_s3_store_against_moto_server(moto_endpoint):
    store = S3Store(moto_endpoint, "test", "test-secret", "yichuang-test", secure=False, region="us-east-1")
    key = store.put(b"scan bytes", content_type="image/jpeg")
    assert key == key_for(b"scan bytes")
    assert store.exists(key) and store.get(key) == b"scan bytes"
    assert store.put(b"scan bytes") == key
    assert not store.exists("sha256/" + "1" * 64)
    with pytest.raises(ObjectNotFound):
        store.get("sha256/" + "1" * 64)
    import urllib.request

    with urllib.request.urlopen(store.presigned_url(key)) as response:
        assert response.read() == b"scan bytes"

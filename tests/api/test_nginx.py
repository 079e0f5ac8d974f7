"""The shipped reverse-proxy configuration (deploy/nginx/yichuang.conf) with Debian's nginx in front of a live
API on loopback ports: TLS, the upload cap, the per-client rate, header and body timeouts, the key checked
before the body streams through, and nginx's own refusals in the API's error shape."""

from __future__ import annotations

import io
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from tests.api.live_server import LiveServer, free_port
from workers.wiring import secret_key

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "yichuang.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed (scripts/setup installs it)")]


def _render(prefix: Path, api_port: int, tls_port: int, plain_port: int) -> Path:
    """The shipped file with its placeholders filled in and the timeouts shortened, inside a minimal nginx.conf."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-keyout", str(prefix / "tls.key"), "-out", str(prefix / "tls.crt")], check=True, capture_output=True)
    text = SHIPPED.read_text(encoding="utf-8")
    for old, new in {"127.0.0.1:8000": f"127.0.0.1:{api_port}", "listen 443 ssl;": f"listen 127.0.0.1:{tls_port} ssl;",
                     "listen 80;": f"listen 127.0.0.1:{plain_port};", "/etc/yichuang/tls/yichuang.crt": str(prefix / "tls.crt"),
                     "/etc/yichuang/tls/yichuang.key": str(prefix / "tls.key"),
                     "client_header_timeout 10s;": "client_header_timeout 2s;",
                     "client_body_timeout   30s;": "client_body_timeout   2s;"}.items():
        assert old in text, f"the shipped configuration lost {old!r}"
        text = text.replace(old, new)
    (prefix / "yichuang.conf").write_text(text, encoding="utf-8")
    temp = prefix / "temp"
    temp.mkdir(mode=0o777)
    temp.chmod(0o777)  # worker processes may run as nobody
    temps = "\n".join(f"  {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    conf.write_text(f"""worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
{temps}
  include {prefix / 'yichuang.conf'};
}}
""", encoding="utf-8")
    return conf


def _wait_port(port: int, proc: subprocess.Popen, prefix: Path) -> None:
    deadline = time.time() + 15
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited: {(prefix / 'error.log').read_text(errors='replace') if (prefix / 'error.log').exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("nginx did not listen")


@pytest.fixture()
def proxied(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", env="test")
    sent: list[tuple[str, str]] = []
    app = create_app(settings, enqueue=lambda u, q: sent.append((u, q)))
    key = auth.create_key(app.state.repo, secret_key(settings), role="clerk", hall="h1", label="scanner")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    tls_port, plain_port = free_port(), free_port()
    with LiveServer(app) as live:
        conf = _render(prefix, live.port, tls_port, plain_port)
        proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_port(tls_port, proc, prefix)
            yield f"https://127.0.0.1:{tls_port}", tls_port, plain_port, key, sent
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, "JPEG")
    return buf.getvalue()


def _tls_socket(port: int) -> ssl.SSLSocket:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=15), server_hostname="localhost")


def test_requests_pass_through_tls_and_plain_http_is_redirected(proxied):
    base, _, plain_port, key, sent = proxied
    with httpx.Client(verify=False, timeout=15) as client:
        assert client.get(f"{base}/healthz").json() == {"status": "ok"}
        response = client.post(f"{base}/api/v1/documents", headers={"X-API-Key": key},
                               files={"file": ("scan.jpg", _jpeg(), "image/jpeg")})
        assert response.status_code == 202, response.text
        assert len(sent) == 1
    redirect = httpx.get(f"http://127.0.0.1:{plain_port}/healthz")
    assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")


def test_an_oversized_upload_is_refused_by_the_proxy_in_the_api_error_shape(proxied):
    base, *_ = proxied
    conn = _tls_socket(int(base.rsplit(":", 1)[1]))
    conn.sendall(b"POST /api/v1/documents HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                 b"Content-Length: 23000000\r\n\r\n")
    answer = conn.recv(65536)
    conn.close()
    assert answer.startswith(b"HTTP/1.1 413") and b'"code":"file.too_large"' in answer


def test_a_request_without_a_key_is_refused_before_its_body_passes_the_proxy(proxied):
    base, tls_port, *_ = proxied
    conn = _tls_socket(tls_port)
    started = time.perf_counter()
    conn.sendall(b"POST /api/v1/documents HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                 b"Content-Length: 20000000\r\n\r\n--b\r\n" + b"x" * 4096)
    answer = conn.recv(65536)
    conn.close()
    assert answer.startswith(b"HTTP/1.1 401") and b"auth.required" in answer
    assert time.perf_counter() - started < 2


def test_headers_that_never_finish_are_cut_off(proxied):
    _, tls_port, *_ = proxied
    conn = _tls_socket(tls_port)
    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: local")  # and nothing more
    started = time.perf_counter()
    try:
        while conn.recv(65536):
            pass
    except (ConnectionError, ssl.SSLError, TimeoutError):
        pass
    conn.close()
    assert 1.5 < time.perf_counter() - started < 6, "the proxy held an unfinished request"


def test_a_client_over_its_rate_gets_429_json(proxied):
    base, *_ = proxied
    statuses, body = [], None
    with httpx.Client(verify=False, timeout=15) as client:
        for _ in range(120):
            response = client.get(f"{base}/healthz")
            statuses.append(response.status_code)
            if response.status_code == 429:
                body = response.json()
    assert statuses[:20] == [200] * 20, "the burst is allowed"
    assert 429 in statuses and body["error"]["code"] == "rate.limited" and re.search("[\u4e00-\u9fff]", body["error"]["message"])

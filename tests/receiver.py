"""A real webhook receiver for tests: http.server on 127.0.0.1 in a thread, answering a scripted list of statuses
(then 200), keeping every request; and the README's signature check, taken from the README itself."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered


class Receiver:
    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
        self.statuses, self.delay = list(statuses or []), delay
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append(Received(dict(self.headers.items()), body, status))
                time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook?team=1"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, count: int, timeout: float) -> list[Received]:
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.received) < count:
            time.sleep(0.1)
        return list(self.received)


def readme_verify():
    """The `verify` function of the README's "Webhooks" section, exactly as printed there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md#webhooks", "exec"), namespace)  # noqa: S102 - our own README's snippet
    return namespace["verify"]

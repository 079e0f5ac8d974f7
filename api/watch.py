"""`yichuang watch DIR --case ID | --counter NAME`: the document camera's (高拍仪) folder client. Most cameras
save each shot as a file in a folder; this posts every new file there once to the running service, into a
case given by id or into the case the counter page last opened at a counter (api/counters.py).

- A file is sent once its size and modification time have stayed the same for `--settle` seconds (the camera
  has finished writing it); names starting with `.` or `~`, and `.tmp`/`.part` files, are left alone.
- Each POST carries `Idempotency-Key: watch-<sha256 of the file's bytes and the case id>` (api/idempotency.py):
  a file re-sent after a lost answer, a crash of this client or a restart of the service is answered with the
  first upload and never becomes a second one.
- While the service cannot be reached or answers 5xx / 409 `idempotency.in_progress`, the same request is
  retried with exponential backoff (capped; `--retry-for` seconds at most per file, 0 = for ever).
- Sent files move to DIR/sent/; files the service refuses (empty, unsupported type, too large, a closed case …)
  move to DIR/failed/ with `NAME.reason.txt` beside them saying why, in the service's words. A key that is
  refused (401/403) stops the client: nothing would get through.

Who calls it: api/cli.py (`watch`) and tests/api/test_watch.py. Talks to the service over HTTP only (httpx).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx
from rich.console import Console

SENT, FAILED = "sent", "failed"
SKIPPED_SUFFIXES = (".tmp", ".part", ".crdownload", ".reason.txt")
RETRYABLE_CODES = ("idempotency.in_progress",)
FATAL_STATUSES = (401, 403)


class WatchStopped(Exception):
    """Nothing more can be sent (the key is refused, the service stayed away for `retry_for`): exit non-zero."""


class NoOpenCase(Exception):
    """The counter has no case taking materials: its files wait."""


class _Retry(Exception):
    """The service cannot answer now (down, 5xx, the same key still running): try again later."""


def add_parser(sub) -> None:
    watch = sub.add_parser("watch", help="send every new file of a folder (a document camera's) to the service once")
    watch.add_argument("folder", metavar="DIR", type=Path)
    target = watch.add_mutually_exclusive_group(required=True)
    target.add_argument("--case", dest="case_id", help="the case id to send into")
    target.add_argument("--counter", help="the counter name: the case its counter page opened last")
    watch.add_argument("--url", default=os.environ.get("YICHUANG_URL", "http://127.0.0.1:8000"),
                       help="the service (default $YICHUANG_URL or http://127.0.0.1:8000)")
    watch.add_argument("--api-key", default=os.environ.get("YICHUANG_API_KEY"), help="default $YICHUANG_API_KEY")
    watch.add_argument("--material", help="material code hint for every file")
    watch.add_argument("--once", action="store_true", help="send what is in DIR now, then exit")
    watch.add_argument("--settle", type=float, default=2.0, help="seconds a file must stay unchanged (default 2)")
    watch.add_argument("--interval", type=float, default=1.0, help="seconds between looks at DIR (default 1)")
    watch.add_argument("--retry-for", type=float, default=0.0, help="give a file up after this many seconds "
                                                                      "of the service being away (0: never)")


def cmd_watch(args) -> int:
    """`yichuang watch`: 0 when everything was sent or moved aside, 1 when it stopped, 2 without a key."""
    console = Console(stderr=True, soft_wrap=True)
    if not args.api_key:
        console.print("缺少访问密钥：请用 --api-key 或环境变量 YICHUANG_API_KEY 提供")
        return 2
    with httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {args.api_key}"}, timeout=30) as client:
        watcher = Watcher(args.folder, client, case_id=args.case_id, counter=args.counter, material=args.material,
                          settle=args.settle, retry_for=args.retry_for, console=console)
        try:
            watcher.run(once=args.once, interval=args.interval)
        except (WatchStopped, NoOpenCase) as exc:
            console.print(f"[red]已停止：{exc}[/red]")
            return 1
        except KeyboardInterrupt:
            return 1
    return 0


@dataclass
class Watcher:
    folder: Path
    client: httpx.Client
    case_id: str | None = None
    counter: str | None = None
    material: str | None = None
    settle: float = 2.0
    retry_for: float = 0.0
    console: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    sleep: Callable[[float], None] = time.sleep
    seen: dict[Path, tuple[tuple[int, int], float]] = field(default_factory=dict)  # signature, since when

    def run(self, *, once: bool, interval: float = 1.0) -> None:
        """Look at the folder, send what is ready, again after `interval`; with `once`, until the files that were
        there at the start are all sent or moved aside."""
        (self.folder / SENT).mkdir(parents=True, exist_ok=True)
        (self.folder / FAILED).mkdir(exist_ok=True)
        waiting, told = set(self.candidates()), False
        while True:
            for path in self.ready():
                try:
                    self.deliver(path)
                except FileNotFoundError:  # taken away (by the camera's own software) before it was sent
                    self.seen.pop(path, None)
                except NoOpenCase as exc:
                    if once:
                        raise
                    if not told:  # the clerk has not opened a case yet: the files wait for one
                        self.console.print(f"[yellow]{exc}[/yellow]")
                    told = True
                    break
                told = False
                waiting.discard(path)
            if once and not (waiting & set(self.candidates())):
                return
            self.sleep(min(interval, self.settle / 2) if once else interval)

    def candidates(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith((".", "~"))
                      and not p.name.endswith(SKIPPED_SUFFIXES))

    def ready(self) -> list[Path]:
        """The files whose size and modification time have not changed for `settle` seconds."""
        now, out = time.monotonic(), []
        present = self.candidates()
        for path in present:
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            signature = (stat.st_size, stat.st_mtime_ns)
            previous = self.seen.get(path)
            if previous is None and time.time() - stat.st_mtime >= self.settle:
                self.seen[path] = (signature, now - self.settle)  # written well before we looked: ready now
                out.append(path)
            elif previous is None or previous[0] != signature:
                self.seen[path] = (signature, now)
                if previous is None:
                    self.console.print(f"… {path.name}：等待写入完成")
            elif now - previous[1] >= self.settle:
                out.append(path)
        for gone in set(self.seen) - set(present):
            del self.seen[gone]
        return out

    def deliver(self, path: Path) -> None:
        """Send one file, retrying while the service is away; then move it to sent/ or failed/."""
        started, attempt = time.monotonic(), 0
        while True:
            try:
                case_id = self.target()
                status, code, message, replayed = self.post(path, case_id)
                break
            except _Retry as exc:
                attempt += 1
                if self.retry_for and time.monotonic() - started > self.retry_for:
                    raise WatchStopped(f"服务持续不可用（{exc}），{path.name} 留在原处，稍后重新运行即可") from None
                delay = min(30.0, 0.5 * 2 ** min(attempt - 1, 6)) * random.uniform(0.8, 1.2)
                self.console.print(f"[yellow]↻ {path.name}：{exc}，{delay:.1f} 秒后第 {attempt + 1} 次发送[/yellow]")
                self.sleep(delay)
        self.seen.pop(path, None)
        if status == 202:
            again = "（此前已送达，服务返回首次的结果，未重复收件）" if replayed else ""
            self.console.print(f"[green]✓ {path.name}：已送入办件 {case_id}{again}[/green]")
            _move(path, self.folder / SENT)
            return
        self.console.print(f"[red]✗ {path.name}：{message}（{code}），已移入 {FAILED}/[/red]")
        moved = _move(path, self.folder / FAILED)
        moved.with_name(moved.name + ".reason.txt").write_text(f"{status} {code}\n{message}\n", encoding="utf-8")

    def target(self) -> str:
        if self.case_id:
            return self.case_id
        try:
            response = self.client.get(f"/api/v1/counters/{quote(self.counter or '', safe='')}/case")
        except httpx.TransportError as exc:
            raise _Retry(f"无法连接服务（{type(exc).__name__}）") from None
        if response.status_code == 404:
            raise NoOpenCase(f"窗口“{self.counter}”当前没有正在收件的办件：请先在收件页面新建办件")
        self._judge(response)
        return response.json()["case_id"]

    def post(self, path: Path, case_id: str) -> tuple[int, str, str, bool]:
        """(status, code, message, replayed) of one POST of the file into the case (202: accepted, or replayed:
        an earlier attempt had been accepted)."""
        data = path.read_bytes()
        key = "watch-" + hashlib.sha256(data + b"\0" + case_id.encode()).hexdigest()
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.console.print(f"→ {path.name}：发送中（{len(data) / 1024:.0f} KB）")
        try:
            response = self.client.post(f"/api/v1/cases/{quote(case_id, safe='')}/uploads",
                                        files={"file": (path.name, data, media)},
                                        data={"material": self.material} if self.material else None,
                                        headers={"Idempotency-Key": key})
        except httpx.TransportError as exc:
            raise _Retry(f"无法连接服务（{type(exc).__name__}）") from None
        code, message = self._judge(response)
        return response.status_code, code, message, response.headers.get("Idempotent-Replayed") == "true"

    @staticmethod
    def _judge(response: httpx.Response) -> tuple[str, str]:
        """The answer's error code and message; raises for answers that are not about the file."""
        code, message = "", ""
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                code, message = error["code"], error["message"]
            except (ValueError, KeyError, TypeError):
                code, message = "http", f"HTTP {response.status_code}"
        if response.status_code >= 500 or code in RETRYABLE_CODES:
            raise _Retry(f"服务暂时不可用（{code or response.status_code}）")
        if response.status_code in FATAL_STATUSES:
            raise WatchStopped(f"{message}（{code}）")
        return code, message


def _move(path: Path, folder: Path) -> Path:
    """Move into `folder` without overwriting an earlier file of the same name."""
    destination, n = folder / path.name, 1
    while destination.exists():
        destination = folder / f"{path.stem}-{n}{path.suffix}"
        n += 1
    shutil.move(str(path), destination)
    return destination

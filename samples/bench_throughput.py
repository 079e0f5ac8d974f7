"""Throughput benchmark (issue 25): real `yichuang worker` processes on the real Redis broker, fed through the API
(in process), as a hall runs them. Not a test: it prints figures. Each section starts its own workers on a fresh
data folder (SQLite unless --database-url) and Redis key prefix, waits until they have read a first card, then:

- cards: ID card images (samples/id_card_front) uploaded to the bulk queue; cards per minute with 1 and 2 worker
  processes at 1 ONNX thread each, and 1 process at the default threads (YICHUANG_OCR_THREADS unset);
- counter: a clerk's card (counter queue) alone, one after the other (idle), then while bulk uploads drain, with
  2 worker processes both consuming `counter,bulk`, and with one dedicated to `counter` and one to `bulk`:
  latency from upload to saved documents, p50 and p95;
- scan: one multi-page scan (ID card pages in a PDF) read by page tasks, wall time with 1 and 2 workers;
- rss: the resident memory of the worker's pool process sampled while it reads many pages (cards): the second
  tenth of the pages (after warming up) against the last tenth.

    .venv/bin/python samples/bench_throughput.py --quick          # smoke run: small sizes
    .venv/bin/python samples/bench_throughput.py                  # full: 120 cards, 200 bulk, 50 pages, 1,000 pages
    .venv/bin/python samples/bench_throughput.py --only counter --bulk 200

Times are wall clock: on a machine shared with other work they say what that machine gave.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

CARDS = sorted((ROOT / "samples" / "id_card_front").glob("*.png")) + sorted((ROOT / "samples" / "id_card_front").glob("*.jpg"))
REDIS = os.environ.get("YICHUANG_BENCH_REDIS", "redis://127.0.0.1:6379/12")


class Hall:
    """The API in process, worker processes on Redis, one data folder."""

    def __init__(self, folder: Path, database_url: str | None = None) -> None:
        from fastapi.testclient import TestClient

        from api import auth
        from api.app import create_app
        from pipeline.settings import Settings
        from workers.wiring import secret_key

        self.env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
        # The benchmark feeds its own queue as fast as it can: the per-key rate limit (api/rate_limits.py) is off.
        self.env.update(YICHUANG_DATA_DIR=str(folder), YICHUANG_ENV="test", PYTHONPATH=str(ROOT),
                        YICHUANG_RATE_LIMITS_ENABLED="false", YICHUANG_BROKER_URL=REDIS, YICHUANG_REDIS_KEY_PREFIX=f"bench-{uuid.uuid4().hex[:8]}")
        if database_url:
            self.env["YICHUANG_DATABASE_URL"] = database_url
        for key, value in self.env.items():
            if key.startswith("YICHUANG_"):
                os.environ[key] = value
        self.settings = Settings()
        self.app = create_app(self.settings)
        self.client = TestClient(self.app)
        self.repo = self.app.state.repo
        secret = secret_key(self.settings)
        self.keys = {role: auth.create_key(self.repo, secret, role=role, hall="h1", label="bench")
                     for role in ("clerk", "integrator")}
        self.workers: list[subprocess.Popen] = []
        self.folder = folder

    def start(self, count: int, threads: int | None, queues: str = "counter,bulk") -> None:
        extra = {"YICHUANG_OCR_THREADS": str(threads)} if threads else {}
        for i in range(count):
            log = (self.folder / f"worker-{len(self.workers)}.log").open("wb")
            self.workers.append(subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--queues", queues],
                                                 env={**self.env, **extra}, cwd=ROOT, start_new_session=True,
                                                 stdout=log, stderr=subprocess.STDOUT))
            log.close()
        role = "clerk" if queues == "counter" else "integrator"
        warm = [self.upload(CARDS[0].read_bytes(), "warm.png", role) for _ in range(count)]
        self.wait(warm, timeout=600)

    def upload(self, data: bytes, name: str, role: str) -> str:
        media = "application/pdf" if data[:5] == b"%PDF-" else "image/png"
        response = self.client.post("/api/v1/documents", headers={"X-API-Key": self.keys[role]},
                                    files={"file": (name, data, media)})
        response.raise_for_status()
        return response.json()["upload_id"]

    def wait(self, ids: list[str], timeout: float = 3600) -> dict[str, float]:
        """Seconds from upload to saved documents, per upload (from the database's timestamps)."""
        deadline, out = time.time() + timeout, {}
        while len(out) < len(ids):
            if time.time() > deadline:
                raise TimeoutError(f"{len(ids) - len(out)} uploads not finished; see {self.folder}/worker-*.log")
            for upload_id in ids:
                if upload_id not in out:
                    row = self.repo.get_upload(upload_id)
                    if row.status in ("done", "failed"):
                        out[upload_id] = (_utc(row.finished_at) - _utc(row.received_at)).total_seconds()
            time.sleep(0.2)
        return out

    def children(self) -> list[int]:
        """The pool processes (which read the pages) of every worker: `yichuang worker` is the Celery main process."""
        parents = {str(p.pid) for p in self.workers}
        return [pid for pid in _pids() if _ppid(pid) in parents]

    def close(self) -> None:
        for proc in self.workers:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        for key in self.env:
            if key.startswith("YICHUANG_"):
                os.environ.pop(key, None)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _pids() -> list[str]:
    return [p for p in os.listdir("/proc") if p.isdigit()]


def _ppid(pid: str) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return None


def _rss_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def hall(args):
    return Hall(Path(tempfile.mkdtemp(prefix="yc-bench-")), args.database_url)


def cards_per_minute(args, workers: int, threads: int | None) -> float:
    h = hall(args)
    try:
        h.start(workers, threads)
        started = time.time()
        ids = [h.upload(CARDS[i % len(CARDS)].read_bytes(), "card.png", "integrator") for i in range(args.cards)]
        h.wait(ids)
        return args.cards / ((time.time() - started) / 60)
    finally:
        h.close()


def bench_cards(args) -> None:
    print(f"\n## Cards per minute ({args.cards} ID card images on the bulk queue)\n")
    one = cards_per_minute(args, 1, 1)
    two = cards_per_minute(args, 2, 1)
    default = cards_per_minute(args, 1, None)
    print(f"1 worker process, 1 ONNX thread:   {one:6.1f} cards/min")
    print(f"2 worker processes, 1 ONNX thread: {two:6.1f} cards/min  ({two / one:.2f}x)")
    print(f"1 worker process, default threads: {default:6.1f} cards/min")


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"p50 {statistics.median(values):.2f} s, p95 {p95:.2f} s"


def bench_counter(args) -> None:
    print(f"\n## Counter latency ({args.bulk} bulk uploads draining; 2 worker processes, 1 ONNX thread each)\n")
    for label, layout in (("shared (both on counter,bulk)", [(2, "counter,bulk")]),
                          ("dedicated (one on counter, one on bulk)", [(1, "counter"), (1, "bulk")])):
        h = hall(args)
        try:
            for count, queues in layout:
                h.start(count, 1, queues)
            idle, loaded = counter_latency(h, args)
            print(f"{label}:\n  idle:   {_percentiles(idle)}\n  loaded: {_percentiles(loaded)}"
                  f"  (p50 {statistics.median(loaded) / statistics.median(idle):.2f}x idle)")
        finally:
            h.close()


def counter_latency(h: Hall, args) -> tuple[list[float], list[float]]:
    """A clerk's card, one after the other: alone (idle), then while the bulk uploads drain."""
    card = CARDS[1 % len(CARDS)].read_bytes()
    idle: list[float] = []
    for _ in range(args.counter):
        idle += h.wait([h.upload(card, "counter.png", "clerk")]).values()
    bulk = [h.upload(CARDS[i % len(CARDS)].read_bytes(), "bulk.png", "integrator") for i in range(args.bulk)]
    loaded: list[float] = []
    for _ in range(args.counter):
        loaded += h.wait([h.upload(card, "counter.png", "clerk")]).values()
    h.wait(bulk)
    return idle, loaded


def scan(pages: int) -> bytes:
    import numpy as np
    from PIL import Image

    import _sheet

    images = [np.asarray(Image.open(CARDS[i % len(CARDS)]).convert("RGB")) for i in range(pages)]
    return _sheet.image_pdf(images, jpeg_quality=80)


def bench_scan(args) -> None:
    print(f"\n## A {args.pages}-page scan read by page tasks (1 ONNX thread per worker)\n")
    data, times = scan(args.pages), {}
    for workers in (1, 2):
        h = hall(args)
        try:
            h.start(workers, 1)
            started = time.time()
            h.wait([h.upload(data, "scan.pdf", "integrator")])
            times[workers] = time.time() - started
        finally:
            h.close()
    print(f"1 worker: {times[1]:.1f} s; 2 workers: {times[2]:.1f} s ({times[1] / times[2]:.2f}x)")


def bench_rss(args) -> None:
    print(f"\n## Worker memory over {args.rss_pages} pages (1 worker process, 1 ONNX thread)\n")
    h = hall(args)
    try:
        h.start(1, 1)
        ids = [h.upload(CARDS[i % len(CARDS)].read_bytes(), "card.png", "integrator") for i in range(args.rss_pages)]
        samples: list[tuple[int, float]] = []
        done = 0
        while done < len(ids):
            done = sum(1 for i in ids if h.repo.get_upload(i).status in ("done", "failed"))
            samples += [(done, _rss_mb(pid)) for pid in h.children()]
            time.sleep(0.5)
        if not samples:
            raise RuntimeError("no worker child process found to sample")
        tenth = max(1, len(ids) // 10)
        # the first tenth warms up (models' buffers, allocator arenas); flat means the second tenth against the last
        early = [mb for n, mb in samples if tenth < n <= 2 * tenth] or [mb for _n, mb in samples]
        late = [mb for n, mb in samples if n >= len(ids) - tenth]
        print(f"RSS over the second tenth of the pages: {max(early):.0f} MB; over the last tenth: {max(late):.0f} MB "
              f"({(max(late) / max(early) - 1) * 100:+.1f} %)")
    finally:
        h.close()


SECTIONS = {"cards": bench_cards, "counter": bench_counter, "scan": bench_scan, "rss": bench_rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the script works")
    parser.add_argument("--only", choices=tuple(SECTIONS))
    parser.add_argument("--cards", type=int, default=120)
    parser.add_argument("--bulk", type=int, default=200)
    parser.add_argument("--counter", type=int, default=10, help="counter uploads measured, idle and loaded")
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--rss-pages", type=int, default=1000)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite in each section's data folder)")
    args = parser.parse_args()
    if args.quick:
        args.cards, args.bulk, args.counter, args.pages, args.rss_pages = 6, 8, 3, 4, 12
    import logging

    logging.disable(logging.WARNING)
    print(f"cores: {os.cpu_count()}, load average: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for name, run in SECTIONS.items():
        if args.only in (None, name):
            run(args)


if __name__ == "__main__":
    main()

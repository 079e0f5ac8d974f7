"""Fault campaign against the scaled configuration, on loopback only (run by scripts/faults; prints figures).

Starts its own pieces: a PostgreSQL database on the local server (reached through a small TCP proxy this script
can cut), a Redis on a free port, moto's S3 server, two `yichuang worker` processes and `yichuang serve` (API
and sweeper, no embedded worker). A steady trickle of uploads runs throughout, and /healthz is polled every
20 ms. Then, in order:

1. kill -9 a busy worker (its whole process group) N times, restarting it each time;
2. kill -9 Redis and start it again empty (its messages are lost);
3. freeze Redis (SIGSTOP) for S seconds, uploads continuing;
4. cut the database (the proxy drops every connection and refuses new ones) for S seconds.

It prints uploads accepted / done / failed / lost / duplicated, the time to recover from each fault, /healthz
latency during each, and how fast uploads were answered (202, or 503 JSON) during the faults. Everything it
started is stopped at the end, and the whole run is bounded by --deadline.

The workers use a fake OCR engine that works `--work` seconds per page (tests/fakes.py SlowEngine), so a kill
always lands mid-task without loading eight PP-OCR models on a shared machine; `--real-ocr` uses rapidocr.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("YICHUANG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port} after {seconds} s")


class TcpProxy:
    """127.0.0.1:<port> -> target. `cut()` drops every connection and refuses new ones; `restore()` listens again."""

    def __init__(self, target_port: int) -> None:
        self.target, self.port = target_port, free_port()
        self.lock, self.conns, self.listener = threading.Lock(), [], None
        self.restore()

    def restore(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(128)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        self.listener.close()
        with self.lock:
            for conn in self.conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target), timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Processes:
    """Every process the campaign starts, each in its own process group; `stop_all` ends exactly these."""

    def __init__(self, logs: Path) -> None:
        self.logs, self.procs = logs, []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(proc)
        return proc

    @staticmethod
    def signal(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.signal(proc, signal.SIGCONT)
                self.signal(proc, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.signal(proc, signal.SIGKILL)
                proc.wait(timeout=5)


class Prober(threading.Thread):
    """Polls /healthz every 20 ms; keeps (time, seconds, ok)."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.samples, self.stop = port, [], threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            started = time.time()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                conn.request("GET", "/healthz")
                ok = conn.getresponse().status == 200
                conn.close()
            except OSError:
                ok = False
            self.samples.append((started, time.time() - started, ok))

    def window(self, start: float, end: float) -> dict:
        lat = sorted(s[1] for s in self.samples if start <= s[0] <= end)
        if not lat:
            return {"n": 0}
        return {"n": len(lat), "p50_ms": round(lat[len(lat) // 2] * 1000, 1),
                "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1),
                "max_ms": round(lat[-1] * 1000, 1),
                "failed": sum(1 for s in self.samples if start <= s[0] <= end and not s[2])}


def png(seed: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (480, 320), "white")
    image.putpixel((seed % 480, (seed // 480) % 320), (seed % 251, 0, 0))  # distinct bytes per upload
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


class Uploader(threading.Thread):
    """One upload every `every` seconds; keeps (time, seconds, status, error code, upload id)."""

    def __init__(self, port: int, key: str, every: float) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.every = port, key, every
        self.results, self.stop, self.paused = [], threading.Event(), threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.wait(self.every):
            if not self.paused.is_set():
                n += 1
                self.results.append(upload(self.port, self.key, png(n)))

    def window(self, start: float, end: float) -> list[tuple]:
        return [r for r in self.results if start <= r[0] <= end]


def upload(port: int, key: str, data: bytes) -> tuple:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"scan.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    started = time.time()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/v1/documents", body=body,
                     headers={"X-API-Key": key, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = conn.getresponse()
        status, payload = response.status, response.read()
        conn.close()
    except OSError as exc:
        return (started, time.time() - started, 0, type(exc).__name__, None)
    try:
        parsed = json.loads(payload)
    except ValueError:
        return (started, time.time() - started, status, "not-json", None)
    return (started, time.time() - started, status, (parsed.get("error") or {}).get("code"), parsed.get("upload_id"))


class Campaign:
    def __init__(self, args) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="yichuang-faults-"))
        (self.tmp / "logs").mkdir()
        self.procs = Processes(self.tmp / "logs")
        self.report: dict = {"faults": []}
        self.lock = threading.Lock()

    # --- the pieces ---------------------------------------------------------------------

    def start_database(self) -> None:
        import sqlalchemy

        self.db_name = f"yichuang_faults_{uuid.uuid4().hex[:10]}"
        self.admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{self.db_name}"'))
        self.direct = sqlalchemy.create_engine(PG_ADMIN.rsplit("/", 1)[0] + f"/{self.db_name}")
        self.proxy = TcpProxy(5432)

    def start_redis(self) -> None:
        if not hasattr(self, "redis_port"):
            self.redis_port = free_port()
        self.redis = self.procs.start("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                                                "--save", "", "--appendonly", "no", "--dir", str(self.tmp)], os.environ.copy())
        wait_port(self.redis_port)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
        env.update(
            PYTHONPATH=str(ROOT), YICHUANG_ENV="test", YICHUANG_DATA_DIR=str(self.tmp / "data"),
            YICHUANG_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{self.proxy.port}/{self.db_name}",
            YICHUANG_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0", YICHUANG_STORE="s3",
            YICHUANG_S3_ENDPOINT=f"127.0.0.1:{self.s3_port}", YICHUANG_S3_ACCESS_KEY="faults",
            YICHUANG_S3_SECRET_KEY="faults-secret", YICHUANG_S3_SECURE="false", YICHUANG_S3_REGION="us-east-1",
            YICHUANG_EMBEDDED_WORKER="false", YICHUANG_LICENCE_LIBRARY="none", YICHUANG_PORT=str(self.api_port),
            YICHUANG_OCR_ENGINE="rapidocr" if self.args.real_ocr else "tests.fakes:SlowEngine",
            YICHUANG_TEST_SLOW_SECONDS=str(self.args.work), YICHUANG_OCR_THREADS="1")
        return env

    def start_worker(self, index: int) -> subprocess.Popen:
        return self.procs.start(f"worker-{index}", [sys.executable, "-m", "api.cli", "worker", "--concurrency", "1"], self.env())

    def start(self) -> None:
        self.start_database()
        self.start_redis()
        self.s3_port, self.api_port = free_port(), free_port()
        self.procs.start("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)],
                         os.environ.copy())
        wait_port(self.s3_port)
        self.api = self.procs.start("serve", [sys.executable, "-m", "api.cli", "serve"], self.env())
        wait_port(self.api_port, 60)
        self.key = (self.tmp / "data" / "admin.key").read_text().strip()
        self.workers = [self.start_worker(i) for i in range(2)]
        self.prober = Prober(self.api_port)
        self.prober.start()
        self.uploader = Uploader(self.api_port, self.key, self.args.every)
        self.uploader.start()

    # --- observing ----------------------------------------------------------------------

    def rows(self) -> dict[str, tuple[str, int]]:
        from sqlalchemy import text

        with self.direct.connect() as conn:
            return {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT id, status, attempts FROM uploads"))}

    def wait_done(self, ids: set[str], since: float) -> float | None:
        """Seconds from `since` until every upload of `ids` is done or failed (None: not within the deadline)."""
        deadline = time.time() + self.args.recovery_wait
        while time.time() < deadline:
            rows = self.rows()
            if all(rows.get(i, ("queued",))[0] in ("done", "failed") for i in ids):
                return time.time() - since
            time.sleep(0.25)
        return None

    def record(self, name: str, start: float, end: float, recovered: float | None, **extra) -> None:
        uploads = self.uploader.window(start, end)
        answered = [u for u in uploads if u[2] in (202, 503)]
        entry = {"fault": name, "seconds": round(end - start, 1), "recovery_s": None if recovered is None else round(recovered, 1),
                 "healthz": self.prober.window(start, end), "uploads": len(uploads),
                 "statuses": sorted({f"{u[2]} {u[3] or ''}".strip() for u in uploads}),
                 "upload_answer_max_s": round(max((u[1] for u in answered), default=0), 2),
                 "not_answered_within_10s": sum(1 for u in uploads if u[1] > 10 or u[2] not in (202, 503)), **extra}
        self.report["faults"].append(entry)
        print(json.dumps(entry, ensure_ascii=False), flush=True)

    # --- the faults ---------------------------------------------------------------------

    def kill_workers(self, count: int) -> None:
        """Kill a busy worker every `--gap` seconds; each kill's recovery is timed by its own thread."""
        watchers = []
        for n in range(count):
            busy = self._wait_busy()
            victim = random.randrange(len(self.workers))
            start = time.time()
            self.procs.signal(self.workers[victim], signal.SIGKILL)
            self.workers[victim].wait(timeout=10)
            self.workers[victim] = self.start_worker(victim)
            watcher = threading.Thread(target=self._watch_kill, args=(n + 1, busy, start), daemon=True)
            watcher.start()
            watchers.append(watcher)
            time.sleep(self.args.gap)
        for watcher in watchers:
            watcher.join()

    def _watch_kill(self, n: int, busy: dict[str, int], start: float) -> None:
        """Recovery of one kill: the killed worker's upload claimed again by another worker (its attempt number
        went up), and every upload in flight at the kill finished."""
        taken_up: dict[str, float] = {}
        deadline = start + self.args.recovery_wait
        while time.time() < deadline:
            rows = self.rows()
            for upload_id, attempts in busy.items():
                if upload_id not in taken_up and rows.get(upload_id, ("", 0))[1] > attempts:
                    taken_up[upload_id] = time.time() - start
            if all(rows.get(i, ("",))[0] in ("done", "failed") for i in busy):
                break
            time.sleep(0.25)
        done = time.time() - start if time.time() < deadline else None
        recovered = max(taken_up.values()) if taken_up else done
        with self.lock:
            self.record(f"kill -9 worker #{n}", start, start + (done or self.args.recovery_wait), recovered,
                        in_flight=len(busy), taken_up_again=len(taken_up),
                        all_in_flight_done_s=None if done is None else round(done, 1))

    def _wait_busy(self) -> dict[str, int]:
        deadline = time.time() + 60
        while time.time() < deadline:
            busy = {i: attempts for i, (status, attempts) in self.rows().items() if status == "processing"}
            if busy:
                return busy
            time.sleep(0.2)
        return {}

    def restart_redis(self) -> None:
        pending = self._pending()
        start = time.time()
        self.procs.signal(self.redis, signal.SIGKILL)
        self.redis.wait(timeout=10)
        time.sleep(self.args.redis_down)
        self.start_redis()
        back = time.time()
        recovered = self.wait_done(pending | self._pending(), back)
        self.record("kill -9 Redis, start it empty", start, time.time(), recovered, down_s=round(back - start, 1))

    def freeze_redis(self, seconds: float) -> None:
        start = time.time()
        self.procs.signal(self.redis, signal.SIGSTOP)
        time.sleep(seconds)
        self.procs.signal(self.redis, signal.SIGCONT)
        back = time.time()
        recovered = self.wait_done(self._pending(), back)
        self.record(f"SIGSTOP Redis {seconds:.0f} s", start, time.time(), recovered, frozen_until=round(back - start, 1))

    def cut_database(self, seconds: float) -> None:
        start = time.time()
        self.proxy.cut()
        time.sleep(seconds)
        self.proxy.restore()
        back = time.time()
        recovered = self.wait_done(self._pending(), back)
        self.record(f"database cut {seconds:.0f} s", start, time.time(), recovered)

    def _pending(self) -> set[str]:
        return {i for i, (status, _) in self.rows().items() if status not in ("done", "failed")}

    # --- the summary --------------------------------------------------------------------

    def summary(self) -> dict:
        from sqlalchemy import text

        accepted = {u[4] for u in self.uploader.results if u[2] == 202 and u[4]}
        self.wait_done(accepted, time.time())
        rows = self.rows()
        with self.direct.connect() as conn:
            doc_sets = dict(conn.execute(text("SELECT upload_id, count(DISTINCT created_at) FROM documents GROUP BY upload_id")).all())
        done = {i for i in accepted if rows.get(i, ("",))[0] == "done"}
        failed = {i for i in accepted if rows.get(i, ("",))[0] == "failed"}
        recoveries = [f["recovery_s"] for f in self.report["faults"] if f["recovery_s"] is not None]
        summary = {
            "uploads_accepted": len(accepted), "done": len(done), "failed": len(failed),
            "lost": len(accepted - done - failed), "duplicated": sum(1 for n in doc_sets.values() if n > 1),
            "attempts": dict(sorted(Counter(rows[i][1] for i in accepted if i in rows).items())),
            "max_recovery_s": max(recoveries, default=None),
            "faults_not_recovered": sum(1 for f in self.report["faults"] if f["recovery_s"] is None),
            "healthz_p99_ms_worst_fault": max((f["healthz"].get("p99_ms", 0) for f in self.report["faults"]), default=None),
            "uploads_not_answered_within_10s": sum(f["not_answered_within_10s"] for f in self.report["faults"]),
            "upload_answer_max_s": max((f["upload_answer_max_s"] for f in self.report["faults"]), default=None),
            "claims_taken_over": sum(p.read_text(errors="replace").count("was taken over")
                                     for p in (self.tmp / "logs").glob("worker-*.log")),
            "logs": str(self.tmp / "logs"),
        }
        self.report["summary"] = summary
        return summary

    def stop(self) -> None:
        import sqlalchemy

        for thread in ("uploader", "prober"):
            if hasattr(self, thread):
                getattr(self, thread).stop.set()
        self.procs.stop_all()
        if hasattr(self, "proxy"):
            self.proxy.cut()
        if hasattr(self, "direct"):
            self.direct.dispose()
            with self.admin.connect() as conn:
                conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kill -9 of a busy worker (default 20)")
    parser.add_argument("--freeze", type=float, default=30, help="seconds Redis stays stopped (default 30)")
    parser.add_argument("--redis-down", type=float, default=10, help="seconds between Redis' kill and restart (default 10)")
    parser.add_argument("--cut", type=float, default=20, help="seconds the database is cut off (default 20)")
    parser.add_argument("--work", type=float, default=2.0, help="seconds of fake OCR per page (default 2)")
    parser.add_argument("--every", type=float, default=2.5, help="seconds between uploads (default 2.5)")
    parser.add_argument("--gap", type=float, default=15, help="seconds between two worker kills (default 15)")
    parser.add_argument("--recovery-wait", type=float, default=150, help="give up waiting for a recovery after this")
    parser.add_argument("--deadline", type=float, default=1800, help="stop everything after this many seconds")
    parser.add_argument("--faults", default="kill,redis,freeze,cut", help="which faults, in this order (default all)")
    parser.add_argument("--real-ocr", action="store_true", help="rapidocr in the workers instead of the fake engine")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    campaign = Campaign(args)
    timer = threading.Timer(args.deadline, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()
    try:
        campaign.start()
        time.sleep(10)  # warm up: the workers build their engines, the first uploads go through
        time.sleep(10)
        campaign.record("none (baseline)", time.time() - 10, time.time(), 0.0)
        phases = args.faults.split(",")
        if "kill" in phases:
            campaign.kill_workers(args.kills)
        if "redis" in phases:
            campaign.restart_redis()
        if "freeze" in phases:
            campaign.freeze_redis(args.freeze)
        if "cut" in phases:
            campaign.cut_database(args.cut)
        campaign.uploader.stop.set()
        summary = campaign.summary()
    except KeyboardInterrupt:
        print("deadline reached; stopping", file=sys.stderr)
        return 1
    finally:
        campaign.stop()
        timer.cancel()
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(campaign.report, ensure_ascii=False, indent=1), encoding="utf-8")
    ok = (summary["lost"] == 0 and summary["duplicated"] == 0 and summary["faults_not_recovered"] == 0
          and (summary["max_recovery_s"] or 0) <= 60 and (summary["healthz_p99_ms_worst_fault"] or 0) <= 100
          and summary["uploads_not_answered_within_10s"] == 0)
    print("targets met" if ok else "targets NOT met", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

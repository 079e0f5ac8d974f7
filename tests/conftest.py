"""Shared fixtures. One OCR engine per test session; real PostgreSQL / Redis on localhost for the
`integration` tests, each with its own database (PostgreSQL) or database number + key prefix (Redis)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.workers.live_worker import Service

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def load_sample_module(name: str):
    """A module of samples/ (generators, drawing helpers), loaded once per test session."""
    import importlib.util
    import sys

    if str(SAMPLES) not in sys.path:
        sys.path.insert(0, str(SAMPLES))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
SHARED_DATA = ROOT.parent / "shared" / "data" / "real"
PG_ADMIN_URL = os.environ.get("YICHUANG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("YICHUANG_TEST_REDIS", "redis://127.0.0.1:6379/11")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def ocr_engine():
    """The one PP-OCR engine of the test session (model load ~1 s, ~1 GB)."""
    from pipeline.ocr import RapidOcrEngine

    return RapidOcrEngine(threads=2)


@pytest.fixture(scope="session")
def deps_factory(ocr_engine):
    """Pipeline dependencies sharing the session's OCR engine, with a given store and trust dir."""
    from extractors import build_registry
    from pipeline.capture import CaptureSettings
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks
    from validators.signatures import Verifier

    def make(store=None, limits: Limits | None = None, trust_dir=None) -> Dependencies:
        return Dependencies(engine=ocr_engine, store=store or MemoryStore(), types=build_registry(),
                            checks=build_checks(), calibrator=Calibrator.shipped(), limits=limits or Limits(),
                            thresholds=Thresholds(), signatures=Verifier(trust_dir), capture=CaptureSettings())

    return make


@pytest.fixture()
def pg_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    name = f"yichuang_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def migrated_engine(request, tmp_path):
    """A database engine with every migration applied, once on SQLite and once on PostgreSQL (integration)."""
    from storage.db import make_engine, migrate

    url = f"sqlite:///{tmp_path}/t.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def redis_broker():
    """A Redis broker URL on its own database number with a unique key prefix (never flushed)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    prefix = f"yichuang-test-{uuid.uuid4().hex[:8]}"
    yield REDIS_URL, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture()
def service_factory(tmp_path):
    """Makes a `Service` (tests/workers/live_worker.py): the API in-process, real workers as subprocesses; every
    one made is shut down after the test. Imported here, not at the top, so collecting other tests stays light."""
    from tests.workers.live_worker import Service, worker_env

    made = []

    def make(**extra: str) -> Service:
        service = Service(tmp_path, worker_env(tmp_path, **extra))
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()

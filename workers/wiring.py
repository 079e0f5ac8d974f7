"""Builds the service's dependencies from settings, once per process (the API, a worker, the CLI).

This is the one place where settings turn into objects: stores, the database, the OCR engine, the
registries. Stages get only what is built here.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from dataclasses import dataclass
from functools import lru_cache

from pipeline.interfaces import SHANGHAI
from pipeline.masking import MaskingFilter
from pipeline.models import Hints, Upload
from pipeline.runner import Dependencies
from pipeline.settings import Settings

logger = logging.getLogger(__name__)


def configure_logging(settings: Settings) -> None:
    """Logs go to standard error, with ID numbers masked; no OCR text and no file names are logged."""
    import structlog

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(MaskingFilter())
    handler.addFilter(_bind_context)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry whole URLs (webhook tokens in queries)
    structlog.configure(logger_factory=structlog.stdlib.LoggerFactory(), wrapper_class=structlog.stdlib.BoundLogger)


def _bind_context(record: logging.LogRecord) -> bool:
    """Adds structlog's context (the API's request id, api/request_id.py) to every stdlib log line."""
    import structlog

    context = structlog.contextvars.get_contextvars()
    record.context = "".join(f" {k}={v}" for k, v in sorted(context.items()))
    return True


def build_store(settings: Settings):
    from storage.objects import LocalStore, S3Store

    if settings.store == "s3":
        if not (settings.s3_endpoint and settings.s3_access_key and settings.s3_secret_key):
            from pipeline.errors import ConfigurationError

            raise ConfigurationError(detail="s3 store needs YICHUANG_S3_ENDPOINT, _ACCESS_KEY and _SECRET_KEY")
        return S3Store(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key.get_secret_value(),
                       settings.s3_bucket, secure=settings.s3_secure, region=settings.s3_region,
                       connect_timeout=settings.s3_connect_timeout, read_timeout=settings.s3_read_timeout)
    return LocalStore(settings.objects_dir())


def build_repository(settings: Settings, *, migrate: bool = True):
    from storage.db import engine_for
    from storage.db import migrate as run_migrations
    from storage.repository import Repository

    engine = engine_for(settings)
    if migrate:
        run_migrations(engine)
    return Repository(engine)


def build_dependencies(settings: Settings, store, *, with_engine: bool = True) -> Dependencies:
    from extractors import build_registry
    from pipeline.capture import CaptureSettings
    from pipeline.confidence import Calibrator
    from pipeline.ocr import build_engine
    from validators import build_checks
    from validators.signatures import Verifier

    engine = build_engine(settings.ocr_engine, threads=settings.ocr_threads, paddle_model_dir=settings.paddle_model_dir) if with_engine else None
    return Dependencies(
        engine=engine, store=store, types=build_registry(), checks=build_checks(), calibrator=Calibrator.shipped(),
        limits=settings.limits, thresholds=settings.thresholds, signatures=Verifier(settings.trust_dir),
        capture=CaptureSettings(),
    )


def build_licence_library(settings: Settings, store, engine=None, *, keep=None):
    """The configured electronic-licence library (YICHUANG_LICENCE_LIBRARY), wrapped so that its files are
    fetched, kept and signature-checked before the assessment may fill a material from it. `engine`: the
    service database (the embedded library lives there); without it the embedded library is "none".
    `keep`: the store fetched files are kept in (default `store`; `yichuang verify` keeps them in memory)."""
    from pipeline.library import NullLicenceLibrary
    from validators.licences import VerifiedLibrary
    from validators.signatures import Verifier

    choice = settings.licence_library
    if choice.startswith(("http://", "https://")):
        from storage.licence_http import HttpLicenceLibrary

        token = settings.licence_library_token.get_secret_value() if settings.licence_library_token else None
        inner = HttpLicenceLibrary(choice, timeout=settings.licence_library_timeout, token=token,
                                   status_codes=settings.licence_status_codes)
        source = choice
    elif choice == "embedded" and engine is not None:
        from storage.licences import EmbeddedLicenceLibrary

        inner, source = EmbeddedLicenceLibrary(engine, store), "embedded"
    else:
        inner, source = NullLicenceLibrary(), "none"
    return VerifiedLibrary(inner, Verifier(settings.licence_trust_dir or settings.trust_dir), keep or store, source=source)


@dataclass
class Services:
    settings: Settings
    repo: object
    store: object
    deps: Dependencies | None = None
    library: object | None = None  # the licence library (workers/tasks.py builds the Assessor with it)


@lru_cache(maxsize=1)
def worker_services() -> Services:
    """The worker process's services, built on first use (worker_process_init calls it after fork)."""
    settings = Settings()
    store = build_store(settings)
    repo = build_repository(settings, migrate=False)
    return Services(settings=settings, repo=repo, store=store, deps=build_dependencies(settings, store),
                    library=build_licence_library(settings, store, repo.engine))


def upload_from_row(row) -> Upload:
    received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=dt.timezone.utc)
    return Upload(id=row.id, key=row.object_key, sha256=row.sha256, size=row.size, source=row.filename,
                  media_type=row.media_type, received_at=received.astimezone(SHANGHAI),
                  hints=Hints(material=row.material_hint, person=row.person_hint))

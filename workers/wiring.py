"""Builds the service's dependencies from settings: `build_services(settings)`, once per process, is what every
entry point uses (the API, a Celery worker, the CLI, the sweeper, the tests).

This is the one place where settings turn into objects: stores, the database, the OCR engine, the registries,
the licence library, the work calendar, the catalog and the assessor. Stages and the case layer get only what
is built here. It is also the one place below the API that writes a file of its own: the generated secret key
of the embedded deployment (`secret_key`).
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache

import structlog

from extractors import build_registry
from pipeline.calendar_files import load_calendar
from pipeline.confidence import Calibrator
from pipeline.errors import ConfigurationError
from pipeline.interfaces import ObjectStore
from pipeline.library import NullLicenceLibrary
from pipeline.masking import MaskingFilter
from pipeline.ocr import build_engine
from pipeline.runner import Dependencies
from pipeline.settings import Settings
from pipeline.workdays import WorkCalendar
from storage.cases import CaseRepository
from storage.db import engine_for
from storage.db import migrate as run_migrations
from storage.objects import LocalStore, S3Store
from storage.page_results import PageLeases, PageResults
from storage.repository import Repository
from storage.webhooks import WebhookStore
from validators import build_checks
from validators.assess import Assessor
from validators.catalog import Catalog, CatalogError, load_catalog
from validators.licences import VerifiedLibrary
from validators.signatures import Verifier

logger = logging.getLogger(__name__)


def configure_logging(settings: Settings) -> None:
    """Logs go to standard error, with ID numbers masked; no OCR text and no file names are logged."""
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
    context = structlog.contextvars.get_contextvars()
    record.context = "".join(f" {k}={v}" for k, v in sorted(context.items()))
    return True


def secret_key(settings: Settings) -> bytes:
    """The HMAC key for API keys: YICHUANG_SECRET_KEY (Settings.configured_secret), or in the embedded default
    one generated once into a 0600 file in the data directory. Who calls it: create_app, `yichuang serve`,
    `yichuang keys`, the tests."""
    configured = settings.configured_secret()
    if configured is not None:
        return configured
    path = settings.data_dir / "secret.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _store(settings: Settings) -> ObjectStore:
    if settings.store == "s3":
        if not (settings.s3_endpoint and settings.s3_access_key and settings.s3_secret_key):
            raise ConfigurationError(detail="s3 store needs YICHUANG_S3_ENDPOINT, _ACCESS_KEY and _SECRET_KEY")
        return S3Store(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key.get_secret_value(),
                       settings.s3_bucket, secure=settings.s3_secure, region=settings.s3_region,
                       connect_timeout=settings.s3_connect_timeout, read_timeout=settings.s3_read_timeout)
    return LocalStore(settings.objects_dir())


def _repository(settings: Settings, *, migrate: bool) -> Repository:
    engine = engine_for(settings)
    if migrate:
        run_migrations(engine)
    return Repository(engine)


def build_licence_library(settings: Settings, store: ObjectStore, engine=None, *, keep: ObjectStore | None = None
                          ) -> VerifiedLibrary:
    """The configured electronic-licence library (YICHUANG_LICENCE_LIBRARY), wrapped so that its files are
    fetched, kept and signature-checked before the assessment may fill a material from it. `engine`: the
    service database (the embedded library lives there); without it the embedded library is "none".
    `keep`: the store fetched files are kept in (default `store`; `yichuang verify` keeps them in memory)."""
    choice = settings.licence_library
    if choice.startswith(("http://", "https://")):
        from storage.licence_http import HttpLicenceLibrary  # httpx only where a remote library is configured

        token = settings.licence_library_token.get_secret_value() if settings.licence_library_token else None
        inner = HttpLicenceLibrary(choice, timeout=settings.licence_library_timeout, token=token,
                                   status_codes=settings.licence_status_codes)
        source = choice
    elif choice == "embedded" and engine is not None:
        from storage.licences import EmbeddedLicenceLibrary  # imported where the embedded library is used

        inner, source = EmbeddedLicenceLibrary(engine, store), "embedded"
    else:
        inner, source = NullLicenceLibrary(), "none"
    return VerifiedLibrary(inner, Verifier(settings.licence_trust_dir or settings.trust_dir), keep or store, source=source)


def build_calendar(settings: Settings) -> WorkCalendar:
    """The work calendar the API, the worker and the sweeper count with: `chinese-calendar`'s years plus the
    administrator's holiday files in `<data dir>/calendar/` (pipeline/calendar_files.py). A broken file raises
    CalendarFileError (a configuration error) rather than counting with a guessed calendar."""
    return load_calendar(settings.data_dir / "calendar")


@dataclass
class Services:
    """Everything an entry point works with, declared here and built from settings by `build_services`.

    `repo` is None only for `yichuang verify`, which works without the service database. The parts an entry
    point may not need are built on first use and then kept: the OCR engine only when `ocr` (a worker, the
    CLI's verify), the catalog and the calendar only when a case is touched (a broken administrator's file
    then fails that request, not the start). A test may replace a part before its first use
    (`services.library = …`)."""

    settings: Settings
    repo: Repository | None
    store: ObjectStore
    ocr: bool = False

    @cached_property
    def cases(self) -> CaseRepository:
        return CaseRepository(self._engine())

    @cached_property
    def webhooks(self) -> WebhookStore:
        """The webhook outbox: subscriptions, deliveries and their log."""
        return WebhookStore(self._engine())

    @cached_property
    def page_results(self) -> PageResults:
        """The results of fanned-out pages until their upload's documents are saved (workers/fanout.py)."""
        return PageResults(self._engine())

    @cached_property
    def page_leases(self) -> PageLeases:
        """Which fanned-out page is queued or being read, until when (workers/fanout.py, workers/sweeper.py)."""
        return PageLeases(self._engine())

    @cached_property
    def secret(self) -> bytes:
        """The HMAC key for API keys and webhook secrets (`secret_key`)."""
        return secret_key(self.settings)

    @cached_property
    def deps(self) -> Dependencies:
        """What the pipeline's stages get (the OCR engine only when `ocr`)."""
        s = self.settings
        engine = build_engine(s.ocr_engine, threads=s.ocr_threads, paddle_model_dir=s.paddle_model_dir) if self.ocr else None
        return Dependencies(engine=engine, store=self.store, types=build_registry(), checks=build_checks(),
                            calibrator=Calibrator.shipped(), limits=s.limits, thresholds=s.thresholds,
                            signatures=Verifier(s.trust_dir), capture=s.capture)

    @cached_property
    def library(self) -> VerifiedLibrary:
        """The licence library, shared by the licence routes and the assessor so both judge with the same one."""
        return build_licence_library(self.settings, self.store, self.repo.engine if self.repo is not None else None)

    @cached_property
    def calendar(self) -> WorkCalendar:
        return build_calendar(self.settings)

    @cached_property
    def assessor(self) -> Assessor:
        """The one assessor of the process: the worker's task, the case routes and pages, the CLI's verify."""
        return Assessor(thresholds=self.settings.thresholds, types=self.deps.types, library=self.library,
                        calendar=self.calendar, checks=self.deps.checks)

    @cached_property
    def catalog(self) -> Catalog:
        """The service items (shipped, plus the administrator's files in `<data dir>/catalog`)."""
        try:
            return load_catalog([self.settings.data_dir / "catalog"])
        except CatalogError as exc:  # an administrator's item file is broken: say so, do not guess
            logger.error("service-item catalog invalid: %d problems", len(exc.problems))
            raise ConfigurationError(detail="service-item catalog invalid (yichuang catalog validate)") from exc

    def _engine(self):
        if self.repo is None:
            raise ConfigurationError(detail="these services were built without a database")
        return self.repo.engine


def build_services(settings: Settings, *, ocr: bool = False, database: bool = True, migrate: bool = True,
                   repo: Repository | None = None, store: ObjectStore | None = None) -> Services:
    """The one builder. `ocr`: with an OCR engine (a worker, `yichuang verify`). `database=False`: no service
    database (`yichuang verify`). `migrate`: bring the schema up to date first (not in a worker, whose start
    `yichuang worker` migrated). `repo`, `store`: already built ones (`yichuang serve` made the repository
    before the app; the tests bring their own store)."""
    if repo is None and database:
        repo = _repository(settings, migrate=migrate)
    return Services(settings=settings, repo=repo, store=store if store is not None else _store(settings), ocr=ocr)


@lru_cache(maxsize=1)
def worker_services() -> Services:
    """The worker process's services, built on first use (worker_process_init calls it after fork, so the OCR
    engine is built once per worker process)."""
    services = build_services(Settings(), ocr=True, migrate=False)
    services.deps  # noqa: B018 - the OCR engine now, not inside the first task's time limit
    return services

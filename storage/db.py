"""Database engine and migrations. SQLite in WAL mode with a busy timeout by default; PostgreSQL by URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, connect_timeout: int = 3, statement_timeout: float = 15.0,
                pool_timeout: float = 5.0) -> Engine:
    """The service's engine. On PostgreSQL every connection has a connect timeout, a server-side statement
    timeout and TCP keepalives, and the pool waits at most `pool_timeout` for a free connection; a database
    that is down or hung raises `StorageUnavailable` (503 in the API) instead of holding the caller."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    connect_args = {"connect_timeout": connect_timeout, "options": f"-c statement_timeout={int(statement_timeout * 1000)}",
                    "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
                    "tcp_user_timeout": int(statement_timeout * 1000)}
    engine = create_engine(url, pool_pre_ping=True, pool_timeout=pool_timeout, connect_args=connect_args)
    event.listen(engine, "handle_error", _unavailable)
    return engine


def _unavailable(context):  # noqa: ANN001 - SQLAlchemy's ExceptionContext
    """A lost or refused connection, or a statement cancelled by the timeout, becomes `StorageUnavailable`;
    constraint violations and programming errors stay as they are."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    error = context.sqlalchemy_exception
    if context.is_disconnect or isinstance(error, (OperationalError, InterfaceError)):
        if context.is_pre_ping:
            return None  # the pool handles a stale connection itself
        from pipeline.errors import DatabaseUnavailable

        return DatabaseUnavailable(detail=f"database: {type(context.original_exception).__name__}")
    return None


def engine_for(settings) -> Engine:  # noqa: ANN001 - pipeline.settings.Settings
    """The engine with the timeouts of the settings (who calls it: workers/wiring.py, the CLI)."""
    return make_engine(settings.resolved_database_url(), connect_timeout=settings.db_connect_timeout,
                       statement_timeout=settings.db_statement_timeout, pool_timeout=settings.db_pool_timeout)


class SessionScope:
    """Base of the repositories: one engine, and `session()` = one transaction, committed when the block ends
    and rolled back on an exception; rows stay readable after it (expire_on_commit=False)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")  # parallel feature branches may each add a head


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)

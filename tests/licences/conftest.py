"""Fixtures of the licence-library tests: the sample library imported into a fresh database (SQLite, and
PostgreSQL for the `integration` runs) with its files in a local object store."""

from __future__ import annotations

import pytest

from storage.db import make_engine, migrate
from storage.licences import EmbeddedLicenceLibrary, import_licences
from storage.objects import LocalStore
from tests.licences.helpers import INDEX, SAMPLE


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db_url(request, tmp_path):
    return f"sqlite:///{tmp_path}/t.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture()
def empty_library(db_url, tmp_path):
    engine = make_engine(db_url)
    migrate(engine)
    library = EmbeddedLicenceLibrary(engine, LocalStore(tmp_path / "objects"))
    yield library
    engine.dispose()


@pytest.fixture()
def library(empty_library):
    import_licences(empty_library.engine, empty_library.store, INDEX)
    return empty_library


@pytest.fixture(scope="session")
def trust_dir():
    return SAMPLE  # test_ca.pem, the root the sample licences are signed under

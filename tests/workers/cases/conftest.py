"""Fixtures of the case layer's tests: a migrated database (SQLite, and PostgreSQL via `pg_url`) with the
repositories, and the keys of a clerk, a reviewer and an applicant."""

from __future__ import annotations

import pytest

from storage.cases import CaseRepository
from storage.db import make_engine, migrate
from storage.repository import Identity, Repository


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db(request, tmp_path):
    url = f"sqlite:///{tmp_path}/t.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    yield Repository(engine), CaseRepository(engine)
    engine.dispose()


class People:
    def __init__(self, repo: Repository) -> None:
        self.clerk = self._key(repo, "clerk", "C0231")
        self.reviewer = self._key(repo, "reviewer", "R0007")
        self.applicant = self._key(repo, "applicant", "online")

    @staticmethod
    def _key(repo, role, label):
        key_id = repo.add_key(key_id=f"{role:_<16}"[:16], key_hash="h" * 64, role=role, hall="h1", label=label)
        return Identity(key_id=key_id, role=role, hall="h1", label=label)


@pytest.fixture()
def people(db):
    return People(db[0])

"""Fixtures of the case layer's tests: a migrated database (SQLite, and PostgreSQL via `pg_url`) with the
repositories, and the keys of a clerk, a reviewer and an applicant."""

from __future__ import annotations

import pytest

from storage.cases import CaseRepository
from storage.repository import Identity, Repository


@pytest.fixture()
def db(migrated_engine):
    return Repository(migrated_engine), CaseRepository(migrated_engine)


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

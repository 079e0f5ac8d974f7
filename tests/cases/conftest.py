"""Case lifecycle fixtures: a migrated database (SQLite, and PostgreSQL via `pg_url`) with the repositories,
and helpers to put finished documents into a case as the worker would."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.models import Document, FieldValue
from pipeline.settings import Thresholds
from pipeline.workdays import WorkCalendar
from storage.cases import CaseRepository
from storage.db import make_engine, migrate
from storage.repository import Identity, Repository
from validators.assess import Assessor
from validators.catalog import load_catalog

CATALOG = load_catalog()
ITEM = CATALOG.get("individual-business-registration")
ASSESSOR = Assessor(thresholds=Thresholds())
CAL = WorkCalendar()


def utc(y, m, d, hour=10) -> dt.datetime:
    """`hour` o'clock in Shanghai, as UTC."""
    return dt.datetime(y, m, d, hour - 8, 0, tzinfo=dt.timezone.utc)


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


def doc(type_code: str, doc_id: str, sha: str, confidence: float = 0.99, **values) -> Document:
    fields = {k: FieldValue(value=v, confidence=confidence) for k, v in values.items()}
    return Document(id=doc_id, source=f"{doc_id}.jpg", type=type_code, type_confidence=0.97, upload_sha256=sha,
                    fields=fields)


def application(doc_id="app", sha="s-app", **over) -> Document:
    values = dict(operator_name="张三", operator_id_number="110105199003071239", premises_address="北京市朝阳区建国路1号",
                  signed=True)
    values.update(over)
    return doc("application_form", doc_id, sha, **values)


def id_card(name="张三", prefix="op", sha="s-id", front_confidence=0.99) -> list[Document]:
    return [doc("id_card_front", f"{prefix}-front", sha, confidence=front_confidence, name=name, sex="男",
                birth_date="1990-03-07", id_number="110105199003071239"),
            doc("id_card_back", f"{prefix}-back", sha, issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10",
                valid_until="2041-05-10")]


def premises(location="北京市朝阳区建国路1号", doc_id="cert", sha="s-cert") -> list[Document]:
    return [doc("property_certificate", doc_id, sha, holder="张三", location=location)]


def new_case(cases: CaseRepository, who: Identity, *, situation="self", item=ITEM, at=None):
    return cases.create(owner_key_id=who.key_id, hall=who.hall, item=item, situation=situation,
                        applicant={"kind": "person", "name": "张三", "id_number": "110105199003071239"},
                        at=at or utc(2026, 11, 2))


def put(repo: Repository, cases: CaseRepository, who: Identity, case_id: str, documents: list[Document], *,
        material=None, at=None) -> str:
    """An upload of the case, finished by the 'worker' with the given documents."""
    row, _gone = cases.add_upload(owner_key_id=who.key_id, hall=who.hall, case_id=case_id, object_key="sha256/" + "a" * 64,
                                  sha256="a" * 64, size=3, filename="scan.jpg", media_type="image/jpeg",
                                  material_hint=material, person_hint=None, queue="counter",
                                  received_at=at or utc(2026, 11, 2, 11))
    assert repo.claim(row.id, lease_seconds=60, max_attempts=3) is not None
    assert repo.finish(row.id, documents)
    return row.id

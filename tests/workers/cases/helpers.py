"""Helpers of the case layer's tests: the item, assessor and calendar they judge with, a new case, and an upload
of the case finished by the 'worker' with given documents (the documents themselves: tests/case_data.py)."""

from __future__ import annotations

from pipeline.models import Document
from pipeline.settings import Thresholds
from pipeline.workdays import WorkCalendar
from storage.cases import CaseRepository
from storage.repository import Identity, Repository
from tests.case_data import utc
from validators.assess import Assessor
from validators.catalog import load_catalog

CATALOG = load_catalog()
ITEM = CATALOG.get("individual-business-registration")
ASSESSOR = Assessor(thresholds=Thresholds())
CAL = WorkCalendar()


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

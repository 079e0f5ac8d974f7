"""Case repository on SQLite and PostgreSQL: inputs read from the database, versioned saves, and concurrent
reassessments racing on purpose — the last saved assessment must contain every material."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from pipeline.models import Document, FieldValue
from pipeline.settings import Thresholds
from storage.cases import CaseConflict, CaseRepository
from storage.db import migrate
from storage.repository import Repository
from validators.assess import Assessor
from validators.catalog import load_catalog

ITEM = load_catalog().get("individual-business-registration")
ASSESSOR = Assessor(thresholds=Thresholds())
RECEIVED = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Shanghai


@pytest.fixture()
def repos(migrated_engine):
    migrate(migrated_engine)  # idempotent
    return Repository(migrated_engine), CaseRepository(migrated_engine)


def body(type_code: str, doc_id: str, sha: str, **values) -> Document:
    fields = {k: FieldValue(value=v, confidence=0.99) for k, v in values.items()}
    return Document(id=doc_id, source=f"{doc_id}.jpg", type=type_code, type_confidence=0.97, upload_sha256=sha,
                    fields=fields)


def files() -> dict[str, list[Document]]:
    """The complete agent case, one upload per file: any of them missing changes the decision."""
    return {
        "application": [body("application_form", "app", "f1", operator_name="张三", operator_id_number="110105199003071239",
                             premises_address="北京市朝阳区建国路1号", signed=True)],
        "operator": [body("id_card_front", "op-front", "f2", name="张三", sex="男", birth_date="1990-03-07",
                          id_number="110105199003071239"),
                     body("id_card_back", "op-back", "f2", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10",
                          valid_until="2041-05-10")],
        "premises": [body("property_certificate", "cert", "f3", holder="张三", location="北京市朝阳区建国路1号")],
        "authorisation": [body("power_of_attorney", "poa", "f4", principal_name="张三",
                               principal_id_number="110105199003071239", agent_name="李四",
                               agent_id_number="370811198808120420", signed=True)],
        "agent_front": [body("id_card_front", "ag-front", "f5", name="李四", sex="女", birth_date="1988-08-12",
                             id_number="370811198808120420")],
        "agent_back": [body("id_card_back", "ag-back", "f6", issuing_authority="济宁市公安局任城分局", valid_from="2019-01-15",
                            valid_until="2039-01-15")],
    }


def new_case(repo: Repository, cases: CaseRepository, situation: str = "agent", item=ITEM):
    key = repo.add_key(key_id="0123456789abcdef", key_hash="h" * 64, role="clerk", hall="h1", label="scanner")
    case = cases.create(owner_key_id=key, hall="h1", item=item, situation=situation,
                        applicant={"name": "张三", "id_number": "110105199003071239"})
    return key, case


def add_upload(repo: Repository, key: str, case_id: str, *, received=RECEIVED, material=None, person=None) -> str:
    row = CaseRepository(repo.engine).add_upload(owner_key_id=key, hall="h1", case_id=case_id, object_key="sha256/" + "a" * 64, sha256="a" * 64,
                          size=3, filename="scan.jpg", media_type="image/jpeg", material_hint=material,
                          person_hint=person, queue="counter", received_at=received)[0]
    return row.id


def finish(repo: Repository, upload_id: str, documents: list[Document]) -> None:
    assert repo.claim(upload_id, lease_seconds=60, max_attempts=3) is not None
    assert repo.finish(upload_id, documents)


def test_a_new_case_is_assessed_with_everything_missing(repos):
    repo, cases = repos
    _key, case = new_case(repo, cases)
    result = cases.reassess(case.id, ASSESSOR)
    assert result.decision == "correction_required"
    assert {m.status for m in result.materials} == {"missing", "tolerated"}
    saved = cases.latest(case.id)
    assert (saved.version, saved.decision) == (1, "correction_required")
    assert saved.assessment.to_case_dict() == result.to_case_dict()
    assert saved.assessment == result, "read back typed, the same assessment"
    assert cases.get(case.id).version == 1


def test_input_comes_from_the_database_with_hints_times_and_pending_uploads(repos):
    repo, cases = repos
    key, case = new_case(repo, cases)
    later = RECEIVED + dt.timedelta(days=2)
    first = add_upload(repo, key, case.id, material="application")
    finish(repo, first, files()["application"])
    add_upload(repo, key, case.id, received=later)  # still queued
    failed = add_upload(repo, key, case.id)
    repo.claim(failed, lease_seconds=60, max_attempts=3)
    repo.fail(failed, "task.timeout", "处理超时")
    case_input = cases.load_input(case.id)
    assert [s.document.id for s in case_input.documents] == ["app"]
    assert case_input.documents[0].hints.material == "application" and case_input.documents[0].upload_id == first
    assert (case_input.pending_uploads, case_input.failed_uploads) == (1, 1)
    assert case_input.judged_at.date() == dt.date(2026, 11, 25) and case_input.judged_at.utcoffset() == dt.timedelta(hours=8)
    assert case_input.item == ITEM and case_input.situation == "agent"
    result = cases.reassess(case.id, ASSESSOR)
    assert result.decision == "needs_review"
    assert {f.code for f in result.findings} == {"case.uploads_pending", "case.uploads_failed"}
    assert cases.load_input("no-such-case") is None and cases.reassess("no-such-case", ASSESSOR) is None


def test_reassessing_an_unchanged_case_saves_nothing_new(repos):
    repo, cases = repos
    key, case = new_case(repo, cases)
    for name, documents in files().items():
        finish(repo, add_upload(repo, key, case.id), documents)
    assert cases.reassess(case.id, ASSESSOR).decision == "accept"
    assert cases.reassess(case.id, ASSESSOR).decision == "accept"  # a duplicate delivery of the task
    assert [a.version for a in cases.history(case.id)] == [1]


def test_a_stale_save_is_refused(repos):
    repo, cases = repos
    key, case = new_case(repo, cases)
    stale = cases.load_input(case.id)
    finish(repo, add_upload(repo, key, case.id), files()["application"])
    assert cases.reassess(case.id, ASSESSOR) is not None
    assert cases.save(case.id, stale.version, ASSESSOR(stale)) is None, "computed before the new upload: refused"
    assert cases.latest(case.id).assessment.materials[0].status == "ok"


def test_the_case_keeps_the_item_version_it_was_created_with(repos):
    repo, cases = repos
    changed = ITEM.model_copy(update={"version": 2, "name": "个体工商户设立登记（新版）"})
    key, case = new_case(repo, cases, item=changed)
    result = cases.reassess(case.id, ASSESSOR)
    assert (result.item_version, result.item_name) == (2, "个体工商户设立登记（新版）")
    assert cases.latest(case.id).assessment.item_version == 2


def test_concurrent_uploads_never_lose_a_material(repos):
    """Each thread finishes one upload and reassesses; a barrier makes every thread read its input before any
    saves, so saves collide. The last saved assessment must hold every document."""
    repo, cases = repos
    key, case = new_case(repo, cases)
    parts = files()
    uploads = {name: add_upload(repo, key, case.id) for name in parts}
    barrier = threading.Barrier(len(parts), timeout=60)
    local = threading.local()

    def compute(case_input):
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return ASSESSOR(case_input)

    errors = []

    def worker(name):
        try:
            finish(repo, uploads[name], parts[name])
            cases.reassess(case.id, compute)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name,)) for name in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert cases.conflicts >= 1, "the race really happened"
    latest = cases.latest(case.id)
    assert latest.decision == "accept", latest.assessment.notice
    assigned = {d for m in latest.assessment.materials for d in m.documents}
    assert assigned == {d.id for documents in parts.values() for d in documents}
    history = cases.history(case.id)
    assert [a.version for a in history] == list(range(1, len(history) + 1))
    assert cases.get(case.id).version == latest.version


def test_giving_up_after_too_many_conflicts(repos):
    repo, cases = repos
    _key, case = new_case(repo, cases)

    def meddling(case_input):  # someone else saves while we compute, every time
        cases.save(case.id, cases.get(case.id).version, ASSESSOR(case_input))
        return ASSESSOR(case_input)

    with pytest.raises(CaseConflict) as caught:
        cases.reassess(case.id, meddling, attempts=3)
    assert caught.value.retryable

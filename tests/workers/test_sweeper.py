"""The sweeper on SQLite and PostgreSQL: lost upload messages are re-enqueued, and a case whose assessment
message was lost (its upload finished after the last assessment) is assessed again."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.models import Document, FieldValue
from pipeline.settings import Thresholds
from storage.cases import CaseRepository
from storage.repository import Repository
from validators.assess import Assessor
from validators.catalog import load_catalog
from workers.sweeper import sweep


@pytest.fixture()
def repos(migrated_engine):
    return Repository(migrated_engine), CaseRepository(migrated_engine)


def _case_with_finished_upload(repo: Repository, cases: CaseRepository) -> tuple[str, str]:
    key = repo.add_key(key_id="0123456789abcdef", key_hash="h" * 64, role="clerk", hall="h1", label="scanner")
    item = load_catalog().get("individual-business-registration")
    case = cases.create(owner_key_id=key, hall="h1", item=item, situation="self",
                        applicant={"name": "张三", "id_number": "110105199003071239"})
    cases.reassess(case.id, Assessor(thresholds=Thresholds()))  # the assessment made when the case was opened
    row = CaseRepository(repo.engine).add_upload(owner_key_id=key, hall="h1", case_id=case.id, object_key="sha256/" + "a" * 64,
                          sha256="a" * 64, size=3, filename="scan.jpg", media_type="image/jpeg", material_hint=None,
                          person_hint=None, queue="counter", received_at=dt.datetime.now(dt.timezone.utc))[0]
    assert repo.claim(row.id, lease_seconds=60, max_attempts=3) is not None
    doc = Document(id="d1", source="scan.jpg", type="id_card_front", type_confidence=0.97, upload_sha256="a" * 64,
                   fields={"name": FieldValue(value="张三", confidence=0.99)})
    assert repo.finish(row.id, [doc])
    return case.id, row.id


def test_a_lost_assessment_message_is_sent_again_after_the_grace_period(repos):
    repo, cases = repos
    case_id, _ = _case_with_finished_upload(repo, cases)
    sent: list[tuple[str, str]] = []
    args = dict(max_attempts=3, assess=lambda c, q: sent.append((c, q)))
    assert sweep(repo, lambda *_: None, queued_after=600, **args) == 0, "within the grace period nothing is sent"
    assert sweep(repo, lambda *_: None, queued_after=-1, **args) == 1
    assert sent == [(case_id, "counter")]

    cases.reassess(case_id, Assessor(thresholds=Thresholds()))  # the assessment ran: the case is current
    sent.clear()
    assert sweep(repo, lambda *_: None, queued_after=-1, **args) == 0
    assert sent == []


def test_an_upload_never_enqueued_is_enqueued_by_the_sweeper(repos):
    repo, _ = repos
    key = repo.add_key(key_id="0123456789abcdef", key_hash="h" * 64, role="clerk", hall="h1", label="scanner")
    row = CaseRepository(repo.engine).add_upload(owner_key_id=key, hall="h1", case_id=None, object_key="sha256/" + "b" * 64, sha256="b" * 64,
                          size=3, filename="x.jpg", media_type="image/jpeg", material_hint=None, person_hint=None,
                          queue="bulk", received_at=dt.datetime.now(dt.timezone.utc))[0]
    sent: list[tuple[str, str]] = []
    assert sweep(repo, lambda u, q: sent.append((u, q)), queued_after=600, max_attempts=3) == 1
    assert sent == [(row.id, "bulk")]
    assert repo.get_upload(row.id).enqueued_at is not None


def test_an_assessment_that_changed_nothing_still_counts_as_current(repos):
    repo, cases = repos
    case_id, _ = _case_with_finished_upload(repo, cases)
    assessor = Assessor(thresholds=Thresholds())
    cases.reassess(case_id, assessor)
    version = cases.latest(case_id).version
    cases.reassess(case_id, assessor)  # the same documents again: nothing new is saved ...
    assert cases.latest(case_id).version == version
    sent: list[tuple[str, str]] = []
    # ... and the sweeper does not send the case again and again
    assert sweep(repo, lambda *_: None, queued_after=-1, max_attempts=3, assess=lambda c, q: sent.append((c, q))) == 0


def test_published_messages_leave_the_time_limits_to_the_worker(tmp_path, monkeypatch):
    """A publisher configured earlier with other limits (Celery binds them once per process) must not impose
    them: the message carries no limits and the worker's settings decide."""
    import base64
    import json

    from pipeline.settings import Settings
    from workers.celery_app import configure
    from workers.sweeper import enqueue

    for limit in ("600", "7"):
        monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path / limit))
        monkeypatch.setenv("YICHUANG_TASK_TIME_LIMIT", limit)
        monkeypatch.setenv("YICHUANG_TASK_SOFT_TIME_LIMIT", str(int(limit) // 2))
        settings = Settings()
        configure(settings)
        enqueue(f"upload-{limit}", "counter")
        [message] = (settings.broker_folder() / "queue").iterdir()
        envelope = json.loads(message.read_text())
        assert envelope["headers"]["task"] == "yichuang.process_upload"
        assert envelope["headers"]["timelimit"] == [None, None]
        assert json.loads(base64.b64decode(envelope["body"]))[0] == [f"upload-{limit}"]

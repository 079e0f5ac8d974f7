"""Repository on SQLite and PostgreSQL: claims by compare-and-set, stuck rows, insert-only audit chain."""

import datetime as dt

import pytest
import sqlalchemy as sa

from pipeline.models import Document, FieldValue
from storage.cases import CaseRepository
from storage.db import migrate
from storage.repository import Identity, Repository


@pytest.fixture()
def repo(migrated_engine):
    migrate(migrated_engine)  # idempotent
    return Repository(migrated_engine)


def _upload(repo: Repository) -> str:
    key = repo.add_key(key_id="0123456789abcdef", key_hash="h" * 64, role="clerk", hall="h1", label="scanner")
    row = CaseRepository(repo.engine).add_upload(owner_key_id=key, hall="h1", case_id=None, object_key="sha256/" + "a" * 64, sha256="a" * 64,
                          size=3, filename="张三身份证.jpg", media_type="image/jpeg", material_hint=None,
                          person_hint=None, queue="counter", received_at=dt.datetime.now(dt.timezone.utc))[0]
    return row.id


def test_claim_is_compare_and_set(repo):
    upload_id = _upload(repo)
    first = repo.claim(upload_id, lease_seconds=60, max_attempts=3)
    assert first is not None and first.status == "processing" and first.attempts == 1
    assert repo.claim(upload_id, lease_seconds=60, max_attempts=3) is None, "a duplicate delivery does nothing"
    saved = Document(id="d1", source="a.jpg", type="id_card_front", type_confidence=0.9, image_keys=("pages/k1",),
                     fields={"name": FieldValue(value="张三", confidence=0.99, box=(1, 2, 3, 4))})
    assert repo.finish(upload_id, [saved])
    assert not repo.finish(upload_id, [Document(id="d2", source="a.jpg", type="x")]), "finishing twice saves nothing twice"
    assert repo.get_upload(upload_id).status == "done"
    assert repo.documents_of(upload_id) == [saved], "read back typed: the same Document, not its JSON"
    assert repo.claim(upload_id, lease_seconds=60, max_attempts=3) is None


def test_expired_lease_is_stuck_and_can_be_claimed_again(repo):
    upload_id = _upload(repo)
    repo.mark_enqueued(upload_id)
    assert repo.stuck(queued_after=600) == []
    repo.claim(upload_id, lease_seconds=-1, max_attempts=3)  # a worker that died: lease already over
    assert [r.id for r in repo.stuck(queued_after=600)] == [upload_id]
    again = repo.claim(upload_id, lease_seconds=60, max_attempts=3)
    assert again is not None and again.attempts == 2


def test_attempts_are_capped(repo):
    upload_id = _upload(repo)
    repo.claim(upload_id, lease_seconds=-1, max_attempts=1)
    assert repo.claim(upload_id, lease_seconds=60, max_attempts=1) is None


def test_audit_trail_is_chained_and_insert_only(repo):
    who = Identity(key_id="k1", role="clerk", hall="h1")
    repo.audit(who, "upload.create", "upload", "u1", size=3)
    repo.audit(who, "upload.read", "upload", "u1")
    repo.audit(None, "upload.done", "upload", "u1")
    assert repo.audit_chain_ok()
    with pytest.raises(sa.exc.DBAPIError):
        with repo.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_events SET action = 'forged'"))
    with pytest.raises(sa.exc.DBAPIError):
        with repo.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM audit_events"))
    assert repo.audit_chain_ok()


def test_concurrent_audits_keep_one_chain_from_the_first_row(repo):
    """Parallel requests audit at once, the very first ones included (an empty trail has no newest row to lock)."""
    import threading

    who = Identity(key_id="k1", role="clerk", hall="h1")
    start, errors = threading.Barrier(6), []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                repo.audit(who, "case.read", "case", f"c{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM audit_events")).scalar() == 30
    assert repo.audit_chain_ok()

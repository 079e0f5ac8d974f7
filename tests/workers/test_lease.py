"""The processing lease: renewed by a heartbeat while a worker works, taken over only when it ran out, and the
sweeper's timing. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from pipeline.settings import Settings
from storage.cases import CaseRepository
from storage.db import as_utc
from storage.repository import Repository
from workers.lease import Heartbeat
from workers.sweeper import sweep


@pytest.fixture()
def repo(migrated_engine):
    return Repository(migrated_engine)


def _upload(repo: Repository) -> str:
    key = repo.add_key(key_id="0123456789abcdef", key_hash="h" * 64, role="clerk", hall="h1", label="scanner")
    return CaseRepository(repo.engine).add_upload(owner_key_id=key, hall="h1", case_id=None, object_key="sha256/" + "c" * 64, sha256="c" * 64,
                           size=3, filename="x.jpg", media_type="image/jpeg", material_hint=None, person_hint=None,
                           queue="bulk", received_at=dt.datetime.now(dt.timezone.utc))[0].id


def test_the_heartbeat_keeps_a_short_lease_alive_while_the_work_lasts(repo):
    upload_id = _upload(repo)
    row = repo.claim(upload_id, lease_seconds=1, max_attempts=3)
    with Heartbeat(repo, upload_id, row.attempts, lease_seconds=1, interval=0.3) as beat:
        time.sleep(2.5)  # more than twice the lease
        assert repo.stuck(queued_after=600) == [], "a working upload looked lost"
        assert repo.claim(upload_id, lease_seconds=1, max_attempts=3) is None, "a second worker took a held upload"
    assert not beat.lost.is_set()
    time.sleep(1.2)  # the heartbeat stopped (the worker died): the lease runs out
    assert [r.id for r in repo.stuck(queued_after=600)] == [upload_id]
    taken = repo.claim(upload_id, lease_seconds=30, max_attempts=3)
    assert taken is not None and taken.attempts == 2


def test_a_claim_taken_over_is_neither_renewed_nor_saved(repo):
    upload_id = _upload(repo)
    first = repo.claim(upload_id, lease_seconds=0, max_attempts=3)
    time.sleep(0.05)
    second = repo.claim(upload_id, lease_seconds=30, max_attempts=3)  # the first lease ran out
    assert second.attempts == first.attempts + 1
    assert not repo.renew_lease(upload_id, first.attempts, 30)
    assert not repo.finish(upload_id, [], attempt=first.attempts), "the superseded claim saved its result"
    assert not repo.requeue(upload_id, first.attempts)
    assert repo.finish(upload_id, [], attempt=second.attempts)


def test_the_sweeper_never_requeues_an_upload_whose_lease_was_renewed_meanwhile(repo):
    upload_id = _upload(repo)
    row = repo.claim(upload_id, lease_seconds=0, max_attempts=3)
    time.sleep(0.05)
    [stuck] = repo.stuck(queued_after=600)
    assert repo.renew_lease(upload_id, row.attempts, 30)  # the worker's heartbeat came in late, but came
    assert not repo.requeue(stuck.id, stuck.attempts, only_expired=True)
    sent = []
    assert sweep(repo, lambda u, q: sent.append(u), queued_after=600, max_attempts=3) == 0 and sent == []
    assert repo.get_upload(upload_id).status == "processing"


def test_a_lost_queued_message_is_sent_again_after_queued_stuck_after(repo):
    upload_id = _upload(repo)
    repo.mark_enqueued(upload_id)
    sent: list[str] = []
    assert sweep(repo, lambda u, q: sent.append(u), queued_after=1, max_attempts=3) == 0, "just enqueued"
    time.sleep(1.2)
    assert sweep(repo, lambda u, q: sent.append(u), queued_after=1, max_attempts=3) == 1
    assert sent == [upload_id]
    assert as_utc(repo.get_upload(upload_id).enqueued_at) > dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    assert sweep(repo, lambda u, q: sent.append(u), queued_after=1, max_attempts=3) == 0, "once per period"


def test_the_defaults_recover_within_a_minute():
    s = Settings(_env_file=None)
    assert s.lease_seconds + s.sweep_interval <= 60, "a dead worker's upload"
    assert s.queued_stuck_after + s.sweep_interval <= 60, "a lost message"
    assert s.heartbeat_interval * 2 <= s.lease_seconds
    with pytest.raises(ValueError):
        Settings(lease_seconds=10, heartbeat_interval=6)


def test_celery_waits_for_a_slow_engine_build_in_new_children(tmp_path):
    """Celery kills a new child that has not reported within `worker_proc_alive_timeout` (4 s by default), and a
    child builds the OCR engine (~3 s, more on a loaded machine) before it reports: the wait is our setting."""
    from celery.app.defaults import DEFAULTS
    from pipeline.settings import Settings
    from workers.celery_app import app, configure

    assert Settings(data_dir=tmp_path).worker_start_timeout > DEFAULTS["worker_proc_alive_timeout"] * 5
    before = dict(app.conf.changes)  # the app is the process's one Celery app: leave it as other tests set it
    try:
        configure(Settings(data_dir=tmp_path, worker_start_timeout=45))
        assert app.conf.worker_proc_alive_timeout == 45
    finally:
        app.conf.update(before)

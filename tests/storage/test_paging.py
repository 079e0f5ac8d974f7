"""The query side of paging (storage/paging.py) on SQLite and PostgreSQL: a newest-first walk of a webhook's
delivery log while deliveries are added, and positions that do not fit a list's key refused."""

from __future__ import annotations

import pytest

from storage import webhooks
from storage.cases import CaseRepository
from storage.db import utcnow
from storage.paging import BadKey
from storage.repository import AUDIT_KEYS, UPLOAD_KEYS, Repository
from storage.webhooks import DELIVERY_KEYS, WebhookStore


@pytest.fixture()
def db(migrated_engine):
    webhooks.set_publisher(lambda _ids: None)
    yield Repository(migrated_engine), WebhookStore(migrated_engine)
    webhooks.set_publisher(None)


def delivered(repo: Repository, owner: str) -> None:
    """One `upload.done` event: one delivery for the owner's subscription."""
    row, _gone = CaseRepository(repo.engine).add_upload(owner_key_id=owner, hall="h1", case_id=None, object_key="sha256/" + "a" * 64, sha256="a" * 64,
                          size=3, filename="scan.jpg", media_type="image/jpeg", material_hint=None, person_hint=None,
                          queue="bulk", received_at=utcnow())
    assert repo.claim(row.id, lease_seconds=60, max_attempts=3) is not None and repo.finish(row.id, [])


def test_the_delivery_log_walks_newest_first_once_each_while_deliveries_arrive(db):
    repo, store = db
    owner = repo.add_key(key_id="integratorh1____", key_hash="h" * 64, role="integrator", hall="h1", label="")
    hook = store.subscribe(owner_key_id=owner, role="integrator", hall="h1", url="http://127.0.0.1:9/hook",
                           events=list(webhooks.EVENTS), secret_sealed="sealed")
    for _ in range(7):
        delivered(repo, owner)
    before = [d.id for d in store.deliveries(hook.id)]  # newest first, as the log is read
    seen, position = [], None
    while True:
        rows = store.delivery_page(hook.id, position, 3)
        seen += [r.id for r in rows]
        if len(rows) < 3:
            break
        position = DELIVERY_KEYS.parse(DELIVERY_KEYS.key_of(rows[-1]))
        delivered(repo, owner)  # a new delivery sorts before the cursor: not answered in this walk
    assert seen == before


@pytest.mark.parametrize(("keys", "values"), [
    (UPLOAD_KEYS, ["2026-12-01T02:00:00+00:00"]),  # too short
    (UPLOAD_KEYS, ["2026-12-01T02:00:00", "x"]),  # a time without its zone
    (UPLOAD_KEYS, [5, "x"]),
    (UPLOAD_KEYS, ["2026-12-01T02:00:00+00:00", "x\x00"]),
    (AUDIT_KEYS, ["12"]),
    (AUDIT_KEYS, [True]),
    (AUDIT_KEYS, "12"),
])
def test_a_position_that_does_not_fit_the_key_is_refused(keys, values):
    with pytest.raises(BadKey):
        keys.parse(values)

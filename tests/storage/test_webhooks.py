"""Webhook subscriptions and the delivery log on SQLite and PostgreSQL: events recorded in the transaction of the
change (an outbox), heard by the right subscribers, published only after commit, claimed once per attempt."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline.case_states import BY_ACT
from pipeline.settings import Thresholds
from storage import webhooks
from storage.cases import CaseRepository
from storage.db import utcnow
from storage.models import ApiKey
from storage.repository import Repository
from storage.webhooks import WebhookStore
from validators.assess import Assessor
from validators.catalog import load_catalog

ITEM = load_catalog().get("individual-business-registration")
ALL = list(webhooks.EVENTS)


@pytest.fixture()
def db(migrated_engine):
    return Repository(migrated_engine), CaseRepository(migrated_engine), WebhookStore(migrated_engine)


@pytest.fixture()
def published():
    sent: list[list[str]] = []
    webhooks.set_publisher(sent.append)
    yield sent
    webhooks.set_publisher(None)


def key(repo: Repository, role: str, hall: str) -> str:
    return repo.add_key(key_id=f"{role}{hall}".ljust(16, "_")[:16], key_hash="h" * 64, role=role, hall=hall, label=role)


def bind(repo: Repository, key_id: str, *halls: str) -> str:
    """The key reads these halls' cases (storage/keys.py binding), as api/auth.py can_see honours it."""
    with repo.session() as s:
        s.get(ApiKey, key_id).halls = list(halls)
    return key_id


def revoke(repo: Repository, key_id: str) -> None:
    with repo.session() as s:
        s.get(ApiKey, key_id).revoked_at = dt.datetime.now(dt.timezone.utc)


def subscribe(store: WebhookStore, owner: str, role: str, hall: str, events=ALL):
    return store.subscribe(owner_key_id=owner, role=role, hall=hall, url="http://127.0.0.1:9/hook", events=events,
                           secret_sealed="sealed")


def upload(repo: Repository, owner: str, hall: str, case_id: str | None = None) -> str:
    return CaseRepository(repo.engine).add_upload(owner_key_id=owner, hall=hall, case_id=case_id, object_key="sha256/" + "a" * 64,
                           sha256="a" * 64, size=3, filename="张三身份证.jpg", media_type="image/jpeg", material_hint=None,
                           person_hint=None, queue="bulk", received_at=utcnow())[0].id


def bodies(store: WebhookStore, subscription_id: str) -> list[dict]:
    return [json.loads(d.body) for d in reversed(store.deliveries(subscription_id))]


def test_an_event_reaches_admins_its_owner_and_its_hall_only_and_goes_out_after_commit(db, published):
    repo, _cases, store = db
    owner, other_hall, admin = key(repo, "integrator", "h1"), key(repo, "integrator", "h2"), key(repo, "admin", "hq")
    mine, theirs, everyone = subscribe(store, owner, "integrator", "h1"), subscribe(store, other_hall, "integrator", "h2"), \
        subscribe(store, admin, "admin", "hq")
    deaf = subscribe(store, owner, "integrator", "h1", events=["bundle.ready"])
    upload_id = upload(repo, owner, "h1")
    assert repo.claim(upload_id, lease_seconds=60, max_attempts=3) is not None
    assert repo.finish(upload_id, [])
    [body] = bodies(store, mine.id)
    assert body["type"] == "upload.done" and body["data"] == {"upload_id": upload_id, "case_id": None, "status": "done"}
    assert bodies(store, everyone.id) == [body]
    assert bodies(store, theirs.id) == [] and bodies(store, deaf.id) == []
    assert sorted(published[-1]) == sorted(d.id for s in (mine, everyone) for d in store.deliveries(s.id))
    assert "张三" not in json.dumps(body, ensure_ascii=False)  # the file name stays out
    revoke(repo, admin)  # a revoked key's subscriptions hear nothing more
    later = upload(repo, owner, "h1")
    assert repo.claim(later, lease_seconds=60, max_attempts=3) is not None and repo.finish(later, [])
    assert len(bodies(store, mine.id)) == 2 and bodies(store, everyone.id) == [body]


def test_case_events_carry_ids_and_states_and_a_refused_change_records_nothing(db, published):
    repo, cases, store = db
    clerk = key(repo, "clerk", "h1")
    hall_integrator = subscribe(store, bind(repo, key(repo, "integrator", "h1"), "h1"), "integrator", "h1")
    unbound = subscribe(store, key(repo, "integrator", "h1x"), "integrator", "h1")  # a home hall is not a binding
    case = cases.create(owner_key_id=clerk, hall="h1", item=ITEM, situation="self",
                        applicant={"name": "张三", "id_number": "110105199003071239"})
    cases.reassess(case.id, Assessor(thresholds=Thresholds()))
    assert cases.transition(case.id, BY_ACT["prereview"], expected_state="received", actor=clerk, role="clerk",
                            actor_label="C1") is not None
    published.clear()
    assert cases.transition(case.id, BY_ACT["prereview"], expected_state="received", actor=clerk, role="clerk",
                            actor_label="C1") is None  # someone acted first: no event, nothing published
    assert published == []
    assessed, moved = bodies(store, hall_integrator.id)
    assert assessed["type"] == "case.assessed"
    assert assessed["data"] == {"case_id": case.id, "version": 1, "decision": "correction_required"}
    assert moved["type"] == "case.transition"
    assert moved["data"] == {"case_id": case.id, "act": "prereview", "from_state": "received", "to_state": "prereview",
                             "outcome": None}
    assert bodies(store, unbound.id) == [], "an integrator hears of a hall's cases only when its key reads them"
    text = json.dumps([assessed, moved], ensure_ascii=False)
    assert "张三" not in text and "110105199003071239" not in text


def test_a_delivery_is_claimed_once_per_attempt_and_the_log_keeps_every_attempt(db):
    repo, _cases, store = db
    owner = key(repo, "integrator", "h1")
    subscription = subscribe(store, owner, "integrator", "h1")
    upload_id = upload(repo, owner, "h1")
    repo.fail(upload_id, "task.timeout", "处理超时")
    [delivery] = store.deliveries(subscription.id)
    assert json.loads(delivery.body)["data"] == {"upload_id": upload_id, "case_id": None, "status": "failed",
                                                 "error_code": "task.timeout"}
    first = store.claim(delivery.id, 60)
    assert first is not None and first.attempt == 1 and first.url == "http://127.0.0.1:9/hook"
    assert store.claim(delivery.id, 60) is None  # a duplicate message finds it taken
    later = utcnow() + dt.timedelta(minutes=5)
    store.record_attempt(first, outcome="retry", status_code=500, error="HTTP 500", ms=12, retry_at=later)
    assert store.claim(delivery.id, 60) is None  # not due yet
    assert store.due(grace_seconds=0) == []
    store.record_attempt(first, outcome="delivered", status_code=200, error=None, ms=3)  # a stale attempt: ignored
    row = store.delivery(delivery.id)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 500, "HTTP 500")
    with store.session() as s:  # time passes
        s.get(webhooks.WebhookDelivery, delivery.id).next_attempt_at = utcnow() - dt.timedelta(minutes=1)
    assert store.due(grace_seconds=30) == [delivery.id]  # its message was lost: the sweeper sends it again
    second = store.claim(delivery.id, 60)
    store.record_attempt(second, outcome="delivered", status_code=204, error=None, ms=5)
    row = store.delivery(delivery.id)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 2, 204, None)
    assert [a["status_code"] for a in row.attempt_log["attempts"]] == [500, 204]
    assert row.delivered_at is not None and row.next_attempt_at is None
    assert store.claim(delivery.id, 60) is None


def test_redelivery_sends_the_same_event_again_and_a_deleted_subscription_gets_nothing(db, published):
    repo, _cases, store = db
    owner = key(repo, "integrator", "h1")
    subscription = subscribe(store, owner, "integrator", "h1")
    repo.fail(upload(repo, owner, "h1"), "task.timeout", "处理超时")
    [original] = store.deliveries(subscription.id)
    again = store.redeliver(original.id)
    assert again.id != original.id and (again.event_id, again.body) == (original.event_id, original.body)
    assert again.redelivery_of == original.id and again.status == "pending" and published[-1] == [again.id]
    assert store.unsubscribe(subscription.id) and not store.unsubscribe(subscription.id)
    assert {d.status for d in store.deliveries(subscription.id)} == {"failed"}  # not yet sent: never sent
    assert store.redeliver(original.id) is None and store.subscription(subscription.id) is None
    repo.fail(upload(repo, owner, "h1"), "task.timeout", "处理超时")
    assert len(store.deliveries(subscription.id)) == 2
    assert store.subscriptions(owner) == [] and store.subscriptions(None) == []

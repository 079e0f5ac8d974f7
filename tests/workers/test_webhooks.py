"""Webhook delivery against a real local receiver: signatures the README's snippet verifies, retries with backoff
and a log of every attempt, the SSRF guard at subscription and at delivery, secrets kept out of the logs; and
end to end through a real `yichuang worker` on Redis."""

from __future__ import annotations

import json
import logging
import time

import pytest
from fastapi.testclient import TestClient

from api import auth
from pipeline.settings import Settings, WebhookSettings
from storage.cases import CaseRepository
from storage.objects import MemoryStore
from storage.db import make_engine, migrate, utcnow
from storage.repository import Repository
from storage.webhooks import WebhookStore
from tests.receiver import Receiver, readme_verify
from tests.workers.live_worker import blank_scan
from workers.wiring import secret_key
from workers import tasks, webhooks, wiring
from workers.webhooks import TargetRefused, check_target

SERVICE_SECRET = b"s" * 48
LOCAL = WebhookSettings(allowed_hosts=("127.0.0.1",), backoff_base=0.01, backoff_cap=0.05, connect_timeout=2,
                        read_timeout=2, max_attempts=4)


def public(*addresses: str):
    return lambda _host, _port: list(addresses)


@pytest.mark.parametrize("url, allowed, resolved, code", [
    ("http://127.0.0.1:8080/hook", (), None, "webhook.host_not_allowed"),
    ("http://127.0.0.1:8080/hook", ("example.gov.cn",), None, "webhook.host_not_allowed"),
    ("http://localhost/hook", ("*.localhost", "127.0.0.1"), None, "webhook.host_not_allowed"),
    ("https://hooks.example.gov.cn/x", ("*.example.gov.cn",), ("8.8.8.8", "10.0.0.8"), "webhook.address_refused"),
    ("https://meta.example.gov.cn/x", ("*.example.gov.cn",), ("169.254.169.254",), "webhook.address_refused"),
    ("https://v6.example.gov.cn/x", ("*.example.gov.cn",), ("::1",), "webhook.address_refused"),
    ("https://m.example.gov.cn/x", ("*.example.gov.cn",), ("::ffff:127.0.0.1",), "webhook.address_refused"),
    ("https://gone.example.gov.cn/x", ("*.example.gov.cn",), (), "webhook.host_unresolved"),
    ("ftp://hooks.example.gov.cn/x", ("*.example.gov.cn",), None, "webhook.url_invalid"),
    ("https://user:pw@hooks.example.gov.cn/x", ("*.example.gov.cn",), None, "webhook.url_invalid"),
])
def test_targets_off_the_allowlist_or_resolving_inside_are_refused(url, allowed, resolved, code):
    with pytest.raises(TargetRefused) as refused:
        check_target(url, WebhookSettings(allowed_hosts=allowed), public(*(("8.8.8.8",) if resolved is None else resolved)))
    assert refused.value.code == code and "回调地址" in refused.value.message


@pytest.mark.parametrize("url, allowed, resolved", [
    ("http://127.0.0.1:8080/hook", ("127.0.0.1",), None),  # named exactly: a receiver on this machine
    ("http://localhost:8080/hook", ("localhost",), None),  # the real resolver: loopback, named exactly
    ("https://hooks.example.gov.cn/x", ("*.example.gov.cn",), ("8.8.8.8", "2606:4700:4700::1111")),
    ("https://hooks.example.gov.cn/x", ("hooks.example.gov.cn",), ("10.0.0.8",)),  # an internal host named exactly
])
def test_allowed_targets_keep_their_checked_addresses(url, allowed, resolved):
    target = check_target(url, WebhookSettings(allowed_hosts=allowed), public(*resolved) if resolved else None)
    assert target.addresses and target.host in url


@pytest.fixture()
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/t.sqlite")
    migrate(engine)
    yield Repository(engine), WebhookStore(engine)
    engine.dispose()


def one_delivery(repo: Repository, store: WebhookStore, url: str, secret: str) -> str:
    """A subscription to `url` and one `upload.done` event for it; the delivery's id."""
    owner = repo.add_key(key_id="integrator______", key_hash="h" * 64, role="integrator", hall="h1", label="portal")
    subscription = store.subscribe(owner_key_id=owner, role="integrator", hall="h1", url=url, events=["upload.done"],
                                   secret_sealed=webhooks.seal(SERVICE_SECRET, secret))
    row = CaseRepository(repo.engine).add_upload(owner_key_id=owner, hall="h1", case_id=None, object_key="sha256/" + "a" * 64, sha256="a" * 64,
                          size=3, filename="scan.jpg", media_type="image/jpeg", material_hint=None, person_hint=None,
                          queue="bulk", received_at=utcnow())[0]
    repo.fail(row.id, "task.timeout", "处理超时")
    [delivery] = store.deliveries(subscription.id)
    return delivery.id


def deliver_until_settled(store: WebhookStore, delivery_id: str, cfg: WebhookSettings) -> list[str]:
    outcomes = []
    while not outcomes or outcomes[-1] == "retry":
        outcome = webhooks.deliver(store, delivery_id, cfg, SERVICE_SECRET)
        outcomes.append(outcome.status)
        if outcome.retry_in is not None:
            assert outcome.retry_in <= cfg.backoff_cap
            time.sleep(outcome.retry_in)
    return outcomes


def test_a_receiver_failing_twice_gets_the_delivery_on_the_third_attempt_signed_as_the_readme_says(store, caplog):
    repo, hooks = store
    secret = webhooks.new_secret()
    verify = readme_verify()
    caplog.set_level(logging.DEBUG)
    with Receiver([500, 503]) as receiver:
        delivery_id = one_delivery(repo, hooks, receiver.url, secret)
        assert deliver_until_settled(hooks, delivery_id, LOCAL) == ["retry", "retry", "delivered"]
    assert [r.status for r in receiver.received] == [500, 503, 200]
    for request in receiver.received:
        assert verify(secret, request.headers, request.body)
        assert request.headers["X-Yichuang-Event"] == "upload.done"
        assert request.headers["X-Yichuang-Delivery"] == delivery_id
        assert request.headers["Host"] == receiver.url.split("/")[2]
    last = receiver.received[-1]
    assert not verify(secret, last.headers, last.body.replace(b"failed", b"done  "))  # one changed byte
    assert not verify("whsec_other", last.headers, last.body)
    assert not verify(secret, {**last.headers, "X-Yichuang-Timestamp": str(int(time.time()) - 3600)}, last.body)
    assert json.loads(last.body)["data"]["status"] == "failed"
    row = hooks.delivery(delivery_id)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 3, 200, None)
    assert [(a["status_code"], a["error"]) for a in row.attempt_log["attempts"]] == [(500, "HTTP 500"), (503, "HTTP 503"),
                                                                                       (200, None)]
    assert row.delivered_at is not None and row.last_attempt_at is not None
    assert secret not in caplog.text and "whsec_" not in caplog.text


def test_backoff_doubles_up_to_the_cap():
    cfg = WebhookSettings(backoff_base=10, backoff_cap=60)
    assert [webhooks.backoff(n, cfg) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_loopback_is_refused_at_delivery_time_unless_allowed(store):
    repo, hooks = store
    with Receiver() as receiver:
        delivery_id = one_delivery(repo, hooks, receiver.url, webhooks.new_secret())
        assert webhooks.deliver(hooks, delivery_id, WebhookSettings(), SERVICE_SECRET).status == "failed"
    assert receiver.received == []
    row = hooks.delivery(delivery_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "webhook.host_not_allowed")


def test_a_name_that_resolves_inside_at_delivery_time_is_refused_then(store):
    """Allowed when subscribed (a public address), a rebinding DNS answers an internal one later: not called."""
    repo, hooks = store
    cfg = WebhookSettings(allowed_hosts=("*.example.gov.cn",))
    url = "https://hooks.example.gov.cn/yichuang"
    assert check_target(url, cfg, public("8.8.8.8")).addresses == ("8.8.8.8",)
    delivery_id = one_delivery(repo, hooks, url, webhooks.new_secret())
    assert webhooks.deliver(hooks, delivery_id, cfg, SERVICE_SECRET, resolver=public("8.8.8.8", "10.0.0.5")).status == "failed"
    row = hooks.delivery(delivery_id)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("failed", 1, None, "webhook.address_refused")


def test_attempts_stop_at_the_cap(store):
    repo, hooks = store
    cfg = LOCAL.model_copy(update={"max_attempts": 2})
    with Receiver([500, 500, 500]) as failing:
        delivery_id = one_delivery(repo, hooks, failing.url, webhooks.new_secret())
        assert deliver_until_settled(hooks, delivery_id, cfg) == ["retry", "failed"]
    assert len(failing.received) == 2
    row = hooks.delivery(delivery_id)
    assert (row.status, row.attempts, row.last_status_code, row.next_attempt_at) == ("failed", 2, 500, None)


def test_a_slow_receiver_times_out_and_is_tried_again(store):
    repo, hooks = store
    cfg = LOCAL.model_copy(update={"read_timeout": 0.3})
    with Receiver(delay=1.0) as slow:
        delivery_id = one_delivery(repo, hooks, slow.url, webhooks.new_secret())
        started = time.monotonic()
        assert webhooks.deliver(hooks, delivery_id, cfg, SERVICE_SECRET).status == "retry"
        assert time.monotonic() - started < 1.0
    row = hooks.delivery(delivery_id)
    assert row.status == "pending" and row.last_status_code is None and row.last_error.startswith("ReadTimeout")


def test_the_sweeper_sends_again_a_delivery_whose_message_was_lost(store):
    repo, hooks = store
    with Receiver() as receiver:
        delivery_id = one_delivery(repo, hooks, receiver.url, webhooks.new_secret())
        sent: list[str] = []
        assert webhooks.sweep_deliveries(hooks, sent.append, grace_seconds=30) == 0  # just recorded: not lost yet
        assert webhooks.sweep_deliveries(hooks, sent.append, grace_seconds=-1) == 1 and sent == [delivery_id]
        assert webhooks.deliver(hooks, sent[0], LOCAL, SERVICE_SECRET).status == "delivered"
        assert webhooks.deliver(hooks, sent[0], LOCAL, SERVICE_SECRET).status == "skipped"  # a duplicate message
    assert len(receiver.received) == 1
    assert webhooks.sweep_deliveries(hooks, sent.append, grace_seconds=-1) == 0


def test_the_task_leaves_a_long_wait_to_the_sweeper_instead_of_a_countdown(store, tmp_path, monkeypatch):
    repo, hooks = store
    settings = Settings(data_dir=tmp_path, secret_key=SERVICE_SECRET.decode(), webhook_allowed_hosts="127.0.0.1",
                        webhook_backoff_base=3600)
    monkeypatch.setattr(tasks, "worker_services", lambda: wiring.build_services(settings, repo=repo, store=MemoryStore()))
    with Receiver([500]) as receiver:
        delivery_id = one_delivery(repo, hooks, receiver.url, webhooks.new_secret())
        assert tasks.deliver_webhook.apply(args=[delivery_id]).get() == "retry"  # no Celery retry raised
    row = hooks.delivery(delivery_id)
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert hooks.due(grace_seconds=0) == []  # due in an hour: the sweeper sends it then


# --- end to end: the API in-process, a real worker on Redis -----------------------------------------------------


@pytest.mark.slow
@pytest.mark.integration
def test_an_upload_done_event_reaches_a_failing_receiver_through_a_real_worker_on_redis(service_factory, redis_broker,
                                                                                        tmp_path):
    url, prefix = redis_broker
    verify = readme_verify()
    with Receiver([500, 500]) as receiver:
        service = service_factory(YICHUANG_BROKER_URL=url, YICHUANG_REDIS_KEY_PREFIX=prefix,
                                  YICHUANG_WEBHOOK_ALLOWED_HOSTS="127.0.0.1", YICHUANG_WEBHOOK_BACKOFF_BASE="0.5")
        client: TestClient = service.client
        integrator = {"X-API-Key": auth.create_key(service.app.state.repo, secret_key(service.settings), role="integrator",
                                                   hall="h1", label="portal")}
        created = client.post("/api/v1/webhooks", headers=integrator, json={"url": receiver.url, "events": ["upload.done"]})
        assert created.status_code == 201, created.text
        hook, secret = created.json()["id"], created.json()["secret"]
        service.start_worker()
        answer = client.post("/api/v1/documents", headers=integrator,
                             files={"file": ("scan.png", blank_scan(tmp_path).read_bytes(), "image/png")})
        assert answer.status_code == 202, answer.text
        upload_id = answer.json()["upload_id"]
        deliveries = wait_for(client, integrator, hook, lambda ds: ds and ds[0]["status"] == "delivered", service)
        received = receiver.wait(3, 10)
        again = client.post(f"/api/v1/webhooks/deliveries/{deliveries[0]['id']}/redeliver", headers=integrator)
        assert again.status_code == 202, again.text
        after = wait_for(client, integrator, hook, lambda ds: len(ds) == 2 and ds[0]["status"] == "delivered", service)
    [delivery] = deliveries
    assert (delivery["event"], delivery["attempts"], delivery["last_status_code"]) == ("upload.done", 3, 200)
    assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 500, 200]
    assert [r.status for r in received[:3]] == [500, 500, 200]
    assert all(verify(secret, r.headers, r.body) for r in receiver.received)
    body = json.loads(received[2].body)
    assert body["type"] == "upload.done" and body["data"] == {"upload_id": upload_id, "case_id": None, "status": "done"}
    redelivered = receiver.received[-1]
    assert redelivered.headers["X-Yichuang-Delivery"] == after[0]["id"] != delivery["id"]
    assert json.loads(redelivered.body)["id"] == body["id"]  # the same event


def wait_for(client, headers, hook: str, done, service, timeout: float = 120.0) -> list[dict]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        answer = client.get(f"/api/v1/webhooks/{hook}/deliveries", headers=headers)
        assert answer.status_code == 200, answer.text
        if done(answer.json()):
            return answer.json()
        time.sleep(0.3)
    pytest.fail(f"deliveries not settled within {timeout}s: {answer.json()}\n{service.worker_log()}")

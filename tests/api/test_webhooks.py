"""Webhook subscriptions in the API: who may subscribe, the secret shown once and never again (nor logged, nor
audited), the allowlist refusing internal targets with a code and a Chinese message, owners and admins, every
change audited; and the four events recorded by the real flows (upload, assessment, transition, bundle)."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from storage.webhooks import WebhookStore
from tests.in_process import jpeg_bytes, make_env
from workers import webhooks

EVENTS = ["upload.done", "case.assessed", "case.transition", "bundle.ready"]


@pytest.fixture()
def env(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, webhook_allowed_hosts="127.0.0.1, *.example.gov.cn"),
                     enqueue=lambda *_: None)
    client = TestClient(app)

    def key(role: str, hall: str = "h1") -> dict[str, str]:
        return {"X-API-Key": auth.create_key(app.state.repo, app.state.secret, role=role, hall=hall, label=role)}

    return client, app, key


def audit_rows(app, prefix: str) -> list[tuple[str, str]]:
    with app.state.repo.engine.connect() as conn:
        return [(r.action, r.detail) for r in conn.execute(
            sa.text("SELECT action, detail FROM audit_events WHERE action LIKE :p ORDER BY id"), {"p": prefix + "%"})]


def test_only_integrators_and_admins_subscribe_and_the_secret_is_shown_once(env, caplog):
    client, app, key = env
    caplog.set_level(logging.DEBUG)
    hook = {"url": "http://127.0.0.1:8080/hook?token=abc", "events": ["case.transition", "upload.done"]}
    assert client.post("/api/v1/webhooks", json=hook).status_code == 401
    for role in ("clerk", "reviewer", "applicant"):
        refused = client.post("/api/v1/webhooks", headers=key(role), json=hook)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.forbidden"
    integrator = key("integrator")
    created = client.post("/api/v1/webhooks", headers={**integrator, "Idempotency-Key": "hook-1"}, json=hook)
    assert created.status_code == 201, created.text
    assert created.headers["Cache-Control"] == "no-store"
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert body["events"] == ["case.transition", "upload.done"] and body["url"] == hook["url"]
    listed = client.get("/api/v1/webhooks", headers=integrator).json()
    one = client.get(f"/api/v1/webhooks/{body['id']}", headers=integrator).json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0] and "secret" not in one
    with app.state.repo.engine.connect() as conn:  # stored sealed, opened only with the service's secret key
        [sealed] = conn.execute(sa.text("SELECT secret_sealed FROM webhook_subscriptions")).scalars().all()
    assert secret not in sealed and webhooks.unseal(app.state.secret, sealed) == secret
    with app.state.repo.engine.connect() as conn:  # an idempotent replay would have to keep the answer: it is not kept
        kept = conn.execute(sa.text("SELECT body FROM idempotency_keys")).scalars().all()
    assert not any(body and secret.encode() in body for body in kept)
    [(_action, detail)] = audit_rows(app, "webhook.create")
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail == {"host": "127.0.0.1", "events": ["case.transition", "upload.done"]}
    everything = json.dumps(audit_rows(app, ""), ensure_ascii=False)
    assert secret not in everything and "token=abc" not in everything and "127.0.0.1" in everything
    assert secret not in caplog.text


@pytest.mark.parametrize("url, code", [
    ("http://127.0.0.2:8080/hook", "webhook.host_not_allowed"),  # loopback, not on the list
    ("http://localhost:8080/hook", "webhook.host_not_allowed"),
    ("http://169.254.169.254/latest/meta-data", "webhook.host_not_allowed"),
    ("https://hooks.example.gov.cn/x", "webhook.address_refused"),  # on the list by domain, resolves inside
    ("gopher://127.0.0.1/x", "webhook.url_invalid"),
])
def test_targets_outside_the_allowlist_are_refused_with_a_code_and_a_chinese_message(env, monkeypatch, url, code):
    client, app, key = env
    monkeypatch.setattr(webhooks, "resolve", lambda host, port: ["203.0.113.7", "10.1.2.3"])
    refused = client.post("/api/v1/webhooks", headers=key("integrator"), json={"url": url, "events": ["upload.done"]})
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == code and "回调地址" in error["message"]
    assert WebhookStore(app.state.repo.engine).subscriptions(None) == []


def test_loopback_is_refused_unless_the_allowlist_names_it(tmp_path):
    for allowed, status in (("", 422), ("*.example.gov.cn", 422), ("127.0.0.1", 201)):
        app = create_app(Settings(data_dir=tmp_path / (allowed or "none"), webhook_allowed_hosts=allowed),
                         enqueue=lambda *_: None)
        integrator = {"X-API-Key": auth.create_key(app.state.repo, app.state.secret, role="integrator", hall="h",
                                                   label="i")}
        answer = TestClient(app).post("/api/v1/webhooks", headers=integrator,
                                      json={"url": "http://127.0.0.1:9000/hook", "events": ["bundle.ready"]})
        assert answer.status_code == status, (allowed, answer.text)


def test_unknown_events_and_empty_lists_are_invalid(env):
    client, _app, key = env
    for events in (["case.deleted"], []):
        answer = client.post("/api/v1/webhooks", headers=key("integrator"),
                             json={"url": "http://127.0.0.1:9/h", "events": events})
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "request.invalid"


def test_integrators_see_their_own_admins_all_and_every_change_is_audited(env):
    client, app, key = env
    mine, theirs, admin = key("integrator"), key("integrator", "h2"), key("admin")
    hook = {"url": "http://127.0.0.1:9/h", "events": EVENTS}
    a = client.post("/api/v1/webhooks", headers=mine, json=hook).json()["id"]
    b = client.post("/api/v1/webhooks", headers=theirs, json=hook).json()["id"]
    assert [w["id"] for w in client.get("/api/v1/webhooks", headers=mine).json()] == [a]
    assert {w["id"] for w in client.get("/api/v1/webhooks", headers=admin).json()} == {a, b}
    for method, path in (("get", f"/api/v1/webhooks/{b}"), ("get", f"/api/v1/webhooks/{b}/deliveries"),
                         ("delete", f"/api/v1/webhooks/{b}")):
        answer = client.request(method, path, headers=mine)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    assert client.delete(f"/api/v1/webhooks/{b}", headers=admin).status_code == 200
    assert client.delete(f"/api/v1/webhooks/{a}", headers=mine).json()["id"] == a
    assert client.get(f"/api/v1/webhooks/{a}", headers=mine).status_code == 404
    assert client.get("/api/v1/webhooks", headers=admin).json() == []
    changes = [action for action, _ in audit_rows(app, "webhook.") if action in ("webhook.create", "webhook.delete")]
    assert changes == ["webhook.create", "webhook.create", "webhook.delete", "webhook.delete"]


def test_the_real_flows_record_all_four_events_with_ids_and_states_only(tmp_path, monkeypatch):
    env = make_env(tmp_path, monkeypatch, webhook_allowed_hosts="127.0.0.1")
    integrator, other_hall = env.key("integrator", halls=("hall-1",)), env.key("integrator", "hall-2", halls=("hall-2",))
    unbound, clerk = env.key("integrator"), env.key("clerk")  # unbound: reads only its own cases, hears only of them
    hook = {"url": "http://127.0.0.1:9/h", "events": EVENTS}
    mine = env.client.post("/api/v1/webhooks", headers=integrator, json=hook).json()["id"]
    theirs = env.client.post("/api/v1/webhooks", headers=other_hall, json=hook).json()["id"]
    deaf = env.client.post("/api/v1/webhooks", headers=unbound, json=hook).json()["id"]
    case_id = env.new_case(clerk)
    upload_id = env.upload(clerk, case_id, "张三身份证.jpg", jpeg_bytes(), "image/jpeg", material="operator_id",
                           person="operator")
    moved = env.client.post(f"/api/v1/cases/{case_id}/transitions", headers=clerk, json={"act": "prereview"})
    assert moved.status_code == 200, moved.text
    assert env.bundle(clerk, case_id).status_code == 200
    deliveries = env.client.get(f"/api/v1/webhooks/{mine}/deliveries", headers=integrator).json()
    bodies = [json.loads(d.body) for d in reversed(WebhookStore(env.app.state.repo.engine).deliveries(mine))]
    kinds = [b["type"] for b in bodies]
    assert set(kinds) == set(EVENTS) and kinds.index("upload.done") < kinds.index("bundle.ready")
    assert {"upload_id": upload_id, "case_id": case_id, "status": "done"} in [b["data"] for b in bodies]
    assert {"case_id": case_id, "act": "prereview", "from_state": "received", "to_state": "prereview",
            "outcome": None} in [b["data"] for b in bodies]
    [ready] = [b["data"] for b in bodies if b["type"] == "bundle.ready"]
    assert env.client.get(ready["url"], headers=clerk).headers["X-Bundle-SHA256"] == ready["sha256"]
    text = json.dumps(bodies, ensure_ascii=False)
    assert "张三" not in text and "110105199003071239" not in text
    assert {d["status"] for d in deliveries} == {"pending"} and len(deliveries) == len(bodies)
    assert env.client.get(f"/api/v1/webhooks/{theirs}/deliveries", headers=other_hall).json() == []  # another hall
    assert env.client.get(f"/api/v1/webhooks/{deaf}/deliveries", headers=unbound).json() == []  # as can_see
    assert env.client.get(f"/api/v1/cases/{case_id}", headers=unbound).status_code == 404
    again = env.client.post(f"/api/v1/webhooks/deliveries/{deliveries[0]['id']}/redeliver", headers=integrator)
    assert again.status_code == 202 and again.json()["redelivery_of"] == deliveries[0]["id"]
    assert env.client.post(f"/api/v1/webhooks/deliveries/{deliveries[0]['id']}/redeliver",
                           headers=other_hall).status_code == 404

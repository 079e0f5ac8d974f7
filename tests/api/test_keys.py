"""Keys as a product through the API: list, revoke, rotate with an overlap, expiry, last use; scopes enforced from
one route table; integrators bound to halls read those halls' cases and bundles; per-key rate limits with 429 and
Retry-After (in memory, and in the real Redis on localhost); every key change audited without secrets."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image
from starlette.routing import Route

from api import auth, scopes
from api.app import create_app
from api.contract import PUBLIC_PATHS, all_routes
from pipeline.settings import Settings
from storage.repository import Identity

REFERENCE = "individual-business-registration"
APPLICANT = {"name": "张三", "id_number": "110105199003071239"}


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += dt.timedelta(**delta)


def make_app(tmp_path, **settings):
    app = create_app(Settings(data_dir=tmp_path, **settings), enqueue=lambda *_: None)
    app.state.clock = Clock()
    return app


@pytest.fixture()
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture()
def client(app):
    return TestClient(app)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_key(app, role: str, hall: str = "hall-A", **options) -> str:
    return auth.create_key(app.state.repo, app.state.secret, role=role, hall=hall, label=f"{role}-{hall}", **options)


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, "JPEG")
    return buf.getvalue()


def audit_rows(app, action: str) -> list[dict]:
    with app.state.repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT actor, action, target_id, detail FROM audit_events WHERE action = :a "
                                    "ORDER BY id"), {"a": action}).mappings().all()
    return [{**r, "detail": r["detail"] if isinstance(r["detail"], dict) else json.loads(r["detail"])} for r in rows]


# --- list, revoke, rotate, expiry, last use ----------------------------------------------------------------------


def test_admin_lists_keys_without_secrets_with_state_scopes_halls_and_last_use(app, client):
    admin = new_key(app, "admin", "default")
    integrator = new_key(app, "integrator", "portal", scopes=["cases:read"], halls=["hall-A", "hall-B"])
    assert client.get("/api/v1/cases", headers=bearer(integrator)).status_code == 200
    response = client.get("/api/v1/keys", headers=bearer(admin))
    assert response.status_code == 200
    listed = {k["id"]: k for k in response.json()["items"]}
    entry = listed[auth.parse_key(integrator)]
    assert entry["state"] == "active" and entry["role"] == "integrator" and entry["hall"] == "portal"
    assert entry["scopes"] == ["cases:read"] and entry["halls"] == ["hall-A", "hall-B"]
    assert entry["last_used_at"] is not None and entry["expires_at"] is None
    assert listed[auth.parse_key(admin)]["scopes"] is None, "a key without scopes keeps its role's full rights"
    assert integrator not in response.text and integrator.split("_", 2)[2] not in response.text
    assert [k["id"] for k in client.get("/api/v1/keys", headers=bearer(admin), params={"hall": "hall-B"}).json()["items"]] \
        == [auth.parse_key(integrator)]


def test_the_key_list_pages_without_duplicates_or_gaps_while_keys_are_added(app, client):
    admin = bearer(new_key(app, "admin"))
    before = {auth.parse_key(new_key(app, "clerk")) for _ in range(5)}
    seen, cursor, pages = [], None, 0
    while True:
        response = client.get("/api/v1/keys", headers=admin, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        seen += [k["id"] for k in response.json()["items"]]
        cursor, pages = response.json()["next_cursor"], pages + 1
        assert (response.headers.get("X-Next-Cursor") or None) == cursor
        if cursor is None:
            break
        new_key(app, "clerk")  # a key issued while the walk goes on
    assert len(seen) == len(set(seen)) and before <= set(seen) and pages >= 3
    refused = client.get("/api/v1/keys", headers=admin, params={"cursor": "bm90LWEtY3Vyc29y"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "cursor.invalid"


def test_only_admins_manage_keys(app, client):
    for role in ("clerk", "reviewer", "integrator", "applicant"):
        headers = bearer(new_key(app, role))
        assert client.get("/api/v1/keys", headers=headers).json()["error"]["code"] == "auth.forbidden"
        target = auth.parse_key(new_key(app, "clerk"))
        assert client.delete(f"/api/v1/keys/{target}", headers=headers).status_code == 403
        assert client.post(f"/api/v1/keys/{target}/rotate", headers=headers).status_code == 403


def test_a_revoked_key_is_refused_at_once_even_before_a_body(app, client):
    admin, clerk = bearer(new_key(app, "admin")), new_key(app, "clerk")
    assert client.get("/api/v1/cases", headers=bearer(clerk)).status_code == 200
    response = client.delete(f"/api/v1/keys/{auth.parse_key(clerk)}", headers=admin)
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert client.get("/api/v1/cases", headers=bearer(clerk)).json()["error"]["code"] == "auth.required"
    upload = client.post("/api/v1/documents", headers=bearer(clerk), files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert upload.status_code == 401
    assert client.delete(f"/api/v1/keys/{auth.parse_key(clerk)}", headers=admin).status_code == 200  # idempotent
    assert client.delete("/api/v1/keys/0123456789abcdef", headers=admin).json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/keys", headers=admin).json()["items"] and auth.parse_key(clerk) not in \
        {k["id"] for k in client.get("/api/v1/keys", headers=admin).json()["items"]}
    assert auth.parse_key(clerk) in {k["id"] for k in client.get("/api/v1/keys", headers=admin,
                                                                params={"include_revoked": True}).json()["items"]}


def test_rotation_keeps_the_old_secret_for_the_overlap_then_refuses_it(app, client):
    admin, old = bearer(new_key(app, "admin")), new_key(app, "integrator")
    key_id = auth.parse_key(old)
    response = client.post(f"/api/v1/keys/{key_id}/rotate", headers=admin, json={"overlap_seconds": 3600})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    new = response.json()["key"]
    assert new != old and auth.parse_key(new) == key_id and response.json()["previous_valid_until"]
    for key in (old, new):
        assert client.get("/api/v1/cases", headers=bearer(key)).status_code == 200
    app.state.clock.advance(seconds=3601)
    assert client.get("/api/v1/cases", headers=bearer(old)).status_code == 401, "rotated out after the overlap"
    assert client.get("/api/v1/cases", headers=bearer(new)).status_code == 200


def test_rotation_without_overlap_refuses_the_old_secret_at_once_and_default_overlap_comes_from_settings(tmp_path):
    app = make_app(tmp_path, key_rotation_overlap=120)
    client = TestClient(app)
    admin, old = bearer(new_key(app, "admin")), new_key(app, "clerk")
    first = client.post(f"/api/v1/keys/{auth.parse_key(old)}/rotate", headers=admin).json()
    until = dt.datetime.fromisoformat(first["previous_valid_until"])
    assert abs((until - app.state.clock.at).total_seconds() - 120) < 1
    second = client.post(f"/api/v1/keys/{auth.parse_key(old)}/rotate", headers=admin, json={"overlap_seconds": 0})
    assert second.json()["previous_valid_until"] is None
    for gone in (old, first["key"]):
        assert client.get("/api/v1/cases", headers=bearer(gone)).status_code == 401
    assert client.get("/api/v1/cases", headers=bearer(second.json()["key"])).status_code == 200
    client.delete(f"/api/v1/keys/{auth.parse_key(old)}", headers=admin)
    refused = client.post(f"/api/v1/keys/{auth.parse_key(old)}/rotate", headers=admin)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "key.revoked"


def test_an_expired_key_is_refused_at_once(app, client):
    admin = bearer(new_key(app, "admin"))
    expires = (app.state.clock.at + dt.timedelta(hours=1)).isoformat()
    created = client.post("/api/v1/keys", headers=admin, json={"role": "clerk", "hall": "hall-A", "expires_at": expires})
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    key = created.json()["key"]
    assert client.get("/api/v1/cases", headers=bearer(key)).status_code == 200
    app.state.clock.advance(hours=1, seconds=1)
    assert client.get("/api/v1/cases", headers=bearer(key)).status_code == 401
    upload = client.post("/api/v1/documents", headers=bearer(key), files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert upload.status_code == 401
    [entry] = [k for k in client.get("/api/v1/keys", headers=admin).json()["items"] if k["id"] == created.json()["id"]]
    assert entry["state"] == "expired"
    past = client.post("/api/v1/keys", headers=admin, json={"role": "clerk", "hall": "h", "expires_at": "2020-01-01T00:00:00"})
    assert past.status_code == 422


def test_every_key_change_is_audited_with_no_secret_in_the_audit_the_idempotency_store_or_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    admin_key = new_key(app, "admin")
    admin = {**bearer(admin_key), "Idempotency-Key": "k-1"}
    created = client.post("/api/v1/keys", headers=admin, json={"role": "integrator", "hall": "portal",
                                                               "scopes": ["cases:read"], "halls": ["hall-A"]}).json()
    key_id = created["id"]
    rotated = client.post(f"/api/v1/keys/{key_id}/rotate", headers={**bearer(admin_key), "Idempotency-Key": "k-2"}).json()
    client.get("/api/v1/keys", headers=bearer(admin_key))
    client.delete(f"/api/v1/keys/{key_id}", headers=bearer(admin_key))
    actor = auth.identify(app.state.repo, app.state.secret, admin_key).key_id
    for action in ("key.create", "key.rotate", "key.list", "key.revoke"):
        [row] = audit_rows(app, action)
        assert row["actor"] == actor, action
    [create] = audit_rows(app, "key.create")
    assert create["target_id"] == key_id and create["detail"]["scopes"] == ["cases:read"]
    assert create["detail"]["halls"] == ["hall-A"]
    with app.state.repo.engine.connect() as conn:
        audit = json.dumps([list(r) for r in conn.execute(sa.text("SELECT * FROM audit_events"))], default=str)
        stored = b"".join(r or b"" for r in conn.execute(sa.text("SELECT body FROM idempotency_keys")).scalars())
    for secret in (created["key"], rotated["key"], admin_key):
        tail = secret.split("_", 2)[2]
        assert tail not in audit and tail.encode() not in stored and tail not in caplog.text


# --- scopes ----------------------------------------------------------------------------------------------------


def test_every_api_route_maps_to_a_scope_or_is_explicitly_public(app):
    seen: set[tuple[str, str]] = set()
    for route in all_routes(app):
        if not isinstance(route, (APIRoute, Route)):
            continue
        if not route.path.startswith("/api/") and not (isinstance(route, APIRoute) and route.include_in_schema):
            if route.path in {p for _, p in scopes.PUBLIC}:
                seen |= {(m, route.path) for m in route.methods if m != "HEAD"}
            continue  # the pages: signed-in people, not keys
        for method in route.methods - {"HEAD"}:
            pair = (method, route.path)
            assert pair in scopes.ROUTE_SCOPES or pair in scopes.PUBLIC, f"{method} {route.path} has no scope"
            assert not (pair in scopes.ROUTE_SCOPES and pair in scopes.PUBLIC), pair
            seen.add(pair)
    assert set(scopes.ROUTE_SCOPES) | set(scopes.PUBLIC) == seen, "the table names routes that do not exist"
    assert {s for need in scopes.ROUTE_SCOPES.values() for s in ((need,) if isinstance(need, str) else need)} \
        <= set(scopes.SCOPES)
    assert all(not path.startswith("/api/") or path in PUBLIC_PATHS for _, path in scopes.PUBLIC)


def test_a_scoped_key_is_refused_on_a_route_missing_from_the_table():
    scoped = Identity(key_id="k", role="admin", hall="h", scopes=frozenset(scopes.SCOPES))
    assert not scopes.allows(scoped, "GET", "/api/v1/not-in-the-table")
    assert scopes.allows(Identity(key_id="k", role="admin", hall="h"), "GET", "/api/v1/not-in-the-table")


def test_scopes_narrow_the_role_and_keys_without_scopes_keep_full_rights(app, client):
    reader = bearer(new_key(app, "integrator", scopes=["cases:read"]))
    assert client.get("/api/v1/cases", headers=reader).status_code == 200
    refused = client.post("/api/v1/cases", headers=reader, json={"item": REFERENCE, "situation": "self",
                                                                 "applicant": APPLICANT})
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "auth.scope_missing" and "cases:write" in error["message"]
    assert error["details"] == {"required": ["cases:write"]}
    assert client.get("/api/v1/licences", headers=reader, params={"holder_code": "x"}).json()["error"]["code"] \
        == "auth.scope_missing"
    upload = client.post("/api/v1/documents", headers=reader, files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert upload.status_code == 403 and upload.json()["error"]["code"] == "auth.scope_missing"

    writer = bearer(new_key(app, "integrator", scopes=["documents:write"]))
    accepted = client.post("/api/v1/documents", headers=writer, files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert accepted.status_code == 202
    assert client.get(accepted.json()["documents_url"], headers=writer).status_code == 200
    assert client.get("/api/v1/cases", headers=writer).status_code == 403

    assert client.get("/api/v1/webhooks", headers=reader).json()["error"]["code"] == "auth.scope_missing"
    assert client.get("/api/v1/webhooks", headers=bearer(new_key(app, "integrator", scopes=["webhooks"]))) \
        .status_code == 200

    scoped_admin = bearer(new_key(app, "admin", scopes=["cases:read"]))
    assert client.get("/api/v1/keys", headers=scoped_admin).json()["error"]["code"] == "auth.scope_missing"
    # scopes never widen: a clerk key with `keys` still cannot manage keys
    assert client.get("/api/v1/keys", headers=bearer(new_key(app, "clerk", scopes=["keys"]))).json()["error"]["code"] \
        == "auth.forbidden"
    # a key issued before scopes existed (no scopes stored) keeps its role's full rights
    app.state.repo.add_key(key_id="00112233445566ff", key_hash=auth.key_hash(app.state.secret, "yc_00112233445566ff_old"),
                           role="integrator", hall="hall-A", label="legacy")
    legacy = bearer("yc_00112233445566ff_old")
    assert client.post("/api/v1/cases", headers=legacy, json={"item": REFERENCE, "situation": "self",
                                                              "applicant": APPLICANT}).status_code == 201
    assert client.post("/api/v1/documents", headers=legacy,
                       files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")}).status_code == 202


def test_unknown_scopes_and_hall_binding_of_other_roles_are_refused(app, client):
    admin = bearer(new_key(app, "admin"))
    assert client.post("/api/v1/keys", headers=admin, json={"role": "clerk", "hall": "h", "scopes": ["everything"]}) \
        .status_code == 422
    bound = client.post("/api/v1/keys", headers=admin, json={"role": "applicant", "hall": "h", "halls": ["hall-A"]})
    assert bound.status_code == 422 and bound.json()["error"]["code"] == "request.invalid"


# --- integrators bound to halls ----------------------------------------------------------------------------------


def test_an_integrator_bound_to_hall_a_reads_its_cases_and_bundles_and_gets_404_for_hall_b(app, client):
    def open_case(hall: str) -> str:
        response = client.post("/api/v1/cases", headers=bearer(new_key(app, "clerk", hall)),
                               json={"item": REFERENCE, "situation": "self", "applicant": APPLICANT})
        assert response.status_code == 201, response.text
        return response.json()["case_id"]

    case_a, case_b = open_case("hall-A"), open_case("hall-B")
    integrator = bearer(new_key(app, "integrator", "portal", halls=["hall-A"]))
    unbound = bearer(new_key(app, "integrator", "portal"))
    assert client.get(f"/api/v1/cases/{case_a}", headers=integrator).status_code == 200
    bundle = client.get(f"/api/v1/cases/{case_a}/bundle.pdf", headers=integrator)
    assert bundle.status_code == 200 and bundle.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/cases/{case_a}/bundles", headers=integrator).status_code == 200
    assert [c["case_id"] for c in client.get("/api/v1/cases", headers=integrator).json()] == [case_a]
    for url in (f"/api/v1/cases/{case_b}", f"/api/v1/cases/{case_b}/bundle.pdf", f"/api/v1/cases/{case_b}/bundles"):
        response = client.get(url, headers=integrator)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", url
    assert client.get(f"/api/v1/cases/{case_a}", headers=unbound).status_code == 404, "no binding: own cases only"
    # the binding is for reading: acting on hall A's case is as for any case not its own
    act = client.post(f"/api/v1/cases/{case_a}/transitions", headers=integrator, json={"act": "accept"})
    assert act.status_code == 404
    with app.state.repo.engine.connect() as conn:
        reads = conn.execute(sa.text("SELECT COUNT(*) FROM audit_events WHERE action IN ('case.read', 'bundle.read') "
                                     "AND target_id = :c"), {"c": case_a}).scalar()
    assert reads >= 2


# --- rate limits ---------------------------------------------------------------------------------------------------


def assert_limited(response) -> int:
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "rate.limited" and "请求过于频繁" in error["message"]
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60 and error["details"] == {"retry_after": wait}
    return wait


def test_past_its_limit_a_key_gets_429_with_retry_after_and_other_keys_are_unaffected(tmp_path):
    app = make_app(tmp_path, rate_limits={"clerk": "3/minute"})
    client = TestClient(app)
    limited, other = bearer(new_key(app, "clerk")), bearer(new_key(app, "clerk"))
    assert [client.get("/api/v1/cases", headers=limited).status_code for _ in range(3)] == [200, 200, 200]
    assert_limited(client.get("/api/v1/cases", headers=limited))
    upload = client.post("/api/v1/documents", headers=limited, files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert_limited(upload)  # refused before its body was read: nothing stored
    with app.state.repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM uploads")).scalar() == 0
    assert client.get("/api/v1/cases", headers=other).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_limits_are_per_role_and_an_unset_role_keeps_its_default(tmp_path):
    app = make_app(tmp_path, rate_limits={"integrator": "2/second;4/minute"})
    client = TestClient(app)
    integrator, clerk = bearer(new_key(app, "integrator")), bearer(new_key(app, "clerk"))
    statuses = [client.get("/api/v1/catalog", headers=integrator).status_code for _ in range(3)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    assert all(client.get("/api/v1/catalog", headers=clerk).status_code == 200 for _ in range(8))
    assert app.state.rate_limits.per_role["clerk"][0].amount == 20  # the default, untouched


def test_bad_limit_settings_stop_the_app_at_start(tmp_path):
    from pipeline.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        make_app(tmp_path, rate_limits={"clerk": "many per day"})


def test_a_redis_that_does_not_answer_lets_requests_through_and_says_so(tmp_path, caplog):
    app = make_app(tmp_path, broker_url="redis://127.0.0.1:1/0", rate_limits={"clerk": "1/minute"})
    client = TestClient(app)
    clerk = bearer(new_key(app, "clerk"))
    assert [client.get("/api/v1/cases", headers=clerk).status_code for _ in range(2)] == [200, 200]
    assert "rate limit storage unavailable" in caplog.text


@pytest.mark.integration
def test_redis_counts_one_limit_for_every_api_process(tmp_path, redis_broker):
    import redis

    url, prefix = redis_broker
    settings = {"broker_url": url, "redis_key_prefix": prefix, "rate_limits": {"integrator": "3/minute"}}
    first = make_app(tmp_path / "a", **settings)
    second = make_app(tmp_path / "b", **settings)
    second.state.repo, second.state.secret = first.state.repo, first.state.secret  # one database, two processes
    key = bearer(new_key(first, "integrator"))
    one, two = TestClient(first), TestClient(second)
    assert [one.get("/api/v1/catalog", headers=key).status_code for _ in range(2)] == [200, 200]
    assert two.get("/api/v1/catalog", headers=key).status_code == 200
    assert_limited(two.get("/api/v1/catalog", headers=key))
    assert_limited(one.get("/api/v1/catalog", headers=key))
    assert list(redis.Redis.from_url(url).scan_iter(f"{prefix}:limits*")), "the counts live in Redis"

"""The licence lookup API for integrators: roles, audit, identifier check, not found, the signed file, and an
unavailable library (503). On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from storage.cases import CaseRepository
from storage.licence_http import HttpLicenceLibrary
from storage.licences import import_licences
from storage.models import AuditEvent
from tests.licences.helpers import INDEX, SAMPLE, ZHANG, record
from workers.wiring import secret_key


@pytest.fixture()
def env(tmp_path, db_url):
    settings = Settings(data_dir=tmp_path, database_url=None if db_url.startswith("sqlite") else db_url,
                        licence_trust_dir=SAMPLE)
    app = create_app(settings, enqueue=lambda *_: None)
    import_licences(app.state.repo.engine, app.state.store, INDEX)
    client = TestClient(app)
    secret = secret_key(settings)

    def key(role: str) -> dict[str, str]:
        return {"X-API-Key": auth.create_key(app.state.repo, secret, role=role, hall="hall-1", label=role)}

    yield app, client, key
    app.state.repo.engine.dispose()


def audit(app, action: str) -> list[AuditEvent]:
    with Session(app.state.repo.engine) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_an_integrator_looks_a_licence_up_and_it_is_audited(env):
    app, client, key = env
    r = record("张三", "id_card", "01")
    response = client.get(f"/api/v1/licences/{r['identifier']}", headers=key("integrator"))
    assert response.status_code == 200
    body = response.json()
    assert body["licence"]["holder_code"] == ZHANG and body["licence"]["status"] == "VALID"
    assert body["licence"]["source_status"] == "01" and body["source"] == "embedded"
    assert body["file_url"] == f"/api/v1/licences/{r['identifier']}/file"
    (event,) = audit(app, "licence.read")
    assert event.detail == {"identifier": r["identifier"], "found": True} and event.role == "integrator"


@pytest.mark.parametrize("role", ["clerk", "reviewer", "admin"])
def test_staff_may_look_up(env, role):
    _app, client, key = env
    assert client.get(f"/api/v1/licences/{record('李四', 'id_card')['identifier']}", headers=key(role)).status_code == 200


def test_applicants_and_strangers_may_not(env):
    app, client, key = env
    identifier = record("张三", "id_card", "01")["identifier"]
    denied = client.get(f"/api/v1/licences/{identifier}", headers=key("applicant"))
    assert denied.status_code == 403 and denied.json()["error"] == {"code": "auth.forbidden", "message": "申请人不能查询电子证照库"}
    assert client.get(f"/api/v1/licences/{identifier}").status_code == 401
    assert client.get("/api/v1/licences", params={"holder_code": ZHANG, "holder_code_type": "111",
                                                  "licence_type": "id_card"}, headers=key("applicant")).status_code == 403
    assert audit(app, "licence.read") == []


def test_a_wrong_check_character_is_refused_before_any_lookup(env):
    app, client, key = env
    identifier = record("张三", "id_card", "01")["identifier"]
    response = client.get(f"/api/v1/licences/{identifier[:-1]}0", headers=key("integrator"))
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "request.invalid", "message": "电子证照标识校验位错误"}
    assert client.get("/api/v1/licences/not-an-identifier", headers=key("integrator")).json()["error"]["message"] \
        == "电子证照标识应以 1.2.156.3005.2 开头"


def test_an_unknown_identifier_is_404_and_still_audited(env):
    app, client, key = env
    from pipeline import licence_identifier

    unknown = licence_identifier.make("11100000000000001A001", "11110105000012343Q", "1")
    response = client.get(f"/api/v1/licences/{unknown}", headers=key("integrator"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert [e.detail["found"] for e in audit(app, "licence.read")] == [False]


def test_lookup_by_holder_masks_the_holder_code_in_the_audit(env):
    app, client, key = env
    response = client.get("/api/v1/licences", headers=key("clerk"),
                          params={"holder_code": ZHANG, "holder_code_type": "111", "licence_type": "id_card", "on": "2026-11-23"})
    assert response.status_code == 200
    body = response.json()
    assert sorted(x["status"] for x in body["licences"]) == ["CANCELLED", "VALID"]
    assert [x["file_url"] is not None for x in body["licences"]] == [True, False], "newest first; the old card has no file"
    (event,) = audit(app, "licence.lookup")
    assert ZHANG not in json.dumps(event.detail, ensure_ascii=False) and ZHANG not in event.target_id
    assert event.detail["holder_code"] == "110105********1239"
    app.state.clock = lambda: dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.timezone.utc)  # 01:30 on the 24th in Shanghai
    undated = client.get("/api/v1/licences", headers=key("clerk"),
                         params={"holder_code": ZHANG, "holder_code_type": "111", "licence_type": "id_card"})
    assert undated.status_code == 200
    assert audit(app, "licence.lookup")[-1].detail["on"] == "2026-11-24", "no `on`: the app's clock, in Shanghai"
    bad = client.get("/api/v1/licences", headers=key("clerk"),
                     params={"holder_code": ZHANG, "holder_code_type": "ID", "licence_type": "id_card"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "request.invalid"


def test_the_signed_file_is_served_with_its_hash(env):
    app, client, key = env
    r = record("北京博远日用百货店", "business_licence")
    response = client.get(f"/api/v1/licences/{r['identifier']}/file", headers=key("integrator"))
    data = (SAMPLE / r["file"]).read_bytes()
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-sha256"] == hashlib.sha256(data).hexdigest()
    assert len(audit(app, "licence.file")) == 1
    no_file = record("北京恒泰商贸有限公司", "food_business_licence")
    assert client.get(f"/api/v1/licences/{no_file['identifier']}/file", headers=key("integrator")).status_code == 404


def test_an_unavailable_library_answers_503(env):
    app, client, key = env
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    app.state.services.library = HttpLicenceLibrary(f"http://127.0.0.1:{port}", timeout=0.5)
    response = client.get(f"/api/v1/licences/{record('张三', 'id_card', '01')['identifier']}", headers=key("integrator"))
    assert response.status_code == 503
    assert response.json()["error"] == {"code": "library.unavailable", "message": "电子证照库暂时无法访问，需人工核验"}
    assert [e.detail["found"] for e in audit(app, "licence.read")] == [False], "the attempt is audited"
    file = client.get(f"/api/v1/licences/{record('张三', 'id_card', '01')['identifier']}/file", headers=key("integrator"))
    assert file.status_code == 503 and file.json()["error"]["code"] == "library.unavailable"
    assert [e.detail["found"] for e in audit(app, "licence.file")] == [False], "a failed file fetch is audited too"


def test_the_case_api_assesses_with_the_same_library_as_the_worker(env):
    """The API process reassesses cases too (acts, corrections, reader records): its assessor must consult the
    same library as the worker, or an API reassessment would undo `from_library`."""
    from tests.licences.helpers import application, property_certificate

    app, client, key = env
    headers = key("clerk")
    created = client.post("/api/v1/cases", headers=headers, json={
        "item": "individual-business-registration", "situation": "self",
        "applicant": {"kind": "person", "name": "张三", "id_number": ZHANG}})
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    repo, svc = app.state.repo, app.state.services
    owner = repo.add_key(key_id="feedfacefeedface", key_hash="k" * 64, role="clerk", hall="hall-1", label="worker")
    for doc in (application(), property_certificate()):  # what a worker would have saved for two uploads
        row = CaseRepository(repo.engine).add_upload(owner_key_id=owner, hall="hall-1", case_id=case_id, object_key="sha256/" + "c" * 64,
                              sha256="c" * 64, size=3, filename="scan.jpg", media_type="image/jpeg",
                              material_hint=None, person_hint=None, queue="counter", received_at=dt.datetime.now(dt.timezone.utc))[0]
        assert repo.claim(row.id, lease_seconds=60, max_attempts=3) is not None
        assert repo.finish(row.id, [doc])
    svc.cases.reassess(case_id, svc.assessor)
    case = client.get(created.json()["case_url"], headers=headers).json()
    materials = {m["code"]: m["status"] for m in case["assessment"]["materials"]}
    assert materials["operator_id"] == "from_library", materials


def test_a_holders_licences_page_newest_first(env):
    app, client, key = env
    params = {"holder_code": ZHANG, "holder_code_type": "111", "licence_type": "id_card", "on": "2026-11-23"}
    whole = client.get("/api/v1/licences", headers=key("clerk"), params=params).json()
    assert whole["next_cursor"] is None and len(whole["licences"]) == 2
    first = client.get("/api/v1/licences", headers=key("clerk"), params={**params, "limit": 1})
    assert first.status_code == 200 and first.json()["next_cursor"] == first.headers["X-Next-Cursor"]
    second = client.get("/api/v1/licences", headers=key("clerk"),
                        params={**params, "limit": 1, "cursor": first.json()["next_cursor"]}).json()
    assert second["next_cursor"] is None
    assert first.json()["licences"] + second["licences"] == whole["licences"]
    wrong = client.get("/api/v1/licences", headers=key("clerk"), params={**params, "cursor": "e30"})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "cursor.invalid"

"""Cases through the API and the worker's tasks in-process (a fake OCR engine, no models): create a case,
upload into it with hints, let the tasks process and assess, read the case back; and `verify --item`."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api import auth
from api.app import create_app
from api.cli import main
from pipeline.models import Document, FieldValue
from pipeline.settings import Settings
from storage.cases import CaseRepository
from workers.wiring import secret_key

REFERENCE = "individual-business-registration"


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 400), "white").save(buf, "JPEG")
    return buf.getvalue()


def upload(client, headers, **form):
    return client.post("/api/v1/documents", headers=headers, files={"file": ("scan.jpg", jpeg_bytes(), "image/jpeg")},
                       data=form)


def new_case(client, headers, situation="self", item=REFERENCE):
    return client.post("/api/v1/cases", headers=headers, json={"item": item, "situation": situation,
                                                               "applicant": {"name": "张三", "id_number": "110105199003071239"}})


def test_create_case_answers_with_the_empty_checklist(plain_env):
    client, key, _, _, _ = plain_env
    response = new_case(client, key("clerk"), situation="agent")
    assert response.status_code == 201
    body = response.json()
    assert body["case_url"] == f"/api/v1/cases/{body['case_id']}"
    assert (body["item"], body["item_version"], body["situation"]) == (REFERENCE, 1, "agent")
    assessment = body["assessment"]
    assert assessment["decision"] == "correction_required"
    assert {m["code"]: m["status"] for m in assessment["materials"]} == {
        "application": "missing", "operator_id": "missing", "premises_proof": "tolerated",
        "agent_authorization": "missing", "agent_id": "missing"}


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"item": "no-such-item", "situation": "self"}, 422, "request.invalid"),
    ({"item": REFERENCE, "situation": "proxy"}, 422, "request.invalid"),
    ({"item": REFERENCE, "item_version": 9, "situation": "self"}, 422, "request.invalid"),
    ({"situation": "self"}, 422, "request.invalid"),
])
def test_bad_case_requests(plain_env, payload, status, code):
    client, key, _, _, _ = plain_env
    response = client.post("/api/v1/cases", headers=key("clerk"), json=payload)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_reviewers_do_not_create_cases_and_everyone_needs_a_key(plain_env):
    client, key, _, _, _ = plain_env
    assert new_case(client, key("reviewer")).status_code == 403
    assert client.post("/api/v1/cases", json={"item": REFERENCE, "situation": "self"}).status_code == 401


def test_case_visibility_follows_the_upload_rules(plain_env):
    client, key, _, _, _ = plain_env
    alice, bob = key("applicant"), key("applicant")
    url = new_case(client, alice).json()["case_url"]
    assert client.get(url, headers=alice).status_code == 200
    assert client.get(url, headers=bob).status_code == 404
    hall_case = new_case(client, key("clerk", "hall-1")).json()["case_url"]
    assert client.get(hall_case, headers=key("reviewer", "hall-1")).status_code == 200
    assert client.get(hall_case, headers=key("clerk", "hall-2")).status_code == 404
    assert client.get(hall_case, headers=key("admin", "elsewhere")).status_code == 200
    assert client.get("/api/v1/cases/nope", headers=key("admin")).status_code == 404


def test_uploads_into_a_case_are_checked_before_anything_is_stored(plain_env):
    client, key, enqueued, app, _ = plain_env
    clerk = key("clerk")
    case_id = new_case(client, clerk).json()["case_id"]
    other_hall = key("clerk", "hall-2")
    assert upload(client, other_hall, case_id=case_id).status_code == 404
    assert upload(client, clerk, case_id="no-such-case").status_code == 404
    bad_material = upload(client, clerk, case_id=case_id, material="agent_id")  # not in the `self` situation
    assert bad_material.status_code == 422 and "operator_id" in bad_material.json()["error"]["message"]
    assert upload(client, clerk, case_id=case_id, person="landlord").status_code == 422
    assert enqueued == [], "nothing stored, nothing enqueued"
    ok = upload(client, clerk, case_id=case_id, material="operator_id", person="operator")
    assert ok.status_code == 202
    row = app.state.repo.get_upload(ok.json()["upload_id"])
    assert (row.case_id, row.material_hint, row.person_hint) == (case_id, "operator_id", "operator")


def test_case_reads_and_creation_are_audited_without_personal_data(plain_env):
    client, key, _, app, _ = plain_env
    clerk = key("clerk")
    url = new_case(client, clerk).json()["case_url"]
    client.get(url, headers=clerk)
    import sqlalchemy as sa

    with app.state.repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, detail FROM audit_events ORDER BY id")).all()
    assert [r[0] for r in rows] == ["case.create", "case.read"]
    assert "张三" not in str(rows) and "110105" not in str(rows)


# --- the worker's tasks, in-process ---------------------------------------------------------------


@pytest.fixture()
def worker(plain_env, monkeypatch):
    """The tasks' services with a fake OCR engine that reads the same ID-card front on every page."""
    from workers import tasks, wiring

    _client, _key, _enqueued, app, settings = plain_env
    services = wiring.build_services(settings.model_copy(update={"ocr_engine": "tests.fakes:FixedEngine"}), ocr=True,
                                     repo=app.state.repo, store=app.state.store)
    monkeypatch.setattr(tasks, "worker_services", lambda: services)
    assessments: list[tuple[str, str]] = []
    monkeypatch.setattr(tasks, "enqueue_assessment", lambda case_id, queue: assessments.append((case_id, queue)))
    return tasks, assessments


def test_a_finished_upload_enqueues_the_assessment_and_the_case_shows_it(plain_env, worker):
    client, key, enqueued, app, _ = plain_env
    tasks, assessments = worker
    clerk = key("clerk")
    case_id = new_case(client, clerk).json()["case_id"]
    upload_id = upload(client, clerk, case_id=case_id).json()["upload_id"]
    assert enqueued == [(upload_id, "counter")]
    assert tasks.process_upload(upload_id) == "done"
    assert assessments == [(case_id, "counter")]
    assert tasks.assess_case(case_id) == "correction_required"
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    [document] = case["documents"]
    assert document["type"] == "id_card_front" and "image_keys" not in document
    assert case["uploads"] == [{"upload_id": upload_id, "status": "done", "material": None, "person": None,
                                "documents_url": f"/api/v1/uploads/{upload_id}"}]
    operator = next(m for m in case["assessment"]["materials"] if m["code"] == "operator_id")
    assert operator["status"] == "missing" and operator["documents"] == [document["id"]]
    assert operator["missing"] == ["id_card_back"]
    assert case["assessment_version"] == 2, "version 1 was the empty checklist at creation"
    assert tasks.assess_case(case_id) == "correction_required"
    assert client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["assessment_version"] == 2, "idempotent"
    assert tasks.assess_case("no-such-case") == "no_case"


def test_uploads_without_a_case_enqueue_no_assessment(plain_env, worker):
    client, key, _, _, _ = plain_env
    tasks, assessments = worker
    upload_id = upload(client, key("clerk")).json()["upload_id"]
    assert tasks.process_upload(upload_id) == "done"
    assert assessments == []


def test_documents_finished_by_the_worker_complete_the_case(plain_env):
    """Hand-made documents saved as the worker would: the case recomputed from the database is accepted."""
    from pipeline.settings import Thresholds
    from validators.assess import Assessor

    client, key, _, app, _ = plain_env
    clerk = key("clerk")
    case_id = new_case(client, clerk).json()["case_id"]

    def finish(documents, **hints):
        upload_id = upload(client, clerk, case_id=case_id, **hints).json()["upload_id"]
        app.state.repo.claim(upload_id, lease_seconds=60, max_attempts=3)
        app.state.repo.finish(upload_id, documents)

    def doc(type_code, doc_id, sha, **values):
        return Document(id=doc_id, source="scan.jpg", type=type_code, type_confidence=0.97, upload_sha256=sha,
                        fields={k: FieldValue(value=v, confidence=0.99) for k, v in values.items()})

    finish([doc("application_form", "app", "s1", operator_name="张三", operator_id_number="110105199003071239",
                premises_address="北京市朝阳区建国路1号", signed=True)])
    finish([doc("id_card_front", "front", "s2", name="张三", sex="男", birth_date="1990-03-07",
                id_number="110105199003071239"),
            doc("id_card_back", "back", "s2", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10",
                valid_until="2041-05-10")], material="operator_id")
    finish([doc("property_certificate", "cert", "s3", holder="张三", location="北京市朝阳区建国路1号")])
    saved = CaseRepository(app.state.repo.engine).reassess(case_id, Assessor(thresholds=Thresholds()))
    assert saved.decision == "accept", saved.notice
    case = client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert case["assessment"]["decision"] == "accept"
    assert {d["id"] for d in case["documents"]} == {"app", "front", "back", "cert"}


def test_openapi_documents_the_case_endpoints(plain_env):
    client, *_ = plain_env
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}"} <= set(paths)


# --- yichuang verify --item ----------------------------------------------------------------------


def test_verify_with_an_item_prints_the_case(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YICHUANG_OCR_ENGINE", "tests.fakes:FixedEngine")
    scan = tmp_path / "front.jpg"
    scan.write_bytes(jpeg_bytes())
    assert main(["verify", "--item", REFERENCE, "--situation", "self", "--at", "2026-11-23", "--json", str(scan)]) == 0
    result = json.loads(capsys.readouterr().out)
    case = result["case"]
    assert (case["item"], case["situation"], case["judged_on"]) == (REFERENCE, "self", "2026-11-23")
    assert case["decision"] == "correction_required"
    statuses = {m["code"]: m["status"] for m in case["materials"]}
    assert statuses == {"application": "missing", "operator_id": "missing", "premises_proof": "tolerated"}
    assert next(m for m in case["materials"] if m["code"] == "operator_id")["documents"] == [result["documents"][0]["id"]]
    assert "请一次性补齐补正" in case["notice"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--item", "no-such-item"], "未知的服务事项"),
    (["--item", REFERENCE], "请用 --situation 指定办理情形"),
    (["--item", REFERENCE, "--situation", "proxy"], "请用 --situation 指定办理情形"),
    (["--situation", "self"], "--situation 需要与 --item 一起使用"),
])
def test_verify_item_usage_errors(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    assert main(["verify", *argv, str(tmp_path / "x.jpg")]) == 2
    assert message in capsys.readouterr().err


def test_verify_refuses_a_broken_administrator_catalog(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path))
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog" / "bad.yaml").write_text("code: [\n", encoding="utf-8")
    assert main(["verify", "--item", REFERENCE, "--situation", "self", str(tmp_path / "x.jpg")]) == 2
    assert "bad.yaml:" in capsys.readouterr().err


# --- a real worker process on the embedded broker -------------------------------------------------


@pytest.mark.slow
def test_a_real_worker_processes_an_upload_of_a_case_and_reassesses_it(tmp_path, monkeypatch):
    """The API enqueues process_upload; the worker (fake OCR engine) finishes the upload and enqueues
    assess_case on the same queue; the case's assessment then names the new document."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env.update(YICHUANG_DATA_DIR=str(tmp_path), YICHUANG_ENV="test", YICHUANG_OCR_ENGINE="tests.fakes:FixedEngine",
               PYTHONPATH=str(root))
    for name in ("YICHUANG_DATA_DIR", "YICHUANG_ENV", "YICHUANG_OCR_ENGINE"):
        monkeypatch.setenv(name, env[name])
    app = create_app(Settings())
    client = TestClient(app)
    headers = {"X-API-Key": auth.create_key(app.state.repo, secret_key(Settings()), role="clerk", hall="h1", label="scanner")}
    log = (tmp_path / "worker.log").open("wb")  # a file, not a pipe: a full pipe would block the worker
    worker = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, cwd=root, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        case_id = new_case(client, headers).json()["case_id"]
        assert upload(client, headers, case_id=case_id, person="operator").status_code == 202
        deadline, case = time.time() + 120, {}
        while time.time() < deadline:
            case = client.get(f"/api/v1/cases/{case_id}", headers=headers).json()
            if case["assessment_version"] and case["assessment_version"] >= 2:
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.3)
        assert case["assessment_version"] == 2, case
        operator = next(m for m in case["assessment"]["materials"] if m["code"] == "operator_id")
        assert operator["documents"] == [case["documents"][0]["id"]] and operator["missing"] == ["id_card_back"]
    finally:
        worker.terminate()  # the main process: a warm shutdown that stops its pool
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
        worker.wait(timeout=30)
        log.close()


def test_a_broken_administrator_catalog_is_a_configuration_error_not_a_guess(plain_env):
    client, key, _, _, settings = plain_env
    (settings.data_dir / "catalog").mkdir()
    (settings.data_dir / "catalog" / "bad.yaml").write_text("code: [\n", encoding="utf-8")
    response = new_case(client, key("clerk"))
    assert response.status_code == 500 and response.json()["error"]["code"] == "config.invalid"

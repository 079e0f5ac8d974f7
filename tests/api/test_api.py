"""The JSON API in-process: identities and roles, upload contract, bad input codes, visibility."""

import io

import pytest
from PIL import Image


@pytest.fixture()
def env(plain_env):
    return plain_env[:4]  # client, key, enqueued, app (tests/api/conftest.py)


def jpeg_bytes(size=(320, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "JPEG")
    return buf.getvalue()


def upload(client, headers, data: bytes, name="scan.jpg", **form):
    return client.post("/api/v1/documents", headers=headers, files={"file": (name, data, "image/jpeg")}, data=form)


def test_health(env):
    client, *_ = env
    assert client.get("/healthz").json() == {"status": "ok"}


def test_every_endpoint_needs_an_identity(env):
    client, *_ = env
    response = upload(client, {}, jpeg_bytes())
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth.required"
    assert client.get("/api/v1/uploads/x", headers={"Authorization": "Bearer yc_0000000000000000_forged"}).status_code == 401


def test_upload_is_stored_queued_and_enqueued(env):
    client, key, enqueued, app = env
    clerk = key("clerk")
    response = upload(client, clerk, jpeg_bytes(), name="张三身份证.jpg", material="operator_id", person="operator")
    assert response.status_code == 202
    body = response.json()
    assert body["documents_url"] == f"/api/v1/uploads/{body['upload_id']}"
    assert enqueued == [(body["upload_id"], "counter")]
    status = client.get(body["documents_url"], headers=clerk).json()
    assert status == {"upload_id": body["upload_id"], "status": "queued", "documents": [], "error": None}
    row = app.state.repo.get_upload(body["upload_id"])
    assert app.state.store.get(row.object_key) == jpeg_bytes()
    assert (row.material_hint, row.person_hint, row.filename) == ("operator_id", "operator", "张三身份证.jpg")


def test_non_clerk_uploads_go_to_bulk(env):
    client, key, enqueued, _ = env
    upload(client, key("applicant"), jpeg_bytes())
    upload(client, key("integrator"), jpeg_bytes())
    assert [q for _, q in enqueued] == ["bulk", "bulk"]


def test_applicant_cannot_read_another_applicants_upload(env):
    client, key, _, _ = env
    alice, bob = key("applicant"), key("applicant")
    url = upload(client, alice, jpeg_bytes()).json()["documents_url"]
    assert client.get(url, headers=alice).status_code == 200
    response = client.get(url, headers=bob)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_hall_visibility_for_clerks_and_admin_sees_all(env):
    client, key, _, _ = env
    url = upload(client, key("clerk", "hall-1"), jpeg_bytes()).json()["documents_url"]
    assert client.get(url, headers=key("reviewer", "hall-1")).status_code == 200
    assert client.get(url, headers=key("clerk", "hall-2")).status_code == 404
    assert client.get(url, headers=key("admin", "anywhere")).status_code == 200


@pytest.mark.parametrize(("data", "name", "status", "code"), [
    (b"", "empty.jpg", 400, "file.empty"),
    (b"<html><body>hi</body></html>", "page.png", 415, "file.unsupported_type"),
    (b"plain text pretending", "scan.jpg", 415, "file.unsupported_type"),
])
def test_bad_uploads_are_refused_and_not_stored(env, data, name, status, code):
    client, key, enqueued, app = env
    response = upload(client, key("clerk"), data, name=name)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]
    assert enqueued == []


def test_decompression_bomb_is_refused_with_422(env):
    client, key, enqueued, _ = env
    buf = io.BytesIO()
    Image.new("L", (4000, 4000), 0).save(buf, "PNG")  # 16 MP over a 4 MP cap, ~20 KB on the wire
    response = upload(client, key("clerk"), buf.getvalue(), name="bomb.png")
    assert response.status_code == 422 and response.json()["error"]["code"] == "file.too_many_pixels"
    assert enqueued == []


def test_oversized_upload_is_refused_while_streaming(env):
    client, key, enqueued, _ = env
    big = jpeg_bytes() + b"\x00" * (3 * 1024 * 1024)
    response = upload(client, key("clerk"), big)
    assert response.status_code == 413 and response.json()["error"]["code"] == "file.too_large"

    def chunks():  # no Content-Length: the cap is enforced on the stream itself
        boundary = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        yield boundary
        for _ in range(40):
            yield b"\x00" * (128 * 1024)
        yield b"\r\n--xyz--\r\n"

    headers = {**key("clerk"), "Content-Type": "multipart/form-data; boundary=xyz"}
    response = client.post("/api/v1/documents", headers=headers, content=chunks())
    assert response.status_code == 413
    assert enqueued == []
    assert client.get("/healthz").status_code == 200, "the API keeps serving"


def test_malformed_request_gets_a_clear_error(env):
    client, key, _, _ = env
    response = client.post("/api/v1/documents", headers=key("clerk"), data={"material": "x"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "request.invalid"


def test_reviewer_cannot_upload_and_only_admin_creates_keys(env):
    client, key, _, _ = env
    assert upload(client, key("reviewer"), jpeg_bytes()).status_code == 403
    body = {"role": "clerk", "hall": "h", "label": "scanner 2"}
    assert client.post("/api/v1/keys", headers=key("clerk"), json=body).status_code == 403
    created = client.post("/api/v1/keys", headers=key("admin"), json=body)
    assert created.status_code == 201 and created.json()["key"].startswith("yc_")
    assert upload(client, {"X-API-Key": created.json()["key"]}, jpeg_bytes()).status_code == 202


def test_reads_and_changes_are_audited_without_personal_data(env):
    client, key, _, app = env
    clerk = key("clerk")
    url = upload(client, clerk, jpeg_bytes(), name="张三身份证.jpg").json()["documents_url"]
    client.get(url, headers=clerk)
    import sqlalchemy as sa

    with app.state.repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, detail FROM audit_events ORDER BY id")).all()
    assert [r[0] for r in rows] == ["upload.create", "upload.read"]
    assert "张三" not in str(rows)
    assert app.state.repo.audit_chain_ok()


def test_openapi_documents_the_contract(env):
    client, *_ = env
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/documents", "/api/v1/uploads/{upload_id}", "/healthz"} <= set(paths)


@pytest.mark.parametrize("body", [
    {"role": "clerk", "hall": "h" * 65, "label": "x"},
    {"role": "clerk", "hall": "", "label": "x"},
    {"role": "clerk", "hall": "h1", "label": "x" * 201},
    {"role": "c" * 1000, "hall": "h1", "label": "x"},
])
def test_a_key_request_that_does_not_fit_is_refused_with_422(env, body):
    client, key, _, app = env
    response = client.post("/api/v1/keys", headers=key("admin"), json=body)
    assert response.status_code == 422 and response.json()["error"]["code"] == "request.invalid", response.text
    assert response.json()["error"]["message"]

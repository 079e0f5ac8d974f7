"""The client for an external licence-library service, against a real HTTP server on localhost (uvicorn in a
thread) speaking the protocol of README "Licence library": lookups, files, a bearer token, and every way the
service can fail — unreachable, too slow, an error status, an answer not in the protocol — each of which is
LibraryUnavailable, and `needs_review` in the assessment, never `ok`."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import socket
import threading
import time

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from pipeline.errors import LibraryUnavailable
from pipeline.library import LicenceStatus
from pipeline.settings import Thresholds
from storage.licence_http import HttpLicenceLibrary
from storage.objects import MemoryStore
from tests.licences.helpers import (
    RECORDS, SAMPLE, TODAY, TYPES, ZHANG, application, assess, codes, property_certificate, record, statuses,
    zhang_card,
)
from validators.assess import Assessor
from validators.licences import VerifiedLibrary
from validators.signatures import Verifier

TOKEN = "s3cret-token"


def service_app() -> FastAPI:
    """A stand-in for a platform's licence service, backed by the sample library."""
    app = FastAPI()
    app.state.mode = "ok"
    app.state.seen = []

    def answer(r: dict) -> dict:
        out = {k: v for k, v in r.items() if k != "file"}
        if "file" in r:
            data = (SAMPLE / r["file"]).read_bytes()
            out["file"] = {"sha256": hashlib.sha256(data).hexdigest(), "kind": "pdf"}
        else:
            out["file"] = None
        return out

    @app.middleware("http")
    async def modes(request: Request, call_next):
        app.state.seen.append((request.url.path, dict(request.query_params), request.headers.get("authorization")))
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        mode = app.state.mode
        if mode == "slow":
            await asyncio.sleep(2)
        if mode == "error":
            return JSONResponse({"error": "database down"}, status_code=500)
        if mode == "garbage":
            return Response(b"<html>maintenance</html>", media_type="text/html")
        if mode == "malformed":
            return JSONResponse({"licences": [{"name": "居民身份证"}], "licence": {"name": "x"}})
        return await call_next(request)

    @app.get("/lib/licences")
    def by_holder(holder_code: str, holder_code_type: str, licence_type: str, on: dt.date):
        found = [answer(r) for r in RECORDS if r["holder_code"] == holder_code and r["holder_code_type"] == holder_code_type
                 and r["type_code"] == licence_type and dt.date.fromisoformat(r["issued_on"]) <= on]
        return {"licences": found}

    @app.get("/lib/licences/{identifier}")
    def by_identifier(identifier: str):
        r = next((r for r in RECORDS if r["identifier"] == identifier), None)
        return {"licence": answer(r)} if r else JSONResponse({"error": "not found"}, status_code=404)

    @app.get("/lib/licences/{identifier}/file")
    def file(identifier: str):
        r = next((r for r in RECORDS if r["identifier"] == identifier and "file" in r), None)
        if r is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        data = (SAMPLE / r["file"]).read_bytes()
        if app.state.mode == "tampered_file":
            data = data.replace(b"D:20260601090000", b"D:20260602090000")
        return Response(data, media_type="application/pdf")

    return app


@pytest.fixture(scope="module")
def service():
    app = service_app()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the test licence service did not start"
    yield app, f"http://127.0.0.1:{sock.getsockname()[1]}/lib"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def remote(service):
    app, url = service
    app.state.mode = "ok"
    app.state.seen.clear()
    client = HttpLicenceLibrary(url, timeout=1.0, token=TOKEN)
    yield app, client
    client.close()


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def verified(client) -> Assessor:
    return Assessor(thresholds=Thresholds(), types=TYPES, library=VerifiedLibrary(client, Verifier(SAMPLE), MemoryStore(),
                                                                                   source=client.base_url))


def test_lookup_by_identifier_maps_the_answer(remote):
    app, client = remote
    r = record("北京恒泰商贸有限公司", "business_licence")
    found = client.by_identifier(r["identifier"].lower())
    assert found.identifier == r["identifier"] and found.status == LicenceStatus.REVOKED and found.source_status == "07"
    assert found.valid_until is None, "长期"
    assert found.file_key == "sha256/" + hashlib.sha256((SAMPLE / r["file"]).read_bytes()).hexdigest()
    assert client.by_identifier(r["identifier"][:-1] + "0") is None, "404 is 'not found', not an outage"
    assert all(auth == f"Bearer {TOKEN}" for _p, _q, auth in app.state.seen)


def test_lookup_by_holder_sends_the_query_and_gets_every_edition(remote):
    app, client = remote
    cards = client.by_holder(ZHANG, "111", "id_card", TODAY)
    assert sorted(c.status.value for c in cards) == ["CANCELLED", "VALID"]
    assert app.state.seen[-1][1] == {"holder_code": ZHANG, "holder_code_type": "111", "licence_type": "id_card",
                                     "on": "2026-11-23"}


def test_the_file_comes_over_http_and_its_seal_verifies(remote):
    _app, client = remote
    lic = client.by_identifier(record("张三", "id_card", "01")["identifier"])
    store = MemoryStore()
    check = VerifiedLibrary(client, Verifier(SAMPLE), store).check_file(lic, dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone.utc))
    assert check.verified and store.get(check.file_key) == (SAMPLE / "files" / "id_card_zhangsan.pdf").read_bytes()


def test_the_reference_item_is_accepted_with_the_operator_id_from_the_service(remote):
    _app, client = remote
    result = assess(verified(client), application(), property_certificate())
    assert result.decision == "accept" and statuses(result)["operator_id"] == "from_library"
    evidence = result.material("operator_id").licence
    assert evidence.source == client.base_url and evidence.file.verified and evidence.source_status == "01"


def test_a_file_the_service_hands_over_changed_is_not_used(remote):
    app, client = remote
    app.state.mode = "tampered_file"
    result = assess(verified(client), application(), property_certificate())
    operator = result.material("operator_id")
    assert operator.status == "needs_review" and operator.licence is None
    assert any("摘要不一致" in f.message for f in operator.findings if f.code == "library.file_unverified")


@pytest.mark.parametrize("mode", ["error", "garbage", "malformed"])
def test_a_service_answering_badly_is_unavailable(remote, mode):
    app, client = remote
    app.state.mode = mode
    with pytest.raises(LibraryUnavailable):
        client.by_holder(ZHANG, "111", "id_card", TODAY)
    with pytest.raises(LibraryUnavailable):
        client.by_identifier(record("张三", "id_card", "01")["identifier"])


def test_a_wrong_token_is_unavailable_not_empty(service):
    _app, url = service
    client = HttpLicenceLibrary(url, timeout=1.0, token="wrong")
    with pytest.raises(LibraryUnavailable):
        client.by_holder(ZHANG, "111", "id_card", TODAY)


def test_a_slow_service_times_out(remote):
    app, _client = remote
    app.state.mode = "slow"
    client = HttpLicenceLibrary(_client.base_url, timeout=0.3, token=TOKEN)
    started = time.monotonic()
    with pytest.raises(LibraryUnavailable) as info:
        client.by_holder(ZHANG, "111", "id_card", TODAY)
    assert time.monotonic() - started < 1.5 and "timed out" in info.value.detail
    result = assess(verified(client), application(), property_certificate())
    assert result.decision == "needs_review"
    assert codes(result.material("operator_id"), "warning") == {"library.unavailable", "material.missing"}


def test_an_unreachable_service_sends_the_material_to_a_person():
    client = HttpLicenceLibrary(f"http://127.0.0.1:{closed_port()}/lib", timeout=1.0)
    with pytest.raises(LibraryUnavailable) as info:
        client.by_identifier(record("张三", "id_card", "01")["identifier"])
    assert "unreachable" in info.value.detail and info.value.retryable
    result = assess(verified(client), application(), property_certificate())
    operator = result.material("operator_id")
    assert result.decision == "needs_review" and operator.status == "needs_review"
    assert "电子证照库暂时无法访问" in next(f.message for f in operator.findings if f.code == "library.unavailable")
    complete = assess(verified(client), application(), zhang_card(), property_certificate())
    assert complete.decision == "accept", "a card fine as presented needs no lookup to be accepted"
    assert codes(complete.material("operator_id"), "info") == {"library.unavailable"}


def test_the_services_own_status_codes_come_from_settings(service, tmp_path):
    from pipeline.settings import Settings
    from workers.wiring import build_licence_library

    _app, url = service
    settings = Settings(data_dir=tmp_path, licence_library=url, licence_library_token=TOKEN,
                        licence_status_codes={"01": "SUSPENDED"})
    wired = build_licence_library(settings, MemoryStore())
    assert {c.status for c in wired.by_holder(ZHANG, "111", "id_card", TODAY)} == {LicenceStatus.SUSPENDED,
                                                                                   LicenceStatus.CANCELLED}
    result = assess(Assessor(thresholds=Thresholds(), types=TYPES, library=wired), application(), property_certificate())
    assert statuses(result)["operator_id"] == "missing", "a licence the source calls suspended never fills a material"

"""The published contract is true: every route's answers typed, every error status a route can produce declared
with the one error schema, enums, a security scheme, `Allow` on 405, a request id on every answer."""

from __future__ import annotations

import inspect
import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from api.contract import ACTS, CASE_STATES, PUBLIC_PATHS, all_routes
from api.problems import BY_CODE, PROBLEMS
from pipeline import errors as pipeline_errors
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ERROR_REF = "#/components/schemas/ErrorResponse"
FILE_TYPES = {"application/pdf", "application/ofd"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("contract"))
    return create_app(settings, enqueue=lambda *_: None)


@pytest.fixture(scope="module")
def document(app):
    return TestClient(app).get("/openapi.json").json()


def operations(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def typed(schema: dict, components: dict) -> bool:
    """A named model with properties, or a list of one."""
    if schema.get("type") == "array":
        return typed(schema.get("items", {}), components)
    ref = schema.get("$ref")
    if not ref:
        return False
    return bool(components[ref.rsplit("/", 1)[1]].get("properties"))


def test_every_answer_is_typed_and_every_error_has_the_one_schema(document):
    components = document["components"]["schemas"]
    assert set(components["ErrorResponse"]["properties"]) == {"error"}
    assert set(components["ErrorBody"]["required"]) == {"code", "message"}
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        successes = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        assert successes, where
        for status, response in op["responses"].items():
            content = response.get("content", {})
            assert content, f"{where} {status}: no content declared"
            if status.startswith("2"):
                if "application/json" in content:
                    assert typed(content["application/json"]["schema"], components), f"{where} {status}: untyped"
                else:
                    assert set(content) <= FILE_TYPES, f"{where} {status}: {set(content)}"
            else:
                assert set(content) == {"application/json"}, where
                assert content["application/json"]["schema"] == {"$ref": ERROR_REF}, f"{where} {status}"
        assert "HTTPValidationError" not in str(op), where


def test_keys_travel_in_a_security_scheme_not_as_parameters(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    for path, method, op in operations(document):
        names = {p["name"].lower() for p in op.get("parameters", [])}
        assert not names & {"authorization", "x-api-key"}, f"{method} {path}"
        if path in PUBLIC_PATHS:  # declared public: explicitly no scheme, and no 401 to promise
            assert op["security"] == [] and "401" not in op["responses"], f"{method} {path}"
        elif path.startswith("/api/v1/"):
            assert op["security"] == [{"bearer": []}, {"apiKey": []}], f"{method} {path}"
            assert "401" in op["responses"], f"{method} {path}"


def test_acts_roles_states_statuses_and_severities_are_enums(document):
    schemas = document["components"]["schemas"]

    def enum(model, field):
        prop = schemas[model]["properties"][field]
        options = prop.get("anyOf", [prop])
        return {v for o in options for v in o.get("enum", [])}

    assert enum("TransitionRequest", "act") == set(ACTS)
    assert enum("KeyRequest", "role") == set(auth.ROLES) == enum("KeyCreated", "role")
    assert enum("CaseView", "status") == set(CASE_STATES) == enum("CaseSummary", "status")
    assert enum("UploadStatus", "status") == {"queued", "processing", "done", "failed"}
    assert enum("CaseFinding", "severity") == {"error", "warning", "info"}
    [state] = [p for p in document["paths"]["/api/v1/cases"]["get"]["parameters"] if p["name"] == "state"]
    assert {v for o in state["schema"].get("anyOf", [state["schema"]]) for v in o.get("enum", [])} == set(CASE_STATES)


def test_files_declare_their_own_content_type(document):
    paths = document["paths"]
    assert set(paths["/api/v1/cases/{case_id}/notices/{kind}.pdf"]["get"]["responses"]["200"]["content"]) == {"application/pdf"}
    assert set(paths["/api/v1/licences/{identifier}/file"]["get"]["responses"]["200"]["content"]) == FILE_TYPES


def test_every_post_takes_an_idempotency_key(document):
    for path, method, op in operations(document):
        if method == "post":
            assert "Idempotency-Key" in {p["name"] for p in op["parameters"]}, path
            assert {"409", "422"} <= set(op["responses"]), path


# --- every status a route can produce is declared (a walk of the routes' code) ----------------------------------


def _callables_of(fn):
    """The functions of our API modules that `fn` refers to: globals, closure cells, and call-time imports."""
    code = fn.__code__
    cells = dict(zip(code.co_freevars, [c.cell_contents for c in fn.__closure__ or ()]))
    names = {n: cells.get(n, fn.__globals__.get(n)) for n in set(code.co_names) | set(code.co_freevars)}
    source = inspect.getsource(fn)
    for module, imported in re.findall(r"from (api\.\w+) import ([\w, ]+)", source):
        mod = __import__(module, fromlist=["x"])
        names.update({n.strip(): getattr(mod, n.strip(), None) for n in imported.split(",")})
    for module, attr in re.findall(r"\b(\w+)\.(\w+)\b", source):  # a case-layer module's function: intake.accept
        mod = fn.__globals__.get(module)
        if inspect.ismodule(mod) and mod.__name__.startswith("workers.cases"):
            names[f"{module}.{attr}"] = getattr(mod, attr, None)
    return [obj for obj in names.values() if inspect.isfunction(obj) and obj.__module__.startswith(("api", "workers.cases"))]


def refusal_codes(source: str) -> set[str]:
    """The codes `CaseRefused(CONSTANT, …)` is raised with; a literal there is refused (codes are constants)."""
    names = re.findall(r"CaseRefused\(\s*([A-Za-z_.\"]+)", source)
    assert not [n for n in names if n.startswith('"')], f"CaseRefused with a literal code: {names}"
    return {getattr(pipeline_errors, n) for n in names if n.isupper()}


def codes_reachable(fn, seen: set | None = None) -> set[str]:
    """Error codes raised in `fn` or in the API and case-layer functions it calls (ApiError literals, the refusal
    codes of pipeline/errors.py that CaseRefused is raised with, our exception classes)."""
    seen = set() if seen is None else seen
    if fn in seen:
        return set()
    seen.add(fn)
    source = inspect.getsource(fn)
    codes = set(re.findall(r'ApiError\(\s*"([a-z_.]+)"', source)) | refusal_codes(source)
    for name in re.findall(r"raise (\w+)\(", source):
        cls = fn.__globals__.get(name) or getattr(pipeline_errors, name, None)
        if inspect.isclass(cls) and issubclass(cls, pipeline_errors.YichuangError) and cls is not pipeline_errors.YichuangError:
            codes.add(cls.code)
    for callee in _callables_of(fn):
        codes |= codes_reachable(callee, seen)
    return codes


def route_codes(route: APIRoute) -> set[str]:
    codes = codes_reachable(route.endpoint)
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None and inspect.isfunction(dep.call):
            codes |= codes_reachable(dep.call)
        stack.extend(dep.dependencies)
    if route.dependant.body_params or route.dependant.query_params or route.dependant.path_params:
        codes.add("request.invalid")
    if any("UploadFile" in str(p.field_info.annotation) for p in route.dependant.body_params):
        codes |= {cls.code for cls in vars(pipeline_errors).values()
                  if inspect.isclass(cls) and issubclass(cls, pipeline_errors.InputError) and "code" in vars(cls)}
    return codes


def test_every_status_a_route_can_produce_is_declared(app, document):
    checked = 0
    for route in all_routes(app):
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            declared = {int(s) for s in document["paths"][route.path_format][method.lower()]["responses"]}
            for code in route_codes(route):
                assert code in BY_CODE, f"{route.path} raises {code}, not in api/problems.py"
                status = BY_CODE[code].status
                if status < 500 or code.endswith("unavailable"):
                    assert status in declared, f"{method} {route.path}: {code} -> {status} undeclared"
            checked += 1
    assert checked >= 19


def test_the_walk_finds_what_a_route_raises(app):
    [upload] = [r for r in all_routes(app) if isinstance(r, APIRoute) and r.path == "/api/v1/cases/{case_id}/uploads"]
    assert {"auth.required", "auth.forbidden", "not_found", "file.too_large", "case.transition_not_allowed"} <= route_codes(upload)
    [transition] = [r for r in all_routes(app) if isinstance(r, APIRoute) and r.path.endswith("/transitions")]
    assert {"case.reason_required", "case.state_changed"} <= route_codes(transition)


def test_problem_codes_live_in_one_place():
    """Every code raised anywhere in our packages is listed with its status and a Chinese message."""
    raised: set[str] = set()
    for package in ("api", "workers", "storage", "pipeline", "validators"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            raised |= set(re.findall(r'ApiError\(\s*"([a-z_.]+)"', text)) | refusal_codes(text)
            raised |= set(re.findall(r'^\s+code = "([a-z_.]+)"', text, re.M))
    raised |= {value for name, value in vars(pipeline_errors).items() if name.isupper() and isinstance(value, str)}
    raised -= {"licence.import_invalid", "storage.not_found"}  # never reach an HTTP answer (CLI import, store lookups)
    assert raised <= set(BY_CODE), raised - set(BY_CODE)
    for problem in PROBLEMS:
        assert 400 <= problem.status < 600 and re.search(r"[\u4e00-\u9fff]", problem.message), problem


# --- behaviour at the edge --------------------------------------------------------------------------------------


@pytest.fixture()
def env(tmp_path):
    app = create_app(Settings(data_dir=tmp_path, max_upload_bytes=1024 * 1024), enqueue=lambda *_: None)
    return TestClient(app), app


def test_405_says_which_methods_the_address_takes(env):
    client, _ = env
    response = client.delete("/api/v1/cases")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method.not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert client.put("/api/v1/uploads/x").headers["Allow"] == "GET"


def test_every_answer_carries_a_request_id(env):
    client, app = env
    sent = client.get("/api/v1/uploads/x", headers={"X-Request-ID": "portal-42.a:1"})
    assert sent.status_code == 401 and sent.headers["X-Request-ID"] == "portal-42.a:1"
    fresh = {client.get("/healthz").headers["X-Request-ID"] for _ in range(2)}
    assert len(fresh) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", r) for r in fresh)
    for insane in ("has space", "x" * 129, "é"):
        echoed = client.get("/healthz", headers={"X-Request-ID": insane.encode()}).headers["X-Request-ID"]
        assert echoed != insane and re.fullmatch(r"[0-9a-f]{32}", echoed)
    too_big = client.post("/api/v1/documents", files={"file": ("a.jpg", b"x" * (2 * 1024 * 1024), "image/jpeg")})
    assert too_big.status_code == 413 and too_big.headers["X-Request-ID"]
    assert client.delete("/healthz").headers["X-Request-ID"]


def test_the_request_id_is_in_the_audit_and_the_logs(env):
    client, app = env
    admin = {"X-API-Key": auth.create_key(app.state.repo, app.state.secret, role="admin", hall="h", label="a"),
             "X-Request-ID": "trace-7"}
    response = client.post("/api/v1/keys", headers=admin, json={"role": "clerk", "hall": "h1"})
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "trace-7"
    with app.state.repo.engine.connect() as conn:
        [rid] = conn.execute(sa.text("SELECT request_id FROM audit_events WHERE action = 'key.create'")).scalars().all()
    assert rid == "trace-7"
    assert app.state.repo.audit_chain_ok()
    with app.state.repo.engine.begin() as conn:  # the request id is chained: changing it breaks the chain
        conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_no_update"))
        conn.execute(sa.text("UPDATE audit_events SET request_id = 'forged' WHERE action = 'key.create'"))
    assert not app.state.repo.audit_chain_ok()

    import structlog

    from workers.wiring import _bind_context

    record = logging.LogRecord("api", logging.INFO, __file__, 1, "hello", None, None)
    with structlog.contextvars.bound_contextvars(request_id="trace-8"):
        _bind_context(record)
    assert record.context == " request_id=trace-8"

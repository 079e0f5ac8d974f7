"""Schemathesis against the app's own /openapi.json: every operation, a few generated requests each, all
checks; no server errors and no answer that the document does not describe. Bounded: a handful of examples
per operation and a time cap for the whole module (see pytest's timeout on each test)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api import auth
from api.app import create_app
from pipeline.settings import Settings

_DATA = Path(tempfile.mkdtemp(prefix="yichuang-schemathesis-"))
# One admin key sends every generated request back to back: its rate limit is set out of reach here (the
# limits themselves, 429 and Retry-After: tests/api/test_keys.py).
_SETTINGS = Settings(data_dir=_DATA, verify_timeout=0.2, max_upload_bytes=512 * 1024,
                     rate_limits={"admin": "100000/second"})
APP = create_app(_SETTINGS, enqueue=lambda *_: None)
_SETTINGS.broker_folder().mkdir(parents=True, exist_ok=True)  # a ready service: /readyz finds its broker folder
ADMIN = {"Authorization": "Bearer " + auth.create_key(APP.state.repo, APP.state.secret, role="admin", hall="h1", label="schemathesis")}

# Where the server judges a schema-valid request by what the schema cannot say, a 4xx answer to it is right:
# a file is judged by its content (empty 400, unknown type 415, unreadable 422), a case names an item and a
# situation of the catalog, a licence identifier has a check character, a list's `cursor` is one the server
# handed out for that list (else 422 cursor.invalid: api/paging.py), a key's expiry lies in the future. Those
# operations expect these too; every other operation keeps schemathesis' default expectations.
SEMANTIC = ["2xx", "401", "403", "404", "409", "400", "413", "415", "422"]
CONFIG = schemathesis.config.SchemathesisConfig.from_str("\n".join(
    f"""[[operations]]\ninclude-path-regex = "{path}"\nchecks.positive_data_acceptance.expected-statuses = {SEMANTIC}\n"""
    for path in (r"^/api/v1/documents$", r"^/api/v1/verify$", r"^/api/v1/cases/\\{case_id\\}/uploads$",
                 r"^/api/v1/cases$", r"^/api/v1/licences/\\{identifier\\}", r"^/api/v1/licences$", r"^/api/v1/uploads$",
                 r"^/api/v1/audit$", r"^/api/v1/catalog$", r"^/api/v1/cases/\\{case_id\\}/bundles$", r"^/api/v1/keys$",
                 r"^/api/v1/webhooks$")) + (  # a webhook URL is judged by the administrator's allowlist
    # the public progress lookup: a well-formed number that no case has is 404, and the per-IP limit may say 429
    f"""[[operations]]\ninclude-path-regex = "^/api/v1/progress$"\n"""
    f"""checks.positive_data_acceptance.expected-statuses = {SEMANTIC + ["429"]}\n"""))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@pytest.mark.slow
@pytest.mark.timeout(120)
@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_published_contract(case):
    if case.headers and "Idempotency-Key" in case.headers:
        # Generated keys repeat ("0") across different bodies, which the contract answers with 422
        # idempotency.mismatch (tests/api/test_idempotency.py); here each request is a new one.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    case.call_and_validate(headers=ADMIN)

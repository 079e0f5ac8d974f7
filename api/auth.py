"""API keys and roles. A key is shown once; stored as its public id + HMAC-SHA256 under the secret. A key may
expire, carry scopes that narrow its role (api/scopes.py), bind an integrator to halls whose cases it reads, and
be rotated with an overlap during which its previous secret still works (storage/keys.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from api.rate_limits import check_rate
from api.scopes import check_scope, invalid_scopes
from storage import keys as key_store
from storage.db import as_utc, utcnow
from storage.repository import Identity

ROLES = ("clerk", "applicant", "reviewer", "integrator", "admin")


def new_key() -> tuple[str, str]:
    """(public key id, whole key). The whole key is `yc_<id>_<secret>`."""
    key_id = secrets.token_hex(8)
    return key_id, f"yc_{key_id}_{secrets.token_urlsafe(32)}"


def key_hash(secret: bytes, key: str) -> str:
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def parse_key(key: str) -> str | None:
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "yc" or len(parts[1]) != 16:
        return None
    return parts[1]


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def create_key(repo, secret: bytes, *, role: str, hall: str, label: str, scopes=None, halls=(),
               expires_at: dt.datetime | None = None) -> str:
    """Create a key and return it (the only time it is shown). `scopes` None: the role's full rights; `halls`:
    for integrators only, the halls whose cases and bundles the key reads. ValueError on a bad request."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if scopes is not None and invalid_scopes(scopes):
        raise ValueError(f"unknown scopes: {', '.join(invalid_scopes(scopes))}")
    if halls and role != "integrator":
        raise ValueError("only integrator keys are bound to halls")
    if expires_at is not None and expires_at <= utcnow():
        raise ValueError("expires_at must be in the future")
    key_id, key = new_key()
    key_store.add_key(repo, key_id=key_id, key_hash=key_hash(secret, key), role=role, hall=hall, label=label,
                      scopes=tuple(scopes) if scopes is not None else None, halls=tuple(halls), expires_at=expires_at)
    return key


def rotate_key(repo, secret: bytes, key_id: str, *, overlap: dt.timedelta, at: dt.datetime | None = None):
    """A new secret for the key (same public id, same owner of its uploads and cases): (new whole key, record),
    or None when no such key. The previous secret keeps working for `overlap`."""
    key = f"yc_{key_id}_{secrets.token_urlsafe(32)}"
    record = key_store.rotate(repo, key_id, key_hash(secret, key), overlap=overlap, at=at)
    return (key, record) if record is not None else None


def authenticate(repo, secret: bytes, key: str, at: dt.datetime | None = None):
    """The key's row, if the key is valid: not revoked, not expired, and either its current secret or the
    previous one of a rotation whose overlap still runs."""
    key_id = parse_key(key)
    if key_id is None:
        return None
    row = repo.key_by_public_id(key_id)
    if row is None:
        return None
    at = at or utcnow()
    if row.expires_at is not None and as_utc(row.expires_at) <= at:
        return None
    presented = key_hash(secret, key)
    if hmac.compare_digest(row.key_hash, presented):
        return row
    until = as_utc(row.previous_valid_until)
    if row.previous_key_hash and until is not None and until > at \
            and hmac.compare_digest(row.previous_key_hash, presented):
        return row
    return None


def presented_key(headers) -> str | None:
    """The key a request carries, as `Authorization: Bearer …` or `X-API-Key` (a Starlette Headers mapping)."""
    authorization = headers.get("authorization")
    return headers.get("x-api-key") or (authorization[7:] if authorization and authorization.lower().startswith("bearer ") else None)


def identify(repo, secret: bytes, key: str | None, at: dt.datetime | None = None) -> Identity | None:
    """The caller of a presented key, or None; notes the key's last use (to the minute). Blocking (database
    reads): callers run it in the thread pool."""
    at = at or utcnow()
    row = authenticate(repo, secret, key, at) if key else None
    if row is None:
        return None
    last = as_utc(row.last_used_at)
    if last is None or at - last >= key_store.TOUCH_EVERY:
        key_store.touch(repo, row.id, at)
    return Identity(key_id=row.id, role=row.role, hall=row.hall, label=row.label,
                    scopes=frozenset(row.scopes) if row.scopes is not None else None, halls=tuple(row.halls or ()))


def now(app) -> dt.datetime:
    """The app's clock (tests set `app.state.clock`), UTC: key expiry and overlaps are judged by it."""
    clock = getattr(app.state, "clock", None)
    return clock() if clock else utcnow()


# The OpenAPI security schemes (either one): `Authorization: Bearer <key>` or `X-API-Key: <key>`. auto_error off:
# a missing key answers the API's own 401 (auth.required), not FastAPI's 403.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", description="访问密钥：Authorization: Bearer yc_…")
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey", description="访问密钥：X-API-Key: yc_…")


def current_identity(request: Request,
                     bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
                     x_api_key: Annotated[str | None, Depends(API_KEY)] = None) -> Identity:
    """Every request carries an identity: an API key as `Authorization: Bearer …` or `X-API-Key`. A plain
    function, so FastAPI runs its database read in the thread pool, never on the event loop. An upload's
    caller was already identified before its body was read (api/edge.py AuthBeforeBody)."""
    identity = getattr(request.state, "identity", None)
    if identity is None:
        key = x_api_key or (bearer.credentials if bearer else None)
        identity = identify(request.app.state.repo, request.app.state.secret, key, now(request.app))
        if identity is None and key is None:  # a person signed in to the pages (unsafe methods need the CSRF header)
            identity = session_identity(request)
    if identity is None:
        raise ApiError("auth.required", "需要有效的访问密钥")
    request.state.identity = identity  # the denial audit (api/edge.py) names the caller of a 403/404
    check_scope(request, identity)  # the one place scopes are enforced (api/scopes.py ROUTE_SCOPES)
    check_rate(request, identity)
    if identity.halls and request.method not in SAFE_METHODS:
        return dataclasses.replace(identity, halls=())  # bound halls are for reading
    return identity


def session_identity(request: Request) -> Identity | None:
    """The identity of a person signed in to the pages, through the hook the pages install on the app
    (api/pages mount: `app.state.session_identity`); None without pages or without a valid session."""
    hook = getattr(request.app.state, "session_identity", None)
    return hook(request) if hook is not None else None


IdentityDep = Annotated[Identity, Depends(current_identity)]  # every route of the API takes its caller this way

"""API keys and roles. A key is shown once; stored as its public id + HMAC-SHA256 under the secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
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


def create_key(repo, secret: bytes, *, role: str, hall: str, label: str) -> str:
    """Create a key and return it (the only time it is shown)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key_id, key = new_key()
    repo.add_key(key_id=key_id, key_hash=key_hash(secret, key), role=role, hall=hall, label=label)
    return key


def authenticate(repo, secret: bytes, key: str):
    """The key's row, if the key is valid and not revoked."""
    key_id = parse_key(key)
    if key_id is None:
        return None
    row = repo.key_by_public_id(key_id)
    if row is None or not hmac.compare_digest(row.key_hash, key_hash(secret, key)):
        return None
    return row


def presented_key(headers) -> str | None:
    """The key a request carries, as `Authorization: Bearer …` or `X-API-Key` (a Starlette Headers mapping)."""
    authorization = headers.get("authorization")
    return headers.get("x-api-key") or (authorization[7:] if authorization and authorization.lower().startswith("bearer ") else None)


def identify(repo, secret: bytes, key: str | None) -> Identity | None:
    """The caller of a presented key, or None. Blocking (a database read): callers run it in the thread pool."""
    row = authenticate(repo, secret, key) if key else None
    return Identity(key_id=row.id, role=row.role, hall=row.hall, label=row.label) if row is not None else None


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
        identity = identify(request.app.state.repo, request.app.state.secret, key)
        if identity is None and key is None:  # a person signed in to the pages (unsafe methods need the CSRF header)
            identity = session_identity(request)
    if identity is None:
        raise ApiError("auth.required", "需要有效的访问密钥")
    request.state.identity = identity  # the denial audit (api/edge.py) names the caller of a 403/404
    return identity


def session_identity(request: Request) -> Identity | None:
    """The identity of a person signed in to the pages, through the hook the pages install on the app
    (api/pages mount: `app.state.session_identity`); None without pages or without a valid session."""
    hook = getattr(request.app.state, "session_identity", None)
    return hook(request) if hook is not None else None


IdentityDep = Annotated[Identity, Depends(current_identity)]  # every route of the API takes its caller this way

"""API keys and roles. A key is shown once; stored as its public id + HMAC-SHA256 under the secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Header, Request

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


def can_see(identity, row) -> bool:
    """Applicants and integrators see their own uploads; clerks and reviewers their hall's; admins all."""
    if identity.role == "admin":
        return True
    if identity.role in ("applicant", "integrator"):
        return row.owner_key_id == identity.key_id
    return row.hall == identity.hall


async def current_identity(request: Request, authorization: Annotated[str | None, Header()] = None,
                           x_api_key: Annotated[str | None, Header()] = None) -> Identity:
    """Every request carries an identity: an API key as `Authorization: Bearer …` or `X-API-Key`, or the session
    cookie of a person signed in to the pages."""
    key = x_api_key or (authorization[7:] if authorization and authorization.lower().startswith("bearer ") else None)
    row = authenticate(request.app.state.repo, request.app.state.secret, key) if key else None
    if row is None and key is None:  # a person signed in to the pages (unsafe methods need the CSRF header)
        from api.pages.web import api_session_identity

        if (person := api_session_identity(request)) is not None:
            return person
    if row is None:
        raise ApiError("auth.required", "需要有效的访问密钥")
    return Identity(key_id=row.id, role=row.role, hall=row.hall, label=row.label)


IdentityDep = Annotated[Identity, Depends(current_identity)]  # every route of the API takes its caller this way

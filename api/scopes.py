"""Scopes: what a key may do, narrowing (never widening) what its role allows. One table maps every route of the
JSON API to the scope it needs; `check_scope` (called by api/auth.py `current_identity`, the dependency every API
route takes) enforces it. A key without stored scopes (every key issued before migration 0013, and people signed
in to the pages) keeps its role's full rights. A scoped key on a route missing from the table is refused: new
routes must be entered here (tests/api/test_keys.py fails on a route that is neither mapped nor public).
"""

from __future__ import annotations

from fastapi import Request

from api.errors import ApiError
from storage.repository import Identity

SCOPES: tuple[str, ...] = ("verify", "documents:write", "cases:read", "cases:write", "licences:read", "webhooks",
                           "keys")
SCOPE_LABELS = {"verify": "同步核验", "documents:write": "上传材料", "cases:read": "查看办件",
                "cases:write": "办理办件", "licences:read": "查询电子证照", "webhooks": "事件推送", "keys": "管理密钥"}

# Routes answered without a key (under /api/ only those of api/contract.py PUBLIC_PATHS).
PUBLIC: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/redoc"),
    ("POST", "/api/v1/progress"),  # the public progress lookup: a case number and its query code
})

CASE = "/api/v1/cases/{case_id}"
# (method, route template) -> the scope it needs, or several of which any one suffices.
ROUTE_SCOPES: dict[tuple[str, str], str | tuple[str, ...]] = {
    ("GET", "/api/v1/keys"): "keys",
    ("POST", "/api/v1/keys"): "keys",
    ("DELETE", "/api/v1/keys/{key_id}"): "keys",
    ("POST", "/api/v1/keys/{key_id}/rotate"): "keys",
    ("POST", "/api/v1/verify"): "verify",
    ("POST", "/api/v1/documents"): "documents:write",
    ("GET", "/api/v1/uploads/{upload_id}"): ("documents:write", "cases:read"),  # its uploader, or a case reader
    ("GET", "/api/v1/catalog"): ("cases:read", "cases:write", "verify"),
    ("GET", "/api/v1/catalog/{item}"): ("cases:read", "cases:write", "verify"),
    ("GET", "/api/v1/cases"): "cases:read",
    ("POST", "/api/v1/cases"): "cases:write",
    ("GET", CASE): "cases:read",
    ("GET", f"{CASE}/history"): "cases:read",
    ("GET", f"{CASE}/notices/{{kind}}.pdf"): "cases:read",
    ("GET", f"{CASE}/bundle.pdf"): "cases:read",
    ("GET", f"{CASE}/bundles"): "cases:read",
    ("GET", f"{CASE}/bundles/{{bundle_id}}.pdf"): "cases:read",
    ("POST", f"{CASE}/uploads"): ("cases:write", "documents:write"),
    ("POST", f"{CASE}/reader"): "cases:write",
    ("POST", f"{CASE}/transitions"): "cases:write",
    ("POST", f"{CASE}/corrections"): "cases:write",
    ("POST", f"{CASE}/originals"): "cases:write",
    ("POST", f"{CASE}/evaluation"): "cases:write",
    ("POST", f"{CASE}/joins"): "cases:write",
    ("POST", f"{CASE}/joins/{{document_id}}/split"): "cases:write",
    ("GET", "/api/v1/uploads"): ("documents:write", "cases:read"),  # as one upload: its uploader, or a case reader
    ("GET", "/api/v1/audit"): "cases:read",  # admins only (the route says so); the trail of case reads and changes
    ("GET", "/api/v1/counters/{name}/case"): ("cases:write", "documents:write"),  # `yichuang watch --counter`
    ("GET", "/api/v1/licences"): "licences:read",
    ("GET", "/api/v1/licences/{identifier}"): "licences:read",
    ("GET", "/api/v1/licences/{identifier}/file"): "licences:read",
    ("POST", "/api/v1/webhooks"): "webhooks",
    ("GET", "/api/v1/webhooks"): "webhooks",
    ("GET", "/api/v1/webhooks/{webhook_id}"): "webhooks",
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): "webhooks",
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): "webhooks",
    ("POST", "/api/v1/webhooks/deliveries/{delivery_id}/redeliver"): "webhooks",
}


def required(method: str, path: str) -> tuple[str, ...] | None:
    """The scopes of which any one lets a key call this route; None: the route is not in the table."""
    need = ROUTE_SCOPES.get((method.upper(), path))
    if need is None:
        return None
    return (need,) if isinstance(need, str) else need


def allows(identity: Identity, method: str, path: str) -> bool:
    if identity.scopes is None:  # no stored scopes: the role's full rights
        return True
    need = required(method, path)
    return need is not None and any(scope in identity.scopes for scope in need)


def check_scope(request: Request, identity: Identity) -> None:
    """Who calls it: api/auth.py current_identity, after the caller is known. Only routes of /api/ are narrowed."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or request.url.path
    if not path.startswith("/api/") or allows(identity, request.method, path):
        return
    need = required(request.method, path) or ()
    labels = "、".join(f"{scope}（{SCOPE_LABELS[scope]}）" for scope in need) or "未登记的接口"
    raise ApiError("auth.scope_missing", f"访问密钥的权限范围不包含此操作，需要：{labels}",
                   details={"required": list(need)})


def invalid_scopes(scopes) -> list[str]:
    return sorted(set(scopes) - set(SCOPES))

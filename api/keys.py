"""API keys in the JSON API: issue (with scopes, bound halls, an expiry), list, revoke, rotate.

    POST   /api/v1/keys                 issue; the key is in this answer only
    GET    /api/v1/keys?hall=&include_revoked=   keys without their secrets: state, scopes, halls, last use
    DELETE /api/v1/keys/{id}            revoke, effective at once (the previous secret of a rotation too)
    POST   /api/v1/keys/{id}/rotate     a new secret, shown once; the old one works for `overlap_seconds`
                                        (default YICHUANG_KEY_ROTATION_OVERLAP; 0: refused at once)

`{id}` is the public id, the `<id>` of `yc_<id>_<secret>`. Administrators manage every key (hall leads sign in
to statistics pages only and call no JSON API). Answers carrying a secret are `Cache-Control: no-store`: the
idempotency store keeps no copy. Every call is audited (`key.create`, `key.list`, `key.revoke`, `key.rotate`)
without any secret.
Who calls it: api/app.py (include_router); the same operations from the shell: api/keys_cli.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api import auth
from api.auth import IdentityDep
from api.case_schemas import RequestModel
from api.contract import AUTHED, Role, errors
from api.errors import ApiError
from api.paging import Page, PageDep, answer, fill, paged
from api.scopes import SCOPES
from pipeline.interfaces import SHANGHAI
from storage import keys as key_store
from storage.keys import KeyRecord, KeyStateError
from storage.repository import Identity

Scope = Literal[SCOPES]  # type: ignore[valid-type]
KeyState = Literal["active", "expired", "revoked"]
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="密钥公开编号（yc_<编号>_… 中的编号）")]
HallCode = Annotated[str, Field(min_length=1, max_length=64)]
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(prefix="/api/v1/keys", tags=["keys"])


class KeyRequest(RequestModel):
    role: str = Field(max_length=16, json_schema_extra={"enum": list(auth.ROLES)})
    hall: str = Field(min_length=1, max_length=64)  # the column sizes: longer answered 500 on PostgreSQL
    label: str = Field(default="", max_length=200)
    scopes: list[Scope] | None = Field(default=None, description="权限范围；不填则为该角色的全部权限")
    halls: list[HallCode] = Field(default_factory=list, max_length=50,
                                  description="对接系统（integrator）密钥可查看其办件与材料包的大厅")
    expires_at: dt.datetime | None = Field(default=None, description="到期时间；不带时区按北京时间")


class KeyCreated(BaseModel):
    key: str = Field(description="完整密钥，仅此一次显示")
    id: str
    role: Role
    hall: str
    label: str
    scopes: list[Scope] | None
    halls: list[str]
    expires_at: str | None


class KeyView(BaseModel):
    id: str
    role: Role
    hall: str
    label: str
    state: KeyState
    scopes: list[Scope] | None = Field(description="null：该角色的全部权限")
    halls: list[str]
    created_at: str
    expires_at: str | None
    last_used_at: str | None = Field(description="最近使用时间（精确到分钟）")
    revoked_at: str | None
    previous_valid_until: str | None = Field(description="轮换前的旧密钥在此之前仍然有效")


class RotateRequest(RequestModel):
    overlap_seconds: int | None = Field(default=None, ge=0, le=30 * 24 * 3600,
                                        description="旧密钥继续有效的秒数；不填为服务配置的默认值，0 为立即失效")


class KeyRotated(BaseModel):
    key: str = Field(description="新的完整密钥，仅此一次显示")
    id: str
    previous_valid_until: str | None


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def view(record: KeyRecord, at: dt.datetime) -> KeyView:
    return KeyView(id=record.id, role=record.role, hall=record.hall, label=record.label, state=record.state(at),
                   scopes=list(record.scopes) if record.scopes is not None else None, halls=list(record.halls),
                   created_at=record.created_at.isoformat(), expires_at=_iso(record.expires_at),
                   last_used_at=_iso(record.last_used_at), revoked_at=_iso(record.revoked_at),
                   previous_valid_until=_iso(record.previous_valid_until))


def manager_only(who: Identity) -> None:
    if who.role != "admin":
        raise ApiError("auth.forbidden", "只有管理员可以管理访问密钥")


def managed_key(request: Request, who: Identity, key_id: str) -> KeyRecord:
    """The key if it exists and the caller may manage it (else not_found)."""
    manager_only(who)
    record = key_store.get_key(request.app.state.repo, key_id)
    if record is None:
        raise ApiError("not_found", "找不到该访问密钥")
    return record


@router.post("", status_code=201, response_model=KeyCreated, responses=errors(*AUTHED, 403))
def create_key(body: KeyRequest, who: IdentityDep, request: Request, response: Response) -> KeyCreated:
    manager_only(who)
    if body.role not in auth.ROLES:
        raise ApiError("request.invalid", f"角色必须是 {', '.join(auth.ROLES)} 之一")
    if body.halls and body.role != "integrator":
        raise ApiError("request.invalid", "只有对接系统（integrator）密钥可以绑定大厅")
    expires = body.expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=SHANGHAI)  # dates are judged in Asia/Shanghai
    if expires is not None and expires <= auth.now(request.app):
        raise ApiError("request.invalid", "到期时间必须晚于现在")
    state = request.app.state
    key = auth.create_key(state.repo, state.secret, role=body.role, hall=body.hall, label=body.label,
                          scopes=body.scopes, halls=body.halls, expires_at=expires)
    key_id = auth.parse_key(key) or ""
    state.repo.audit(who, "key.create", "api_key", key_id, role=body.role, hall=body.hall,
                     scopes=sorted(body.scopes) if body.scopes is not None else None, halls=sorted(set(body.halls)),
                     expires_at=_iso(expires))
    response.headers.update(NO_STORE)
    return KeyCreated(key=key, id=key_id, role=body.role, hall=body.hall, label=body.label,
                      scopes=sorted(body.scopes) if body.scopes is not None else None, halls=sorted(set(body.halls)),
                      expires_at=_iso(expires))


@router.get("", response_model=Page[KeyView], responses={**paged("一页访问密钥"), **errors(*AUTHED, 403)})
def list_keys(who: IdentityDep, request: Request, page: PageDep, response: Response,
              hall: Annotated[str | None, Query(min_length=1, max_length=64, description="该大厅的或绑定该大厅的密钥")] = None,
              include_revoked: bool = False) -> dict[str, Any]:
    """Issued keys, oldest first by (created_at, id), a page at a time (api/paging.py); never a secret."""
    manager_only(who)
    repo = request.app.state.repo
    found = fill(lambda after, n: key_store.key_page(repo, after, n, include_revoked=include_revoked),
                 keys=key_store.KEY_KEYS, name="keys", page=page, keep=lambda row: key_store.in_hall(row, hall))
    repo.audit(who, "key.list", "api_key", "*", hall=hall, include_revoked=include_revoked, count=len(found.rows))
    at = auth.now(request.app)
    return answer(page, found, response, [view(key_store.record(r), at) for r in found.rows])


@router.delete("/{key_id}", response_model=KeyView, responses=errors(*AUTHED, 403, 404))
def revoke_key(key_id: KeyId, who: IdentityDep, request: Request) -> KeyView:
    managed_key(request, who, key_id)
    at = auth.now(request.app)
    record, changed = key_store.revoke(request.app.state.repo, key_id, at)
    request.app.state.repo.audit(who, "key.revoke", "api_key", key_id, role=record.role, hall=record.hall,
                                 already_revoked=not changed)
    return view(record, at)


@router.post("/{key_id}/rotate", response_model=KeyRotated, responses=errors(*AUTHED, 403, 404, 409))
def rotate_key(key_id: KeyId, who: IdentityDep, request: Request, response: Response,
               body: RotateRequest | None = None) -> KeyRotated:
    managed_key(request, who, key_id)
    state = request.app.state
    seconds = body.overlap_seconds if body and body.overlap_seconds is not None else state.settings.key_rotation_overlap
    try:
        rotated = auth.rotate_key(state.repo, state.secret, key_id, overlap=dt.timedelta(seconds=seconds),
                                  at=auth.now(request.app))
    except KeyStateError as exc:
        raise ApiError(exc.code, exc.message) from None
    if rotated is None:
        raise ApiError("not_found", "找不到该访问密钥")
    key, record = rotated
    state.repo.audit(who, "key.rotate", "api_key", key_id, role=record.role, hall=record.hall, overlap_seconds=seconds,
                     previous_valid_until=_iso(record.previous_valid_until))
    response.headers.update(NO_STORE)
    return KeyRotated(key=key, id=key_id, previous_valid_until=_iso(record.previous_valid_until))

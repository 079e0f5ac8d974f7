"""Webhook subscriptions and their delivery log in the JSON API.

`POST /api/v1/webhooks` subscribes a URL to events (the signing secret is in this answer only);
`GET /api/v1/webhooks`, `GET|DELETE /api/v1/webhooks/{id}`; `GET /api/v1/webhooks/{id}/deliveries` the log;
`POST /api/v1/webhooks/deliveries/{id}/redeliver` sends a delivery's event again. Integrators manage their own
subscriptions, admins everyone's; every change is audited (never the secret, never the URL's path or query).
Delivery itself: workers/webhooks.py, by Celery.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from api.auth import IdentityDep
from api.case_schemas import RequestModel
from api.contract import AUTHED, errors
from api.errors import ApiError
from api.paging import PageDep, fill, link_headers, paged
from storage.db import as_utc
from storage.repository import Identity
from storage.webhooks import (
    DELIVERY_KEYS, SUBSCRIPTION_KEYS, WebhookDelivery, WebhookStore, WebhookSubscription, attempt_times,
)
from workers import webhooks

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

SUBSCRIBERS = ("integrator", "admin")
Event = Literal["upload.done", "case.assessed", "case.transition", "bundle.ready"]
DeliveryState = Literal["pending", "sending", "delivered", "failed"]


def webhook_caller(who: IdentityDep) -> Identity:
    """The one gate of every webhook route: integrators and admins. A key's `webhooks` scope is checked before,
    with every route's scope, in the identity dependency (api/scopes.py ROUTE_SCOPES)."""
    if who.role not in SUBSCRIBERS:
        raise ApiError("auth.forbidden", "只有对接系统（integrator）或管理员可以管理回调订阅")
    return who


def webhook_store(request: Request) -> WebhookStore:
    state = request.app.state
    if getattr(state, "webhook_store", None) is None:
        state.webhook_store = WebhookStore(state.repo.engine)
    return state.webhook_store


CallerDep = Annotated[Identity, Depends(webhook_caller)]
StoreDep = Annotated[WebhookStore, Depends(webhook_store)]


class WebhookRequest(RequestModel):
    url: str = Field(min_length=8, max_length=2000, description="接收回调的 http(s) 地址，主机须在管理员允许名单中")
    events: list[Event] = Field(min_length=1, max_length=4)


class WebhookView(BaseModel):
    id: str
    url: str
    events: list[Event]
    owner_key_id: str
    hall: str
    created_at: str


class WebhookCreated(WebhookView):
    secret: str = Field(description="签名密钥：只在创建时显示一次，请妥善保存")


class DeliveryAttempt(BaseModel):
    at: str
    status_code: int | None
    error: str | None
    ms: int


class DeliveryView(BaseModel):
    id: str
    webhook_id: str
    event: Event
    event_id: str
    status: DeliveryState
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: str
    last_attempt_at: str | None
    next_attempt_at: str | None
    delivered_at: str | None
    redelivery_of: str | None
    attempt_log: list[DeliveryAttempt]


def view(row: WebhookSubscription) -> WebhookView:
    return WebhookView(id=row.id, url=row.url, events=row.events["events"], owner_key_id=row.owner_key_id,
                       hall=row.hall, created_at=as_utc(row.created_at).isoformat())


def delivery_view(row: WebhookDelivery) -> DeliveryView:
    times = {k: (v.isoformat() if v else None) for k, v in attempt_times(row).items()}
    return DeliveryView(id=row.id, webhook_id=row.subscription_id, event=row.event, event_id=row.event_id,
                        status=row.status, attempts=row.attempts, last_status_code=row.last_status_code,
                        last_error=row.last_error, redelivery_of=row.redelivery_of,
                        attempt_log=row.attempt_log.get("attempts", []), **times)


def owned(store: WebhookStore, who: Identity, webhook_id: str) -> WebhookSubscription:
    row = store.subscription(webhook_id)
    if row is None or (who.role != "admin" and row.owner_key_id != who.key_id):
        raise ApiError("not_found", "找不到该回调订阅")
    return row


@router.post("", status_code=201, response_model=WebhookCreated, responses=errors(*AUTHED, 403))
def create_webhook(body: WebhookRequest, who: CallerDep, store: StoreDep, request: Request,
                   response: Response) -> WebhookCreated:
    """Blocking (a DNS lookup of the host): FastAPI runs it in the thread pool. The answer holds the secret:
    `no-store` keeps it out of caches and out of the idempotency table (api/idempotency.py keeps no such answer)."""
    response.headers["Cache-Control"] = "no-store"
    settings, repo = request.app.state.settings, request.app.state.repo
    webhooks.check_target(body.url, settings.webhooks)  # TargetRefused: 422 webhook.* with a Chinese message
    secret = webhooks.new_secret()
    row = store.subscribe(owner_key_id=who.key_id, role=who.role, hall=who.hall, url=body.url, events=body.events,
                          secret_sealed=webhooks.seal(request.app.state.secret, secret))
    repo.audit(who, "webhook.create", "webhook", row.id, host=urlsplit(body.url).hostname, events=row.events["events"])
    return WebhookCreated(**view(row).model_dump(), secret=secret)


@router.get("", response_model=list[WebhookView], responses={**paged("一页回调订阅（数组）；下一页见 Link / X-Next-Cursor"),
                                                              **errors(*AUTHED, 403)})
def list_webhooks(who: CallerDep, store: StoreDep, request: Request, page: PageDep, response: Response) -> list[WebhookView]:
    owner = None if who.role == "admin" else who.key_id
    found = fill(lambda after, n: store.subscription_page(owner, after, n), keys=SUBSCRIPTION_KEYS, name="webhooks",
                 page=page)
    link_headers(page, found, response)
    request.app.state.repo.audit(who, "webhook.list", "webhook", "*", count=len(found.rows))
    return [view(r) for r in found.rows]


@router.get("/{webhook_id}", response_model=WebhookView, responses=errors(*AUTHED, 403, 404))
def get_webhook(webhook_id: str, who: CallerDep, store: StoreDep, request: Request) -> WebhookView:
    row = owned(store, who, webhook_id)
    request.app.state.repo.audit(who, "webhook.read", "webhook", row.id)
    return view(row)


@router.delete("/{webhook_id}", response_model=WebhookView, responses=errors(*AUTHED, 403, 404))
def delete_webhook(webhook_id: str, who: CallerDep, store: StoreDep, request: Request) -> WebhookView:
    """Ends the subscription at once; its deliveries not yet sent fail. Answers the subscription as it was."""
    row = owned(store, who, webhook_id)
    if not store.unsubscribe(row.id):
        raise ApiError("not_found", "找不到该回调订阅")
    request.app.state.repo.audit(who, "webhook.delete", "webhook", row.id, host=urlsplit(row.url).hostname)
    return view(row)


@router.get("/{webhook_id}/deliveries", response_model=list[DeliveryView],
            responses={**paged("一页投递记录（数组，新的在前）；下一页见 Link / X-Next-Cursor"), **errors(*AUTHED, 403, 404)})
def list_deliveries(webhook_id: str, who: CallerDep, store: StoreDep, request: Request, page: PageDep,
                    response: Response) -> list[DeliveryView]:
    """The newest deliveries first: status, attempts, the receiver's answers and the times; a page at a time
    (api/paging.py: deliveries made while the log is walked are not answered twice)."""
    row = owned(store, who, webhook_id)
    found = fill(lambda after, n: store.delivery_page(row.id, after, n), keys=DELIVERY_KEYS, name="deliveries", page=page)
    link_headers(page, found, response)
    request.app.state.repo.audit(who, "webhook.deliveries.read", "webhook", row.id)
    return [delivery_view(d) for d in found.rows]


@router.post("/deliveries/{delivery_id}/redeliver", status_code=202, response_model=DeliveryView,
             responses=errors(*AUTHED, 403, 404))
def redeliver(delivery_id: str, who: CallerDep, store: StoreDep, request: Request) -> DeliveryView:
    """A new delivery of the same event (same body and event id, a new delivery id), sent by the worker."""
    original = store.delivery(delivery_id)
    if original is None:
        raise ApiError("not_found", "找不到该投递记录")
    owned(store, who, original.subscription_id)
    again = store.redeliver(original.id)
    if again is None:
        raise ApiError("not_found", "找不到该回调订阅")
    request.app.state.repo.audit(who, "webhook.redeliver", "webhook", original.subscription_id,
                                 delivery=original.id, new_delivery=again.id)
    return delivery_view(again)

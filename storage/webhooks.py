"""Webhook subscriptions and their delivery log (migration 0014).

Events are recorded as an outbox: `record_event` runs inside the transaction that makes the event true (an
upload finished, an assessment saved, a transition, a bundle recorded — storage/repository.py, storage/cases.py,
storage/bundle/records.py call it), so an event is never lost nor announced for a change that rolled back. After
that transaction commits, the ids of its new deliveries go to the publisher the process installed
(`set_publisher`: workers/tasks.py sends one Celery task per delivery); without one, or when the broker is
down, the sweeper finds them (`due`). Payloads carry ids and states only, never personal data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from storage.db import SessionScope, as_utc, utcnow
from storage.models import ApiKey, CaseRow, UploadRow, WebhookDelivery, WebhookSubscription
from storage.paging import Keyset

logger = logging.getLogger(__name__)

EVENTS = ("upload.done", "case.assessed", "case.transition", "bundle.ready")
SUBSCRIPTION_KEYS = Keyset((WebhookSubscription.created_at, WebhookSubscription.id))  # oldest first
DELIVERY_KEYS = Keyset((WebhookDelivery.created_at, WebhookDelivery.id), descending=True)  # the log: newest first
_PENDING = "webhook_deliveries"  # Session.info key: deliveries created in this transaction
_publisher: Callable[[list[str]], None] | None = None


def set_publisher(publisher: Callable[[list[str]], None] | None) -> None:
    """Who calls it: the processes that can reach the broker (api/app.py with Celery, the worker). None: the
    sweeper alone sends deliveries."""
    global _publisher
    _publisher = publisher


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None)
    if not ids or _publisher is None:
        return
    try:
        _publisher(ids)
    except Exception:  # noqa: BLE001 - the rows are pending in the database; the sweeper sends them
        logger.warning("could not publish %d webhook deliveries; the sweeper will", len(ids), exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def receives(subscription: WebhookSubscription, owner: ApiKey | None, *, hall: str, owner_key_id: str) -> bool:
    """The one rule of who hears what, as api/auth.py `can_see` for reads: admins every event; an integrator the
    events of what it created and of the halls its key is bound to now; a revoked key hears nothing."""
    if owner is None or owner.revoked_at is not None:
        return False
    if subscription.role == "admin":
        return True
    return subscription.owner_key_id == owner_key_id or hall in (owner.halls or [])


def body_of(event_name: str, event_id: str, data: dict[str, Any], at: dt.datetime) -> str:
    """The exact JSON text that is signed and sent (kept, so a redelivery sends the same bytes)."""
    envelope = {"id": event_id, "type": event_name, "created_at": at.isoformat(), "data": data}
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_event(s: Session, event_name: str, data: dict[str, Any]) -> list[str]:
    """Inside the caller's transaction: one pending delivery per subscription that hears this event. `data`
    names an `upload_id` or a `case_id` (whose hall and owner decide who hears it) and states, nothing personal."""
    if event_name not in EVENTS:
        raise ValueError(f"unknown webhook event {event_name!r}")
    listening = [w for w in s.scalars(select(WebhookSubscription).where(WebhookSubscription.deleted_at.is_(None)))
                 if event_name in w.events.get("events", [])]
    if not listening:
        return []
    origin = (s.get(UploadRow, data["upload_id"]) if data.get("upload_id") and event_name.startswith("upload.")
              else s.get(CaseRow, data["case_id"]))
    if origin is None:
        return []
    now, event_id = utcnow(), str(uuid.uuid4())
    body = body_of(event_name, event_id, data, now)
    ids = []
    for subscription in listening:
        if receives(subscription, s.get(ApiKey, subscription.owner_key_id), hall=origin.hall,
                    owner_key_id=origin.owner_key_id):
            ids.append(_add_delivery(s, subscription.id, event_name, event_id, body, now))
    s.info.setdefault(_PENDING, []).extend(ids)
    return ids


def _add_delivery(s: Session, subscription_id: str, event_name: str, event_id: str, body: str, now: dt.datetime,
                  redelivery_of: str | None = None) -> str:
    delivery_id = str(uuid.uuid4())
    s.add(WebhookDelivery(id=delivery_id, subscription_id=subscription_id, event=event_name, event_id=event_id,
                          body=body, status="pending", attempts=0, next_attempt_at=now, attempt_log={"attempts": []},
                          redelivery_of=redelivery_of, created_at=now))
    return delivery_id


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds for one attempt, with what it needs to send it."""

    id: str
    event: str
    body: str
    attempt: int
    url: str
    secret_sealed: str


class WebhookStore(SessionScope):
    # --- subscriptions ----------------------------------------------------------------------------

    def subscribe(self, *, owner_key_id: str, role: str, hall: str, url: str, events: list[str],
                  secret_sealed: str) -> WebhookSubscription:
        row = WebhookSubscription(id=str(uuid.uuid4()), owner_key_id=owner_key_id, role=role, hall=hall, url=url,
                                  events={"events": sorted(set(events))}, secret_sealed=secret_sealed,
                                  created_at=utcnow())
        with self.session() as s:
            s.add(row)
        return row

    def subscriptions(self, owner_key_id: str | None) -> list[WebhookSubscription]:
        """The live subscriptions of one owner, or of everyone (None: an admin)."""
        query = select(WebhookSubscription).where(WebhookSubscription.deleted_at.is_(None))
        if owner_key_id is not None:
            query = query.where(WebhookSubscription.owner_key_id == owner_key_id)
        with self.session() as s:
            return list(s.scalars(query.order_by(WebhookSubscription.created_at, WebhookSubscription.id)))

    def subscription(self, subscription_id: str) -> WebhookSubscription | None:
        with self.session() as s:
            row = s.get(WebhookSubscription, subscription_id)
            return row if row is not None and row.deleted_at is None else None

    def unsubscribe(self, subscription_id: str) -> bool:
        """Ends a subscription; its deliveries not yet sent fail (their log rows stay in the database)."""
        now = utcnow()
        with self.session() as s:
            result = s.execute(update(WebhookSubscription).where(WebhookSubscription.id == subscription_id,
                                                                 WebhookSubscription.deleted_at.is_(None))
                               .values(deleted_at=now))
            s.execute(update(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id,
                                                    WebhookDelivery.status == "pending")
                      .values(status="failed", last_error="subscription deleted", next_attempt_at=None))
            return result.rowcount == 1

    # --- deliveries -------------------------------------------------------------------------------

    def subscription_page(self, owner_key_id: str | None, position: tuple[Any, ...] | None,
                          limit: int) -> list[WebhookSubscription]:
        """One page of `subscriptions` after `position` (a `SUBSCRIPTION_KEYS` position): GET /api/v1/webhooks."""
        query = select(WebhookSubscription).where(WebhookSubscription.deleted_at.is_(None))
        if owner_key_id is not None:
            query = query.where(WebhookSubscription.owner_key_id == owner_key_id)
        with self.session() as s:
            return SUBSCRIPTION_KEYS.page(s, query, position, limit)

    def delivery_page(self, subscription_id: str, position: tuple[Any, ...] | None, limit: int) -> list[WebhookDelivery]:
        """One page of a subscription's delivery log, newest first, after `position` (a `DELIVERY_KEYS` position):
        GET /api/v1/webhooks/{id}/deliveries."""
        with self.session() as s:
            return DELIVERY_KEYS.page(s, select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id),
                                      position, limit)

    def deliveries(self, subscription_id: str, limit: int = 100) -> list[WebhookDelivery]:
        with self.session() as s:
            return list(s.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                                  .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)))

    def delivery(self, delivery_id: str) -> WebhookDelivery | None:
        with self.session() as s:
            return s.get(WebhookDelivery, delivery_id)

    def redeliver(self, delivery_id: str) -> WebhookDelivery | None:
        """A new delivery of the same event and body to the same live subscription (published after commit)."""
        with self.session() as s:
            original = s.get(WebhookDelivery, delivery_id)
            live = original is not None and s.get(WebhookSubscription, original.subscription_id).deleted_at is None
            if not live:
                return None
            new_id = _add_delivery(s, original.subscription_id, original.event, original.event_id, original.body,
                                   utcnow(), redelivery_of=original.id)
            s.info.setdefault(_PENDING, []).append(new_id)
        return self.delivery(new_id)

    def claim(self, delivery_id: str, lease_seconds: float) -> Claimed | None:
        """Take a due delivery for one attempt (compare-and-set: a duplicate message finds it taken). None when
        it is delivered, failed, not due yet or held by a live attempt."""
        now = utcnow()
        with self.session() as s:
            result = s.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery_id, _claimable(now))
                .values(status="sending", attempts=WebhookDelivery.attempts + 1,
                        lease_until=now + dt.timedelta(seconds=lease_seconds)))
            if result.rowcount != 1:
                return None
            row = s.get(WebhookDelivery, delivery_id)
            subscription = s.get(WebhookSubscription, row.subscription_id)
            return Claimed(row.id, row.event, row.body, row.attempts, subscription.url, subscription.secret_sealed)

    def record_attempt(self, claimed: Claimed, *, outcome: str, status_code: int | None, error: str | None,
                       ms: int, retry_at: dt.datetime | None = None) -> None:
        """`outcome`: delivered | retry (pending again at `retry_at`) | failed. Only while this attempt holds it."""
        now = utcnow()
        with self.session() as s:
            row = s.get(WebhookDelivery, claimed.id)
            if row is None or row.status != "sending" or row.attempts != claimed.attempt:
                return
            log = list(row.attempt_log.get("attempts", []))
            log.append({"at": now.isoformat(), "status_code": status_code, "error": error, "ms": ms})
            row.attempt_log = {"attempts": log}
            row.status = {"retry": "pending"}.get(outcome, outcome)
            row.last_status_code, row.last_error, row.last_attempt_at = status_code, (error or None), now
            row.next_attempt_at, row.lease_until = (retry_at if outcome == "retry" else None), None
            if outcome == "delivered":
                row.delivered_at = now

    def due(self, grace_seconds: float) -> list[str]:
        """Deliveries whose message was lost: pending past their time by `grace_seconds`, or sending past the
        lease (the worker died). The sweeper publishes them again; the claim stops duplicates."""
        now = utcnow()
        late = now - dt.timedelta(seconds=grace_seconds)
        with self.session() as s:
            return list(s.scalars(select(WebhookDelivery.id).where(or_(
                and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at < late),
                and_(WebhookDelivery.status == "sending", WebhookDelivery.lease_until < now)))))


def _claimable(now: dt.datetime):
    # A retry message may arrive a moment before its time (clocks of two machines): one second of slack.
    return or_(and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now + dt.timedelta(seconds=1)),
               and_(WebhookDelivery.status == "sending", WebhookDelivery.lease_until < now))


def attempt_times(row: WebhookDelivery) -> dict[str, dt.datetime | None]:
    """The delivery's timestamps in UTC (SQLite hands them back naive)."""
    return {name: as_utc(getattr(row, name)) for name in
            ("created_at", "last_attempt_at", "next_attempt_at", "delivered_at")}

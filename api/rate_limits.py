"""Per-key request limits, configurable per role, with the `limits` library.

Each role has one or more limits in `limits` notation joined by ";" — a short one for bursts and a long one for
the sustained rate ("20/second;600/minute"), which together behave like a token bucket of that capacity and
refill rate. `limits` offers no token-bucket strategy; its moving-window strategy is the exact one (no doubled
burst at a window's edge). A request past any limit answers 429 `rate.limited` with `Retry-After` (whole
seconds until the oldest counted request leaves its window).

Counted in Redis in the scaled deployment (the broker is Redis: every API process shares the counts, under the
`YICHUANG_REDIS_KEY_PREFIX`), in the process's memory when embedded. A Redis that does not answer lets the
request through (logged): the limit protects the service, it must not take it down.

Who calls it: api/auth.py `current_identity` (every API route) and api/edge.py `AuthBeforeBody` (requests with a
body, counted before the body is read; the dependency then does not count them again).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from api.errors import ApiError, error_response
from pipeline.errors import ConfigurationError
from pipeline.settings import Settings
from storage.repository import Identity

logger = logging.getLogger(__name__)

DEFAULT_LIMITS = {  # per key; YICHUANG_RATE_LIMITS overrides any of them (JSON: {"integrator": "5/second;100/minute"})
    "clerk": "20/second;600/minute",
    "reviewer": "20/second;600/minute",
    "admin": "20/second;600/minute",
    "integrator": "10/second;300/minute",
    "applicant": "5/second;60/minute",
}
COUNTED = "rate_counted"  # scope state flag: AuthBeforeBody already counted this request


@dataclass
class RateLimits:
    storage: Storage
    per_role: dict[str, list[RateLimitItem]]
    limiter: MovingWindowRateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = MovingWindowRateLimiter(self.storage)

    def hit(self, identity: Identity) -> int | None:
        """Count one request of the key: None when allowed, else the seconds to wait (nothing counted then)."""
        items = self.per_role.get(identity.role) or self.per_role["applicant"]  # an unknown role: the strictest
        ids = ("key", identity.key_id)
        try:
            for item in items:
                if not self.limiter.test(item, *ids):
                    return _wait(self.limiter, item, ids)
            for item in items:
                if not self.limiter.hit(item, *ids):  # a parallel request took the last one meanwhile
                    return _wait(self.limiter, item, ids)
        except Exception as exc:  # noqa: BLE001 - Redis down or slow: let the request through, say so in the log
            logger.warning("rate limit storage unavailable (%s); request of key %s not counted", type(exc).__name__,
                           identity.key_id)
        return None


def _wait(limiter: MovingWindowRateLimiter, item: RateLimitItem, ids: tuple[str, ...]) -> int:
    stats = limiter.get_window_stats(item, *ids)
    return max(1, math.ceil(stats.reset_time - time.time()))


def per_role_limits(settings: Settings) -> dict[str, list[RateLimitItem]]:
    configured = {**DEFAULT_LIMITS, **settings.rate_limits}
    try:
        return {role: parse_many(text) for role, text in configured.items()}
    except ValueError as exc:
        raise ConfigurationError(detail=f"YICHUANG_RATE_LIMITS: {exc}") from exc


def build_rate_limits(settings: Settings) -> RateLimits | None:
    """Who calls it: api/app.py create_app, once per app. None when limits are switched off."""
    if not settings.rate_limits_enabled:
        return None
    per_role = per_role_limits(settings)
    broker = settings.broker_url or ""
    if broker.startswith(("redis://", "rediss://")):
        storage: Storage = RedisStorage(broker, key_prefix=f"{settings.redis_key_prefix}:limits",
                                        socket_connect_timeout=settings.redis_connect_timeout,
                                        socket_timeout=settings.redis_socket_timeout)
    else:
        storage = MemoryStorage()
    return RateLimits(storage=storage, per_role=per_role)


def wait_seconds(app, identity: Identity) -> int | None:
    limits = getattr(app.state, "rate_limits", None)
    return limits.hit(identity) if limits is not None else None


def refusal(wait: int):
    """The 429 answer (api/edge.py answers it itself, outside the app's exception handlers)."""
    return error_response("rate.limited", _message(wait), details={"retry_after": wait},
                          headers={"Retry-After": str(wait)})


def check_rate(request: Request, identity: Identity) -> None:
    """Who calls it: api/auth.py current_identity (in the thread pool: Redis is a network call)."""
    if getattr(request.state, COUNTED, False):
        return
    wait = wait_seconds(request.app, identity)
    if wait is not None:
        raise ApiError("rate.limited", _message(wait), details={"retry_after": wait},
                       headers={"Retry-After": str(wait)})


def _message(wait: int) -> str:
    return f"请求过于频繁，请 {wait} 秒后重试"

"""Webhook delivery: the SSRF guard, the signature, one attempt, the backoff. The Celery task
(workers/tasks.py deliver_webhook) calls `deliver` and retries after `Outcome.retry_in`; the API
(api/webhooks.py) calls `check_target` when a subscription is made and `new_secret`/`seal` for its secret.

A target is refused unless its host is on the administrator's allowlist (YICHUANG_WEBHOOK_ALLOWED_HOSTS), and
refused when any address its name resolves to is loopback, private, link-local or otherwise not global, unless
the allowlist names that host or address exactly. The check runs again at every attempt, and the request goes
to the address that was checked (no second lookup a rebinding DNS could answer differently); redirects are not
followed. Secrets never reach a log line: they are sealed at rest and only the signature leaves the process.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from cryptography.fernet import Fernet

from pipeline.errors import YichuangError
from pipeline.settings import WebhookSettings
from storage.webhooks import Claimed, WebhookStore

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60.0  # one attempt holds its delivery this long: well above connect + read timeouts
Resolver = Callable[[str, int], list[str]]


class TargetRefused(YichuangError):
    """A webhook URL the service will not call (api/problems.py lists the codes: 422 at subscription time)."""

    code = "webhook.host_not_allowed"
    message = "回调地址的主机不在管理员允许的名单中"

    def __init__(self, code: str, message: str, *, detail: str | None = None) -> None:
        self.code = code
        super().__init__(message, detail=detail)


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    netloc: str  # host[:port] as the Host header carries it
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    status: str  # delivered | retry | failed | skipped
    retry_in: float | None = None


# --- secrets and signatures -------------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _fernet(service_secret: bytes) -> Fernet:
    key = hmac.new(service_secret, b"yichuang webhook secrets", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(service_secret: bytes, secret: str) -> str:
    """The subscription's secret encrypted under the service's secret key (YICHUANG_SECRET_KEY)."""
    return _fernet(service_secret).encrypt(secret.encode()).decode()


def unseal(service_secret: bytes, sealed: str) -> str:
    return _fernet(service_secret).decrypt(sealed.encode()).decode()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=` + hex HMAC-SHA256 over `timestamp + "." + body` (README "Webhooks" shows the receiver's side)."""
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempt: int, cfg: WebhookSettings) -> float:
    """Seconds before the attempt after `attempt` (1-based): base, 2×base, 4×base … up to the cap."""
    return min(cfg.backoff_cap, cfg.backoff_base * 2 ** (attempt - 1))


# --- the SSRF guard ----------------------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (IPv4 and IPv6)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def _on_list(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == entry or (entry.startswith("*.") and host.endswith(entry[1:])) for entry in allowed)


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_target(url: str, cfg: WebhookSettings, resolver: Resolver | None = None) -> Target:
    """The target of `url` with its checked addresses, or TargetRefused. Blocking (a DNS lookup through
    `resolver`, by default this module's `resolve`)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        raise TargetRefused("webhook.url_invalid", "回调地址无效：主机或端口有误") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise TargetRefused("webhook.url_invalid", "回调地址无效：须为不含用户名和密码的 http 或 https 地址")
    host = parts.hostname.lower().rstrip(".")
    if not _on_list(host, cfg.allowed_hosts):
        raise TargetRefused("webhook.host_not_allowed", f"回调地址的主机 {host} 不在管理员允许的名单中")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = (resolver or resolve)(host, port)
        except (OSError, UnicodeError):
            raise TargetRefused("webhook.host_unresolved", f"回调地址的主机 {host} 无法解析") from None
    if not addresses:
        raise TargetRefused("webhook.host_unresolved", f"回调地址的主机 {host} 无法解析")
    named = host in cfg.allowed_hosts
    refused = [a for a in addresses if _internal(a) and not named and a not in cfg.allowed_hosts]
    if refused:
        raise TargetRefused("webhook.address_refused",
                            f"回调地址的主机 {host} 解析到内网、本机或链路本地地址，管理员未明确允许", detail=",".join(refused))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return Target(url=url, scheme=parts.scheme, host=host, netloc=netloc, addresses=tuple(addresses))


# --- one attempt -------------------------------------------------------------------------------------------


def headers_for(claimed: Claimed, secret: str, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": "yichuang-webhooks/1",
            "X-Yichuang-Event": claimed.event, "X-Yichuang-Delivery": claimed.id, "X-Yichuang-Timestamp": timestamp,
            "X-Yichuang-Signature": sign(secret, timestamp, claimed.body.encode())}


def post(target: Target, headers: dict[str, str], body: bytes, cfg: WebhookSettings) -> int:
    """POST to the checked address (the Host header and TLS name stay the URL's host); the status code."""
    address = target.addresses[0]
    url = httpx.URL(target.url).copy_with(host=address)
    timeout = httpx.Timeout(connect=cfg.connect_timeout, read=cfg.read_timeout, write=cfg.read_timeout,
                            pool=cfg.connect_timeout)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        response = client.post(url, content=body, headers={**headers, "Host": target.netloc}, extensions=extensions)
        return response.status_code


def deliver(store: WebhookStore, delivery_id: str, cfg: WebhookSettings, service_secret: bytes, *,
            resolver: Resolver | None = None) -> Outcome:
    """One attempt of one delivery (who calls it: the Celery task). Records the attempt in the delivery log;
    `retry` comes with the seconds to wait, `failed` after the last attempt or a refused target."""
    claimed = store.claim(delivery_id, LEASE_SECONDS)
    if claimed is None:
        return Outcome("skipped")  # delivered, failed, not due, or another worker's attempt is running
    started = time.monotonic()
    status_code, error, final = None, None, False
    try:
        target = check_target(claimed.url, cfg, resolver)
        status_code = post(target, headers_for(claimed, unseal(service_secret, claimed.secret_sealed)),
                           claimed.body.encode(), cfg)
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except TargetRefused as exc:
        error, final = exc.code, exc.code != "webhook.host_unresolved"  # a name that may resolve again later
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    ms = int((time.monotonic() - started) * 1000)
    if error is None:
        store.record_attempt(claimed, outcome="delivered", status_code=status_code, error=None, ms=ms)
        logger.info("webhook delivery %s (%s) delivered on attempt %d", claimed.id, claimed.event, claimed.attempt)
        return Outcome("delivered")
    if final or claimed.attempt >= cfg.max_attempts:
        store.record_attempt(claimed, outcome="failed", status_code=status_code, error=error, ms=ms)
        logger.warning("webhook delivery %s failed after %d attempts: %s", claimed.id, claimed.attempt, error)
        return Outcome("failed")
    wait = backoff(claimed.attempt, cfg)
    retry_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=wait)
    store.record_attempt(claimed, outcome="retry", status_code=status_code, error=error, ms=ms, retry_at=retry_at)
    logger.info("webhook delivery %s attempt %d: %s; again in %.0f s", claimed.id, claimed.attempt, error, wait)
    return Outcome("retry", retry_in=wait)


def sweep_deliveries(store: WebhookStore, send: Callable[[str], None], grace_seconds: float) -> int:
    """Publish again the deliveries whose message was lost (`yichuang serve`'s sweeper, `yichuang sweep`)."""
    due = store.due(grace_seconds)
    for delivery_id in due:
        send(delivery_id)
    return len(due)

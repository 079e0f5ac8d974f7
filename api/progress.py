"""Public progress (办理进度查询): anyone holding a notice looks a case up by its case number and query code —
no key, no sign-in. The one lookup here serves the JSON API and the page (api/pages/progress.py).

    POST /api/v1/progress     {"case_number", "query_code"} -> state in citizen words, step dates, item, hall

POST, so the query code never sits in a URL, a proxy's log or the browser history. A wrong code and an unknown
number give the same answer (404 `progress.not_found`, same body), after the same work: the given code is
compared, in constant time, with the stored one or with a stand-in. Every lookup counts against its client
IP's limit (the `limits` library, in this process's memory; behind a proxy run uvicorn with --proxy-headers so
the client's address is the real one); over it, 429 `rate.limited` with Retry-After. Every lookup under the
limit is audited (`case.progress`: found or not, the client IP; never the code); those over it are logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from pydantic import BaseModel, ConfigDict, Field

from api.contract import errors
from api.deps import SettingsDep
from api.errors import ApiError, error_response
from api.halls import hall_config
from pipeline.settings import Settings
from storage.case_stats import CaseStats
from validators.progress import UNKNOWN_CODE, Progress, code_matches, progress_of

logger = logging.getLogger(__name__)

PATH = "/api/v1/progress"
LIMITS = "10/minute;60/hour"  # per client IP, page and API together
NOT_FOUND = "未查到该办件，请核对办件编号和查询码（查询码印在受理、补正等通知书上）"


class ProgressRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_number: str = Field(min_length=1, max_length=100, description="办件编号，如 h1-2026-000123")
    query_code: str = Field(min_length=1, max_length=32, description="通知书上的进度查询码")


class ProgressStep(BaseModel):
    on: dt.date
    step: str


class ProgressView(BaseModel):
    case_number: str
    state: str = Field(description="办理状态（面向申请人的说法）")
    item_name: str
    hall: str
    received_on: dt.date
    steps: list[ProgressStep]


class ProgressLimiter:
    """Built once per app (app.state.progress_limiter); tests may put a stricter one in its place."""

    def __init__(self, spec: str = LIMITS) -> None:
        self.items = parse_many(spec)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, client: str) -> int | None:
        """Counts one lookup; None when allowed, else the seconds to wait."""
        for item in self.items:
            if not self.limiter.hit(item, "progress", client):
                reset = self.limiter.get_window_stats(item, "progress", client).reset_time
                return max(1, math.ceil(reset - time.time()))
        return None


def limiter(app) -> ProgressLimiter:
    if getattr(app.state, "progress_limiter", None) is None:
        app.state.progress_limiter = ProgressLimiter()
    return app.state.progress_limiter


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def lookup(request: Request, settings: Settings, case_number: str, query_code: str) -> Progress | None:
    """The case's progress, or None for a wrong code and an unknown number alike. Rate limited and audited.
    Raises ApiError rate.limited (the page shows its message)."""
    client = client_ip(request)
    wait = limiter(request.app).hit(client)
    if wait is not None:
        # logged, not audited: a flood over the limit must not become a flood of serialised audit writes
        logger.warning("progress lookups over the limit from %s", client)
        raise ApiError("rate.limited", f"查询过于频繁，请{wait}秒后再试", details={"retry_after": wait})
    number = case_number.strip()
    stats = CaseStats(request.app.state.repo.engine)
    stored = stats.query_code(number)
    matched = code_matches(stored[1] if stored else UNKNOWN_CODE, query_code) and stored is not None
    request.app.state.repo.audit(None, "case.progress", "case", stored[0] if matched else "*", found=matched,
                                 client=client)
    facts = stats.progress(stored[0]) if matched else None
    if facts is None:
        return None
    hall, _seal = hall_config(settings, facts.hall)
    return progress_of(number, facts, hall.name)


def view_of(progress: Progress) -> ProgressView:
    return ProgressView(case_number=progress.case_number, state=progress.state, item_name=progress.item_name,
                        hall=progress.hall, received_on=progress.received_on,
                        steps=[ProgressStep(on=on, step=step) for on, step in progress.steps])


router = APIRouter(tags=["progress"])


@router.post(PATH, response_model=ProgressView, responses=errors(404, 422, 429), openapi_extra={"security": []},
             summary="办理进度查询（凭办件编号和查询码，无需密钥）")
def progress(body: ProgressRequest, request: Request, settings: SettingsDep) -> ProgressView | JSONResponse:
    try:
        found = lookup(request, settings, body.case_number, body.query_code)
    except ApiError as exc:  # rate.limited: say when to come back
        wait = (exc.details or {}).get("retry_after", 60)
        return error_response(exc.code, exc.message, details=exc.details, headers={"Retry-After": str(wait)})
    if found is None:
        raise ApiError("progress.not_found", NOT_FOUND)
    return view_of(found)

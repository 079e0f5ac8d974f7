"""What every page shares: the templates, the signed-in session from its cookie, CSRF checks, role gates, and
the page errors (rendered in Chinese, never JSON). Who calls it: the page routers of this package and
api/auth.py (a signed-in session may call the JSON API the pages use)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from pipeline.interfaces import SHANGHAI
from pipeline.masking import mask_id_number, mask_name
from storage.accounts import AccountRepository, WebSession, csrf_matches
from storage.repository import Identity

SESSION_COOKIE = "yc_session"
SIGNIN_COOKIE = "yc_signin"  # double-submit token of the sign-in form (no session yet)
HOMES = {"clerk": "/counter", "reviewer": "/review", "admin": "/admin", "lead": "/stats", "applicant": "/apply"}
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_ROLES = ("clerk", "reviewer", "admin")  # a hall lead's session reads statistics pages only, never the JSON API

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class PageError(Exception):
    """A refusal shown as a page: status, a Chinese message, optionally where to go next."""

    def __init__(self, status: int, message: str, *, back: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.back = status, message, back


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in form, then back."""


def local_time(value: dt.datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def masked_applicant(applicant: dict[str, Any] | None) -> str:
    applicant = applicant or {}
    name = mask_name(applicant["name"]) if applicant.get("name") else "（未填写）"
    number = applicant.get("id_number") or applicant.get("credit_code")
    return f"{name} {mask_id_number(number)}" if number else name


TEMPLATES.env.filters.update(local_time=local_time, masked_applicant=masked_applicant, mask_id=mask_id_number)


def accounts(request: Request) -> AccountRepository:
    return request.app.state.accounts


def web_session(request: Request) -> WebSession | None:
    """The live session of the request's cookie (looked up once per request)."""
    if not hasattr(request.state, "web_session"):
        token = request.cookies.get(SESSION_COOKIE)
        settings = request.app.state.settings
        request.state.web_session = accounts(request).session_for(token, idle=settings.session_idle) if token else None
    return request.state.web_session


def identity_of(session: WebSession) -> Identity:
    """A person acts under their account's key row: the audit trail and the case records name them so."""
    a = session.account
    return Identity(key_id=a.key_row_id, role=a.role, hall=a.hall, label=a.clerk_number)


def require(request: Request, *roles: str) -> WebSession:
    session = web_session(request)
    if session is None:
        raise SignInRequired()
    if roles and session.account.role not in roles:
        raise PageError(403, "您的角色不能使用此页面", back=HOMES.get(session.account.role, "/"))
    return session


async def checked_form(request: Request, session: WebSession) -> dict[str, Any]:
    """The posted form, after its CSRF token was checked against the session's (every POST of every page)."""
    form = await request.form()
    if not csrf_matches(session.csrf_token, form.get("csrf_token") or request.headers.get("x-csrf-token")):
        raise PageError(403, "表单已失效或缺少安全校验码，请刷新页面后重试")
    return dict(form)


def api_session_identity(request: Request) -> Identity | None:
    """For api/auth.py: a signed-in person calling the JSON API from a page. Unsafe methods need the session's
    CSRF token in `X-CSRF-Token` (a cross-site form cannot set that header)."""
    if getattr(request.app.state, "accounts", None) is None:
        return None
    session = web_session(request)
    if session is None or session.account.role not in API_ROLES:
        return None
    if request.method not in SAFE_METHODS and not csrf_matches(session.csrf_token, request.headers.get("x-csrf-token")):
        return None
    return identity_of(session)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = web_session(request)
    context.setdefault("session", session)
    context.setdefault("csrf_token", session.csrf_token if session else "")
    context.setdefault("home", HOMES.get(session.account.role, "/") if session else "/")
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def page_error_response(request: Request, exc: PageError) -> HTMLResponse:
    return render(request, "error.html", status=exc.status, error_message=exc.message, back=exc.back, status_code=exc.status)


def signin_redirect(request: Request, _exc: SignInRequired) -> RedirectResponse:
    from urllib.parse import quote

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/signin?next={quote(target, safe='')}")

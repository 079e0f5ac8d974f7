"""Signing in and out, and where each role lands: `/` sends anyone not signed in to the sign-in form and
everyone else to their home (clerk: 收件/办件 at /counter; reviewer: the review queue at /review; admin: /admin).
Sign-in is audited (`account.signin`, `account.signin_failed`, `account.locked`, `account.signout`)."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.pages import oidc
from api.pages.web import (
    HOMES, SESSION_COOKIE, SIGNIN_COOKIE, PageError, accounts, checked_form, identity_of, local_time, render, require,
    see_other, web_session,
)
from storage.accounts import csrf_matches
from storage.applicants import APPLICANT, mask_login

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None, role: str) -> str:
    """Only a path of this site (no scheme, no host, no `//`) — never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return HOMES.get(role, "/")


@router.get("/")
@router.get("/ui")
@router.get("/clerk")
def root(request: Request) -> RedirectResponse:
    session = web_session(request)
    return see_other(HOMES.get(session.account.role, "/signin") if session else "/signin")


def _signin_page(request: Request, *, message: str = "", status: int = 200, username: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", status=status, signin_token=token, message=message, username=username,
                      next=request.query_params.get("next", ""), sso=oidc.provider_for(request.app) is not None,
                      sso_label=request.app.state.settings.sso_label)
    response.set_cookie(SIGNIN_COOKIE, token, max_age=1800, httponly=True, samesite="strict", path="/signin",
                        secure=request.app.state.settings.secure_cookies)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> HTMLResponse:
    return _signin_page(request)


@router.post("/signin")
async def signin(request: Request):
    form = await request.form()
    if not csrf_matches(request.cookies.get(SIGNIN_COOKIE, ""), form.get("csrf_token")):
        raise PageError(403, "登录表单已失效或缺少安全校验码，请刷新页面后重新登录", back="/signin")
    username, password = str(form.get("username", "")).strip()[:64], str(form.get("password", ""))[:256]
    repo, audit = accounts(request), request.app.state.repo.audit
    outcome = repo.check_password(username, password)
    if outcome.code == "locked":
        audit(None, "account.locked", "account", mask_login(username.lower()), failures=outcome.failures, via="pages")
        return _signin_page(request, status=423, username=username, message=(
            f"连续输错密码次数过多，账号已锁定至 {local_time(outcome.locked_until)}，请稍后再试或联系管理员重置密码"))
    if outcome.account is None:
        audit(None, "account.signin_failed", "account", mask_login(username.lower()), reason=outcome.code, via="pages")
        message = "账号已停用，请联系管理员" if outcome.code == "disabled" else "用户名或密码不正确"
        return _signin_page(request, status=401, username=username, message=message)
    return start_session(request, outcome.account, str(form.get("next", "")), via="pages")


def start_session(request: Request, account, target: str, *, via: str) -> RedirectResponse:
    settings = request.app.state.settings
    session = accounts(request).start_session(account, lifetime=settings.session_lifetime)
    request.state.web_session = session
    request.app.state.repo.audit(identity_of(session), "account.signin", "account", account.id, via=via)
    response = see_other(_safe_next(target, account.role))
    response.set_cookie(SESSION_COOKIE, session.token, max_age=int(settings.session_lifetime.total_seconds()), httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/")
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout")
async def signout(request: Request) -> RedirectResponse:
    session = require(request)
    await checked_form(request, session)
    accounts(request).end_session(session.token)
    request.app.state.repo.audit(identity_of(session), "account.signout", "account", session.account.id)
    response = see_other("/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/signin/sso")
def sso_start(request: Request):
    provider = oidc.provider_for(request.app)
    if provider is None:
        raise PageError(404, "本服务未配置统一身份认证，请使用账号密码登录", back="/signin")
    state = secrets.token_urlsafe(24)
    response = RedirectResponse(provider.authorization_url(state), status_code=303)
    response.set_cookie("yc_sso_state", state, max_age=600, httponly=True, samesite="lax", path="/signin",
                        secure=request.app.state.settings.secure_cookies)
    if request.query_params.get("as") == APPLICANT:  # 网上申报: a platform identity may become an applicant
        response.set_cookie("yc_sso_as", APPLICANT, max_age=600, httponly=True, samesite="lax", path="/signin",
                            secure=request.app.state.settings.secure_cookies)
    return response


@router.get("/signin/sso/callback")
def sso_callback(request: Request):
    """The provider's answer: verified by the provider's `complete`, bound to this browser by the state cookie,
    and mapped to an existing, enabled account by its external subject. Only an applicant who started at the
    applicant's page (`?as=applicant`) gets a new account for an unknown subject; staff accounts are never
    created here."""
    provider = oidc.provider_for(request.app)
    state = request.cookies.get("yc_sso_state", "")
    if provider is None or not state or not csrf_matches(state, request.query_params.get("state")):
        raise PageError(403, "统一身份认证的登录请求无效或已过期，请重新登录", back="/signin")
    identity = provider.complete(dict(request.query_params), state)
    account = accounts(request).by_subject(identity.subject) if identity else None
    if identity and account is None and request.cookies.get("yc_sso_as") == APPLICANT:
        account = request.app.state.applicants.create_from_subject(identity.subject, identity.name)
        request.app.state.repo.audit(None, "account.create", "account", account.id, role=APPLICANT, via="sso")
    if account is None or account.disabled:
        request.app.state.repo.audit(None, "account.signin_failed", "account", "sso", reason="sso", via="sso")
        raise PageError(403, "统一身份认证未通过，或该身份未绑定本系统账号，请联系管理员", back="/signin")
    return start_session(request, account, "", via="sso")


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request) -> HTMLResponse:
    session = require(request, "admin")
    return render(request, "admin.html", account=session.account)

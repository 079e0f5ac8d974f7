"""Self-registration of applicants (网上申报): a phone number or e-mail address proved by a one-time code
(storage/applicants.py; delivered by the registered CodeSender, api/pages/code_senders.py), a name and a
password; or the platform's 统一身份认证 (api/pages/oidc.py: `/signin/sso?as=applicant`). The new account signs
in at once and lands on /apply. No session exists yet, so the forms carry a double-submit token (cookie
`yc_register`, path /apply/register). Audited without the contact (only its masked form):
`applicant.code_sent`, `applicant.code_refused`, `account.create`.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.pages import code_senders, oidc
from api.pages.signin import start_session
from api.pages.web import PageError, render
from storage.accounts import AccountError, csrf_matches
from storage.applicants import CODE_MINUTES, ApplicantRepository, CodeError, parse_contact

router = APIRouter(include_in_schema=False)
REGISTER_COOKIE = "yc_register"


def applicants(request: Request) -> ApplicantRepository:
    return request.app.state.applicants


def _page(request: Request, *, step: str = "contact", status: int = 200, message: str = "", contact: str = "",
          name: str = "", sent: str = "") -> HTMLResponse:
    token = request.cookies.get(REGISTER_COOKIE) or secrets.token_urlsafe(24)
    sender = code_senders.sender_for(request.app)
    response = render(request, "applicant_register.html", status=status, step=step, message=message,
                      register_token=token, contact=contact, person_name=name, sent=sent, minutes=CODE_MINUTES,
                      sender_label=sender.label if sender else "", open=sender is not None,
                      sso=oidc.provider_for(request.app) is not None,
                      sso_label=request.app.state.settings.sso_label)
    response.set_cookie(REGISTER_COOKIE, token, max_age=1800, httponly=True, samesite="strict", path="/apply/register",
                        secure=request.app.state.settings.secure_cookies)
    return response


async def _checked(request: Request) -> dict:
    form = await request.form()
    if not csrf_matches(request.cookies.get(REGISTER_COOKIE, ""), form.get("csrf_token")):
        raise PageError(403, "注册表单已失效或缺少安全校验码，请刷新页面后重试", back="/apply/register")
    return dict(form)


@router.get("/apply/register", response_class=HTMLResponse)
def register_form(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/apply/register/code", response_class=HTMLResponse)
async def send_code(request: Request) -> HTMLResponse:
    form = await _checked(request)
    sender = code_senders.sender_for(request.app)
    if sender is None:
        raise PageError(503, "本服务暂未开通验证码注册，请使用统一身份认证登录或到窗口办理", back="/signin")
    audit = request.app.state.repo.audit
    try:
        contact = parse_contact(str(form.get("contact", ""))[:80])
        code = applicants(request).issue_code(contact, client=request.client.host if request.client else "")
    except AccountError as exc:
        audit(None, "applicant.code_refused", "account", "register", reason=exc.code)
        return _page(request, status=429 if isinstance(exc, CodeError) else 422, message=exc.message,
                     contact=str(form.get("contact", ""))[:80])
    try:
        sender.send(contact, code, CODE_MINUTES)
    except Exception:  # noqa: BLE001 - a gateway's failure is the applicant's "try again", not a 500
        audit(None, "applicant.code_refused", "account", "register", reason="send_failed", contact=contact.masked)
        return _page(request, status=502, message="验证码发送失败，请稍后重试", contact=contact.value)
    audit(None, "applicant.code_sent", "account", "register", contact=contact.masked, kind=contact.kind)
    return _page(request, step="verify", contact=contact.value, name=str(form.get("name", ""))[:100],
                 sent=f"验证码已发送至 {contact.masked}，{CODE_MINUTES} 分钟内有效")


@router.post("/apply/register")
async def register(request: Request):
    form = await _checked(request)
    contact_text, name = str(form.get("contact", ""))[:80], str(form.get("name", "")).strip()[:100]
    password = str(form.get("password", ""))[:256]
    audit, repo = request.app.state.repo.audit, applicants(request)
    try:
        contact = parse_contact(contact_text)
        if password != str(form.get("password2", ""))[:256]:
            raise AccountError("account.password_mismatch", "两次输入的密码不一致")
        repo.use_code(contact, str(form.get("code", ""))[:12])
        account = repo.create(username=contact.value, display_name=name, password=password)
    except AccountError as exc:
        audit(None, "applicant.code_refused" if isinstance(exc, CodeError) else "account.create_refused", "account",
              "register", reason=exc.code)
        status = 429 if exc.code == "applicant.code_attempts" else 422
        return _page(request, step="verify", status=status, message=exc.message, contact=contact_text, name=name)
    audit(None, "account.create", "account", account.id, role="applicant", contact=contact.masked, via="register")
    response: RedirectResponse = start_session(request, account, "/apply", via="register")
    response.delete_cookie(REGISTER_COOKIE, path="/apply/register")
    return response

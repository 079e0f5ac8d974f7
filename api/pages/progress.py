"""The public progress page (办理进度查询): a form for the case number and the query code printed on the notice,
and the answer in citizen words — for anyone, no sign-in, usable on a phone. The lookup, its rate limit and its
audit are api/progress.py's (the JSON API answers the same way); a wrong code and an unknown number render the
same page with the same status. The form carries a double-submit token (cookie + field), as the sign-in form does.

    GET  /progress      the form
    POST /progress      the answer (or the form again with the one message for "not found")
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep
from api.errors import ApiError
from api.pages.web import PageError, render
from api.progress import NOT_FOUND, lookup
from storage.accounts import csrf_matches

COOKIE = "yc_progress"

router = APIRouter(include_in_schema=False)


def _page(request: Request, *, status: int = 200, **context) -> HTMLResponse:
    token = request.cookies.get(COOKIE) or ""
    if not (20 <= len(token) <= 64):  # keep a live token: a second tab or the back button still works
        token = secrets.token_urlsafe(24)
    response = render(request, "progress.html", status=status, progress_token=token, **context)
    response.set_cookie(COOKIE, token, max_age=1800, httponly=True, samesite="strict", path="/progress",
                        secure=request.app.state.settings.secure_cookies)
    return response


@router.get("/progress", response_class=HTMLResponse)
def form_page(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/progress", response_class=HTMLResponse)
async def answer(request: Request, settings: SettingsDep) -> HTMLResponse:
    form = await request.form()
    if not csrf_matches(request.cookies.get(COOKIE, ""), form.get("csrf_token")):
        raise PageError(403, "查询表单已失效，请刷新页面后重新查询", back="/progress")
    number = str(form.get("case_number", "")).strip()[:100]
    code = str(form.get("query_code", "")).strip()[:32]
    if not number or not code:
        return _page(request, status=422, message="请填写办件编号和查询码", case_number=number)
    try:
        found = lookup(request, settings, number, code)
    except ApiError as exc:  # rate.limited
        return _page(request, status=429, message=exc.message, case_number=number)
    if found is None:
        return _page(request, status=404, message=NOT_FOUND, case_number=number)
    return _page(request, progress=found, case_number=number)

"""The counter (窗口收件): open a case for an item, version and situation with the applicant; follow its checklist
while the document camera's scans are read (the page polls a small HTML fragment); act and print the notice.
Clerks only; a case of another hall answers 404 like one that does not exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.case_schemas import Agent, Applicant, CaseRequest
from api.counters import set_counter_case, valid_name
from api.deps import NowDep, ServicesDep, SettingsDep, TodayDep
from api.pages import acts, case_view, join_acts
from api.pages.web import PageError, checked_form, identity_of, render, require, see_other
from pipeline.errors import CaseRefused, YichuangError
from pipeline.settings import Settings
from storage.applicants import online_owners
from storage.models import CaseRow
from storage.repository import Identity
from workers.cases.opening import open_case
from workers.cases.records import case_timeline, visible
from workers.wiring import Services

OPEN_AT_COUNTER = ("received", "prereview", "correction", "decided")  # to receive, to correct, to hand out
COUNTER_COOKIE = "yc_counter"  # the counter this browser stands at, remembered for the next case

router = APIRouter(include_in_schema=False)


def _catalog_choices(svc: Services) -> list[dict]:
    out = []
    for code in svc.catalog.codes():
        for version in svc.catalog.versions(code):
            item = svc.catalog.get(code, version)
            out.append({"code": code, "version": version, "name": item.name,
                        "situations": [{"code": s.code, "name": s.name} for s in item.situations]})
    return out


@router.get("/counter", response_class=HTMLResponse)
def home(request: Request, svc: ServicesDep) -> HTMLResponse:
    return home_page(request, svc)


def home_page(request: Request, svc: Services, message: str = "", status: int = 200) -> HTMLResponse:
    """收件 (a new case) and 办件 (the hall's cases at the counter). `message`: why a new case was refused."""
    who = identity_of(require(request, "clerk"))
    rows = sorted(svc.cases.in_states(OPEN_AT_COUNTER, who.hall), key=lambda r: r.created_at, reverse=True)[:50]
    svc.repo.audit(who, "case.list", "case", "*", count=len(rows), via="pages")
    online = online_owners(svc.repo.engine, {r.owner_key_id for r in rows})  # 网上申报
    counter = unquote(request.cookies.get(COUNTER_COOKIE, ""))
    return render(request, "counter_home.html", status=status, items=_catalog_choices(svc), cases=rows, message=message,
                  states=case_view.case_states.STATES, online=online, counter=counter if valid_name(counter) else "")


def _case_request(form: dict, choice: str) -> CaseRequest:
    """The new case's item, version, situation, applicant and agent as the form gives them. Raises ValueError
    (pydantic's ValidationError among them) when the applicant's data do not fit."""
    code, _, version = choice.rpartition("@")
    situation = str(form.get("situation", ""))
    situation = situation.split("/", 1)[1] if situation.startswith(choice + "/") else situation
    applicant = Applicant(kind=form.get("applicant_kind") or "person", name=(form.get("applicant_name") or None),
                          id_number=(form.get("applicant_id_number") or "").strip().upper() or None,
                          credit_code=(form.get("applicant_credit_code") or "").strip().upper() or None)
    agent = Agent(name=form["agent_name"], id_number=form.get("agent_id_number") or None) \
        if form.get("agent_name") else None
    return CaseRequest(item=code, item_version=int(version) if version.isdigit() else None, situation=situation,
                       applicant=applicant, agent=agent)


@router.post("/counter/cases")
async def create(request: Request, svc: ServicesDep, now: NowDep):
    session = require(request, "clerk")
    form = await checked_form(request, session)
    who = identity_of(session)
    try:
        body = _case_request(form, str(form.get("item", "")))
        counter = str(form.get("counter") or "").strip()
        if counter and not valid_name(counter):
            return home_page(request, svc, message="窗口名称只能由文字、数字、- 和 _ 组成（至多 32 个字符）", status=422)
        opened = open_case(svc, who, item_code=body.item, item_version=body.item_version, situation=body.situation,
                           applicant=body.applicant.model_dump(exclude_none=True),
                           agent=body.agent.model_dump(exclude_none=True) if body.agent else None, at=now)
    except YichuangError as exc:
        return home_page(request, svc, message=exc.message, status=422)
    except ValueError:
        return home_page(request, svc, message="申请人信息格式有误，请检查后重试", status=422)
    if counter:  # the document camera's client of this counter sends its scans into this case
        set_counter_case(svc.repo, who, counter, opened.row.id)
    response = see_other(f"/counter/cases/{opened.row.id}")
    response.set_cookie(COUNTER_COOKIE, quote(counter), max_age=365 * 86400, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@dataclass(frozen=True)
class CaseContext:
    """A case page's data: who asks, the case row and its page view (api/pages/case_view.py build)."""
    who: Identity
    row: CaseRow
    view: dict


def case_context(request: Request, svc: Services, settings: Settings, today: dt.date, case_id: str,
                 roles: tuple[str, ...] = ("clerk",)) -> CaseContext:
    """Who calls it: the counter's and the back office's case pages. A case the person may not see is a 404."""
    who = identity_of(require(request, *roles))
    try:
        row = visible(svc.cases, who, case_id)
    except CaseRefused:
        raise PageError(404, "找不到该办件", back="/counter" if who.role == "clerk" else "/review") from None
    view = case_view.build(svc, row, who.role, settings.thresholds, case_timeline(svc.cases, row, svc.calendar, today))
    return CaseContext(who=who, row=row, view=view)


@router.get("/counter/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, today: TodayDep,
              done: str = "") -> HTMLResponse:
    ctx = case_context(request, svc, settings, today, case_id)
    svc.repo.audit(ctx.who, "case.read", "case", case_id, via="pages")
    online = bool(online_owners(svc.repo.engine, {ctx.row.owner_key_id}))  # 网上申报
    counter = unquote(request.cookies.get(COUNTER_COOKIE, ""))
    done_text = acts.DONE.get(done) or join_acts.DONE.get(done, "")
    return render(request, "counter_case.html", v=ctx.view, row=ctx.row, done=done_text, online=online,
                  counter=counter if valid_name(counter) else "",
                  preview_url=case_view.notice_preview_url(request.app, case_id, ctx.view["notice_kind"]),
                  notices=case_view.issued_notices(svc, case_id), history=case_view.history(svc, case_id))


@router.get("/counter/cases/{case_id}/checklist", response_class=HTMLResponse)
def checklist(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, today: TodayDep,
              since: str = ""):
    ctx = case_context(request, svc, settings, today, case_id)
    if since and since == ctx.view["signature"]:
        return Response(status_code=204)  # nothing changed, nothing shown: not a read of the case's data
    svc.repo.audit(ctx.who, "case.read", "case", case_id, via="pages.poll")
    return render(request, "_checklist.html", v=ctx.view, row=ctx.row)

"""The counter (窗口收件): open a case for an item, version and situation with the applicant; follow its checklist
while the document camera's scans are read (the page polls a small HTML fragment); act and print the notice.
Clerks only; a case of another hall answers 404 like one that does not exist."""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.case_schemas import Agent, Applicant, CaseRequest
from api.counters import set_counter_case, valid_name
from api.deps import request_now, services_of
from api.pages import acts, case_view, join_acts
from api.pages.web import PageError, checked_form, identity_of, render, require, see_other
from pipeline.errors import CaseRefused, YichuangError
from pipeline.interfaces import SHANGHAI
from pipeline.settings import Settings
from storage.applicants import online_owners
from workers.cases.opening import open_case
from workers.cases.records import case_timeline, visible

OPEN_AT_COUNTER = ("received", "prereview", "correction", "decided")  # to receive, to correct, to hand out
COUNTER_COOKIE = "yc_counter"  # the counter this browser stands at, remembered for the next case


def router_for(settings: Settings) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/counter", home(settings), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/counter/cases", create(settings), methods=["POST"])
    router.add_api_route("/counter/cases/{case_id}", case_page(settings), methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/counter/cases/{case_id}/checklist", checklist(settings), methods=["GET"],
                         response_class=HTMLResponse)
    router.include_router(acts.router_for(settings))
    router.include_router(join_acts.router_for(settings))
    return router


def _catalog_choices(svc) -> list[dict]:
    out = []
    for code in svc.catalog.codes():
        for version in svc.catalog.versions(code):
            item = svc.catalog.get(code, version)
            out.append({"code": code, "version": version, "name": item.name,
                        "situations": [{"code": s.code, "name": s.name} for s in item.situations]})
    return out


def home(settings: Settings):
    def get(request: Request) -> HTMLResponse:
        return home_page(request, settings)
    return get


def home_page(request: Request, settings: Settings, message: str = "", status: int = 200) -> HTMLResponse:
    """收件 (a new case) and 办件 (the hall's cases at the counter). `message`: why a new case was refused."""
    session = require(request, "clerk")
    svc = services_of(request.app)
    who = identity_of(session)
    rows = sorted(svc.cases.in_states(OPEN_AT_COUNTER, who.hall), key=lambda r: r.created_at, reverse=True)[:50]
    request.app.state.repo.audit(who, "case.list", "case", "*", count=len(rows), via="pages")
    online = online_owners(request.app.state.repo.engine, {r.owner_key_id for r in rows})  # 网上申报
    counter = unquote(request.cookies.get(COUNTER_COOKIE, ""))
    return render(request, "counter_home.html", status=status, items=_catalog_choices(svc), cases=rows, message=message,
                  states=case_view.case_states.STATES, online=online, counter=counter if valid_name(counter) else "")


def create(settings: Settings):
    async def post(request: Request):
        session = require(request, "clerk")
        form = await checked_form(request, session)
        svc = services_of(request.app)
        who = identity_of(session)
        choice = str(form.get("item", ""))
        code, _, version = choice.rpartition("@")
        situation = str(form.get("situation", ""))
        situation = situation.split("/", 1)[1] if situation.startswith(choice + "/") else situation
        try:
            applicant = Applicant(kind=form.get("applicant_kind") or "person", name=(form.get("applicant_name") or None),
                                  id_number=(form.get("applicant_id_number") or "").strip().upper() or None,
                                  credit_code=(form.get("applicant_credit_code") or "").strip().upper() or None)
            agent = Agent(name=form["agent_name"], id_number=form.get("agent_id_number") or None) \
                if form.get("agent_name") else None
            body = CaseRequest(item=code, item_version=int(version) if version.isdigit() else None, situation=situation,
                               applicant=applicant, agent=agent)
            counter = str(form.get("counter") or "").strip()
            if counter and not valid_name(counter):
                return home_page(request, settings, message="窗口名称只能由文字、数字、- 和 _ 组成（至多 32 个字符）", status=422)
            opened = open_case(svc, who, item_code=body.item, item_version=body.item_version, situation=body.situation,
                               applicant=body.applicant.model_dump(exclude_none=True),
                               agent=body.agent.model_dump(exclude_none=True) if body.agent else None,
                               at=request_now(request))
        except YichuangError as exc:
            return home_page(request, settings, message=exc.message, status=422)
        except ValueError:
            return home_page(request, settings, message="申请人信息格式有误，请检查后重试", status=422)
        if counter:  # the document camera's client of this counter sends its scans into this case
            set_counter_case(request.app.state.repo, who, counter, opened.row.id)
        response = see_other(f"/counter/cases/{opened.row.id}")
        response.set_cookie(COUNTER_COOKIE, quote(counter), max_age=365 * 86400, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response
    return post


def _case_context(request: Request, settings: Settings, case_id: str, roles: tuple[str, ...] = ("clerk",)) -> dict:
    """Who calls it: the counter's and the back office's case pages. A case the person may not see is a 404."""
    session = require(request, *roles)
    svc = services_of(request.app)
    who = identity_of(session)
    try:
        row = visible(svc.cases, who, case_id)
    except CaseRefused:
        raise PageError(404, "找不到该办件", back="/counter" if who.role == "clerk" else "/review") from None
    today = request_now(request).astimezone(SHANGHAI).date()
    view = case_view.build(svc, row, who.role, settings.thresholds, case_timeline(svc.cases, row, svc.calendar, today))
    return {"svc": svc, "who": who, "row": row, "view": view}


def case_page(settings: Settings):
    def get(case_id: str, request: Request, done: str = "") -> HTMLResponse:
        ctx = _case_context(request, settings, case_id)
        request.app.state.repo.audit(ctx["who"], "case.read", "case", case_id, via="pages")
        svc = ctx["svc"]
        online = bool(online_owners(request.app.state.repo.engine, {ctx["row"].owner_key_id}))  # 网上申报
        counter = unquote(request.cookies.get(COUNTER_COOKIE, ""))
        done_text = acts.DONE.get(done) or join_acts.DONE.get(done, "")
        return render(request, "counter_case.html", v=ctx["view"], row=ctx["row"], done=done_text, online=online,
                      counter=counter if valid_name(counter) else "",
                      preview_url=case_view.notice_preview_url(request.app, case_id, ctx["view"]["notice_kind"]),
                      notices=case_view.issued_notices(svc, case_id), history=case_view.history(svc, case_id))
    return get


def checklist(settings: Settings):
    def get(case_id: str, request: Request, since: str = ""):
        ctx = _case_context(request, settings, case_id)
        if since and since == ctx["view"]["signature"]:
            return Response(status_code=204)  # nothing changed, nothing shown: not a read of the case's data
        request.app.state.repo.audit(ctx["who"], "case.read", "case", case_id, via="pages.poll")
        return render(request, "_checklist.html", v=ctx["view"], row=ctx["row"])
    return get

"""The applicant's pages (网上申报), for a phone as much as a desk: choose a hall and a service item, answer who
is applying (the item's situations), upload each material of the checklist (a file or the phone's camera), get
the pre-review (预审) — every problem at once in the words the notices use — replace what was wrong, and follow
progress, notices and the case summary. Applicants see their own cases only: any other case, its images,
notices and summary answer 404, as if it did not exist.

Everything goes through the case layer the counter uses (workers/cases/): `open_case` (hall = the chosen hall, so
its clerks see the case in their queue), `intake.check_target` + `read_upload` + `intake.accept` (the workers read
it), `flow.perform` (预审), `notices.issue`. Every read and change is audited (`case.*`, via="apply").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.case_schemas import Applicant, CaseRequest
from api.deps import EnqueueDep, NowDep, ServicesDep, SettingsDep, TodayDep, read_upload
from api.halls import hall_config
from api.pages import applicant_view, case_view
from api.pages.web import PageError, WebSession, checked_form, render, require, see_other
from pipeline import case_states
from pipeline.decode import MEDIA_TYPES, sniff
from pipeline.errors import CaseRefused, YichuangError
from pipeline.settings import Settings
from storage.applicants import APPLICANT, owned_cases
from storage.case_discards import discard_upload
from storage.models import CaseRow
from storage.repository import Identity
from validators.notices_pdf import render as render_pdf
from workers.cases import intake, notices
from workers.cases.flow import perform
from workers.cases.opening import open_case
from workers.cases.records import case_timeline
from workers.wiring import Services

router = APIRouter(include_in_schema=False)
DONE = {"upload": "已上传，正在识别，预审结果会自动更新", "replace": "已更换材料，正在重新预审",
        "submitted": "已提交预审，窗口工作人员将据此受理"}


def _who(session: WebSession, hall: str = "") -> Identity:
    """The applicant acting on a case of `hall` (an applicant's account has no hall of its own)."""
    return Identity(key_id=session.account.key_row_id, role=APPLICANT, hall=hall, label="申请人")


def _own(request: Request, svc: Services, case_id: str) -> tuple[WebSession, CaseRow]:
    """(session, case row) of one of the applicant's own cases; any other case is a 404."""
    session = require(request, APPLICANT)
    row = svc.cases.get(case_id)
    if row is None or row.owner_key_id != session.account.key_row_id:
        raise PageError(404, "找不到该办件", back="/apply")
    return session, row


def _audit(svc: Services, who: Identity, action: str, case_id: str, **detail) -> None:
    svc.repo.audit(who, action, "case", case_id, via="apply", **detail)


@router.get("/apply", response_class=HTMLResponse)
def home(request: Request, svc: ServicesDep) -> HTMLResponse:
    session = require(request, APPLICANT)
    rows = owned_cases(svc.repo.engine, session.account.key_row_id)
    svc.repo.audit(_who(session), "case.list", "case", "*", count=len(rows), via="apply")
    return render(request, "applicant_home.html", cases=[applicant_view.summary_row(r) for r in rows],
                  done=DONE.get(request.query_params.get("done", ""), ""))


@router.get("/apply/new", response_class=HTMLResponse)
def new_case_form(request: Request, svc: ServicesDep, settings: SettingsDep) -> HTMLResponse:
    return _new_case_page(request, svc, settings)


def _new_case_page(request: Request, svc: Services, settings: Settings, message: str = "",
                   status: int = 200) -> HTMLResponse:
    """The form for a new case; `message`: why the last one was refused."""
    require(request, APPLICANT)
    return render(request, "applicant_new.html", status=status, message=message,
                  halls=applicant_view.open_halls(settings), items=applicant_view.catalog_choices(svc))


@router.post("/apply/cases")
async def create_case(request: Request, svc: ServicesDep, settings: SettingsDep, now: NowDep):
    session = require(request, APPLICANT)
    form = await checked_form(request, session)
    halls = {h.code for h in applicant_view.open_halls(settings)}
    hall = str(form.get("hall", ""))
    if hall not in halls:
        return _new_case_page(request, svc, settings, message="请选择办理的大厅", status=422)
    code, _, version = str(form.get("item", "")).rpartition("@")
    situation = str(form.get("situation", "")).rpartition("/")[2]
    try:
        applicant = Applicant(kind="person", name=str(form.get("applicant_name", "")).strip()[:200] or None,
                              id_number=str(form.get("applicant_id_number", "")).strip().upper() or None)
        body = CaseRequest(item=code, item_version=int(version) if version.isdigit() else None, situation=situation,
                           applicant=applicant)
        opened = await run_in_threadpool(
            lambda: open_case(svc, _who(session, hall), item_code=body.item, item_version=body.item_version,
                              situation=body.situation, applicant=body.applicant.model_dump(exclude_none=True),
                              agent=None, at=now))
    except YichuangError as exc:
        return _new_case_page(request, svc, settings, message=exc.message, status=422)
    except ValueError:
        return _new_case_page(request, svc, settings, message="申请人信息格式有误：请检查姓名和18位公民身份号码",
                              status=422)
    return see_other(f"/apply/cases/{opened.row.id}")


@dataclass(frozen=True)
class _CaseContext:
    """One of the applicant's own cases with its page view in citizen words (api/pages/applicant_view.py)."""

    who: Identity
    row: CaseRow
    v: dict


def _context(request: Request, svc: Services, settings: Settings, today: dt.date, case_id: str) -> _CaseContext:
    session, row = _own(request, svc, case_id)
    line = case_timeline(svc.cases, row, svc.calendar, today)
    view = case_view.build(svc, row, APPLICANT, settings.thresholds, line)
    return _CaseContext(who=_who(session, row.hall), row=row, v=applicant_view.citizen(view, row))


@router.get("/apply/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, today: TodayDep,
              done: str = "") -> HTMLResponse:
    ctx = _context(request, svc, settings, today, case_id)
    _audit(svc, ctx.who, "case.read", case_id)
    return render(request, "applicant_case.html", v=ctx.v, row=ctx.row, done=DONE.get(done, ""),
                  notices=case_view.issued_notices(svc, case_id),
                  progress=applicant_view.progress(svc, ctx.row))


@router.get("/apply/cases/{case_id}/status", response_class=HTMLResponse)
def status_fragment(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, today: TodayDep,
                    since: str = ""):
    ctx = _context(request, svc, settings, today, case_id)
    if since and since == ctx.v["signature"]:
        return Response(status_code=204)  # nothing changed, nothing shown
    _audit(svc, ctx.who, "case.read", case_id, poll=True)
    return render(request, "_applicant_status.html", v=ctx.v, row=ctx.row)


@router.post("/apply/cases/{case_id}/materials/{material}")
async def upload(case_id: str, material: str, request: Request, svc: ServicesDep, settings: SettingsDep,
                 enqueue: EnqueueDep, now: NowDep) -> RedirectResponse:
    """A file (or a phone photo) for one checklist line. `replace=<upload id>`: it takes the place of that earlier
    upload of the same case (left out of the assessment, kept on record), before the new one is read."""
    session, row = await run_in_threadpool(_own, request, svc, case_id)
    form = await checked_form(request, session)
    who, back = _who(session, row.hall), f"/apply/cases/{case_id}"
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        raise PageError(422, "请选择要上传的文件或拍照", back=back)
    try:
        await run_in_threadpool(intake.check_target, svc, who, case_id, material, None)
        incoming = await read_upload(file, settings, material=material)
    except YichuangError as exc:
        raise PageError(422, exc.message, back=back) from None
    replace = str(form.get("replace", ""))[:64]
    if replace:
        await run_in_threadpool(_retire, svc, who, case_id, replace, now)
    await run_in_threadpool(intake.accept, svc, enqueue, who, incoming, case_id=case_id, at=now)
    return see_other(f"{back}?done={'replace' if replace else 'upload'}#m-{material}")


def _retire(svc: Services, who: Identity, case_id: str, upload_id: str, at: dt.datetime) -> None:
    """The applicant's replacement of an earlier upload: recorded as a person's act, audited, and the case
    reassessed without it."""
    row = svc.cases.get(case_id)
    if row.status not in case_states.BEFORE_ACCEPTANCE:
        raise PageError(409, "办件已受理，不能再更换材料", back=f"/apply/cases/{case_id}")
    if not discard_upload(svc.cases, case_id, upload_id, at):
        raise PageError(422, "要更换的材料不属于本办件，或已被更换", back=f"/apply/cases/{case_id}")
    act = svc.cases.record_act(case_id, actor=who.key_id, role=who.role, kind="discard", at=at,
                               machine_value={"upload_id": upload_id}, person_value={"discarded": True},
                               reason="申请人更换材料")
    _audit(svc, who, "case.discard", case_id, act_id=act.id, upload_id=upload_id)
    svc.cases.reassess(case_id, svc.assessor)


@router.post("/apply/cases/{case_id}/submit")
async def submit(case_id: str, request: Request, svc: ServicesDep, now: NowDep) -> RedirectResponse:
    """提交预审: the case moves from 收件 to 预审 (the applicant's act of pipeline/case_states.py)."""
    session, row = await run_in_threadpool(_own, request, svc, case_id)
    await checked_form(request, session)
    who = _who(session, row.hall)
    try:
        event = await run_in_threadpool(lambda: perform(svc.cases, svc.calendar, case_id, "prereview", who,
                                                        at=now, reason="申请人网上提交预审"))
    except CaseRefused as exc:
        _audit(svc, who, "case.transition_refused", case_id, act="prereview", code=exc.code)
        raise PageError(409, exc.message, back=f"/apply/cases/{case_id}") from None
    _audit(svc, who, "case.transition", case_id, act=event.act, from_state=event.from_state,
           to_state=event.to_state, overridden=event.overridden, recommendation=event.recommendation)
    return see_other(f"/apply/cases/{case_id}?done=submitted")


@router.get("/apply/cases/{case_id}/documents/{document_id}/images/{n}", response_class=Response)
def page_image(case_id: str, document_id: str, n: int, request: Request, svc: ServicesDep) -> Response:
    session, row = _own(request, svc, case_id)
    document = next((s.document for s, _gone in svc.cases.all_submitted(case_id) if s.document.id == document_id), None)
    keys = document.image_keys if document else ()
    if not 0 <= n < len(keys) or not keys[n]:
        raise PageError(404, "找不到该页图像", back=f"/apply/cases/{case_id}")
    data = svc.store.get(keys[n])
    _audit(svc, _who(session, row.hall), "case.page_image", case_id, document=document_id, page=n)
    return Response(data, media_type=MEDIA_TYPES.get(sniff(data), "application/octet-stream"),
                    headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/apply/cases/{case_id}/notices/{kind}.pdf", response_class=Response)
def notice(case_id: str, kind: str, request: Request, svc: ServicesDep, settings: SettingsDep,
           today: TodayDep) -> Response:
    """A notice already issued for the case (受理通知书, 一次性告知书 …), as printed at the counter."""
    session, row = _own(request, svc, case_id)
    if kind not in {n["kind"] for n in case_view.issued_notices(svc, case_id)}:
        raise PageError(404, "该办件还没有这份通知书", back=f"/apply/cases/{case_id}")
    try:
        hall, seal = hall_config(settings, row.hall)
        data = notices.issue(svc, row, kind, hall=hall, seal_png=seal, preview=False, today=today)
    except CaseRefused as exc:
        raise PageError(404, exc.message, back=f"/apply/cases/{case_id}") from None
    _audit(svc, _who(session, row.hall), "case.notice", case_id, kind=kind, number=data.document_number)
    return Response(render_pdf(data), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{row.case_number}-{kind}.pdf"', "Cache-Control": "private, no-store"})


@router.get("/apply/cases/{case_id}/summary", response_class=HTMLResponse)
def summary(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, today: TodayDep) -> HTMLResponse:
    """The case summary in the applicant's words: materials as received, the progress, and the signed bundle
    the hall keeps (its date and fingerprint; the bundle itself is the hall's record)."""
    ctx = _context(request, svc, settings, today, case_id)
    _audit(svc, ctx.who, "case.summary", case_id)
    return render(request, "applicant_summary.html", v=ctx.v, row=ctx.row,
                  progress=applicant_view.progress(svc, ctx.row),
                  bundles=applicant_view.bundles(request.app, settings, case_id),
                  notices=case_view.issued_notices(svc, case_id))

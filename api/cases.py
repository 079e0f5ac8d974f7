"""Cases (办件) in the JSON API: create one for a service item and situation, add uploads (with hints) and
chip-reader records, read it with its documents, latest assessment, deadlines and flags, perform the acts of
the agency (transitions), correct readings, attest originals, list its history and download its notices.
Routes stay thin: authorise, call the case layer (workers/cases/) or the case repository, audit, answer.
Every call is audited, reads included; audit details never carry personal data.

    POST /api/v1/cases                              create (clerk, applicant, integrator, admin)
    GET  /api/v1/cases?state=&flag=&hall=&item=&created_from=&created_to=&cursor=&limit=
                                                    the caller's visible cases with flags (a hall's queue), a
                                                    page at a time (api/paging.py: Link / X-Next-Cursor)
    GET  /api/v1/cases/{id}                         case, documents, latest assessment, deadlines, flags
    POST /api/v1/cases/{id}/uploads                 multipart file + material/person hints (resubmissions
                                                    in a correction round supersede the earlier upload)
    POST /api/v1/cases/{id}/reader                  an ID card reader's record (clerk)
    POST /api/v1/cases/{id}/transitions             {"act", "reason", …} per pipeline/case_states.py
    POST /api/v1/cases/{id}/corrections             field / finding / manual_check (clerk, reviewer)
    POST /api/v1/cases/{id}/originals               originals seen, with counts (clerk)
    POST /api/v1/cases/{id}/evaluation              好差评 after delivery (applicant, clerk)
    GET  /api/v1/cases/{id}/history                 transitions, people's acts, assessments, superseded uploads
    GET  /api/v1/cases/{id}/notices/{kind}.pdf      acceptance | tolerance | correction | refusal (不予受理) |
                                                    refusal_decision (不予许可) | approval (准予许可) | completion
                                                    (办结) | commitment (容缺受理信用承诺书, for signature);
                                                    ?preview=1: before the act, watermarked, no number
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from api.auth import IdentityDep
from api.case_schemas import (
    NO_NUL, ActDone, CaseCreated, CaseHistory, CaseRequest, CaseSummary, CaseUploadAccepted, CaseView, CorrectionDone,
    CorrectionRequest, EvaluationRequest, OriginalsRequest, ReaderAccepted, ReaderRecord, TransitionDone,
    TransitionRequest, act_view, deadlines_view, event_view, public,
)
from api.contract import AUTHED, UPLOAD, CaseState, errors, pdf
from api.deps import EnqueueDep, NowDep, ServicesDep, TodayDep, read_upload
from api.errors import ApiError
from api.halls import hall_config
from api.paging import PageDep, fill, link_headers, paged, scope_of
from pipeline.case_states import STATES
from pipeline.decode import sniff
from pipeline.errors import InputError
from pipeline.interfaces import SHANGHAI
from storage.cases import CASE_KEYS
from storage.db import as_utc
from storage.paging import Scope
from storage.repository import Identity
from validators.notices_pdf import render
from workers.cases import acts, flow, intake, notices
from pipeline.errors import CaseRefused
from workers.cases.opening import open_case
from workers.cases.records import allowed_acts, case_timeline, visible
from workers.wiring import Services

logger = logging.getLogger(__name__)

DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


def _audit(svc: Services, who: Identity, action: str, case_id: str, **detail: Any) -> None:
    svc.repo.audit(who, action, "case", case_id, **detail)


@router.post("", status_code=201, response_model=CaseCreated, responses=errors(*AUTHED, 403))
def create_case(body: CaseRequest, who: IdentityDep, svc: ServicesDep, now: NowDep) -> CaseCreated:
    opened = open_case(svc, who, item_code=body.item, item_version=body.item_version, situation=body.situation,
                       applicant=body.applicant.model_dump(exclude_none=True),
                       agent=body.agent.model_dump(exclude_none=True) if body.agent else None, at=now)
    return CaseCreated(case_id=opened.row.id, case_url=f"/api/v1/cases/{opened.row.id}",
                       case_number=opened.row.case_number, item=opened.item.code, item_version=opened.item.version,
                       situation=body.situation,
                       assessment=opened.assessment.to_case_dict() if opened.assessment else None)


@dataclass(frozen=True)
class CaseFilters:
    states: tuple[str, ...] | None
    flag: str | None
    hall: str | None
    item: str | None
    created_from: dt.date | None
    created_to: dt.date | None


def case_filters(state: CaseState | None = None, flag: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
                 hall: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description="大厅（管理员可查各厅）")] = None,
                 item: Annotated[str | None, Query(max_length=100, pattern=NO_NUL, description="服务事项代码")] = None,
                 created_from: Annotated[str | None, Query(pattern=DATE, description="收件日期起（含，北京时间）")] = None,
                 created_to: Annotated[str | None, Query(pattern=DATE, description="收件日期止（含，北京时间）")] = None
                 ) -> CaseFilters:
    """The filters of GET /api/v1/cases; a hall other than the caller's narrows nothing but an admin's list."""
    return CaseFilters(states=(state,) if state else None, flag=flag, hall=hall, item=item,
                       created_from=_day(created_from, "created_from"), created_to=_day(created_to, "created_to"))


CaseFiltersDep = Annotated[CaseFilters, Depends(case_filters)]


def _day(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD parameter (text with a pattern: a bare number is not a date here, as lax parsing would have it)."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ApiError("request.invalid", f"{name} 不是有效日期（YYYY-MM-DD）", details={"fields": [f"query.{name}"]}) from None


def _shanghai_midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), SHANGHAI).astimezone(dt.timezone.utc) if day else None


def _list_scope(who: Identity, hall: str | None) -> Scope:
    """The rows the list walks: the caller's (api/paging.py scope_of), narrowed to one hall when asked."""
    scope = scope_of(who)
    if hall is not None and (scope.everything or hall in scope.halls):
        return Scope(halls=(hall,))
    if hall is not None:
        return Scope(owner=scope.owner)  # another hall: only the caller's own cases there (keep() narrows to it)
    return scope


@router.get("", response_model=list[CaseSummary], responses={**paged("一页办件（数组）；下一页见 Link / X-Next-Cursor"),
                                                             **errors(*AUTHED)})
def list_cases(who: IdentityDep, svc: ServicesDep, today: TodayDep, page: PageDep, response: Response,
               filters: CaseFiltersDep) -> list[dict[str, Any]]:
    """One page of the caller's visible cases, oldest first, with their flags; audited."""
    scope, flags_of = _list_scope(who, filters.hall), {}

    def keep(row) -> bool:
        if not who.can_see(row) or (filters.hall is not None and row.hall != filters.hall):
            return False
        flags_of[row.id] = [{"code": f.code, "message": f.message}
                            for f in case_timeline(svc.cases, row, svc.calendar, today).flags]
        return filters.flag is None or any(f["code"] == filters.flag for f in flags_of[row.id])

    found = fill(lambda after, n: svc.cases.page(
        after, n, scope=scope, states=filters.states, item=filters.item,
        created_from=_shanghai_midnight(filters.created_from),
        created_to=_shanghai_midnight(filters.created_to + dt.timedelta(days=1) if filters.created_to else None)),
        keys=CASE_KEYS, name="cases", page=page, keep=keep)
    link_headers(page, found, response)
    svc.repo.audit(who, "case.list", "case", "*", state=filters.states[0] if filters.states else None,
                   flag=filters.flag, count=len(found.rows), paged=page.cursor is not None)
    return [{"case_id": row.id, "case_number": row.case_number, "item": row.item_code, "item_name": row.service_item.name,
             "status": row.status, "status_label": STATES[row.status], "created_at": row.created_at.isoformat(),
             "flags": flags_of[row.id]} for row in found.rows]


@router.get("/{case_id}", response_model=CaseView, response_model_exclude_unset=True,  # superseded_by only when so
            responses=errors(*AUTHED, 404))
def get_case(case_id: str, who: IdentityDep, svc: ServicesDep, today: TodayDep) -> CaseView:
    row = visible(svc.cases, who, case_id)
    _audit(svc, who, "case.read", case_id)
    latest = svc.cases.latest(case_id)
    situation = row.service_item.situation(row.situation)
    superseded = svc.cases.superseded(case_id)
    uploads = [{"upload_id": u.id, "status": u.status, "material": u.material_hint, "person": u.person_hint,
                "documents_url": f"/api/v1/uploads/{u.id}",
                **({"superseded_by": superseded[u.id].superseded_by} if u.id in superseded else {})}
               for u in svc.cases.uploads(case_id)]
    documents = [public(d.document) for d in svc.cases.submitted(case_id)]
    line = case_timeline(svc.cases, row, svc.calendar, today)
    return CaseView(case_id=row.id, case_number=row.case_number, query_code=row.query_code, item=row.item_code,
                    item_version=row.item_version, item_name=row.service_item.name, situation=row.situation,
                    situation_name=situation.name if situation else row.situation, status=row.status, status_label=STATES.get(row.status, ""),
                    outcome=row.outcome, applicant=row.applicant, agent=row.agent,
                    created_at=row.created_at.isoformat(), uploads=uploads, documents=documents,
                    assessment=latest.assessment.to_case_dict() if latest else None, assessment_version=latest.version if latest else None,
                    deadlines=deadlines_view(line), flags=[{"code": f.code, "message": f.message} for f in line.flags],
                    allowed_acts=allowed_acts(row, who.role))


@router.post("/{case_id}/uploads", status_code=202, response_model=CaseUploadAccepted,
             responses=errors(*AUTHED, *UPLOAD, 403, 404, 409))
async def add_upload(case_id: str, who: IdentityDep, svc: ServicesDep, enqueue: EnqueueDep, now: NowDep,
                     file: Annotated[UploadFile, File(description="扫描件或电子文件")],
                     material: Annotated[str | None, Form(max_length=64, pattern=NO_NUL)] = None,
                     person: Annotated[str | None, Form(max_length=32, pattern=NO_NUL)] = None) -> dict[str, Any]:
    if who.role not in ("clerk", "applicant", "integrator", "admin"):
        raise ApiError("auth.forbidden", "审批人员不能上传材料")
    # Database, store and broker calls run in the thread pool: the event loop never waits on them.
    await run_in_threadpool(intake.check_target, svc, who, case_id, material, person)
    incoming = await read_upload(file, svc.settings, material=material, person=person)
    accepted = await run_in_threadpool(intake.accept, svc, enqueue, who, incoming, case_id=case_id, at=now)
    return {"upload_id": accepted.upload.id, "documents_url": f"/api/v1/uploads/{accepted.upload.id}",
            "superseded": accepted.superseded}


@router.post("/{case_id}/reader", status_code=201, response_model=ReaderAccepted,
             responses=errors(*AUTHED, 403, 404, 409))
def add_reader_record(case_id: str, body: ReaderRecord, who: IdentityDep, svc: ServicesDep, now: NowDep
                      ) -> dict[str, Any]:
    if who.role != "clerk":
        raise ApiError("auth.forbidden", "只有窗口工作人员可以录入读卡器信息")
    intake.check_target(svc, who, case_id, body.material, body.person)
    photo = _reader_photo(body.photo) if body.photo else None
    accepted = intake.add_reader_record(svc, who, case_id, record=body.model_dump(mode="json", exclude={"photo"}),
                                        photo=photo, material=body.material, person=body.person, at=now)
    return {"upload_id": accepted.upload.id, "documents": [public(d) for d in accepted.documents],
            "superseded": accepted.superseded,
            "assessment": accepted.assessment.to_case_dict() if accepted.assessment else None}


def _reader_photo(text: str) -> bytes:
    try:
        photo = base64.b64decode(text, validate=True)
        if sniff(photo) not in ("jpeg", "png", "bmp"):
            raise ValueError("not an image")
    except (ValueError, binascii.Error, InputError):
        raise ApiError("reader.invalid", "读卡器照片不是有效的图像（应为 base64 编码的 JPEG、PNG 或 BMP）") from None
    return photo


@router.post("/{case_id}/transitions", response_model=TransitionDone, responses=errors(*AUTHED, 403, 404, 409))
def transition(case_id: str, body: TransitionRequest, who: IdentityDep, svc: ServicesDep, now: NowDep
               ) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    try:
        event = flow.perform(svc.cases, svc.calendar, case_id, body.act, who, at=now, reason=body.reason,
                             clerk_number=body.clerk_number, commitment_signed=body.commitment_signed,
                             supplement_by=body.supplement_by, place=body.place, reason_code=body.reason_code)
    except CaseRefused as exc:
        _audit(svc, who, "case.transition_refused", case_id, act=body.act, code=exc.code)
        raise
    _audit(svc, who, "case.transition", case_id, act=event.act, from_state=event.from_state,
           to_state=event.to_state, overridden=event.overridden, recommendation=event.recommendation)
    return {"case_id": case_id, "status": event.to_state, "event": event_view(event)}


@router.post("/{case_id}/corrections", status_code=201, response_model=CorrectionDone,
             responses=errors(*AUTHED, 403, 404, 409))
def correct(case_id: str, body: CorrectionRequest, who: IdentityDep, svc: ServicesDep, now: NowDep) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    act, saved = acts.correct(svc.cases, svc.assessor, case_id, who, kind=body.kind, at=now, reason=body.reason,
                              document=body.document, field=body.field, value=body.value, finding=body.finding,
                              material=body.material, action=body.action)
    _audit(svc, who, "case.correction", case_id, act_id=act.id, kind=body.kind, document=body.document,
           field=body.field, finding=body.finding, material=body.material, finding_action=body.action)
    return {"act": act_view(act), "assessment": saved.to_case_dict() if saved else None}


@router.post("/{case_id}/originals", status_code=201, response_model=ActDone, responses=errors(*AUTHED, 403, 404, 409))
def originals(case_id: str, body: OriginalsRequest, who: IdentityDep, svc: ServicesDep, now: NowDep) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    act = acts.attest_originals(svc.cases, case_id, who, material=body.material, originals_seen=body.originals_seen,
                                copies_kept=body.copies_kept, at=now, reason=body.reason)
    _audit(svc, who, "case.originals", case_id, act_id=act.id, material=body.material,
           originals_seen=body.originals_seen, copies_kept=body.copies_kept)
    return {"act": act_view(act)}


@router.post("/{case_id}/evaluation", status_code=201, response_model=ActDone, responses=errors(*AUTHED, 403, 404, 409))
def evaluation(case_id: str, body: EvaluationRequest, who: IdentityDep, svc: ServicesDep, now: NowDep) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    act = acts.evaluate(svc.cases, case_id, who, rating=body.rating, comment=body.comment, at=now)
    _audit(svc, who, "case.evaluation", case_id, act_id=act.id, rating=body.rating)
    return {"act": act_view(act)}


@router.get("/{case_id}/history", response_model=CaseHistory, responses=errors(*AUTHED, 404))
def history(case_id: str, who: IdentityDep, svc: ServicesDep) -> dict[str, Any]:
    visible(svc.cases, who, case_id)
    _audit(svc, who, "case.history", case_id)
    superseded = svc.cases.superseded(case_id)
    return {
        "events": [event_view(e) for e in svc.cases.events(case_id)],
        "acts": [act_view(a) for a in svc.cases.acts(case_id)],
        "assessments": [{"version": a.version, "decision": a.decision, "created_at": a.created_at.isoformat()}
                        for a in svc.cases.history(case_id)],
        "superseded_uploads": [{"upload_id": r.upload_id, "material": r.material, "superseded_by": r.superseded_by,
                                "round": r.round, "at": as_utc(r.at).isoformat()} for r in superseded.values()],
        "documents": [{**public(d.document), "upload_id": d.upload_id, "superseded": gone}
                      for d, gone in svc.cases.all_submitted(case_id)],
    }


@router.get("/{case_id}/notices/{kind}.pdf", response_class=Response,
            responses={**pdf("通知书 / 决定书（PDF）；preview=1 为预览件"), **errors(*AUTHED, 403, 404, 409)})
def notice(case_id: str, kind: str, who: IdentityDep, svc: ServicesDep, today: TodayDep, preview: bool = False
           ) -> Response:
    row = visible(svc.cases, who, case_id)
    if who.role == "integrator":
        raise ApiError("auth.forbidden", "对接系统不能下载通知书")
    hall, seal = hall_config(svc.settings, row.hall)
    data = notices.issue(svc, row, kind, hall=hall, seal_png=seal, preview=preview, today=today)
    _audit(svc, who, "case.notice_preview" if preview else "case.notice", case_id, kind=kind,
           number=data.document_number, hall_configured=data.hall.configured)
    name = f"{row.case_number}-{kind}{'-preview' if preview else ''}.pdf"
    return Response(render(data), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})

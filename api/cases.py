"""Cases (办件) in the JSON API: create one for a service item and situation, add uploads (with hints) and
chip-reader records, read it with its documents, latest assessment, deadlines and flags, perform the acts of
the agency (transitions), correct readings, attest originals, list its history and download its notices.
Routes stay thin: authorise, call the workflow (workers/case_flow.py, workers/case_acts.py) or the case repository, audit, answer.
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
import json
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile

from api import auth
from api.case_schemas import (
    NO_NUL, ActDone, CaseCreated, CaseHistory, CaseRequest, CaseSummary, CaseUploadAccepted, CaseView, CorrectionDone,
    CorrectionRequest, EvaluationRequest, OriginalsRequest, ReaderAccepted, ReaderRecord, TransitionDone,
    TransitionRequest, act_view, deadlines_view, event_view, public,
)
from api.contract import AUTHED, UPLOAD, CaseState, errors, pdf
from api.auth import IdentityDep
from api.errors import ApiError
from api.paging import PageDep, PageRequest, fill, link_headers, paged, scope_of
from pipeline.interfaces import SHANGHAI
from pipeline.settings import Settings
from storage.cases import CASE_KEYS
from storage.db import as_utc
from storage.paging import Scope
from storage.repository import Identity

logger = logging.getLogger(__name__)

CREATORS = ("clerk", "applicant", "integrator", "admin")
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass
class CaseServices:
    """Built once per app on first use: the case repository, the catalog, the assessor, the work calendar."""

    cases: Any
    catalog: Any
    assessor: Any
    calendar: Any = None


def request_now(request: Request) -> dt.datetime:
    """The app's clock (tests set `app.state.clock`); UTC. POST /api/v1/documents stamps case uploads with it too."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock else dt.datetime.now(dt.timezone.utc)


def _today(request: Request) -> dt.date:
    return request_now(request).astimezone(SHANGHAI).date()


def _flow_errors(call, *args, **kwargs):
    from workers.case_flow import CaseFlowError

    try:
        return call(*args, **kwargs)
    except CaseFlowError as exc:
        raise ApiError(exc.code, exc.message) from None


def case_services(app, settings: Settings) -> CaseServices:
    """Built once per app on first use (the case routes and POST /api/v1/documents with a `case_id`)."""
    state = app.state
    if getattr(state, "case_services", None) is None:
        from api.licences import licence_library  # the same library the licence routes and the worker use
        from extractors import build_registry
        from pipeline.errors import ConfigurationError
        from storage.cases import CaseRepository
        from validators import build_checks
        from validators.assess import Assessor
        from validators.catalog import CatalogError, load_catalog
        from workers.case_flow import build_calendar

        try:
            catalog = load_catalog([settings.data_dir / "catalog"])
        except CatalogError as exc:  # an administrator's item file is broken: say so, do not guess
            logger.error("service-item catalog invalid: %d problems", len(exc.problems))
            raise ConfigurationError(detail="service-item catalog invalid (yichuang catalog validate)") from exc
        calendar = build_calendar(settings)  # the package's years plus the administrator's files
        state.case_services = CaseServices(
            cases=CaseRepository(state.repo.engine), catalog=catalog,
            assessor=Assessor(thresholds=settings.thresholds, types=build_registry(), calendar=calendar,
                              library=licence_library(app, settings), checks=build_checks()),
            calendar=calendar)
    return state.case_services


def accept_case_upload(app, settings: Settings, who: Identity, case_id: str, *, data: bytes, media_type: str,
                       filename: str, material: str | None, person: str | None, at: dt.datetime):
    """The one path by which a file joins a case, whether it came to POST /api/v1/cases/{id}/uploads or to
    POST /api/v1/documents with a `case_id`: the original stored first, the row committed `queued` (in a
    correction round, a material's earlier uploads superseded in the same transaction), audited, enqueued; if
    anything was superseded the case is reassessed at once. The caller has checked role, target and content.
    Returns (upload row, superseded upload ids)."""
    svc = case_services(app, settings)
    key = app.state.store.put(data, content_type=media_type)  # the original, first and unchanged
    queue = "counter" if who.role == "clerk" else "bulk"
    row, gone = svc.cases.add_upload(
        owner_key_id=who.key_id, hall=who.hall, case_id=case_id, object_key=key, sha256=key.split("/")[1],
        size=len(data), filename=(filename or "")[:500], media_type=media_type, material_hint=material,
        person_hint=person, queue=queue, received_at=at)
    app.state.repo.audit(who, "case.upload", "case", case_id, upload_id=row.id, size=len(data), material=material,
                         superseded=gone)
    try:
        app.state.enqueue(row.id, queue)
        app.state.repo.mark_enqueued(row.id)
    except Exception:  # noqa: BLE001 - the row stays queued; the sweeper enqueues it later
        logger.exception("enqueue failed for upload %s; the sweeper will retry", row.id)
    if gone:  # the superseded documents leave the assessment at once
        svc.cases.reassess(case_id, svc.assessor)
    return row, gone


def visible_case(svc: CaseServices, who: Identity, case_id: str):
    """The case if the caller may see it, else not_found (the same answer as for a case that does not exist)."""
    row = svc.cases.get(case_id)
    if row is None or not auth.can_see(who, row):
        raise ApiError("not_found", "找不到该办件")
    return row


def open_case(request: Request, svc: CaseServices, who: Identity, body: CaseRequest) -> CaseCreated:
    """Create a case and its empty checklist, audited. Who calls it: POST /api/v1/cases and the counter page."""
    from validators.catalog import item_snapshot

    if who.role not in CREATORS:
        raise ApiError("auth.forbidden", "审批人员不能创建办件")
    try:
        item = svc.catalog.get(body.item, body.item_version)
    except KeyError:
        raise ApiError("request.invalid", f"未知的服务事项或版本：{body.item}") from None
    if item.situation(body.situation) is None:
        choices = "、".join(f"{s.code}（{s.name}）" for s in item.situations)
        raise ApiError("request.invalid", f"办理情形应为 {choices} 之一")
    row = svc.cases.create(owner_key_id=who.key_id, hall=who.hall, item=item_snapshot(item), situation=body.situation,
                           applicant=body.applicant.model_dump(exclude_none=True),
                           agent=body.agent.model_dump(exclude_none=True) if body.agent else None, at=request_now(request))
    request.app.state.repo.audit(who, "case.create", "case", row.id, item=item.code, item_version=item.version,
                                 situation=body.situation, case_number=row.case_number)
    assessment = None
    try:  # the empty checklist at once: what the counter still has to collect
        saved = svc.cases.reassess(row.id, svc.assessor)
        assessment = saved.to_case_dict() if saved else None
    except Exception:  # noqa: BLE001 - the first finished upload assesses it again
        logger.exception("initial assessment of case %s failed", row.id)
    return CaseCreated(case_id=row.id, case_url=f"/api/v1/cases/{row.id}", case_number=row.case_number,
                       item=item.code, item_version=item.version, situation=body.situation, assessment=assessment)


def router_for(settings: Settings) -> APIRouter:
    """Who calls it: api.app.create_app (one include_router line)."""
    router = APIRouter(prefix="/api/v1/cases", tags=["cases"])

    # Used as a parameter default (`Depends(services)`), not inside an annotation: annotations are strings here
    # and FastAPI resolves them in the module, where this closure does not exist.
    def services(request: Request) -> CaseServices:
        return case_services(request.app, settings)

    visible = visible_case

    def audit(request: Request, who: Identity, action: str, case_id: str, **detail: Any) -> None:
        request.app.state.repo.audit(who, action, "case", case_id, **detail)

    @router.post("", status_code=201, response_model=CaseCreated, responses=errors(*AUTHED, 403))
    def create_case(body: CaseRequest, who: IdentityDep, request: Request,
                    svc: CaseServices = Depends(services)) -> CaseCreated:
        return open_case(request, svc, who, body)

    @router.get("", response_model=list[CaseSummary], responses={**paged("一页办件（数组）；下一页见 Link / X-Next-Cursor"),
                                                                 **errors(*AUTHED)})
    def list_cases(who: IdentityDep, request: Request, page: PageDep, response: Response,
                   filters: Annotated[CaseFilters, Depends(case_filters)],
                   svc: CaseServices = Depends(services)) -> list[dict[str, Any]]:
        return case_list(request, svc, who, page, response, filters)

    @router.get("/{case_id}", response_model=CaseView, response_model_exclude_unset=True,  # superseded_by only when so
                responses=errors(*AUTHED, 404))
    def get_case(case_id: str, who: IdentityDep, request: Request, svc: CaseServices = Depends(services)) -> CaseView:
        from pipeline.case_states import STATES
        from workers.case_flow import allowed_acts, case_timeline

        row = visible(svc, who, case_id)
        audit(request, who, "case.read", case_id)
        latest = svc.cases.latest(case_id)
        situation = next((s for s in row.item["situations"] if s["code"] == row.situation), {"name": row.situation})
        superseded = svc.cases.superseded(case_id)
        uploads = [{"upload_id": u.id, "status": u.status, "material": u.material_hint, "person": u.person_hint,
                    "documents_url": f"/api/v1/uploads/{u.id}",
                    **({"superseded_by": superseded[u.id].superseded_by} if u.id in superseded else {})}
                   for u in svc.cases.uploads(case_id)]
        documents = [public(d) for d in svc.cases.documents(case_id)]
        line = case_timeline(svc.cases, row, svc.calendar, _today(request))
        return CaseView(case_id=row.id, case_number=row.case_number, query_code=row.query_code, item=row.item_code,
                        item_version=row.item_version, item_name=row.item["name"], situation=row.situation,
                        situation_name=situation["name"], status=row.status, status_label=STATES.get(row.status, ""),
                        outcome=row.outcome, applicant=row.applicant, agent=row.agent,
                        created_at=row.created_at.isoformat(), uploads=uploads, documents=documents,
                        assessment=latest.body if latest else None, assessment_version=latest.version if latest else None,
                        deadlines=deadlines_view(line), flags=[{"code": f.code, "message": f.message} for f in line.flags],
                        allowed_acts=allowed_acts(row, who.role))

    @router.post("/{case_id}/uploads", status_code=202, response_model=CaseUploadAccepted,
                 responses=errors(*AUTHED, *UPLOAD, 403, 404, 409))
    async def add_upload(case_id: str, request: Request, who: IdentityDep,
                         file: Annotated[UploadFile, File(description="扫描件或电子文件")],
                         material: Annotated[str | None, Form(max_length=64, pattern=NO_NUL)] = None,
                         person: Annotated[str | None, Form(max_length=32, pattern=NO_NUL)] = None) -> dict[str, Any]:
        from api.app import read_upload  # api.app includes this router: import at call time
        from pipeline.decode import MEDIA_TYPES

        if who.role not in ("clerk", "applicant", "integrator", "admin"):
            raise ApiError("auth.forbidden", "审批人员不能上传材料")
        from starlette.concurrency import run_in_threadpool  # database, store, broker: never on the event loop

        await run_in_threadpool(check_upload_target, request.app, who, case_id, material, person)
        data, kind = await read_upload(file, settings.limits)
        row, gone = await run_in_threadpool(
            lambda: accept_case_upload(request.app, settings, who, case_id, data=data, media_type=MEDIA_TYPES[kind],
                                       filename=file.filename or "", material=material, person=person, at=request_now(request)))
        return {"upload_id": row.id, "documents_url": f"/api/v1/uploads/{row.id}", "superseded": gone}

    @router.post("/{case_id}/reader", status_code=201, response_model=ReaderAccepted,
                 responses=errors(*AUTHED, 403, 404, 409))
    def add_reader_record(case_id: str, body: ReaderRecord, who: IdentityDep, request: Request,
                          svc: CaseServices = Depends(services)) -> dict[str, Any]:
        from pipeline.decode import sniff
        from pipeline.errors import InputError
        from workers.case_acts import add_reader_record as add

        if who.role != "clerk":
            raise ApiError("auth.forbidden", "只有窗口工作人员可以录入读卡器信息")
        check_upload_target(request.app, who, case_id, body.material, body.person)
        photo = None
        if body.photo:
            try:
                photo = base64.b64decode(body.photo, validate=True)
                if sniff(photo) not in ("jpeg", "png", "bmp"):
                    raise ValueError("not an image")
            except (ValueError, binascii.Error, InputError):
                raise ApiError("reader.invalid", "读卡器照片不是有效的图像（应为 base64 编码的 JPEG、PNG 或 BMP）") from None
        record = body.model_dump(mode="json", exclude={"photo"})
        record["id_number"] = record["id_number"].upper()
        raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
        upload, documents, gone = _flow_errors(add, svc.cases, request.app.state.store, case_id, who, record=record,
                                               photo=photo, raw=raw, material=body.material, person=body.person,
                                               at=request_now(request))
        audit(request, who, "case.reader", case_id, upload_id=upload.id, superseded=gone)
        saved = svc.cases.reassess(case_id, svc.assessor)
        return {"upload_id": upload.id, "documents": [public(d) for d in documents], "superseded": gone,
                "assessment": saved.to_case_dict() if saved else None}

    @router.post("/{case_id}/transitions", response_model=TransitionDone, responses=errors(*AUTHED, 403, 404, 409))
    def transition(case_id: str, body: TransitionRequest, who: IdentityDep, request: Request,
                   svc: CaseServices = Depends(services)) -> dict[str, Any]:
        from workers.case_flow import perform

        visible(svc, who, case_id)
        try:
            event = _flow_errors(perform, svc.cases, svc.calendar, case_id, body.act, who, at=request_now(request),
                                 reason=body.reason, clerk_number=body.clerk_number,
                                 commitment_signed=body.commitment_signed, supplement_by=body.supplement_by,
                                 place=body.place, reason_code=body.reason_code)
        except ApiError as exc:
            audit(request, who, "case.transition_refused", case_id, act=body.act, code=exc.code)
            raise
        audit(request, who, "case.transition", case_id, act=event.act, from_state=event.from_state,
              to_state=event.to_state, overridden=event.overridden, recommendation=event.recommendation)
        return {"case_id": case_id, "status": event.to_state, "event": event_view(event)}

    @router.post("/{case_id}/corrections", status_code=201, response_model=CorrectionDone,
                 responses=errors(*AUTHED, 403, 404, 409))
    def correct(case_id: str, body: CorrectionRequest, who: IdentityDep, request: Request,
                svc: CaseServices = Depends(services)) -> dict[str, Any]:
        from workers.case_acts import correct as record

        visible(svc, who, case_id)
        act, saved = _flow_errors(record, svc.cases, svc.assessor, case_id, who, kind=body.kind, at=request_now(request),
                                  reason=body.reason, document=body.document, field=body.field, value=body.value,
                                  finding=body.finding, material=body.material, action=body.action)
        audit(request, who, "case.correction", case_id, act_id=act.id, kind=body.kind, document=body.document,
              field=body.field, finding=body.finding, material=body.material, finding_action=body.action)
        return {"act": act_view(act), "assessment": saved.to_case_dict() if saved else None}

    @router.post("/{case_id}/originals", status_code=201, response_model=ActDone,
                 responses=errors(*AUTHED, 403, 404, 409))
    def originals(case_id: str, body: OriginalsRequest, who: IdentityDep, request: Request,
                  svc: CaseServices = Depends(services)) -> dict[str, Any]:
        from workers.case_acts import attest_originals

        visible(svc, who, case_id)
        act = _flow_errors(attest_originals, svc.cases, case_id, who, material=body.material,
                           originals_seen=body.originals_seen, copies_kept=body.copies_kept, at=request_now(request),
                           reason=body.reason)
        audit(request, who, "case.originals", case_id, act_id=act.id, material=body.material,
              originals_seen=body.originals_seen, copies_kept=body.copies_kept)
        return {"act": act_view(act)}

    @router.post("/{case_id}/evaluation", status_code=201, response_model=ActDone,
                 responses=errors(*AUTHED, 403, 404, 409))
    def evaluation(case_id: str, body: EvaluationRequest, who: IdentityDep, request: Request,
                   svc: CaseServices = Depends(services)) -> dict[str, Any]:
        from workers.case_acts import evaluate

        visible(svc, who, case_id)
        act = _flow_errors(evaluate, svc.cases, case_id, who, rating=body.rating, comment=body.comment, at=request_now(request))
        audit(request, who, "case.evaluation", case_id, act_id=act.id, rating=body.rating)
        return {"act": act_view(act)}

    @router.get("/{case_id}/history", response_model=CaseHistory, responses=errors(*AUTHED, 404))
    def history(case_id: str, who: IdentityDep, request: Request, svc: CaseServices = Depends(services)) -> dict[str, Any]:
        visible(svc, who, case_id)
        audit(request, who, "case.history", case_id)
        superseded = svc.cases.superseded(case_id)
        return {
            "events": [event_view(e) for e in svc.cases.events(case_id)],
            "acts": [act_view(a) for a in svc.cases.acts(case_id)],
            "assessments": [{"version": a.version, "decision": a.decision, "created_at": a.created_at.isoformat()}
                            for a in svc.cases.history(case_id)],
            "superseded_uploads": [{"upload_id": r.upload_id, "material": r.material, "superseded_by": r.superseded_by,
                                    "round": r.round, "at": as_utc(r.at).isoformat()} for r in superseded.values()],
            "documents": [{**public(d), "upload_id": upload_id, "superseded": gone}
                          for d, upload_id, gone in svc.cases.all_documents(case_id)],
        }

    @router.get("/{case_id}/notices/{kind}.pdf", response_class=Response,
                responses={**pdf("通知书 / 决定书（PDF）；preview=1 为预览件"), **errors(*AUTHED, 403, 404, 409)})
    def notice(case_id: str, kind: str, who: IdentityDep, request: Request, preview: bool = False,
               svc: CaseServices = Depends(services)) -> Response:
        row = visible(svc, who, case_id)
        if who.role == "integrator":
            raise ApiError("auth.forbidden", "对接系统不能下载通知书")
        data = issue_notice(request.app, settings, svc, row, kind, preview=preview, today=_today(request))
        audit(request, who, "case.notice_preview" if preview else "case.notice", case_id, kind=kind,
              number=data.document_number, hall_configured=data.hall.configured)
        from validators.notices_pdf import render

        name = f"{row.case_number}-{kind}{'-preview' if preview else ''}.pdf"
        return Response(render(data), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})

    return router


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


def _day(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD parameter (text with a pattern: a bare number is not a date here, as lax parsing would have it)."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ApiError("request.invalid", f"{name} 不是有效日期（YYYY-MM-DD）", details={"fields": [f"query.{name}"]}) from None


def _shanghai_midnight(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), SHANGHAI).astimezone(dt.timezone.utc) if day else None


def case_list(request: Request, svc: CaseServices, who: Identity, page: PageRequest, response: Response,
              filters: CaseFilters) -> list[dict[str, Any]]:
    """GET /api/v1/cases: one page of the caller's visible cases, oldest first, with their flags; audited."""
    from pipeline.case_states import STATES
    from workers.case_flow import case_timeline

    today = _today(request)
    scope = scope_of(who)
    if filters.hall is not None and (scope.everything or filters.hall in scope.halls):
        scope = Scope(halls=(filters.hall,))
    elif filters.hall is not None:
        scope = Scope(owner=scope.owner)  # another hall: only the caller's own cases there (keep() narrows to it)
    flags_of = {}

    def keep(row) -> bool:
        if not auth.can_see(who, row) or (filters.hall is not None and row.hall != filters.hall):
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
    request.app.state.repo.audit(who, "case.list", "case", "*", state=filters.states[0] if filters.states else None,
                                 flag=filters.flag, count=len(found.rows), paged=page.cursor is not None)
    return [{"case_id": row.id, "case_number": row.case_number, "item": row.item_code, "item_name": row.item["name"],
             "status": row.status, "status_label": STATES[row.status], "created_at": row.created_at.isoformat(),
             "flags": flags_of[row.id]} for row in found.rows]


def issue_notice(app, settings: Settings, svc: CaseServices, row, kind: str, *, preview: bool, today: dt.date):
    """The NoticeData of a notice: a preview from the case as it stands (no number, no seal image), or the
    notice of its act with the hall's document number, taken the first time it is issued (gap-free per hall
    and year, storage/notice_numbers.py) and the same ever after."""
    from api.halls import hall_config
    from storage.notice_numbers import NoticeNumbers
    from validators.notices_pdf import NUMBERED
    from workers.case_acts import notice_data, notice_event
    from workers.case_flow import day_of

    hall, seal = hall_config(settings, row.hall)
    if preview or kind == "commitment":
        return _flow_errors(notice_data, svc.cases, row, kind, svc.calendar, hall=hall, today=today, preview=preview,
                            seal_png=seal)
    event = _flow_errors(notice_event, svc.cases, row, kind)
    number = None
    if hall.configured and kind in NUMBERED:
        year = day_of(event.at).year
        number = NoticeNumbers(app.state.repo.engine).allocate(
            hall=row.hall, year=year, case_id=row.id, kind=kind, event_id=event.id,
            number=lambda seq: hall.document_number(year, seq)).number
    return _flow_errors(notice_data, svc.cases, row, kind, svc.calendar, hall=hall, today=today,
                        document_number=number, seal_png=seal)


def check_upload_target(app, who: Identity, case_id: str | None, material: str | None, person: str | None) -> None:
    """Called by POST /api/v1/documents before anything is stored: the case must exist and be visible to the
    caller, and hints must name a material / person of the case's item and situation."""
    if case_id is None:
        return
    from pipeline.case_states import OPEN, STATES
    from storage.cases import CaseRepository
    from validators.catalog import item_from_snapshot

    row = CaseRepository(app.state.repo.engine).get(case_id)
    if row is None or not auth.can_see(who, row):
        raise ApiError("not_found", "找不到该办件")
    if row.status not in OPEN:  # as for chip-reader records: a closed case takes no more materials
        raise ApiError("case.transition_not_allowed", f"办件当前为“{STATES[row.status]}”状态，不能再提交材料")
    item = item_from_snapshot(row.item)
    codes = [m.code for m in item.materials_for(row.situation)]
    if material is not None and material not in codes:
        raise ApiError("request.invalid", f"材料代码应为该办件所需材料之一：{'、'.join(codes)}")
    if person is not None and person not in item.persons:
        raise ApiError("request.invalid", f"人员代码应为 {'、'.join(item.persons)} 之一")

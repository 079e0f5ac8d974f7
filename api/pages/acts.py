"""The forms of a case page, for clerks and reviewers alike: transitions, corrections, originals seen, discarding
a shot, adding a scan or a chip-reader record. Each checks the CSRF token, authorises like the JSON API (a case
of another hall answers 404), calls the case layer (workers/cases/), audits with the same actions as the JSON API, and sends the browser
back to the case page (303) with what happened, or shows the case layer's Chinese message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from pydantic import ValidationError

from api.case_schemas import ReaderRecord
from api.counters import set_counter_case, valid_name
from api.deps import EnqueueDep, NowDep, ServicesDep, SettingsDep, read_upload
from api.pages.web import HOMES, PageError, checked_form, identity_of, require, see_other
from pipeline.case_states import OPEN
from pipeline.errors import CaseRefused, YichuangError
from storage.models import CaseRow
from storage.repository import Identity
from workers.cases import acts, flow, intake
from workers.cases.records import visible
from workers.wiring import Services

DONE = {"act": "已办理", "correction": "已更正，并已重新核验", "originals": "已登记原件核验", "discard": "已作废该照片，并已重新核验",
        "upload": "已上传，正在识别", "reader": "已录入读卡器信息", "counter": "高拍仪拍摄的材料将送入本办件"}


def case_page(role: str, case_id: str) -> str:
    return f"/review/cases/{case_id}" if role == "reviewer" else f"/counter/cases/{case_id}"


def _text(form: dict[str, Any], name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return str(value).strip()[:limit] if isinstance(value, str) else ""


async def _prepare(request: Request, svc: Services, case_id: str,
                   roles: tuple[str, ...] = ("clerk", "reviewer")) -> tuple[Identity, dict[str, Any], CaseRow]:
    """Who calls it: every form of a case page. The person (in one of `roles`), the posted form (CSRF checked)
    and the case they may see; another hall's case is a 404."""
    session = require(request, *roles)
    form = await checked_form(request, session)
    who = identity_of(session)
    try:
        row = visible(svc.cases, who, case_id)
    except CaseRefused:
        raise PageError(404, "找不到该办件", back=HOMES.get(who.role, "/")) from None
    return who, form, row


def _run(who, case_id: str, call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except YichuangError as exc:
        raise PageError(409 if exc.code.startswith("case.") else 422, exc.message, back=case_page(who.role, case_id)) from None


def _back(who, case_id: str, what: str) -> RedirectResponse:
    return see_other(f"{case_page(who.role, case_id)}?done={what}")


router = APIRouter(prefix="/pages/cases/{case_id}", include_in_schema=False)


@router.post("/counter")
async def counter_form(case_id: str, request: Request, svc: ServicesDep):
    """Point this counter's document camera (`yichuang watch --counter NAME`) at this case: a case taken up again
    (补正, 出件) after another one was opened at the counter. Clerks only; an open case only."""
    who, form, row = await _prepare(request, svc, case_id, roles=("clerk",))
    counter = _text(form, "counter", 64)
    if not valid_name(counter):
        raise PageError(422, "窗口名称只能由文字、数字、- 和 _ 组成（至多 32 个字符）", back=case_page(who.role, case_id))
    if row.status not in OPEN:
        raise PageError(409, "办件已不再收取材料", back=case_page(who.role, case_id))
    set_counter_case(svc.repo, who, counter, case_id)
    return _back(who, case_id, "counter")


def _supplement_by(who: Identity, case_id: str, text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise PageError(422, "补交期限应为有效日期", back=case_page(who.role, case_id)) from None


@router.post("/act")
async def transition_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep):
    who, form, _row = await _prepare(request, svc, case_id)
    act = _text(form, "act", 32)
    supplement_by = _supplement_by(who, case_id, _text(form, "supplement_by", 10))
    try:
        event = _run(who, case_id, flow.perform, svc.cases, svc.calendar, case_id, act, who, at=now,
                     reason=_text(form, "reason"), clerk_number=who.label,
                     commitment_signed=form.get("commitment_signed") == "yes", supplement_by=supplement_by,
                     place=_text(form, "place", 200) or None)
    except PageError:
        svc.repo.audit(who, "case.transition_refused", "case", case_id, act=act, via="pages")
        raise
    svc.repo.audit(who, "case.transition", "case", case_id, act=event.act, from_state=event.from_state,
                   to_state=event.to_state, overridden=event.overridden, recommendation=event.recommendation,
                   via="pages")
    return _back(who, case_id, "act")


@router.post("/correction")
async def correction_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep):
    who, form, _row = await _prepare(request, svc, case_id)
    kind = _text(form, "kind", 16)
    value: Any = _text(form, "value", 500) or None
    if _text(form, "field", 64) == "signed" and value in ("true", "false"):
        value = value == "true"
    act, _saved = _run(who, case_id, acts.correct, svc.cases, svc.assessor, case_id, who, kind=kind, at=now,
                       reason=_text(form, "reason"), document=_text(form, "document", 64) or None,
                       field=_text(form, "field", 64) or None, value=value,
                       finding=_text(form, "finding", 64) or None, material=_text(form, "material", 64) or None,
                       action=_text(form, "action", 16) or None)
    svc.repo.audit(who, "case.correction", "case", case_id, act_id=act.id, kind=kind, document=act.document_id,
                   field=act.field, finding=act.finding, material=act.material, finding_action=act.action,
                   via="pages")
    return _back(who, case_id, "correction")


@router.post("/originals")
async def originals_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep):
    who, form, _row = await _prepare(request, svc, case_id, roles=("clerk",))
    try:
        seen, kept = int(_text(form, "originals_seen", 2) or 0), int(_text(form, "copies_kept", 2) or 0)
    except ValueError:
        raise PageError(422, "份数应为 0–99 的整数", back=case_page(who.role, case_id)) from None
    material = _text(form, "material", 64)
    act = _run(who, case_id, acts.attest_originals, svc.cases, case_id, who, material=material, originals_seen=seen,
               copies_kept=kept, at=now, reason=_text(form, "reason", 500))
    svc.repo.audit(who, "case.originals", "case", case_id, act_id=act.id, material=material, originals_seen=seen,
                   copies_kept=kept, via="pages")
    return _back(who, case_id, "originals")


@router.post("/discard")
async def discard_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep):
    who, form, _row = await _prepare(request, svc, case_id, roles=("clerk",))
    upload_id = _text(form, "upload_id", 64)
    act, _saved = _run(who, case_id, acts.discard, svc.cases, svc.assessor, case_id, who, upload_id=upload_id, at=now,
                       reason=_text(form, "reason", 500))
    svc.repo.audit(who, "case.discard", "case", case_id, act_id=act.id, upload_id=upload_id, via="pages")
    return _back(who, case_id, "discard")


@router.post("/upload")
async def upload_form(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, enqueue: EnqueueDep,
                      now: NowDep):
    """A scan from the page (a tablet's camera or a file), hinted to a material: the camera's path, same checks."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.limits.max_upload_bytes + 64 * 1024:
        raise PageError(413, "文件过大，请压缩后再上传", back=f"/counter/cases/{case_id}")
    who, form, _row = await _prepare(request, svc, case_id, roles=("clerk",))
    file = form.get("file")
    material = _text(form, "material", 64) or None
    if file is None or isinstance(file, str):
        raise PageError(422, "请选择要上传的文件", back=case_page(who.role, case_id))
    try:
        intake.check_target(svc, who, case_id, material, None)
        incoming = await read_upload(file, settings, material=material)
    except YichuangError as exc:
        raise PageError(422, exc.message, back=case_page(who.role, case_id)) from None
    intake.accept(svc, enqueue, who, incoming, case_id=case_id, at=now)
    return _back(who, case_id, "upload")


READER_FIELDS = ("name", "sex", "ethnicity", "birth_date", "address", "id_number", "issuing_authority", "valid_from",
                 "valid_until", "material", "person", "device")


@router.post("/reader")
async def reader_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep):
    """An ID card reader's record (二代证阅读器) entered at the counter: the same checks and records as
    POST /api/v1/cases/{id}/reader (workers/cases/intake.py), then the case is reassessed at once."""
    who, form, _row = await _prepare(request, svc, case_id, roles=("clerk",))
    values = {k: _text(form, k, 300) for k in READER_FIELDS if _text(form, k, 300)}
    try:
        body = ReaderRecord.model_validate(values)
        intake.check_target(svc, who, case_id, body.material, body.person)
    except ValidationError:
        raise PageError(422, "读卡信息不完整或格式有误（日期写作 YYYY-MM-DD，有效期截止可填“长期”）",
                        back=case_page(who.role, case_id)) from None
    except YichuangError as exc:
        raise PageError(422, exc.message, back=case_page(who.role, case_id)) from None
    _run(who, case_id, intake.add_reader_record, svc, who, case_id,
         record=body.model_dump(mode="json", exclude={"photo"}), photo=None, material=body.material,
         person=body.person, at=now, via="pages")
    return _back(who, case_id, "reader")

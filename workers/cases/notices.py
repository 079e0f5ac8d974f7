"""Notices of a case (通知书、决定书): which act each kind records, the data printed on it (citizen words only),
and its issue with the hall's gap-free document number. Who calls it: the notice route (api/cases.py), the
review page and the bundle. Errors as CaseRefused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pipeline.assessment import STATUS_LABELS, MaterialResult
from pipeline.workdays import WorkCalendar, YearNotCovered
from pipeline.errors import NOT_FOUND, CaseRefused
from storage.cases import CaseRepository
from storage.notice_numbers import NoticeNumbers
from validators.halls import Hall
from validators.notice import citizen_problem, citizen_status
from validators.notices_pdf import NUMBERED, NoticeData, NoticeMaterial
from workers.cases.records import day_of, latest_acts
from workers.wiring import Services


def materials_attested(cases: CaseRepository, case_id: str, materials: Sequence[MaterialResult]) -> list[dict[str, Any]]:
    """Per material: its status in words, originals seen and copies kept as attested, whether checked by hand.
    Who calls it: the notices here and the review page (api/pages/review.py)."""
    attested = latest_acts(cases, case_id, "original_seen")
    out = []
    for m in materials:
        seen = attested.get(m.code)
        counts = seen.person_value if seen else {}
        out.append({"code": m.code, "name": m.name, "status": m.status,
                    "status_label": STATUS_LABELS.get(m.status, m.status),
                    "originals_seen": int(counts.get("originals_seen", 0)), "copies_kept": int(counts.get("copies_kept", 0)),
                    "by_hand": any(f.code == "material.checked_by_hand" for f in m.findings)})
    return out



NOTICE_ACTS = {
    "acceptance": ("accept",),
    "tolerance": ("accept_tolerance",),
    "correction": ("request_correction", "return_for_correction", "lapse_to_correction"),
    "refusal": ("not_accept",),
    "refusal_decision": ("refuse", "lapse_to_refusal"),  # 不予许可决定书: refused after review
    "approval": ("approve",),  # 准予行政许可决定书 (an item of type 行政许可)
    "completion": ("approve",),  # 办结通知书 (any other item)
    "commitment": ("accept_tolerance",),  # 容缺受理信用承诺书: printed for signature before, kept after
}
ACCEPT_ACTS = ("accept", "accept_tolerance")


def notice_kind_check(row, kind: str) -> None:
    if kind not in NOTICE_ACTS:
        raise CaseRefused(NOT_FOUND, f"通知书类型应为 {'、'.join(NOTICE_ACTS)} 之一")
    licence = row.service_item.item_type == "行政许可"
    if kind == "approval" and not licence:
        raise CaseRefused(NOT_FOUND, "本事项不是行政许可，办结时出具办结通知书（completion）")
    if kind == "completion" and licence:
        raise CaseRefused(NOT_FOUND, "本事项为行政许可，准予许可时出具准予行政许可决定书（approval）")
    if kind in ("commitment", "tolerance") and not row.service_item.allows_tolerance:
        raise CaseRefused(NOT_FOUND, "本事项不适用容缺受理")


def notice_event(cases: CaseRepository, row, kind: str):
    """The act a notice of `kind` records (the latest of its acts), or CaseRefused not_found."""
    notice_kind_check(row, kind)
    events = [e for e in cases.events(row.id) if e.act in NOTICE_ACTS[kind]]
    if not events:
        raise CaseRefused(NOT_FOUND, "该办件尚未出具此类通知书（可使用 ?preview=1 预览）")
    return events[-1]


def notice_data(cases: CaseRepository, row, kind: str, calendar: WorkCalendar, *, hall, today: dt.date | None = None,
                preview: bool = False, document_number: str | None = None, seal_png: bytes | None = None):
    """The notice of `kind` as issued by the latest act of that kind, from the assessment the clerk saw then;
    with `preview`, as it would read if the act were done `today` on the latest assessment (no act needed).
    Only citizen words: statuses per validators.notice.citizen_status, problems per finding code, no clerk's
    internal reason (refusals print their stated reason and the basis of its code)."""
    notice_kind_check(row, kind)
    if preview:
        event = None
    elif kind == "commitment":  # printed for signature before 容缺受理; after it, as it was signed
        event = next((e for e in reversed(cases.events(row.id)) if e.act in NOTICE_ACTS[kind]), None)
    else:
        event = notice_event(cases, row, kind)
    if event is not None:
        saved = next((a for a in cases.history(row.id) if a.version == event.assessment_version), None) or cases.latest(row.id)
        issued_on = day_of(event.at)
    else:
        saved, issued_on = cases.latest(row.id), today or day_of(dt.datetime.now(dt.timezone.utc))
    materials = saved.assessment.materials if saved else ()
    item = row.service_item
    situation = item.situation(row.situation)
    detail = event.detail if event is not None else {}
    applicant = row.applicant or {}
    organisation = applicant.get("kind") == "organisation"
    supplement_by = detail.get("supplement_by")
    history = cases.events(row.id)
    before = (lambda e: e.id < event.id) if event is not None else (lambda e: True)
    return NoticeData(
        kind=kind, hall=hall, place=detail.get("place") or "", case_number=row.case_number or row.id,
        item_name=item.name, situation_name=situation.name if situation else row.situation,
        applicant_name=applicant.get("name") or "申请人", applicant_id=None if organisation else applicant.get("id_number"),
        applicant_code=applicant.get("credit_code") if organisation else None, issued_on=issued_on,
        received_on=day_of(row.created_at), clerk_number=event.actor_label if event is not None else "________",
        query_code=row.query_code or "", materials=_notice_materials(cases, row, materials, kind),
        legal_basis=tuple(item.legal_basis), **_reasons(row, kind, event),
        problems=_problems(row, materials) if kind == "correction" else (),
        supplement_by=dt.date.fromisoformat(supplement_by) if supplement_by else None,
        tolerance=_tolerance(materials, detail, kind), **_limit(row, kind, issued_on, calendar),
        accepted_on=next((day_of(e.at) for e in reversed(history) if e.act in ACCEPT_ACTS and before(e)), None),
        document_number=document_number, preview=preview, seal_png=seal_png,
        result_name=item.result.name if item.result and kind in ("approval", "completion") else "")


def _notice_materials(cases: CaseRepository, row, materials: Sequence[MaterialResult], kind: str):
    return tuple(NoticeMaterial(m["name"], citizen_status(kind, m["status"]), m["originals_seen"], m["copies_kept"],
                                m["by_hand"]) for m in materials_attested(cases, row.id, materials))


def _problems(row, materials: Sequence[MaterialResult]) -> tuple[str, ...]:
    """Every definite problem in the applicant's words (the clerk's own reason for the act never prints)."""
    standards = {m.code: m.standard for m in row.service_item.materials}
    return tuple(citizen_problem(m, standards.get(m.code, "")) for m in materials if m.status in ("missing", "invalid"))


def _reasons(row, kind: str, event) -> dict[str, Any]:
    """A refusal's stated reason and the legal basis of its reason code (catalog `refusal_reasons`)."""
    if kind not in ("refusal", "refusal_decision"):
        return {}
    if event is None:
        return {"reasons": "（由工作人员作出决定时填写）"}
    code = event.detail.get("reason_code")
    found = next((r for r in row.service_item.refusal_reasons if r.code == code), None)
    if found is None:
        return {"reasons": event.reason}
    stated = found.label + ("" if event.reason in ("", found.label) else f"。{event.reason}")
    return {"reasons": stated, "basis": tuple(found.basis)}


def _tolerance(materials: Sequence[MaterialResult], detail: dict[str, Any], kind: str) -> tuple:
    if kind not in ("tolerance", "commitment"):
        return ()
    if detail.get("tolerance"):
        items = detail["tolerance"]
    else:  # a preview (or the commitment before the act): the materials tolerated now, with their dues
        return tuple((m.name, m.due) for m in materials if m.status == "tolerated")
    return tuple((t["name"], dt.date.fromisoformat(t["due"]) if t.get("due") else None) for t in items)


def _limit(row, kind: str, issued_on: dt.date, calendar: WorkCalendar) -> dict[str, Any]:
    limit = row.service_item.promised_limit
    if kind not in ("acceptance", "tolerance"):
        return {"promised_unit": limit.unit}
    try:
        due = (calendar.add_working_days(issued_on, limit.days) if limit.unit == "工作日"
               else issued_on + dt.timedelta(days=limit.days))
    except YearNotCovered:
        due = None  # printed as to be fixed by a person
    return {"promised_days": limit.days, "promised_unit": limit.unit, "decision_due": due}


def issue(svc: Services, row, kind: str, *, hall: Hall, seal_png: bytes | None, preview: bool, today: dt.date
          ) -> NoticeData:
    """The NoticeData of a notice: a preview from the case as it stands (no number, no seal image), or the
    notice of its act with the hall's document number, taken the first time it is issued (gap-free per hall
    and year, storage/notice_numbers.py) and the same ever after. Who calls it: GET .../notices/{kind}.pdf."""
    cases, calendar = svc.cases, svc.calendar
    if preview or kind == "commitment":
        return notice_data(cases, row, kind, calendar, hall=hall, today=today, preview=preview, seal_png=seal_png)
    event = notice_event(cases, row, kind)
    number = None
    if hall.configured and kind in NUMBERED:
        year = day_of(event.at).year
        number = NoticeNumbers(svc.repo.engine).allocate(
            hall=row.hall, year=year, case_id=row.id, kind=kind, event_id=event.id,
            number=lambda seq: hall.document_number(year, seq)).number
    return notice_data(cases, row, kind, calendar, hall=hall, today=today, document_number=number, seal_png=seal_png)

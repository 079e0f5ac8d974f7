"""The case workflow: the one place that moves a case between states (the API, the pages and the deadline
sweeper call it); people's other acts are in workers/cases/acts.py. Each function checks the act against the
transition table and the case's records, records it through storage.cases.CaseRepository (who, when, opinion,
what the machine recommended, the machine's value beside the person's), and reassesses when the act changes
what the assessment reads.

Errors are `CaseRefused` (pipeline/errors.py) with a stable code and a Chinese message for the clerk.
`at` is always explicit; days are judged in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pipeline import case_states
from pipeline.assessment import DECISION_LABELS, Assessment
from pipeline.service_item import RefusalReason
from pipeline.workdays import WorkCalendar, YearNotCovered
from pipeline.errors import (
    COMMITMENT_MISSING, LAPSE_NOT_AS_ITEM, NOTHING_TOLERATED, NOT_ASSESSED, NOT_FOUND, ORIGINALS_UNATTESTED,
    REASON_REQUIRED, REQUEST_INVALID, STATE_CHANGED, TOLERANCE_NOT_ALLOWED, TOLERANCE_NOT_LAPSED,
    TOLERANCE_OUTSTANDING, CaseRefused,
)
from storage.cases import CaseRepository
from storage.repository import Identity
from validators.consistency import name_key
from validators.vocabulary import COMMITMENT_TYPE
from workers.cases.records import SYSTEM, case_materials, day_of, latest_acts, tolerance_dues
from workers.wiring import Services

logger = logging.getLogger(__name__)

ORIGINALS_NOT_NEEDED = ("from_library", "not_provided", "missing", "tolerated")


def perform(cases: CaseRepository, calendar: WorkCalendar, case_id: str, act: str, who: Identity, *, at: dt.datetime,
            reason: str = "", clerk_number: str | None = None, commitment_signed: bool = False,
            supplement_by: dt.date | None = None, place: str | None = None, reason_code: str | None = None):
    """Perform a transition. Returns the recorded event. Raises CaseRefused. `reason_code` names one of the
    item's refusal reasons (不予受理 / 不予许可): its legal basis goes on the notice, its label stands in for an
    empty reason."""
    row = cases.get(case_id)
    if row is None:
        raise CaseRefused(NOT_FOUND, "找不到该办件")
    transition = case_states.check(act, row.status, who.role)  # CaseRefused: unknown act, role, state
    latest = cases.latest(case_id)
    recommendation = latest.decision if latest else None
    overridden = case_states.is_override(act, recommendation)
    reason = (reason or "").strip()
    refusal = _refusal_reason(row, act, reason_code)
    if refusal is not None and not reason:
        reason = refusal.label
    if (transition.reason_required or overridden) and not reason:
        why = (f"系统建议为“{_decision_label(recommendation)}”，改为“{transition.label}”须填写理由" if overridden
               else f"“{transition.label}”须填写理由或意见")
        raise CaseRefused(REASON_REQUIRED, why)
    today = day_of(at)
    detail: dict[str, Any] = {}
    if refusal is not None:
        detail["reason_code"] = refusal.code
    if place:
        detail["place"] = place
    if supplement_by:
        if supplement_by < today:  # printed on the one-time notice: a day already past tells the applicant nothing
            raise CaseRefused(REQUEST_INVALID, f"补交期限（{supplement_by.isoformat()}）不能早于今天")
        detail["supplement_by"] = supplement_by.isoformat()
    if act in ("accept", "accept_tolerance"):
        if latest is None:
            raise CaseRefused(NOT_ASSESSED, "办件尚未完成材料核验，请稍后再办理受理")
        _check_originals(cases, row, latest.assessment)
    if act == "accept_tolerance":
        if not row.service_item.allows_tolerance:
            raise CaseRefused(TOLERANCE_NOT_ALLOWED, "本事项不适用容缺受理")
        # 容缺受理信用承诺书: the clerk's word or a signed scan in the case, also recorded as an act below
        detail["commitment"] = _commitment(cases, row, commitment_signed)
        detail["tolerance"] = _tolerance_at_acceptance(row, latest.assessment, calendar, today)
    if act == "approve":
        owed = [t.name for t in tolerance_dues(cases, row, latest.assessment if latest else None) if not t.supplied]
        if owed:
            raise CaseRefused(TOLERANCE_OUTSTANDING, f"容缺材料尚未补交：{'、'.join(owed)}，不能准予许可")
    if act in ("lapse_to_correction", "lapse_to_refusal"):
        lapsed = [t for t in tolerance_dues(cases, row, latest.assessment if latest else None)
                  if t.due is not None and not t.supplied and today > t.due]
        if not lapsed:
            raise CaseRefused(TOLERANCE_NOT_LAPSED, "没有逾期未补交的容缺材料")
        if act != case_states.LAPSE_ACTS[_on_lapse(row, cases)]:
            raise CaseRefused(LAPSE_NOT_AS_ITEM, "本事项规定的容缺逾期处理方式与所选操作不一致")
    event = cases.transition(case_id, transition, expected_state=row.status, actor=who.key_id, role=who.role,
                             actor_label=clerk_number or who.label, reason=reason, recommendation=recommendation,
                             overridden=overridden, assessment_version=latest.version if latest else None,
                             detail=detail, at=at)
    if event is None:
        raise CaseRefused(STATE_CHANGED, "办件状态已被他人更改，请刷新后重试")
    if act == "accept_tolerance":
        scanned = detail["commitment"].get("document_id")
        person = {"signed": True, "materials": [t["material"] for t in detail["tolerance"]]}
        cases.record_act(case_id, actor=who.key_id, role=who.role, kind="commitment", at=at,
                         machine_value={"commitment_required": True},
                         person_value=person | ({"document_id": scanned} if scanned else {}),
                         reason="申请人已签署《容缺受理信用承诺书》" + ("（已扫描存档）" if scanned else ""))
    return event


def _refusal_reason(row, act: str, code: str | None) -> RefusalReason | None:
    if not code:
        return None
    reasons = [r for r in row.service_item.refusal_reasons if r.act == act]
    found = next((r for r in reasons if r.code == code), None)
    if found is None:
        choices = "、".join(f"{r.code}（{r.label}）" for r in reasons) or "无（本事项未规定，本操作不需要理由代码）"
        raise CaseRefused(REQUEST_INVALID, f"理由代码应为 {choices} 之一")
    return found


def _decision_label(decision: str | None) -> str:
    return DECISION_LABELS.get(decision or "", "无")


def _check_originals(cases: CaseRepository, row, assessment: Assessment) -> None:
    """受理 needs the clerk's attestation that each original the item asks for was seen (with the count)."""
    attested = latest_acts(cases, row.id, "original_seen")
    unattested = []
    for m in assessment.materials:
        need = m.originals
        if need <= 0 or m.status in ORIGINALS_NOT_NEEDED:
            continue
        act = attested.get(m.code)
        if act is None or int((act.person_value or {}).get("originals_seen", 0)) < need:
            unattested.append(f"{m.name}（原件{need}份）")
    if unattested:
        raise CaseRefused(ORIGINALS_UNATTESTED, f"请先核验并登记原件：{'、'.join(unattested)}")


def _commitment(cases: CaseRepository, row, signed_by_clerk: bool) -> dict[str, Any]:
    """The evidence of the signed 容缺受理信用承诺书: the clerk's word (`commitment_signed`), or the latest scan of
    type `tolerance_commitment` in the case whose `signed` is true and whose 承诺人 (when read) is the case's
    applicant (names compared as validators/consistency does). Otherwise case.commitment_missing, saying why."""
    if signed_by_clerk:
        return {"signed": True, "evidence": "clerk"}
    why = "容缺受理须由申请人签署《容缺受理信用承诺书》"
    applicant = name_key((row.applicant or {}).get("name") or "")
    for document in reversed([d.document for d in cases.submitted(row.id)]):
        if document.type != COMMITMENT_TYPE:
            continue
        committer = document.value("applicant_name")
        signed = document.value("signed")
        if signed is None:  # a born-digital PDF cannot show handwriting: a person checks
            why = "已收取的《容缺受理信用承诺书》无法确认是否签字，请核对原件后确认申请人已签署"
        elif signed is not True:
            why = "已收取的《容缺受理信用承诺书》承诺书未签字，请申请人签字后重新扫描"
        elif committer and applicant and name_key(committer) != applicant:
            why = "已收取的《容缺受理信用承诺书》承诺人与申请人不一致，请由申请人本人签署"
        else:
            return {"signed": True, "evidence": "document", "document_id": document.id}
    raise CaseRefused(COMMITMENT_MISSING, why)


def _tolerance_at_acceptance(row, assessment: Assessment, calendar: WorkCalendar, today: dt.date
                             ) -> list[dict[str, Any]]:
    """What 容缺受理 promises, per tolerated material: kept as the event's JSON detail (the notices print it)."""
    materials = case_materials(row)
    out = []
    for m in assessment.materials:
        spec = materials.get(m.code)
        tolerance = spec.tolerance if spec is not None else None
        if m.status != "tolerated" or spec is None or spec.necessity != "tolerable" or tolerance is None:
            continue
        entry: dict[str, Any] = {"material": m.code, "name": m.name, "due": None,
                                 "working_days": tolerance.deadline_working_days, "on_lapse": tolerance.on_lapse}
        try:
            entry["due"] = calendar.add_working_days(today, tolerance.deadline_working_days).isoformat()
        except YearNotCovered as exc:
            entry["year_not_covered"] = exc.year  # flagged, never guessed
        out.append(entry)
    if not out:
        raise CaseRefused(NOTHING_TOLERATED, "没有可容缺后补的材料，不能容缺受理")
    return out


def _on_lapse(row, cases: CaseRepository) -> str:
    accepted = [e for e in cases.events(row.id) if e.act == "accept_tolerance"]
    ways = {t.get("on_lapse", "correction") for t in (accepted[-1].detail.get("tolerance", []) if accepted else [])}
    return "refused" if "refused" in ways else "correction"


def sweep_lapses(cases: CaseRepository, calendar: WorkCalendar, at: dt.datetime) -> list[tuple[str, str]]:
    """The deadline sweeper: a 容缺 case whose deadline passed without the material moves as the item says.
    Returns (case id, act) for each case moved."""
    moved = []
    today = day_of(at)
    for row in cases.in_states(("accepted_tolerance", "reviewing", "suspended")):
        latest = cases.latest(row.id)
        lapsed = [t for t in tolerance_dues(cases, row, latest.assessment if latest else None)
                  if t.due is not None and not t.supplied and today > t.due]
        if not lapsed:
            continue
        act = case_states.LAPSE_ACTS[_on_lapse(row, cases)]
        reason = "容缺材料逾期未补交：" + "、".join(f"{t.name}（期限{t.due.isoformat()}）" for t in lapsed)
        try:
            perform(cases, calendar, row.id, act, SYSTEM, at=at, reason=reason)
            moved.append((row.id, act))
        except CaseRefused as exc:  # someone acted at the same moment: the next sweep looks again
            logger.info("case %s: lapse not applied (%s)", row.id, exc.code)
    return moved


def sweep_lapsed_cases(svc: Services, at: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Called by `yichuang serve`'s sweeper loop and `yichuang sweep`: the lapse sweep over every hall, counted
    with the services' calendar, each move audited as the system's act."""
    moved = sweep_lapses(svc.cases, svc.calendar, at or dt.datetime.now(dt.timezone.utc))
    for case_id, act in moved:
        svc.repo.audit(None, "case.transition", "case", case_id, act=act)
    return moved

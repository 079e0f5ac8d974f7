"""The case workflow: the one place that performs people's acts on a case (API routes and the deadline
sweeper call it). Each function checks the act against the transition table and the case's records, records
it through storage.cases.CaseRepository (who, when, opinion, what the machine recommended, the machine's value
beside the person's), and reassesses when the act changes what the assessment reads.

Errors are `CaseFlowError` with a stable code and a Chinese message for the clerk (api/errors.py maps codes to
HTTP statuses). `at` is always explicit; days are judged in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pipeline import case_states
from pipeline.assessment import STATUS_LABELS
from pipeline.case_clock import Step, Timeline, ToleranceDue, timeline
from pipeline.errors import YichuangError
from pipeline.interfaces import SHANGHAI
from pipeline.workdays import WorkCalendar, YearNotCovered
from storage.cases import CaseRepository
from storage.db import as_utc
from storage.repository import Identity

logger = logging.getLogger(__name__)

SYSTEM = Identity(key_id="system", role="system", hall="", label="系统")
NOT_PENDING = ("tolerated", "missing", "invalid")  # a 容缺 material in one of these is still owed
ORIGINALS_NOT_NEEDED = ("from_library", "not_provided", "missing", "tolerated")


class CaseFlowError(YichuangError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def day_of(at: dt.datetime) -> dt.date:
    return as_utc(at).astimezone(SHANGHAI).date()


def _materials(row) -> dict[str, dict[str, Any]]:
    """The case's materials (item snapshot) for its situation, by code."""
    situation = next(s for s in row.item["situations"] if s["code"] == row.situation)
    return {m["code"]: m for m in row.item["materials"] if m["code"] in situation["materials"]}


def _latest_acts(cases: CaseRepository, case_id: str, kind: str) -> dict[str, Any]:
    """The latest act of `kind` per material."""
    return {a.material: a for a in cases.acts(case_id) if a.kind == kind and a.material}


# --- reading a case ------------------------------------------------------------------------------------------


def tolerance_dues(cases: CaseRepository, row, latest_body: dict[str, Any] | None) -> list[ToleranceDue]:
    """The 容缺 materials promised at the latest 容缺受理, each with its deadline and whether it has come in."""
    accepted = [e for e in cases.events(row.id) if e.act in ("accept", "accept_tolerance")]
    if not accepted or accepted[-1].act != "accept_tolerance":
        return []  # never accepted with tolerance, or accepted in full since
    statuses = {m["code"]: m["status"] for m in (latest_body or {}).get("materials", [])}
    return [ToleranceDue(material=t["material"], name=t["name"],
                         due=dt.date.fromisoformat(t["due"]) if t.get("due") else None,
                         supplied=statuses.get(t["material"]) not in NOT_PENDING, year_not_covered=t.get("year_not_covered"))
            for t in accepted[-1].detail.get("tolerance", [])]


def case_timeline(cases: CaseRepository, row, calendar: WorkCalendar, today: dt.date) -> Timeline:
    latest = cases.latest(row.id)
    steps = [Step(e.act, e.to_state, day_of(e.at)) for e in cases.events(row.id)]
    limit = row.item["promised_limit"]
    return timeline(calendar, state=row.status, received_on=day_of(row.created_at), steps=steps,
                    limit_days=int(limit["days"]), unit=limit.get("unit", "工作日"),
                    tolerance=tolerance_dues(cases, row, latest.body if latest else None), today=today)


def allowed_acts(row, role: str) -> list[str]:
    return [t.act for t in case_states.TRANSITIONS if row.status in t.sources and role in t.roles and role != "system"]


# --- transitions ---------------------------------------------------------------------------------------------


def perform(cases: CaseRepository, calendar: WorkCalendar, case_id: str, act: str, who: Identity, *, at: dt.datetime,
            reason: str = "", clerk_number: str | None = None, commitment_signed: bool = False,
            supplement_by: dt.date | None = None, place: str | None = None):
    """Perform a transition. Returns the recorded event. Raises CaseFlowError."""
    row = cases.get(case_id)
    if row is None:
        raise CaseFlowError("not_found", "找不到该办件")
    try:
        transition = case_states.check(act, row.status, who.role)
    except case_states.TransitionRefused as exc:
        raise CaseFlowError(exc.code, exc.message) from None
    latest = cases.latest(case_id)
    recommendation = latest.decision if latest else None
    overridden = case_states.is_override(act, recommendation)
    reason = (reason or "").strip()
    if (transition.reason_required or overridden) and not reason:
        why = (f"系统建议为“{_decision_label(recommendation)}”，改为“{transition.label}”须填写理由" if overridden
               else f"“{transition.label}”须填写理由或意见")
        raise CaseFlowError("case.reason_required", why)
    today = day_of(at)
    detail: dict[str, Any] = {}
    if place:
        detail["place"] = place
    if supplement_by:
        detail["supplement_by"] = supplement_by.isoformat()
    if act in ("accept", "accept_tolerance"):
        if latest is None:
            raise CaseFlowError("case.not_assessed", "办件尚未完成材料核验，请稍后再办理受理")
        _check_originals(cases, row, latest.body)
    if act == "accept_tolerance":
        detail["tolerance"] = _tolerance_at_acceptance(row, latest.body, calendar, today, commitment_signed)
        detail["commitment"] = {"signed": True}  # 容缺受理信用承诺书, also recorded as an act below
    if act == "approve":
        owed = [t.name for t in tolerance_dues(cases, row, latest.body if latest else None) if not t.supplied]
        if owed:
            raise CaseFlowError("case.tolerance_outstanding", f"容缺材料尚未补交：{'、'.join(owed)}，不能准予许可")
    if act in ("lapse_to_correction", "lapse_to_refusal"):
        lapsed = [t for t in tolerance_dues(cases, row, latest.body if latest else None)
                  if t.due is not None and not t.supplied and today > t.due]
        if not lapsed:
            raise CaseFlowError("case.tolerance_not_lapsed", "没有逾期未补交的容缺材料")
        if act != case_states.LAPSE_ACTS[_on_lapse(row, cases)]:
            raise CaseFlowError("case.lapse_not_as_item", "本事项规定的容缺逾期处理方式与所选操作不一致")
    event = cases.transition(case_id, transition, expected_state=row.status, actor=who.key_id, role=who.role,
                             actor_label=clerk_number or who.label, reason=reason, recommendation=recommendation,
                             overridden=overridden, assessment_version=latest.version if latest else None,
                             detail=detail, at=at)
    if event is None:
        raise CaseFlowError("case.state_changed", "办件状态已被他人更改，请刷新后重试")
    if act == "accept_tolerance":
        cases.record_act(case_id, actor=who.key_id, role=who.role, kind="commitment", at=at,
                         machine_value={"commitment_required": True},
                         person_value={"signed": True, "materials": [t["material"] for t in detail["tolerance"]]},
                         reason="申请人已签署《容缺受理信用承诺书》")
    return event


def _decision_label(decision: str | None) -> str:
    from pipeline.assessment import DECISION_LABELS

    return DECISION_LABELS.get(decision or "", "无")


def _check_originals(cases: CaseRepository, row, body: dict[str, Any]) -> None:
    """受理 needs the clerk's attestation that each original the item asks for was seen (with the count)."""
    attested = _latest_acts(cases, row.id, "original_seen")
    unattested = []
    for m in body.get("materials", []):
        need = int(m.get("originals") or 0)
        if need <= 0 or m["status"] in ORIGINALS_NOT_NEEDED:
            continue
        act = attested.get(m["code"])
        if act is None or int((act.person_value or {}).get("originals_seen", 0)) < need:
            unattested.append(f"{m['name']}（原件{need}份）")
    if unattested:
        raise CaseFlowError("case.originals_unattested", f"请先核验并登记原件：{'、'.join(unattested)}")


def _tolerance_at_acceptance(row, body: dict[str, Any], calendar: WorkCalendar, today: dt.date,
                             signed: bool) -> list[dict[str, Any]]:
    if not row.item.get("allows_tolerance"):
        raise CaseFlowError("case.tolerance_not_allowed", "本事项不适用容缺受理")
    if not signed:
        raise CaseFlowError("case.commitment_missing", "容缺受理须由申请人签署《容缺受理信用承诺书》")
    materials = _materials(row)
    out = []
    for m in body.get("materials", []):
        spec = materials.get(m["code"], {})
        tolerance = spec.get("tolerance")
        if m["status"] != "tolerated" or spec.get("necessity") != "tolerable" or not tolerance:
            continue
        entry: dict[str, Any] = {"material": m["code"], "name": m["name"], "due": None,
                                 "working_days": tolerance["deadline_working_days"],
                                 "on_lapse": tolerance.get("on_lapse", "correction")}
        try:
            entry["due"] = calendar.add_working_days(today, int(tolerance["deadline_working_days"])).isoformat()
        except YearNotCovered as exc:
            entry["year_not_covered"] = exc.year  # flagged, never guessed
        out.append(entry)
    if not out:
        raise CaseFlowError("case.nothing_tolerated", "没有可容缺后补的材料，不能容缺受理")
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
        lapsed = [t for t in tolerance_dues(cases, row, latest.body if latest else None)
                  if t.due is not None and not t.supplied and today > t.due]
        if not lapsed:
            continue
        act = case_states.LAPSE_ACTS[_on_lapse(row, cases)]
        reason = "容缺材料逾期未补交：" + "、".join(f"{t.name}（期限{t.due.isoformat()}）" for t in lapsed)
        try:
            perform(cases, calendar, row.id, act, SYSTEM, at=at, reason=reason)
            moved.append((row.id, act))
        except CaseFlowError as exc:  # someone acted at the same moment: the next sweep looks again
            logger.info("case %s: lapse not applied (%s)", row.id, exc.code)
    return moved


# --- people's acts on readings and materials ------------------------------------------------------------------

EDITORS = ("clerk", "reviewer")


def _editable(cases: CaseRepository, case_id: str, who: Identity, roles: tuple[str, ...] = EDITORS):
    row = cases.get(case_id)
    if row is None:
        raise CaseFlowError("not_found", "找不到该办件")
    if who.role not in roles:
        raise CaseFlowError("auth.forbidden", "只有窗口工作人员或审批人员可以办理此操作")
    if row.status not in case_states.OPEN:
        raise CaseFlowError("case.transition_not_allowed",
                            f"办件当前为“{case_states.STATES[row.status]}”状态，不能再修改核验结果")
    return row


def correct(cases: CaseRepository, assessor, case_id: str, who: Identity, *, kind: str, at: dt.datetime,
            reason: str = "", document: str | None = None, field: str | None = None, value: Any = None,
            finding: str | None = None, material: str | None = None, action: str | None = None):
    """A field corrected, a finding confirmed or dismissed, or a material checked by hand: recorded with the
    machine's value beside the person's, then the case is reassessed. Returns (act row, new assessment)."""
    row = _editable(cases, case_id, who)
    reason = (reason or "").strip()
    latest = cases.latest(case_id)
    body = latest.body if latest else {"materials": [], "findings": []}
    materials = _materials(row)
    if kind == "field":
        docs = {d["id"]: d for d, _upload, superseded in cases.all_documents(case_id) if not superseded}
        if document not in docs or not field:
            raise CaseFlowError("request.invalid", "请指定本办件的文件及要更正的字段")
        if value in (None, ""):
            raise CaseFlowError("request.invalid", "请填写更正后的值")
        machine = docs[document].get("fields", {}).get(field)
        machine_value = None if machine is None else {"value": machine.get("value"), "confidence": machine.get("confidence")}
        person_value: Any = value
    elif kind == "finding":
        if action not in ("confirm", "dismiss") or not finding:
            raise CaseFlowError("request.invalid", "请指定问题代码及处理方式（confirm 确认 / dismiss 排除）")
        found = [f for m in body.get("materials", []) if material in (None, m["code"]) for f in m.get("findings", [])
                 if f["code"] == finding and document in (None, f.get("document"))]
        if not found:
            raise CaseFlowError("request.invalid", "当前核验结果中没有该问题")
        if not reason:
            raise CaseFlowError("case.reason_required", "确认或排除问题须填写理由")
        machine_value = {k: found[0].get(k) for k in ("code", "severity", "message", "document")}
        person_value = action
    elif kind == "manual_check":
        if material not in materials:
            raise CaseFlowError("request.invalid", f"材料代码应为 {'、'.join(materials)} 之一")
        if not reason:
            raise CaseFlowError("case.reason_required", "人工核验须说明核验了什么（如：已核对纸质原件）")
        status = next((m["status"] for m in body.get("materials", []) if m["code"] == material), None)
        machine_value = {"status": status}
        person_value = {"checked": True}
    else:
        raise CaseFlowError("request.invalid", "更正类型应为 field、finding 或 manual_check")
    act = cases.record_act(case_id, actor=who.key_id, role=who.role, kind=kind, at=at, document_id=document,
                           field=field, finding=finding, material=material, action=action,
                           machine_value=machine_value, person_value=person_value, reason=reason)
    return act, cases.reassess(case_id, assessor)


def attest_originals(cases: CaseRepository, case_id: str, who: Identity, *, material: str, originals_seen: int,
                     copies_kept: int, at: dt.datetime, reason: str = ""):
    """The clerk saw the originals of a material (software cannot tell an original from an image)."""
    row = _editable(cases, case_id, who, roles=("clerk",))
    spec = _materials(row).get(material)
    if spec is None:
        raise CaseFlowError("request.invalid", f"材料代码应为 {'、'.join(_materials(row))} 之一")
    if originals_seen < 0 or copies_kept < 0:
        raise CaseFlowError("request.invalid", "份数不能为负数")
    return cases.record_act(case_id, actor=who.key_id, role=who.role, kind="original_seen", at=at, material=material,
                            machine_value={"originals": spec.get("originals", 0), "copies": spec.get("copies", 0)},
                            person_value={"originals_seen": originals_seen, "copies_kept": copies_kept}, reason=reason)


def notice_materials(cases: CaseRepository, case_id: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Per material: its status in words, originals seen and copies kept as attested, whether checked by hand."""
    attested = _latest_acts(cases, case_id, "original_seen")
    out = []
    for m in body.get("materials", []):
        seen = attested.get(m["code"])
        counts = seen.person_value if seen else {}
        out.append({"code": m["code"], "name": m["name"], "status": m["status"],
                    "status_label": STATUS_LABELS.get(m["status"], m["status"]),
                    "originals_seen": int(counts.get("originals_seen", 0)), "copies_kept": int(counts.get("copies_kept", 0)),
                    "by_hand": any(f["code"] == "material.checked_by_hand" for f in m.get("findings", []))})
    return out


# --- chip-reader records ----------------------------------------------------------------------------------------

READER_FRONT = ("name", "sex", "ethnicity", "birth_date", "address", "id_number")
READER_BACK = ("issuing_authority", "valid_from", "valid_until")


def add_reader_record(cases: CaseRepository, store, case_id: str, who: Identity, *, record: dict[str, Any],
                      photo: bytes | None, raw: bytes, material: str | None, person: str | None, at: dt.datetime):
    """An ID card reader's record (二代证阅读器): authoritative, so one front and one back document at confidence
    1.0 with source `reader`; the record itself is stored like an original upload. Returns (upload row,
    document objects, superseded upload ids)."""
    import uuid

    from pipeline.models import Document, FieldValue
    from pipeline.numbers import id_is_valid

    if who.role != "clerk":
        raise CaseFlowError("auth.forbidden", "只有窗口工作人员可以录入读卡器信息")
    row = cases.get(case_id)
    if row is None:
        raise CaseFlowError("not_found", "找不到该办件")
    if row.status not in case_states.OPEN:
        raise CaseFlowError("case.transition_not_allowed", f"办件当前为“{case_states.STATES[row.status]}”状态，不能再提交材料")
    if not id_is_valid(record["id_number"]):
        raise CaseFlowError("reader.invalid", "读卡器返回的公民身份号码校验不通过，请重新读卡")
    key = store.put(raw, content_type="application/json")
    photo_key = store.put(photo, content_type="image/jpeg") if photo else None

    def fields(names):
        return {n: FieldValue(value=record[n], confidence=1.0, source="reader") for n in names if record.get(n) not in (None, "")}

    front = Document(id=str(uuid.uuid4()), source="chip_reader", type="id_card_front", type_confidence=1.0,
                     fields=fields(READER_FRONT), image_keys=(photo_key,) if photo_key else (), upload_sha256=key.split("/")[1])
    back = Document(id=str(uuid.uuid4()), source="chip_reader", type="id_card_back", type_confidence=1.0,
                    fields=fields(READER_BACK), upload_sha256=key.split("/")[1])
    documents = [front.model_dump(mode="json"), back.model_dump(mode="json")]
    upload, gone = cases.add_reader_record(documents, owner_key_id=who.key_id, hall=who.hall, case_id=case_id,
                                           object_key=key, sha256=key.split("/")[1], size=len(raw),
                                           filename="chip_reader.json", media_type="application/json",
                                           material_hint=material, person_hint=person, queue="counter",
                                           received_at=at, finished_at=at)
    return upload, documents, gone


# --- notices ----------------------------------------------------------------------------------------------------

NOTICE_ACTS = {
    "acceptance": ("accept",),
    "tolerance": ("accept_tolerance",),
    "correction": ("request_correction", "return_for_correction", "lapse_to_correction"),
    "refusal": ("not_accept",),
}


def notice_data(cases: CaseRepository, row, kind: str, calendar: WorkCalendar):
    """The notice of `kind` as issued by the latest act of that kind, from the assessment the clerk saw then."""
    from validators.notices_pdf import NoticeData, NoticeMaterial

    if kind not in NOTICE_ACTS:
        raise CaseFlowError("not_found", "通知书类型应为 acceptance、tolerance、correction、refusal 之一")
    events = [e for e in cases.events(row.id) if e.act in NOTICE_ACTS[kind]]
    if not events:
        raise CaseFlowError("not_found", "该办件尚未出具此类通知书")
    event = events[-1]
    saved = next((a for a in cases.history(row.id) if a.version == event.assessment_version), None) or cases.latest(row.id)
    body = saved.body if saved else {"materials": []}
    issued_on = day_of(event.at)
    materials = notice_materials(cases, row.id, body)
    problems: list[str] = []
    if kind == "correction":
        for m in body.get("materials", []):
            if m["status"] in ("missing", "invalid"):
                messages = list(dict.fromkeys(f["message"] for f in m.get("findings", []) if f["severity"] == "error"))
                problems.append(f"{m['name']}：{'；'.join(messages) or '不符合要求'}")
        if event.reason:
            problems.append(event.reason)
    limit = row.item["promised_limit"]
    due = None
    if kind in ("acceptance", "tolerance"):
        try:
            due = (calendar.add_working_days(issued_on, int(limit["days"])) if limit.get("unit", "工作日") == "工作日"
                   else issued_on + dt.timedelta(days=int(limit["days"])))
        except YearNotCovered:
            due = None  # printed as to be fixed by a person
    applicant = row.applicant or {}
    organisation = applicant.get("kind") == "organisation"
    supplement_by = event.detail.get("supplement_by")
    return NoticeData(
        kind=kind, agency=row.item["department"], place=event.detail.get("place") or f"政务服务中心受理窗口（{row.hall}）",
        case_number=row.case_number or row.id, item_name=row.item["name"],
        situation_name=next(s["name"] for s in row.item["situations"] if s["code"] == row.situation),
        applicant_name=applicant.get("name") or "申请人", applicant_id=None if organisation else applicant.get("id_number"),
        applicant_code=applicant.get("credit_code") if organisation else None, issued_on=issued_on,
        received_on=day_of(row.created_at), clerk_number=event.actor_label, query_code=row.query_code or "",
        materials=tuple(NoticeMaterial(m["name"], m["status_label"], m["originals_seen"], m["copies_kept"], m["by_hand"])
                        for m in materials),
        legal_basis=tuple(row.item.get("legal_basis", [])),
        reasons=event.reason if kind in ("refusal", "acceptance", "tolerance") else "",
        problems=tuple(problems), supplement_by=dt.date.fromisoformat(supplement_by) if supplement_by else None,
        tolerance=tuple((t["name"], dt.date.fromisoformat(t["due"]) if t.get("due") else None)
                        for t in event.detail.get("tolerance", [])),
        promised_days=int(limit["days"]) if kind in ("acceptance", "tolerance") else None,
        promised_unit=limit.get("unit", "工作日"), decision_due=due)


def sweep_lapsed_cases(repo, at: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Called by `yichuang serve`'s sweeper loop and `yichuang sweep`: the lapse sweep over every hall, each move
    audited as the system's act."""
    moved = sweep_lapses(CaseRepository(repo.engine), WorkCalendar(), at or dt.datetime.now(dt.timezone.utc))
    for case_id, act in moved:
        repo.audit(None, "case.transition", "case", case_id, act=act)
    return moved


RATINGS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")  # 好差评


def evaluate(cases: CaseRepository, case_id: str, who: Identity, *, rating: str, comment: str, at: dt.datetime):
    """好差评 after the result went out: the applicant online, or a clerk recording the counter's rating pad."""
    row = cases.get(case_id)
    if row is None:
        raise CaseFlowError("not_found", "找不到该办件")
    if who.role not in ("applicant", "clerk"):
        raise CaseFlowError("auth.forbidden", "只有申请人或窗口工作人员可以登记评价")
    if row.status not in ("delivered", "archived", "not_accepted"):
        raise CaseFlowError("case.transition_not_allowed", "办件出件或不予受理后才能评价")
    if rating not in RATINGS:
        raise CaseFlowError("request.invalid", f"评价应为 {'、'.join(RATINGS)} 之一")
    if rating in ("不满意", "非常不满意") and not comment.strip():
        raise CaseFlowError("case.reason_required", "差评须说明原因，以便整改")
    return cases.record_act(case_id, actor=who.key_id, role=who.role, kind="evaluation", at=at,
                            person_value={"rating": rating}, reason=comment.strip())

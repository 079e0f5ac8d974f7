"""People's acts on a case besides transitions: corrections of readings, originals seen, chip-reader records,
好差评, and the data of a notice as issued. Same rules as workers/case_flow.py: checked, recorded with the
machine's value beside the person's, errors as CaseFlowError; `at` explicit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pipeline import case_states
from pipeline.assessment import STATUS_LABELS
from pipeline.decode import MEDIA_TYPES, sniff
from pipeline.workdays import WorkCalendar, YearNotCovered
from storage.cases import CaseRepository
from storage.repository import Identity
from workers.case_flow import CaseFlowError, case_materials, day_of, latest_acts


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


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _field_value(assessor, type_code: str | None, field: str, value: Any, machine: Any) -> Any:
    """A person's value in the shape the checks read (they would fail on anything else, on every later
    reassessment): true/false for `signed`, text otherwise, dates as YYYY-MM-DD (`长期` for a validity's end)."""
    if field == "signed" or isinstance(machine, bool):
        if not isinstance(value, bool):
            raise CaseFlowError("request.invalid", "该字段应填写 true（已签字）或 false（未签字）")
        return value
    if not isinstance(value, str) or not value.strip():
        raise CaseFlowError("request.invalid", "更正后的值应为文字")
    value = value.strip()
    types = getattr(assessor, "types", None)
    if types is None:
        from extractors import build_registry

        types = build_registry()
    doc_type = types.get(type_code) if type_code else None
    if doc_type is not None and doc_type.field_classes.get(field) == "date":
        if value == "长期" and field.endswith("_until"):
            return value
        try:
            if not _ISO_DAY.match(value):
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            raise CaseFlowError("request.invalid", "日期应写作 YYYY-MM-DD（如 2026-01-31）；有效期长期的填写“长期”") from None
    return value


def correct(cases: CaseRepository, assessor, case_id: str, who: Identity, *, kind: str, at: dt.datetime,
            reason: str = "", document: str | None = None, field: str | None = None, value: Any = None,
            finding: str | None = None, material: str | None = None, action: str | None = None):
    """A field corrected, a finding confirmed or dismissed, or a material checked by hand: recorded with the
    machine's value beside the person's, then the case is reassessed. Returns (act row, new assessment)."""
    row = _editable(cases, case_id, who)
    reason = (reason or "").strip()
    latest = cases.latest(case_id)
    body = latest.body if latest else {"materials": [], "findings": []}
    materials = case_materials(row)
    if kind == "field":
        docs = {d["id"]: d for d, _upload, superseded in cases.all_documents(case_id) if not superseded}
        if document not in docs or not field:
            raise CaseFlowError("request.invalid", "请指定本办件的文件及要更正的字段")
        if value in (None, ""):
            raise CaseFlowError("request.invalid", "请填写更正后的值")
        machine = docs[document].get("fields", {}).get(field)
        machine_value = None if machine is None else {"value": machine.get("value"), "confidence": machine.get("confidence")}
        person_value: Any = _field_value(assessor, docs[document].get("type"), field, value,
                                         None if machine is None else machine.get("value"))
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
    spec = case_materials(row).get(material)
    if spec is None:
        raise CaseFlowError("request.invalid", f"材料代码应为 {'、'.join(case_materials(row))} 之一")
    if originals_seen < 0 or copies_kept < 0:
        raise CaseFlowError("request.invalid", "份数不能为负数")
    return cases.record_act(case_id, actor=who.key_id, role=who.role, kind="original_seen", at=at, material=material,
                            machine_value={"originals": spec.get("originals", 0), "copies": spec.get("copies", 0)},
                            person_value={"originals_seen": originals_seen, "copies_kept": copies_kept}, reason=reason)


def notice_materials(cases: CaseRepository, case_id: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Per material: its status in words, originals seen and copies kept as attested, whether checked by hand."""
    attested = latest_acts(cases, case_id, "original_seen")
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
    from pipeline.numbers import id_is_valid, id_parse

    if who.role != "clerk":
        raise CaseFlowError("auth.forbidden", "只有窗口工作人员可以录入读卡器信息")
    row = cases.get(case_id)
    if row is None:
        raise CaseFlowError("not_found", "找不到该办件")
    if row.status not in case_states.OPEN:
        raise CaseFlowError("case.transition_not_allowed", f"办件当前为“{case_states.STATES[row.status]}”状态，不能再提交材料")
    if not id_is_valid(record["id_number"]):
        raise CaseFlowError("reader.invalid", "读卡器返回的公民身份号码校验不通过，请重新读卡")
    parsed = id_parse(record["id_number"])
    if parsed.birth_date.isoformat() != record["birth_date"] or parsed.sex != record["sex"]:
        raise CaseFlowError("reader.invalid", "读卡器返回的出生日期或性别与公民身份号码不一致，请重新读卡")
    if record["valid_until"] != "长期" and record["valid_until"] < record["valid_from"]:  # both ISO dates
        raise CaseFlowError("reader.invalid", "读卡器返回的有效期截止日期早于起始日期，请重新读卡")
    key = store.put(raw, content_type="application/json")
    photo_key = store.put(photo, content_type=MEDIA_TYPES[sniff(photo)]) if photo else None  # JPEG, PNG or BMP

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
    "refusal_decision": ("refuse", "lapse_to_refusal"),  # 不予许可决定书: refused after review
    "approval": ("approve",),  # 准予行政许可决定书 (an item of type 行政许可)
    "completion": ("approve",),  # 办结通知书 (any other item)
    "commitment": ("accept_tolerance",),  # 容缺受理信用承诺书: printed for signature before, kept after
}
ACCEPT_ACTS = ("accept", "accept_tolerance")


def notice_kind_check(row, kind: str) -> None:
    if kind not in NOTICE_ACTS:
        raise CaseFlowError("not_found", f"通知书类型应为 {'、'.join(NOTICE_ACTS)} 之一")
    licence = row.item.get("item_type") == "行政许可"
    if kind == "approval" and not licence:
        raise CaseFlowError("not_found", "本事项不是行政许可，办结时出具办结通知书（completion）")
    if kind == "completion" and licence:
        raise CaseFlowError("not_found", "本事项为行政许可，准予许可时出具准予行政许可决定书（approval）")
    if kind in ("commitment", "tolerance") and not row.item.get("allows_tolerance"):
        raise CaseFlowError("not_found", "本事项不适用容缺受理")


def notice_event(cases: CaseRepository, row, kind: str):
    """The act a notice of `kind` records (the latest of its acts), or CaseFlowError not_found."""
    notice_kind_check(row, kind)
    events = [e for e in cases.events(row.id) if e.act in NOTICE_ACTS[kind]]
    if not events:
        raise CaseFlowError("not_found", "该办件尚未出具此类通知书（可使用 ?preview=1 预览）")
    return events[-1]


def notice_data(cases: CaseRepository, row, kind: str, calendar: WorkCalendar, *, hall, today: dt.date | None = None,
                preview: bool = False, document_number: str | None = None, seal_png: bytes | None = None):
    """The notice of `kind` as issued by the latest act of that kind, from the assessment the clerk saw then;
    with `preview`, as it would read if the act were done `today` on the latest assessment (no act needed).
    Only citizen words: statuses per validators.notice.citizen_status, problems per finding code, no clerk's
    internal reason (refusals print their stated reason and the basis of its code)."""
    from validators.notices_pdf import NoticeData

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
    body = saved.body if saved else {"materials": []}
    detail = event.detail if event is not None else {}
    applicant = row.applicant or {}
    organisation = applicant.get("kind") == "organisation"
    supplement_by = detail.get("supplement_by")
    history = cases.events(row.id)
    before = (lambda e: e.id < event.id) if event is not None else (lambda e: True)
    return NoticeData(
        kind=kind, hall=hall, place=detail.get("place") or "", case_number=row.case_number or row.id,
        item_name=row.item["name"], situation_name=next(s["name"] for s in row.item["situations"] if s["code"] == row.situation),
        applicant_name=applicant.get("name") or "申请人", applicant_id=None if organisation else applicant.get("id_number"),
        applicant_code=applicant.get("credit_code") if organisation else None, issued_on=issued_on,
        received_on=day_of(row.created_at), clerk_number=event.actor_label if event is not None else "________",
        query_code=row.query_code or "", materials=_notice_materials(cases, row, body, kind),
        legal_basis=tuple(row.item.get("legal_basis", [])), **_reasons(row, kind, event),
        problems=_problems(row, body) if kind == "correction" else (),
        supplement_by=dt.date.fromisoformat(supplement_by) if supplement_by else None,
        tolerance=_tolerance(body, detail, kind), **_limit(row, kind, issued_on, calendar),
        accepted_on=next((day_of(e.at) for e in reversed(history) if e.act in ACCEPT_ACTS and before(e)), None),
        document_number=document_number, preview=preview, seal_png=seal_png,
        result_name=(row.item.get("result") or {}).get("name", "") if kind in ("approval", "completion") else "")


def _notice_materials(cases: CaseRepository, row, body: dict[str, Any], kind: str):
    from validators.notice import citizen_status
    from validators.notices_pdf import NoticeMaterial

    return tuple(NoticeMaterial(m["name"], citizen_status(kind, m["status"]), m["originals_seen"], m["copies_kept"],
                                m["by_hand"]) for m in notice_materials(cases, row.id, body))


def _problems(row, body: dict[str, Any]) -> tuple[str, ...]:
    """Every definite problem in the applicant's words (the clerk's own reason for the act never prints)."""
    from validators.notice import citizen_problem

    standards = {m["code"]: m.get("standard") or "" for m in row.item.get("materials", [])}
    return tuple(citizen_problem(m, standards.get(m["code"], "")) for m in body.get("materials", [])
                 if m["status"] in ("missing", "invalid"))


def _reasons(row, kind: str, event) -> dict[str, Any]:
    """A refusal's stated reason and the legal basis of its reason code (catalog `refusal_reasons`)."""
    if kind not in ("refusal", "refusal_decision"):
        return {}
    if event is None:
        return {"reasons": "（由工作人员作出决定时填写）"}
    code = event.detail.get("reason_code")
    found = next((r for r in row.item.get("refusal_reasons", []) if r.get("code") == code), None)
    if found is None:
        return {"reasons": event.reason}
    stated = found["label"] + ("" if event.reason in ("", found["label"]) else f"。{event.reason}")
    return {"reasons": stated, "basis": tuple(found["basis"])}


def _tolerance(body: dict[str, Any], detail: dict[str, Any], kind: str) -> tuple:
    if kind not in ("tolerance", "commitment"):
        return ()
    if detail.get("tolerance"):
        items = detail["tolerance"]
    else:  # a preview (or the commitment before the act): the materials tolerated now, with their dues
        items = [{"name": m["name"], "due": m.get("due")} for m in body.get("materials", []) if m["status"] == "tolerated"]
    return tuple((t["name"], dt.date.fromisoformat(t["due"]) if t.get("due") else None) for t in items)


def _limit(row, kind: str, issued_on: dt.date, calendar: WorkCalendar) -> dict[str, Any]:
    limit = row.item["promised_limit"]
    if kind not in ("acceptance", "tolerance"):
        return {"promised_unit": limit.get("unit", "工作日")}
    try:
        due = (calendar.add_working_days(issued_on, int(limit["days"])) if limit.get("unit", "工作日") == "工作日"
               else issued_on + dt.timedelta(days=int(limit["days"])))
    except YearNotCovered:
        due = None  # printed as to be fixed by a person
    return {"promised_days": int(limit["days"]), "promised_unit": limit.get("unit", "工作日"), "decision_due": due}


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

"""People's acts on a case besides transitions: corrections of readings, originals seen, 好差评 and discarding a
shot (作废). Same rules as workers/cases/flow.py: checked, recorded with the machine's value beside the person's,
errors as CaseRefused; `at` explicit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from extractors import build_registry
from pipeline import case_states
from pipeline.errors import (
    FORBIDDEN, NOT_FOUND, REASON_REQUIRED, REQUEST_INVALID, TRANSITION_NOT_ALLOWED, CaseRefused,
)
from storage.case_discards import discard_upload
from storage.cases import CaseRepository
from storage.repository import Identity
from workers.cases.records import case_materials


EDITORS = ("clerk", "reviewer")


def editable_case(cases: CaseRepository, case_id: str, who: Identity, roles: tuple[str, ...] = EDITORS):
    row = cases.get(case_id)
    if row is None:
        raise CaseRefused(NOT_FOUND, "找不到该办件")
    if who.role not in roles:
        raise CaseRefused(FORBIDDEN, "只有窗口工作人员或审批人员可以办理此操作")
    if row.status not in case_states.OPEN:
        raise CaseRefused(TRANSITION_NOT_ALLOWED,
                            f"办件当前为“{case_states.STATES[row.status]}”状态，不能再修改核验结果")
    return row


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _field_value(assessor, type_code: str | None, field: str, value: Any, machine: Any) -> Any:
    """A person's value in the shape the checks read (they would fail on anything else, on every later
    reassessment): true/false for `signed`, text otherwise, dates as YYYY-MM-DD (`长期` for a validity's end)."""
    if field == "signed" or isinstance(machine, bool):
        if not isinstance(value, bool):
            raise CaseRefused(REQUEST_INVALID, "该字段应填写 true（已签字）或 false（未签字）")
        return value
    if not isinstance(value, str) or not value.strip():
        raise CaseRefused(REQUEST_INVALID, "更正后的值应为文字")
    value = value.strip()
    types = getattr(assessor, "types", None)
    if types is None:  # an assessor without a registry (a test's stand-in)
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
            raise CaseRefused(REQUEST_INVALID, "日期应写作 YYYY-MM-DD（如 2026-01-31）；有效期长期的填写“长期”") from None
    return value


def correct(cases: CaseRepository, assessor, case_id: str, who: Identity, *, kind: str, at: dt.datetime,
            reason: str = "", document: str | None = None, field: str | None = None, value: Any = None,
            finding: str | None = None, material: str | None = None, action: str | None = None):
    """A field corrected, a finding confirmed or dismissed, or a material checked by hand: recorded with the
    machine's value beside the person's, then the case is reassessed. Returns (act row, new assessment)."""
    row = editable_case(cases, case_id, who)
    reason = (reason or "").strip()
    latest = cases.latest(case_id)
    assessed = latest.assessment.materials if latest else ()
    materials = case_materials(row)
    if kind == "field":
        docs = {d.document.id: d.document for d in cases.submitted(case_id)}
        if document not in docs or not field:
            raise CaseRefused(REQUEST_INVALID, "请指定本办件的文件及要更正的字段")
        if value in (None, ""):
            raise CaseRefused(REQUEST_INVALID, "请填写更正后的值")
        machine = docs[document].fields.get(field)
        # the act row keeps the machine's reading as JSON beside the person's
        machine_value = None if machine is None else machine.model_dump(mode="json", include={"value", "confidence"})
        person_value: Any = _field_value(assessor, docs[document].type, field, value,
                                         None if machine is None else machine.value)
    elif kind == "finding":
        if action not in ("confirm", "dismiss") or not finding:
            raise CaseRefused(REQUEST_INVALID, "请指定问题代码及处理方式（confirm 确认 / dismiss 排除）")
        found = [f for m in assessed if material in (None, m.code) for f in m.findings
                 if f.code == finding and document in (None, f.document)]
        if not found:
            raise CaseRefused(REQUEST_INVALID, "当前核验结果中没有该问题")
        if not reason:
            raise CaseRefused(REASON_REQUIRED, "确认或排除问题须填写理由")
        machine_value = found[0].model_dump(mode="json", include={"code", "severity", "message", "document"})
        person_value = action
    elif kind == "manual_check":
        if material not in materials:
            raise CaseRefused(REQUEST_INVALID, f"材料代码应为 {'、'.join(materials)} 之一")
        if not reason:
            raise CaseRefused(REASON_REQUIRED, "人工核验须说明核验了什么（如：已核对纸质原件）")
        status = next((m.status for m in assessed if m.code == material), None)
        machine_value = {"status": status}
        person_value = {"checked": True}
    else:
        raise CaseRefused(REQUEST_INVALID, "更正类型应为 field、finding 或 manual_check")
    act = cases.record_act(case_id, actor=who.key_id, role=who.role, kind=kind, at=at, document_id=document,
                           field=field, finding=finding, material=material, action=action,
                           machine_value=machine_value, person_value=person_value, reason=reason)
    return act, cases.reassess(case_id, assessor)


def attest_originals(cases: CaseRepository, case_id: str, who: Identity, *, material: str, originals_seen: int,
                     copies_kept: int, at: dt.datetime, reason: str = ""):
    """The clerk saw the originals of a material (software cannot tell an original from an image)."""
    row = editable_case(cases, case_id, who, roles=("clerk",))
    spec = case_materials(row).get(material)
    if spec is None:
        raise CaseRefused(REQUEST_INVALID, f"材料代码应为 {'、'.join(case_materials(row))} 之一")
    if originals_seen < 0 or copies_kept < 0:
        raise CaseRefused(REQUEST_INVALID, "份数不能为负数")
    return cases.record_act(case_id, actor=who.key_id, role=who.role, kind="original_seen", at=at, material=material,
                            machine_value={"originals": spec.originals, "copies": spec.copies},
                            person_value={"originals_seen": originals_seen, "copies_kept": copies_kept}, reason=reason)


RATINGS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")  # 好差评


def evaluate(cases: CaseRepository, case_id: str, who: Identity, *, rating: str, comment: str, at: dt.datetime):
    """好差评 after the result went out: the applicant online, or a clerk recording the counter's rating pad."""
    row = cases.get(case_id)
    if row is None:
        raise CaseRefused(NOT_FOUND, "找不到该办件")
    if who.role not in ("applicant", "clerk"):
        raise CaseRefused(FORBIDDEN, "只有申请人或窗口工作人员可以登记评价")
    if row.status not in ("delivered", "archived", "not_accepted"):
        raise CaseRefused(TRANSITION_NOT_ALLOWED, "办件出件或不予受理后才能评价")
    if rating not in RATINGS:
        raise CaseRefused(REQUEST_INVALID, f"评价应为 {'、'.join(RATINGS)} 之一")
    if rating in ("不满意", "非常不满意") and not comment.strip():
        raise CaseRefused(REASON_REQUIRED, "差评须说明原因，以便整改")
    return cases.record_act(case_id, actor=who.key_id, role=who.role, kind="evaluation", at=at,
                            person_value={"rating": rating}, reason=comment.strip())

def discard(cases: CaseRepository, assessor, case_id: str, who: Identity, *, upload_id: str, at: dt.datetime,
            reason: str = ""):
    """The clerk leaves one upload of a case out of the assessment — a blurred photo, the wrong paper — and the
    case is reassessed at once. The upload stays on record (history, audit); nothing is deleted. Who calls it:
    the counter page (api/pages/acts.py). Returns (act row, new assessment)."""
    row = editable_case(cases, case_id, who, roles=("clerk",))
    if row.status not in case_states.BEFORE_ACCEPTANCE:  # after 受理 the scans are the accepted record
        raise CaseRefused(TRANSITION_NOT_ALLOWED, "办件已受理，不能再作废材料照片")
    if not discard_upload(cases, case_id, upload_id, at):
        raise CaseRefused(REQUEST_INVALID, "该材料照片不属于本办件，或已作废")
    act = cases.record_act(case_id, actor=who.key_id, role=who.role, kind="discard", at=at,
                           machine_value={"upload_id": upload_id}, person_value={"discarded": True},
                           reason=(reason or "").strip() or "窗口人员作废该照片")
    return act, cases.reassess(case_id, assessor)

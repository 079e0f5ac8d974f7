"""Working days and the one-time notice (一次性告知) text of an assessment.

The work calendar lives in pipeline/workdays.py (the case clock needs it too); it is re-exported here for the
assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pipeline.assessment import MaterialResult
from pipeline.workdays import WorkCalendar, YearNotCovered
from validators.vocabulary import citizen_message

__all__ = ["WorkCalendar", "YearNotCovered", "citizen_problem", "citizen_status", "notice_text"]

# What a material's status reads as on a notice to the applicant, per notice kind. Internal words (需人工核验,
# 容缺后补 outside a 容缺 notice) never print: a material still to be looked at by staff was received.
_RECEIVED = {"ok": "已收取", "from_library": "已从电子证照库调取（免提交）", "needs_review": "已收取",
             "missing": "未提交", "invalid": "需补正", "tolerated": "未提交", "not_provided": "未提交（非必需）"}
CITIZEN_STATUS: dict[str, dict[str, str]] = {
    "correction": {**_RECEIVED, "missing": "需补交"},
    "tolerance": {**_RECEIVED, "tolerated": "容缺后补（见上文期限）"},
}


def citizen_status(kind: str, status: str) -> str:
    return CITIZEN_STATUS.get(kind, _RECEIVED).get(status, "已收取")


def citizen_problem(material: MaterialResult, standard: str = "") -> str:
    """One line of a correction notice for a material of the assessment (missing or invalid): its name
    and, in plain words, what to bring or fix (per finding code, vocabulary.CITIZEN_MESSAGES); where no code
    says it, the material's standard from the item. Reviewer-only words never print."""
    name, status = material.name, material.status
    errors = [f.code for f in material.findings if f.severity == "error"]
    if status in ("missing", "tolerated"):
        return f"{name}：未提交，请补交" + (f"（要求：{standard}）" if standard else "") + "。"
    texts = [citizen_message(code) or (f"不符合要求，请按以下要求重新提交：{standard}" if standard else "不符合要求，请按要求重新提交")
             for code in errors]
    return f"{name}：{'；'.join(dict.fromkeys(texts)) or '不符合要求，请按要求重新提交'}。"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _problems(material: MaterialResult) -> str:
    messages = [f.message for f in material.findings if f.severity == "error"]
    return "；".join(dict.fromkeys(messages)) or "不符合要求"


def _headline(decision: str, problems: bool, tolerated: bool, pending: bool) -> str:
    """What the text's headline says agrees with what it lists: definite problems are 补齐补正 even when the
    machine's decision (its internal order) is needs_review because something else is uncertain."""
    if problems:
        return "需补齐补正" + ("（另有材料待工作人员核对）" if pending else "")
    if pending:
        return "待工作人员核对"
    if tolerated or decision == "accept_with_tolerance":
        return "可容缺受理"
    return "材料齐全，可以受理" if decision == "accept" else "待工作人员核对"


def notice_text(*, item_name: str, situation_name: str, judged_on: dt.date, decision: str,
                materials: Sequence[MaterialResult], unassigned: int, pending: int, originals: Sequence[str]) -> str:
    """Plain Chinese for the applicant: every definite problem at once, what to bring by when, what a person
    still has to look at. No names or ID numbers (finding messages carry none)."""
    problems = [m for m in materials if m.status in ("missing", "invalid")]
    tolerated = [m for m in materials if m.status == "tolerated"]
    review = [m for m in materials if m.status == "needs_review"]
    lines = [f"{item_name}（{situation_name}）材料核验意见", f"核验日期：{_date(judged_on)}",
             f"核验结论：{_headline(decision, bool(problems), bool(tolerated), bool(review or unassigned or pending))}"]
    if decision == "accept":
        lines.append("申请材料齐全、符合法定形式。")
    if problems:
        lines.append("请一次性补齐补正以下问题：")
        lines += [f"{n}. {m.name}：{_problems(m)}。" for n, m in enumerate(problems, 1)]
    if tolerated:
        lines.append("容缺后补材料：")
        for n, m in enumerate(tolerated, 1):
            when = (f"请于{_date(m.due)}前（受理之日起{m.due_working_days}个工作日内）补交" if m.due else
                    f"请于受理之日起{m.due_working_days}个工作日内补交（具体日期由窗口工作人员告知）")
            lines.append(f"{n}. {m.name}：{_problems(m)}，{when}。")
        if any(m.commitment_required for m in tolerated):
            lines.append("容缺受理须由申请人签署《容缺受理信用承诺书》，逾期未补交的按规定处理。")
    pending_parts = [m.name for m in review]
    if unassigned:
        pending_parts.append(f"另有{unassigned}份材料无法确定所属或无法识别")
    if pending:
        pending_parts.append(f"{pending}份材料正在识别")
    if pending_parts:
        lines.append(f"以下需工作人员进一步核验：{'；'.join(pending_parts)}。")
    by_hand = [m.name for m in materials if any(f.code == "material.checked_by_hand" for f in m.findings)]
    if by_hand:
        lines.append(f"以下材料已由工作人员人工核验（无扫描件）：{'、'.join(by_hand)}。")
    if originals:
        lines.append(f"受理时需核验原件：{'、'.join(originals)}。")
    lines.append("本意见为系统核验建议，以窗口工作人员的受理决定为准。")
    return "\n".join(lines)

"""Working days and the one-time notice (一次性告知) text of an assessment.

The work calendar lives in pipeline/workdays.py (the case clock needs it too); it is re-exported here for the
assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pipeline.assessment import DECISION_LABELS, MaterialResult
from pipeline.workdays import WorkCalendar, YearNotCovered

__all__ = ["WorkCalendar", "YearNotCovered", "notice_text"]


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _problems(material: MaterialResult) -> str:
    messages = [f.message for f in material.findings if f.severity == "error"]
    return "；".join(dict.fromkeys(messages)) or "不符合要求"


def notice_text(*, item_name: str, situation_name: str, judged_on: dt.date, decision: str,
                materials: Sequence[MaterialResult], unassigned: int, pending: int, originals: Sequence[str]) -> str:
    """Plain Chinese for the applicant: every definite problem at once, what to bring by when, what a person
    still has to look at. No names or ID numbers (finding messages carry none)."""
    lines = [f"{item_name}（{situation_name}）材料核验意见", f"核验日期：{_date(judged_on)}",
             f"核验结论：{DECISION_LABELS[decision]}"]
    problems = [m for m in materials if m.status in ("missing", "invalid")]
    tolerated = [m for m in materials if m.status == "tolerated"]
    review = [m for m in materials if m.status == "needs_review"]
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

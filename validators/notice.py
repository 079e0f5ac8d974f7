"""Working days and the one-time notice (一次性告知) text of an assessment.

Working days follow the State Council's holiday notice through the `chinese-calendar` package (weekends and
statutory holidays off, make-up weekends on). A year the package does not cover is flagged, never guessed;
an administrator can hand in a year's dates (`WorkCalendar(holidays=…, workdays=…, years=…)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from pipeline.assessment import DECISION_LABELS, MaterialResult


class WorkCalendar:
    """Who calls it: the assessment, for 容缺 deadlines. Pure: the dates come from the package or the caller."""

    def __init__(self, *, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = (),
                 years: Iterable[int] = ()) -> None:
        self._holidays, self._workdays, self._years = set(holidays), set(workdays), set(years)

    def is_workday(self, day: dt.date) -> bool | None:
        """None when no source covers the year."""
        if day.year in self._years:
            if day in self._workdays:
                return True
            return day.weekday() < 5 and day not in self._holidays
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return None

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (the day of acceptance itself does not count). Raises
        YearNotCovered when a year on the way is not covered."""
        day, left = start, days
        while left > 0:
            day += dt.timedelta(days=1)
            working = self.is_workday(day)
            if working is None:
                raise YearNotCovered(day.year)
            left -= int(working)
        return day


class YearNotCovered(LookupError):
    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"no working-day calendar for {year}")


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
    if originals:
        lines.append(f"受理时需核验原件：{'、'.join(originals)}。")
    lines.append("本意见为系统核验建议，以窗口工作人员的受理决定为准。")
    return "\n".join(lines)

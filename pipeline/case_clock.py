"""Deadlines and supervision flags of one case (电子监察), computed from its transitions on a given day.

- The promised period (承诺办结时限) runs from 受理 / 容缺受理; days while the case is `suspended` (returned for
  correction during review, or a special procedure) do not count; it stops when the case is decided.
- A case left in `received` / `prereview` for 5 working days without a notice is flagged (the law then counts
  it as accepted).
- A 容缺 material not supplied by its deadline is flagged; the sweeper then moves the case as the item says.
- A year the work calendar does not cover is flagged, never guessed.

Who calls it: the case repository's readers and the API. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.case_states import CLOCK_RUNNING, NO_NOTICE_YET
from pipeline.workdays import Clock, NoticeClock, Suspension, WorkCalendar, decision_clock, notice_clock


@dataclass(frozen=True)
class Step:
    """A transition as the clock needs it: the act, the state entered, the Asia/Shanghai day."""

    act: str
    to_state: str
    on: dt.date


@dataclass(frozen=True)
class ToleranceDue:
    material: str
    name: str
    due: dt.date | None  # None: a year on the way is not covered
    supplied: bool
    year_not_covered: int | None = None


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


@dataclass(frozen=True)
class Timeline:
    clock: Clock | None
    notice: NoticeClock | None
    tolerance: tuple[ToleranceDue, ...]
    flags: tuple[Flag, ...]


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def timeline(calendar: WorkCalendar, *, state: str, received_on: dt.date, steps: Sequence[Step], limit_days: int,
             unit: str, tolerance: Sequence[ToleranceDue], today: dt.date) -> Timeline:
    flags: list[Flag] = []
    gaps: set[int] = set()

    notice = None
    if state in NO_NOTICE_YET:
        notice = notice_clock(calendar, received_on=received_on, today=today)
        if notice.year_not_covered:
            gaps.add(notice.year_not_covered)
        elif notice.late:
            flags.append(Flag("case.notice_overdue", f"收件后5个工作日内（{_date(notice.notice_due)}前）未出具受理或补正通知，"
                                                     "依法自收到申请材料之日起即为受理，请立即处理"))

    clock = None
    accepted = [n for n, s in enumerate(steps) if s.act in ("accept", "accept_tolerance")]
    if accepted:
        start = steps[accepted[-1]].on  # back to correction and accepted again: the clock runs from the latest 受理
        later = steps[accepted[-1] + 1:]
        suspensions, open_from = [], None
        stopped = None
        for s in later:
            if s.to_state == "suspended" and open_from is None:
                open_from = s.on
            elif s.to_state != "suspended" and open_from is not None:
                suspensions.append(Suspension(open_from, s.on))
                open_from = None
            if s.to_state in ("decided", "withdrawn", "correction"):
                stopped = s.on
        if open_from is not None:
            suspensions.append(Suspension(open_from, None))
        if state in CLOCK_RUNNING or state == "suspended" or stopped is not None:
            clock = decision_clock(calendar, accepted_on=start, limit_days=limit_days, unit=unit,
                                   suspensions=suspensions, today=today, stopped_on=stopped)
            if clock.year_not_covered:
                gaps.add(clock.year_not_covered)
            elif clock.overdue and state in CLOCK_RUNNING:
                flags.append(Flag("case.overdue", f"已超过承诺办结时限（应于{_date(clock.due)}前办结）"))
            if clock.suspended:
                flags.append(Flag("case.clock_suspended", "办件挂起中，办理时限暂停计算"))

    if state in ("accepted_tolerance", "reviewing", "suspended"):
        for t in tolerance:
            if t.due is not None and not t.supplied and today > t.due:
                flags.append(Flag("case.tolerance_lapsed", f"容缺材料“{t.name}”逾期未补交（期限{_date(t.due)}）"))
    for year in sorted(gaps | {t.year_not_covered for t in tolerance if t.year_not_covered}):
        flags.append(Flag("calendar.year_not_covered",
                          f"工作日历未包含{year}年的节假日安排，期限需人工确定（请管理员加载该年度安排）"))
    return Timeline(clock, notice, tuple(tolerance), tuple(flags))

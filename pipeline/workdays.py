"""Working days (工作日) and the case clock: deadlines from 受理, suspensions, overdue and notice flags.

Working days follow the State Council's holiday notice through the `chinese-calendar` package (weekends and
statutory holidays off, make-up weekends on). A year the package does not cover is flagged, never guessed;
an administrator hands in a year's dates as a file in `<data dir>/calendar/` (pipeline/calendar_files.py).

Who calls it: the assessment (容缺 deadlines), the case repository and the API (deadlines and flags of a case).
Pure: every function takes the day it judges on (`today`) explicitly; dates are Asia/Shanghai days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


class YearNotCovered(LookupError):
    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"no working-day calendar for {year}")


class WorkCalendar:
    """Pure: the dates come from the package or from the caller."""

    def __init__(self, *, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = (),
                 years: Iterable[int] = (), loaded: Iterable[Any] = ()) -> None:
        self._holidays, self._workdays, self._years = set(holidays), set(workdays), set(years)
        # What an administrator's files said, by year (pipeline/calendar_files.YearDates), for `yichuang calendar show`.
        self.loaded: dict[int, Any] = {y.year: y for y in loaded}

    def is_workday(self, day: dt.date) -> bool | None:
        """None when no source covers the year. Days given explicitly win (a 元旦 break listed in next year's
        file may begin on 30 or 31 December); a loaded year replaces the package's answer for that year."""
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        if day.year in self._years:
            return day.weekday() < 5
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return None

    def add_working_days(self, start: dt.date, days: int, *, skip: Callable[[dt.date], bool] | None = None) -> dt.date:
        """The `days`-th working day after `start` (the start day itself does not count). `skip(day)` true
        means the day does not count even if it is a working day (a suspended clock). Raises YearNotCovered
        when a year on the way is not covered."""
        day, left = start, days
        while left > 0:
            day += dt.timedelta(days=1)
            working = self.is_workday(day)
            if working is None:
                raise YearNotCovered(day.year)
            if working and not (skip and skip(day)):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date, *, skip: Callable[[dt.date], bool] | None = None) -> int:
        """Working days in (start, end]; 0 when end <= start. Raises YearNotCovered."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            working = self.is_workday(day)
            if working is None:
                raise YearNotCovered(day.year)
            if working and not (skip and skip(day)):
                count += 1
        return count


NOTICE_WORKING_DAYS = 5  # Administrative Licensing Law art. 32: notify within 5 (working) days of receipt


@dataclass(frozen=True)
class Suspension:
    """The clock stopped after `start` (the day it was suspended still counts) up to and including `end`
    (the day it resumed); `end` None while it is still suspended."""

    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return day > self.start and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Clock:
    """A case's decision period as judged on `today`."""

    limit_days: int
    unit: str  # 工作日 | 自然日
    accepted_on: dt.date
    due: dt.date | None  # None while suspended (the end is not known yet) or when a year is not covered
    used: int | None  # days of the period used up to today (suspended days excluded)
    suspended: bool
    overdue: bool
    year_not_covered: int | None = None
    suspensions: tuple[Suspension, ...] = field(default_factory=tuple)


def decision_clock(calendar: WorkCalendar, *, accepted_on: dt.date, limit_days: int, unit: str,
                   suspensions: Sequence[Suspension], today: dt.date, stopped_on: dt.date | None = None) -> Clock:
    """The promised period running from 受理 (art. 42): `limit_days` working (or natural) days after
    `accepted_on`, not counting suspended days. `stopped_on` is the day the case was decided (the clock no
    longer runs after it, so it cannot become overdue later)."""
    suspended_now = any(s.end is None for s in suspensions)
    judge_on = min(today, stopped_on) if stopped_on else today

    def skip(day: dt.date) -> bool:
        return any(s.covers(day) for s in suspensions)

    try:
        if unit == "自然日":
            used = sum(1 for n in range(1, (judge_on - accepted_on).days + 1)
                       if not skip(accepted_on + dt.timedelta(days=n)))
            due = None
            if not suspended_now:
                day, left = accepted_on, limit_days
                while left > 0:
                    day += dt.timedelta(days=1)
                    left -= 0 if skip(day) else 1
                due = day
        else:
            used = calendar.working_days_between(accepted_on, judge_on, skip=skip)
            due = None if suspended_now else calendar.add_working_days(accepted_on, limit_days, skip=skip)
    except YearNotCovered as exc:
        return Clock(limit_days, unit, accepted_on, None, None, suspended_now, False, exc.year, tuple(suspensions))
    overdue = due is not None and judge_on > due
    return Clock(limit_days, unit, accepted_on, due, used, suspended_now, overdue, None, tuple(suspensions))


@dataclass(frozen=True)
class NoticeClock:
    """A case received but given no notice: the law counts it as accepted after 5 working days."""

    received_on: dt.date
    notice_due: dt.date | None
    late: bool
    year_not_covered: int | None = None


def notice_clock(calendar: WorkCalendar, *, received_on: dt.date, today: dt.date) -> NoticeClock:
    try:
        due = calendar.add_working_days(received_on, NOTICE_WORKING_DAYS)
    except YearNotCovered as exc:
        return NoticeClock(received_on, None, False, exc.year)
    return NoticeClock(received_on, due, today > due)

"""Hall statistics (大厅统计) computed from the stored records of cases — counted, never estimated. Pure: the
facts come from storage/case_stats.py, the work calendar and "today" from the caller. Days are judged in
Asia/Shanghai (a case received at 23:30 UTC belongs to the next Shanghai day).

The definitions (README "Hall statistics", docs/domain.md):

- received (收件数): cases created in the period, by the Shanghai day of receipt.
- first pass (一次办成): a case whose *first* acceptance-stage act (受理, 容缺受理, 补齐补正, 不予受理) was 受理 —
  accepted in full at the first assessment, with nothing to bring back. 容缺受理 does not count (a material is
  still owed), nor does any case sent to 补齐补正 or 不予受理 first. The rate is first-pass cases over cases that
  had an acceptance-stage act; cases still waiting for one (or withdrawn before it) are in neither.
- deficiencies (材料问题): at every acceptance-stage act, each material of the assessment the act was taken on
  whose status is missing, invalid, needs_review or tolerated; counted once per act, material and cause (the
  code of each error finding on it, else its status).
- time to decision (办结用时): from receipt to the first transition into 办结 (decided), in days of 24 hours;
  median, and p90 by the nearest-rank method (the ⌈0.9·n⌉-th smallest).
- overdue (超期): cases whose decision clock (pipeline/case_clock.py, the one the review queue shows) passed its
  due day — still open after it, or decided after it.
- 好差评: the latest rating of each case, 非常满意 = 5 … 非常不满意 = 1.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.case_clock import Step, timeline
from pipeline.interfaces import SHANGHAI
from pipeline.workdays import WorkCalendar
from pipeline.case_facts import CaseFacts

RATING_SCORES = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1}
SCORE_LABELS = {v: k for k, v in RATING_SCORES.items()}
DEFICIENT = ("missing", "invalid", "needs_review", "tolerated")
STATUS_CAUSES = {"missing": "未提交", "invalid": "不符合要求", "needs_review": "需人工核验", "tolerated": "容缺后补"}
PERIODS = {"day": "按日", "week": "按周", "month": "按月"}


@dataclass(frozen=True)
class Figures:
    label: str
    received: int
    judged: int  # had an acceptance-stage act
    first_pass: int
    decided: int
    median_days: float | None
    p90_days: float | None
    overdue: int
    ratings: dict[int, int] = field(default_factory=dict)  # score 1..5 -> cases

    @property
    def first_pass_rate(self) -> float | None:
        return self.first_pass / self.judged if self.judged else None


@dataclass(frozen=True)
class Deficiency:
    item_name: str
    material_code: str
    material_name: str
    cause: str  # finding code or material status
    cause_label: str  # what the clerk read
    count: int


def shanghai_day(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of Shanghai midnight at `start` and at the day after `end` (a half-open range)."""
    first = dt.datetime.combine(start, dt.time(), SHANGHAI)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return first.astimezone(dt.timezone.utc), after.astimezone(dt.timezone.utc)


def bucket_of(day: dt.date, period: str) -> dt.date:
    """The first day of the day's bucket: itself, the Monday of its week, the first of its month."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def bucket_label(start: dt.date, period: str) -> str:
    if period == "week":
        return f"{start.isoformat()}起一周"
    if period == "month":
        return f"{start.year}年{start.month:02d}月"
    return start.isoformat()


def buckets(start: dt.date, end: dt.date, period: str) -> list[dt.date]:
    """Every bucket between start and end (inclusive), empty ones too: a plot without gaps in time."""
    out, day = [], bucket_of(start, period)
    while day <= end:
        out.append(day)
        day = _next(day, period)
    return out


def _next(day: dt.date, period: str) -> dt.date:
    if period == "week":
        return day + dt.timedelta(days=7)
    if period == "month":
        return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return day + dt.timedelta(days=1)


def first_pass(case: CaseFacts) -> bool | None:
    """True/False by the first acceptance-stage act; None while there was none."""
    return None if not case.assessed else case.assessed[0][0] == "accept"


def days_to_decision(case: CaseFacts) -> float | None:
    decided = next((e.at for e in case.events if e.to_state == "decided"), None)
    return None if decided is None else (decided - case.received_at).total_seconds() / 86400


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def overdue(case: CaseFacts, calendar: WorkCalendar, today: dt.date) -> bool:
    """The decision clock of the review queue (tolerance dues do not move it)."""
    steps = [Step(e.act, e.to_state, shanghai_day(e.at)) for e in case.events]
    line = timeline(calendar, state=case.status, received_on=shanghai_day(case.received_at), steps=steps,
                    limit_days=case.limit_days, unit=case.limit_unit, tolerance=(), today=today)
    return bool(line.clock and line.clock.overdue and not line.clock.year_not_covered)


def figures(label: str, cases: Iterable[CaseFacts], calendar: WorkCalendar, today: dt.date) -> Figures:
    cases = list(cases)
    passes = [p for p in (first_pass(c) for c in cases) if p is not None]
    durations = [d for d in (days_to_decision(c) for c in cases) if d is not None]
    ratings = Counter(RATING_SCORES[c.rating] for c in cases if c.rating in RATING_SCORES)
    return Figures(label=label, received=len(cases), judged=len(passes), first_pass=sum(passes), decided=len(durations),
                   median_days=statistics.median(durations) if durations else None,
                   p90_days=nearest_rank(durations, 0.9),
                   overdue=sum(overdue(c, calendar, today) for c in cases),
                   ratings={score: ratings.get(score, 0) for score in range(1, 6)})


def by_period(cases: Sequence[CaseFacts], start: dt.date, end: dt.date, period: str, calendar: WorkCalendar,
              today: dt.date) -> list[Figures]:
    """One row per bucket of the period between start and end, by the Shanghai day of receipt."""
    grouped: dict[dt.date, list[CaseFacts]] = {}
    for c in cases:
        grouped.setdefault(bucket_of(shanghai_day(c.received_at), period), []).append(c)
    return [figures(bucket_label(b, period), grouped.get(b, []), calendar, today) for b in buckets(start, end, period)]


def by_item(cases: Sequence[CaseFacts], calendar: WorkCalendar, today: dt.date) -> list[Figures]:
    grouped: dict[str, list[CaseFacts]] = {}
    for c in cases:
        grouped.setdefault(c.item_name, []).append(c)
    return [figures(name, grouped[name], calendar, today) for name in sorted(grouped)]


def deficiencies(cases: Iterable[CaseFacts], *, limit: int | None = None) -> list[Deficiency]:
    """The most common problems of materials at the acceptance acts, most frequent first (ties by name). A cause
    reads as the message clerks saw most often for that code on that material."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    labels: dict[tuple[str, str, str, str], Counter[str]] = {}
    for case in cases:
        for _act, materials in case.assessed:
            for m in materials:
                if m.status not in DEFICIENT:
                    continue
                errors = {f.code: f.message or f.code for f in m.findings if f.severity == "error"}
                for cause, label in (errors or {m.status: STATUS_CAUSES[m.status]}).items():
                    key = (case.item_name, m.code, m.name or m.code, cause)
                    counts[key] += 1
                    labels.setdefault(key, Counter())[label] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Deficiency(*key, cause_label=labels[key].most_common(1)[0][0], count=n) for key, n in ranked[:limit]]


def overdue_cases(cases: Iterable[CaseFacts], calendar: WorkCalendar, today: dt.date) -> list[CaseFacts]:
    return [c for c in cases if overdue(c, calendar, today)]

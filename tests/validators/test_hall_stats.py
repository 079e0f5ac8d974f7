"""The hall statistics counted from stored records (storage/case_stats.py + validators/hall_stats.py) on SQLite and
PostgreSQL: counts, 一次办成率, the top material problem, median and p90 time to decision, overdue cases, 好差评,
and day boundaries taken in Asia/Shanghai (a case received at 00:30 Shanghai is the new day's, not UTC's)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.workdays import WorkCalendar
from storage.case_stats import CaseStats
from storage.cases import CaseRepository
from storage.db import make_engine, migrate
from storage.repository import Repository
from tests.validators.stats_cases import EXPECTED, TODAY, build
from validators import hall_stats

CAL = WorkCalendar()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def stored(request, tmp_path):
    url = f"sqlite:///{tmp_path}/t.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    repo = Repository(engine)
    owners = {hall: repo.add_key(key_id=f"clerk_{hall}_000000", key_hash="h" * 64, role="clerk", hall=hall, label="C1")
              for hall in ("h1", "h2")}
    made = build(CaseRepository(engine), owners)
    yield CaseStats(engine), made
    engine.dispose()


def h1_cases(stats: CaseStats):
    since, before = hall_stats.day_bounds(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    return stats.facts(hall="h1", received_from=since, received_before=before)


def test_totals_first_pass_rate_durations_overdue_and_ratings(stored):
    stats, _made = stored
    total = hall_stats.figures("合计", h1_cases(stats), CAL, TODAY)
    assert (total.received, total.judged, total.first_pass, total.decided) == (
        EXPECTED["received"], EXPECTED["judged"], EXPECTED["first_pass"], EXPECTED["decided"])
    assert total.first_pass_rate == EXPECTED["rate"]
    assert total.median_days == pytest.approx(EXPECTED["median"]) and total.p90_days == pytest.approx(EXPECTED["p90"])
    assert total.overdue == EXPECTED["overdue"]
    assert total.ratings == EXPECTED["ratings"]
    overdue = {c.case_number for c in hall_stats.overdue_cases(h1_cases(stats), CAL, TODAY)}
    assert overdue == EXPECTED["overdue_numbers"]


def test_days_are_shanghai_days(stored):
    stats, _made = stored
    rows = hall_stats.by_period(h1_cases(stats), dt.date(2026, 11, 1), dt.date(2026, 11, 7), "day", CAL, TODAY)
    assert [f.label for f in rows] == [f"2026-11-0{d}" for d in range(1, 8)]
    got = {f.label: f.received for f in rows if f.received}
    assert got == EXPECTED["per_day"]  # by UTC day 11-02 would hold three (C arrived 16:30 UTC on 11-02)
    rates = {f.label: 100 * f.first_pass_rate for f in rows if f.first_pass_rate is not None}
    assert rates == EXPECTED["rate_per_day"]
    # the range itself is cut at Shanghai midnight: from 11-03 leaves out B (23:30 on 11-02) but keeps C (00:30)
    since, before = hall_stats.day_bounds(dt.date(2026, 11, 3), dt.date(2026, 11, 3))
    numbers = {c.case_number for c in stats.facts(hall="h1", received_from=since, received_before=before)}
    assert numbers == {"h1-2026-000003", "h1-2026-000004"}


def test_weeks_and_months_group_the_same_cases(stored):
    stats, _made = stored
    weeks = hall_stats.by_period(h1_cases(stats), dt.date(2026, 11, 1), dt.date(2026, 11, 14), "week", CAL, TODAY)
    assert [(f.label, f.received) for f in weeks] == [("2026-10-26起一周", 0), ("2026-11-02起一周", 7), ("2026-11-09起一周", 0)]
    months = hall_stats.by_period(h1_cases(stats), dt.date(2026, 10, 15), dt.date(2026, 12, 1), "month", CAL, TODAY)
    assert [(f.label, f.received) for f in months] == [("2026年10月", 0), ("2026年11月", 7), ("2026年12月", 0)]


def test_per_item_and_the_top_deficiency(stored):
    stats, _made = stored
    cases = h1_cases(stats)
    assert {f.label: f.received for f in hall_stats.by_item(cases, CAL, TODAY)} == EXPECTED["per_item"]
    top, second = hall_stats.deficiencies(cases)[:2]
    assert (top.item_name, top.material_code, top.cause, top.count) == EXPECTED["top"]
    assert top.cause_label == "申请书未签名"
    assert (second.material_code, second.cause, second.cause_label, second.count) == ("operator_id", "missing", "未提交", 1)


def test_another_hall_is_never_counted(stored):
    stats, _made = stored
    h2 = stats.facts(hall="h2")
    assert [c.case_number for c in h2] == ["h2-2026-000001"]
    assert len(stats.facts(hall=None)) == EXPECTED["received"] + 1


def test_nearest_rank_percentile_and_empty_figures():
    assert hall_stats.nearest_rank([5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.0
    assert hall_stats.nearest_rank([], 0.9) is None
    empty = hall_stats.figures("x", [], CAL, TODAY)
    assert (empty.received, empty.first_pass_rate, empty.median_days, empty.p90_days) == (0, None, None, None)

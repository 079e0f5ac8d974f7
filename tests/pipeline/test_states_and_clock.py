"""The transition table (every act × role × state), overrides, and the case clock: working days across the
Spring Festival and National Day with make-up working days, a year the calendar does not cover, suspension
during review, overdue, the 5-working-day notice flag and 容缺 lapses."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from pipeline import case_states
from pipeline.case_clock import Step, ToleranceDue, timeline
from pipeline.errors import CaseRefused
from pipeline.workdays import Suspension, WorkCalendar, YearNotCovered, decision_clock, notice_clock

CAL = WorkCalendar()
ROLES = ("clerk", "applicant", "reviewer", "integrator", "admin", "system")
D = dt.date


# --- the transition table -------------------------------------------------------------------------------------

EXPECTED_ROLES = {  # written out by hand from docs/domain.md: who may do what
    "prereview": {"clerk", "applicant"}, "accept": {"clerk"}, "accept_tolerance": {"clerk"},
    "request_correction": {"clerk"}, "not_accept": {"clerk"}, "start_review": {"reviewer"},
    "return_for_correction": {"reviewer"}, "suspend": {"reviewer"}, "resume": {"reviewer", "clerk"},
    "approve": {"reviewer"}, "refuse": {"reviewer"}, "lapse_to_correction": {"system", "clerk"},
    "lapse_to_refusal": {"system", "clerk"}, "withdraw": {"clerk", "applicant"}, "deliver": {"clerk"},
    "archive": {"clerk", "admin"},
}


def test_every_act_names_its_roles_and_only_known_states():
    assert {t.act: set(t.roles) for t in case_states.TRANSITIONS} == EXPECTED_ROLES
    for t in case_states.TRANSITIONS:
        assert set(t.sources) <= set(case_states.STATES) and t.target in case_states.STATES


@pytest.mark.parametrize(("act", "role", "state"), list(itertools.product(EXPECTED_ROLES, ROLES, case_states.STATES)))
def test_each_act_is_allowed_exactly_for_its_roles_from_its_states(act, role, state):
    transition = case_states.BY_ACT[act]
    if role in EXPECTED_ROLES[act] and state in transition.sources:
        assert case_states.check(act, state, role) is transition
    else:
        with pytest.raises(CaseRefused) as refused:
            case_states.check(act, state, role)
        expected = "auth.forbidden" if role not in EXPECTED_ROLES[act] else "case.transition_not_allowed"
        assert refused.value.code == expected
        assert refused.value.message  # Chinese, for the person who tried


def test_acceptance_acts_lead_where_domain_says():
    targets = {t.act: t.target for t in case_states.TRANSITIONS}
    assert (targets["accept"], targets["accept_tolerance"], targets["request_correction"], targets["not_accept"]) == (
        "accepted", "accepted_tolerance", "correction", "not_accepted")
    assert case_states.BY_ACT["approve"].outcome == "approved" and case_states.BY_ACT["refuse"].outcome == "refused"
    assert case_states.BY_ACT["return_for_correction"].target == "suspended"
    with pytest.raises(CaseRefused) as unknown:
        case_states.check("stamp", "received", "clerk")
    assert unknown.value.code == "case.unknown_act"


@pytest.mark.parametrize(("act", "recommendation", "override"), [
    ("accept", "accept", False), ("accept", "correction_required", True), ("accept", "needs_review", True),
    ("accept", None, True), ("accept_tolerance", "accept_with_tolerance", False), ("accept_tolerance", "accept", True),
    ("request_correction", "correction_required", False), ("request_correction", "accept", True),
    ("not_accept", "correction_required", True), ("approve", "accept", False),
])
def test_an_act_that_does_not_follow_the_recommendation_is_an_override(act, recommendation, override):
    assert case_states.is_override(act, recommendation) is override


# --- working days --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "days", "due"), [
    (D(2026, 2, 12), 5, D(2026, 2, 26)),  # Fri 13, make-up Sat 14, holiday 15–23, Tue 24 … Thu 26
    (D(2026, 2, 12), 7, D(2026, 2, 28)),  # … Fri 27, make-up Sat 28
    (D(2026, 9, 29), 5, D(2026, 10, 12)),  # Wed 30, holiday Oct 1–7, Thu 8, Fri 9, make-up Sat 10, Mon 12
    (D(2026, 9, 18), 1, D(2026, 9, 20)),  # make-up Sunday before National Day
    (D(2025, 1, 24), 3, D(2025, 2, 5)),  # make-up Sun Jan 26, Mon 27, holiday Jan 28–Feb 4, Wed Feb 5
])
def test_working_days_follow_holidays_and_make_up_days(start, days, due):
    assert CAL.add_working_days(start, days) == due


def test_a_year_the_calendar_does_not_cover_is_flagged_never_guessed():
    with pytest.raises(YearNotCovered) as gap:
        CAL.add_working_days(D(2026, 12, 28), 5)
    assert gap.value.year == 2027
    clock = decision_clock(CAL, accepted_on=D(2026, 12, 28), limit_days=5, unit="工作日", suspensions=(),
                           today=D(2026, 12, 29))
    assert (clock.due, clock.overdue, clock.year_not_covered) == (None, False, 2027)
    line = timeline(CAL, state="accepted", received_on=D(2026, 12, 28), steps=[Step("accept", "accepted", D(2026, 12, 28))],
                    limit_days=5, unit="工作日", tolerance=(), today=D(2026, 12, 29))
    assert [f.code for f in line.flags] == ["calendar.year_not_covered"] and "2027" in line.flags[0].message
    loaded = WorkCalendar(years=[2027], holidays=[D(2027, 1, 1)])  # an administrator loaded 2027
    assert loaded.add_working_days(D(2026, 12, 28), 5) == D(2027, 1, 5)


def test_suspension_during_review_stops_the_clock():
    base = dict(accepted_on=D(2026, 11, 2), limit_days=10, unit="工作日")
    plain = decision_clock(CAL, **base, suspensions=(), today=D(2026, 11, 4))
    assert plain.due == D(2026, 11, 16)
    running = decision_clock(CAL, **base, suspensions=[Suspension(D(2026, 11, 4))], today=D(2026, 11, 30))
    assert running.suspended and running.due is None and not running.overdue
    assert running.used == 2, "Nov 3 and 4 ran; nothing after the suspension day counts"
    resumed = decision_clock(CAL, **base, suspensions=[Suspension(D(2026, 11, 4), D(2026, 11, 11))], today=D(2026, 11, 23))
    assert resumed.due == D(2026, 11, 23) and not resumed.overdue and resumed.used == 10
    late = decision_clock(CAL, **base, suspensions=[Suspension(D(2026, 11, 4), D(2026, 11, 11))], today=D(2026, 11, 24))
    assert late.overdue
    decided = decision_clock(CAL, **base, suspensions=(), today=D(2026, 12, 30), stopped_on=D(2026, 11, 13))
    assert not decided.overdue, "a decided case does not become overdue later"


def test_natural_day_limits_count_every_day_but_suspended_ones():
    clock = decision_clock(CAL, accepted_on=D(2026, 9, 29), limit_days=5, unit="自然日",
                           suspensions=[Suspension(D(2026, 9, 30), D(2026, 10, 2))], today=D(2026, 10, 1))
    assert clock.due == D(2026, 10, 6) and clock.used == 1


def test_the_five_working_day_notice_flag():
    assert notice_clock(CAL, received_on=D(2026, 2, 12), today=D(2026, 2, 26)).late is False
    late = notice_clock(CAL, received_on=D(2026, 2, 12), today=D(2026, 2, 27))
    assert late.late and late.notice_due == D(2026, 2, 26)
    kwargs = dict(received_on=D(2026, 2, 12), steps=[], limit_days=1, unit="工作日", tolerance=(), today=D(2026, 2, 27))
    assert [f.code for f in timeline(CAL, state="received", **kwargs).flags] == ["case.notice_overdue"]
    assert [f.code for f in timeline(CAL, state="prereview", **kwargs).flags] == ["case.notice_overdue"]
    assert timeline(CAL, state="correction", **kwargs).flags == (), "a correction notice was given"


def test_timeline_of_a_case_with_review_correction_and_overdue():
    steps = [Step("accept", "accepted", D(2026, 11, 2)), Step("start_review", "reviewing", D(2026, 11, 3)),
             Step("return_for_correction", "suspended", D(2026, 11, 4)), Step("resume", "reviewing", D(2026, 11, 11))]
    line = timeline(CAL, state="reviewing", received_on=D(2026, 11, 2), steps=steps, limit_days=10, unit="工作日",
                    tolerance=(), today=D(2026, 11, 24))
    assert line.clock.due == D(2026, 11, 23) and [f.code for f in line.flags] == ["case.overdue"]
    suspended = timeline(CAL, state="suspended", received_on=D(2026, 11, 2), steps=steps[:3], limit_days=10,
                         unit="工作日", tolerance=(), today=D(2026, 11, 24))
    assert [f.code for f in suspended.flags] == ["case.clock_suspended"]


def test_a_lapsed_tolerance_is_flagged_until_the_material_comes_in():
    steps = [Step("accept_tolerance", "accepted_tolerance", D(2026, 11, 2))]
    owed = ToleranceDue("premises_proof", "经营场所使用证明", D(2026, 11, 9), supplied=False)
    kwargs = dict(state="accepted_tolerance", received_on=D(2026, 11, 2), steps=steps, limit_days=20, unit="工作日")
    assert timeline(CAL, **kwargs, tolerance=[owed], today=D(2026, 11, 9)).flags == ()
    assert [f.code for f in timeline(CAL, **kwargs, tolerance=[owed], today=D(2026, 11, 10)).flags] == ["case.tolerance_lapsed"]
    supplied = ToleranceDue("premises_proof", "经营场所使用证明", D(2026, 11, 9), supplied=True)
    assert timeline(CAL, **kwargs, tolerance=[supplied], today=D(2026, 11, 10)).flags == ()

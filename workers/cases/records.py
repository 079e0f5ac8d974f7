"""Reading a case's records: the day an act counts on, its materials, the latest acts, what 容缺 is still owed,
its timeline and the acts a role may do now. Who calls it: the rest of the case layer, the API and the pages.
Nothing here changes a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline import case_states
from pipeline.assessment import Assessment
from pipeline.service_item import Material
from pipeline.case_clock import Step, Timeline, ToleranceDue, timeline
from pipeline.interfaces import SHANGHAI
from pipeline.workdays import WorkCalendar
from pipeline.errors import NOT_FOUND, CaseRefused
from storage.models import CaseRow
from storage.cases import CaseRepository
from storage.db import as_utc
from storage.repository import Identity

SYSTEM = Identity(key_id="system", role="system", hall="", label="系统")
NOT_PENDING = ("tolerated", "missing", "invalid")  # a 容缺 material in one of these is still owed


def visible(cases: CaseRepository, who: Identity, case_id: str) -> CaseRow:
    """The case if the caller may see it, else not_found (the same answer as for a case that does not exist)."""
    row = cases.get(case_id)
    if row is None or not who.can_see(row):
        raise CaseRefused(NOT_FOUND, "找不到该办件")
    return row


def day_of(at: dt.datetime) -> dt.date:
    return as_utc(at).astimezone(SHANGHAI).date()


def case_materials(row: CaseRow) -> dict[str, Material]:
    """The case's materials (of the item version it keeps) for its situation, by code."""
    return {m.code: m for m in row.service_item.materials_for(row.situation)}


def latest_acts(cases: CaseRepository, case_id: str, kind: str) -> dict[str, Any]:
    """The latest act of `kind` per material."""
    return {a.material: a for a in cases.acts(case_id) if a.kind == kind and a.material}


def tolerance_dues(cases: CaseRepository, row, latest: Assessment | None) -> list[ToleranceDue]:
    """The 容缺 materials promised at the latest 容缺受理, each with its deadline and whether it has come in
    (judged on the case's `latest` assessment)."""
    accepted = [e for e in cases.events(row.id) if e.act in ("accept", "accept_tolerance")]
    if not accepted or accepted[-1].act != "accept_tolerance":
        return []  # never accepted with tolerance, or accepted in full since
    statuses = {m.code: m.status for m in latest.materials} if latest is not None else {}
    return [ToleranceDue(material=t["material"], name=t["name"],
                         due=dt.date.fromisoformat(t["due"]) if t.get("due") else None,
                         supplied=statuses.get(t["material"]) not in NOT_PENDING, year_not_covered=t.get("year_not_covered"))
            for t in accepted[-1].detail.get("tolerance", [])]


def case_timeline(cases: CaseRepository, row, calendar: WorkCalendar, today: dt.date) -> Timeline:
    latest = cases.latest(row.id)
    steps = [Step(e.act, e.to_state, day_of(e.at)) for e in cases.events(row.id)]
    limit = row.service_item.promised_limit
    return timeline(calendar, state=row.status, received_on=day_of(row.created_at), steps=steps,
                    limit_days=limit.days, unit=limit.unit,
                    tolerance=tolerance_dues(cases, row, latest.assessment if latest else None), today=today)


def allowed_acts(row, role: str) -> list[str]:
    return [t.act for t in case_states.TRANSITIONS if row.status in t.sources and role in t.roles and role != "system"]

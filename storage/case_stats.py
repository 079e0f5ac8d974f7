"""Read-only queries for the hall statistics and the public progress lookup: the stored records of cases (row,
transitions, the assessments the acceptance acts were taken on, 好差评 acts) as frozen facts. Nothing here
computes a figure (validators/hall_stats.py does) and nothing is written.

Who calls it: api/pages/stats.py (statistics and CSV) and api/progress.py (the public progress lookup).
"""

from __future__ import annotations

import datetime as dt
from sqlalchemy import select, tuple_

from pipeline.assessment import MaterialResult
from pipeline.case_facts import CaseFacts, EventFact, ProgressFacts
from pipeline.service_item import ServiceItem
from storage.case_records import CaseActRow, CaseEventRow
from storage.db import SessionScope, as_utc
from storage.models import AssessmentRow, CaseRow

ACCEPTANCE_ACTS = ("accept", "accept_tolerance", "request_correction", "not_accept")  # the clerk's decision on intake


class CaseStats(SessionScope):
    def facts(self, *, hall: str | None, received_from: dt.datetime | None = None,
              received_before: dt.datetime | None = None, item: str | None = None) -> list[CaseFacts]:
        """The cases received in [received_from, received_before) (UTC instants), of one hall or all (None)."""
        with self.session() as s:
            query = select(CaseRow)
            if hall is not None:
                query = query.where(CaseRow.hall == hall)
            if item:
                query = query.where(CaseRow.item_code == item)
            if received_from is not None:
                query = query.where(CaseRow.created_at >= received_from)
            if received_before is not None:
                query = query.where(CaseRow.created_at < received_before)
            rows = list(s.scalars(query.order_by(CaseRow.created_at, CaseRow.id)))
            ids = [r.id for r in rows]
            events = _events(s, ids)
            bodies = _assessments(s, [(e.case_id, e.assessment_version) for e in events
                                      if e.act in ACCEPTANCE_ACTS and e.assessment_version is not None])
            ratings = _ratings(s, ids)
        by_case: dict[str, list[CaseEventRow]] = {}
        for e in events:
            by_case.setdefault(e.case_id, []).append(e)
        items: dict[tuple[str, int], ServiceItem] = {}  # one version of an item has one content (validators/catalog.py)
        return [_facts(r, _item(r, items), by_case.get(r.id, []), bodies, ratings.get(r.id)) for r in rows]

    def query_code(self, case_number: str) -> tuple[str, str] | None:
        """(case id, query code) of the case with this number: one indexed read, the same for any number, so
        the public lookup does the same work before it knows whether the code is right."""
        with self.session() as s:
            row = s.execute(select(CaseRow.id, CaseRow.query_code).where(CaseRow.case_number == case_number)).first()
        return None if row is None else (row[0], row[1] or "")

    def progress(self, case_id: str) -> ProgressFacts | None:
        """What the public lookup shows, once the code matched."""
        with self.session() as s:
            row = s.get(CaseRow, case_id)
            if row is None:
                return None
            events = _events(s, [row.id])
        return ProgressFacts(case_id=row.id, status=row.status, outcome=row.outcome, hall=row.hall,
                             item_name=row.service_item.name, received_at=as_utc(row.created_at),
                             events=tuple(_event(e) for e in events))

    def halls(self) -> list[str]:
        with self.session() as s:
            return sorted(set(s.scalars(select(CaseRow.hall).distinct())))


def _events(s, ids: list[str]) -> list[CaseEventRow]:
    out: list[CaseEventRow] = []
    for chunk in _chunks(ids):
        out += s.scalars(select(CaseEventRow).where(CaseEventRow.case_id.in_(chunk)).order_by(CaseEventRow.id))
    return sorted(out, key=lambda e: e.id)


def _assessments(s, keys: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[MaterialResult, ...]]:
    """The materials of the assessments the acceptance acts were taken on, typed (only they are read)."""
    out = {}
    for chunk in _chunks(sorted(set(keys))):
        for row in s.scalars(select(AssessmentRow).where(tuple_(AssessmentRow.case_id, AssessmentRow.version).in_(chunk))):
            out[(row.case_id, row.version)] = tuple(MaterialResult.model_validate(m) for m in row.body.get("materials", []))
    return out


def _ratings(s, ids: list[str]) -> dict[str, str]:
    """The latest 好差评 of each case (a later one replaces an earlier one)."""
    out = {}
    for chunk in _chunks(ids):
        for act in s.scalars(select(CaseActRow).where(CaseActRow.case_id.in_(chunk), CaseActRow.kind == "evaluation")
                             .order_by(CaseActRow.id)):
            rating = (act.person_value or {}).get("rating") if isinstance(act.person_value, dict) else None
            if rating:
                out[act.case_id] = rating
    return out


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _event(e: CaseEventRow) -> EventFact:
    return EventFact(act=e.act, to_state=e.to_state, at=as_utc(e.at), assessment_version=e.assessment_version)


def _item(row: CaseRow, items: dict[tuple[str, int], ServiceItem]) -> ServiceItem:
    """The case's item version, parsed once per version in a statistics read rather than once per case."""
    key = (row.item_code, row.item_version)
    if key not in items:
        items[key] = row.service_item
    return items[key]


def _facts(row: CaseRow, item: ServiceItem, events: list[CaseEventRow], bodies, rating: str | None) -> CaseFacts:
    limit = item.promised_limit
    assessed = tuple((e.act, bodies.get((row.id, e.assessment_version), ())) for e in events if e.act in ACCEPTANCE_ACTS)
    return CaseFacts(case_id=row.id, case_number=row.case_number or row.id, hall=row.hall, item_code=row.item_code,
                     item_name=item.name, received_at=as_utc(row.created_at),
                     status=row.status, outcome=row.outcome, limit_days=limit.days,
                     limit_unit=limit.unit, events=tuple(_event(e) for e in events),
                     assessed=assessed, rating=rating)

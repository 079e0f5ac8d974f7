"""The back office (后台审查): the hall's queue of accepted cases sorted by deadline, with filters and paging; a
case page with page images and field boxes, findings with their evidence, licence-library evidence, signature
results, originals seen and history; the reviewer's acts go through api/pages/acts.py. Reviewers only (admins
see the queue of every hall); a case of another hall answers 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import ServicesDep, SettingsDep, TodayDep
from api.pages import acts, case_view
from api.pages.counter import case_context
from api.pages.web import identity_of, render, require
from pipeline.assessment import DECISION_LABELS
from pipeline.case_states import STATES
from workers.cases.notices import materials_attested
from workers.cases.records import case_timeline

QUEUE_STATES = ("accepted", "accepted_tolerance", "reviewing", "suspended")
PAGE_SIZE = 20
FLAGS = {"case.overdue": "已超期", "case.notice_overdue": "未按时出具通知", "case.tolerance_lapsed": "容缺逾期未补",
         "case.clock_suspended": "挂起中", "calendar.year_not_covered": "日历未覆盖"}  # pipeline/case_clock.py


@dataclass(frozen=True)
class QueueRow:
    id: str
    case_number: str
    item_name: str
    applicant: dict
    status: str
    recommendation: str
    due: dt.date | None
    overdue: bool
    flags: tuple


router = APIRouter(include_in_schema=False)


def queue_rows(svc, hall: str | None, today: dt.date, *, state: str = "", item: str = "", flag: str = "",
               due_before: dt.date | None = None) -> list[QueueRow]:
    """The queue, filtered and sorted by the decision deadline (none last), then by case number."""
    rows = []
    for row in svc.cases.in_states((state,) if state in QUEUE_STATES else QUEUE_STATES, hall):
        if item and row.item_code != item:
            continue
        line = case_timeline(svc.cases, row, svc.calendar, today)
        due = line.clock.due if line.clock else None
        if due_before and (due is None or due > due_before):
            continue
        if flag and not any(f.code == flag for f in line.flags):
            continue
        rows.append(QueueRow(id=row.id, case_number=row.case_number or row.id, item_name=row.service_item.name,
                             applicant=row.applicant, status=row.status,
                             recommendation=DECISION_LABELS.get(row.decision or "", "尚未核验"), due=due,
                             overdue=bool(line.clock and line.clock.overdue), flags=tuple(line.flags)))
    return sorted(rows, key=lambda r: (r.due is None, r.due or dt.date.max, r.case_number))


def _due_before(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None  # an unreadable date filters nothing


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request, svc: ServicesDep, today: TodayDep, state: str = "", item: str = "", flag: str = "",
          due_before: str = "", page: int = 1) -> HTMLResponse:
    who = identity_of(require(request, "reviewer", "admin"))
    rows = queue_rows(svc, None if who.role == "admin" else who.hall, today, state=state, item=item, flag=flag,
                      due_before=_due_before(due_before))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    svc.repo.audit(who, "case.list", "case", "*", state=state or None, flag=flag or None, count=len(rows), via="pages")
    query = {"state": state, "item": item, "flag": flag, "due_before": due_before}
    return render(request, "review_queue.html", rows=shown, total=len(rows), page=page, pages=pages, query=query,
                  states={s: STATES[s] for s in QUEUE_STATES}, items=[(c, svc.catalog.get(c).name) for c in svc.catalog.codes()],
                  today=today, flags=FLAGS)


@router.get("/review/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: str, request: Request, svc: ServicesDep, settings: SettingsDep, today: TodayDep,
              done: str = "") -> HTMLResponse:
    ctx = case_context(request, svc, settings, today, case_id, roles=("reviewer", "admin"))
    svc.repo.audit(ctx.who, "case.read", "case", case_id, via="pages")
    assessment = ctx.view["assessment"]
    originals = materials_attested(svc.cases, case_id, assessment.materials if assessment else ())
    return render(request, "review_case.html", v=ctx.view, row=ctx.row, done=acts.DONE.get(done, ""),
                  originals=originals, history=case_view.history(svc, case_id),
                  notices=case_view.issued_notices(svc, case_id))

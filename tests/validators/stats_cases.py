"""A known set of cases for the statistics tests, written into a migrated database the way the case layer stores
them (case rows, transitions with the assessment version they were taken on, assessments, 好差评 acts), with
the figures it must give. Times are Shanghai wall-clock times; two cases straddle Shanghai midnight so that a
day taken in UTC would count them wrongly.

Hall h1, received 2026-11-02 (Mon) … 11-05, "today" 2026-12-07:
  A ibr  11-02 10:00  受理 at once, 准予 11-03 10:00 (1.0 d, on time)        非常满意
  B ibr  11-02 23:30  补齐补正 (经营者身份证明 missing), 受理 11-05, 准予 11-12 23:30 (10.0 d, late) 满意
  C ibr  11-03 00:30  补齐补正 (申请书 unsigned)
  D food 11-03 09:00  受理 at once, 不予许可 11-05 09:00 (2.0 d, on time)     非常不满意
  E ibr  11-04 10:00  still 收件 (no acceptance act)
  F ibr  11-04 11:00  不予受理 (申请书 unsigned)
  G ibr  11-05 10:00  受理 at once, still 审查 on 12-07 (overdue)
Hall h2: H ibr 11-03 10:00 受理 at once (never in h1's figures).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline.case_states import BY_ACT
from pipeline.interfaces import SHANGHAI
from storage.cases import CaseRepository
from storage.models import AssessmentRow
from validators.catalog import ServiceItem, load_catalog

CATALOG = load_catalog()
IBR = CATALOG.get("individual-business-registration")
FOOD = CATALOG.get("food-business-licence")
TODAY = dt.date(2026, 12, 7)
UNSIGNED = {"code": "application.unsigned", "severity": "error", "message": "申请书未签名", "document": "app"}

EXPECTED = {
    "received": 7, "judged": 6, "first_pass": 3, "rate": 0.5, "decided": 3, "median": 2.0, "p90": 10.0, "overdue": 2,
    "per_day": {"2026-11-02": 2, "2026-11-03": 2, "2026-11-04": 2, "2026-11-05": 1},
    "rate_per_day": {"2026-11-02": 50.0, "2026-11-03": 50.0, "2026-11-04": 0.0, "2026-11-05": 100.0},
    "per_item": {"个体工商户设立登记": 6, "食品经营许可（新办）": 1},
    "top": ("个体工商户设立登记", "application", "application.unsigned", 2),
    "ratings": {5: 1, 4: 1, 3: 0, 2: 0, 1: 1},
    "overdue_numbers": {"h1-2026-000002", "h1-2026-000007"},
}


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def _materials(item: ServiceItem, **statuses: str | tuple[str, dict]) -> list[dict[str, Any]]:
    out = []
    for m in item.materials_for("self"):
        status = statuses.get(m.code, "ok")
        finding = None
        if isinstance(status, tuple):
            status, finding = status
        out.append({"code": m.code, "name": m.name, "status": status, "necessity": "required",
                    "documents": [], "findings": [finding] if finding else []})
    return out


class Builder:
    def __init__(self, cases: CaseRepository, owners: dict[str, str]) -> None:
        self.cases, self.owners = cases, owners  # hall -> api key row id of a clerk of that hall

    def case(self, item, received: dt.datetime, hall: str = "h1"):
        return self.cases.create(owner_key_id=self.owners[hall], hall=hall, item=item, situation="self",
                                 applicant={"kind": "person", "name": "张三", "id_number": "110105199003071239"},
                                 at=received)

    def assess(self, case, version: int, materials: list[dict], when: dt.datetime) -> int:
        decision = "accept" if all(m["status"] == "ok" for m in materials) else "correction_required"
        item = case.service_item
        body = {"item": item.code, "item_version": item.version, "item_name": item.name, "situation": case.situation,
                "situation_name": item.situation(case.situation).name,
                "judged_on": when.astimezone(SHANGHAI).date().isoformat(), "decision": decision, "materials": materials}
        with self.cases.session() as s:  # a whole stored assessment, as CaseRepository.save writes one
            s.add(AssessmentRow(case_id=case.id, version=version, item_version=1, decision=decision, body=body,
                                created_at=when))
        return version

    def act(self, case, act: str, source: str, when: dt.datetime, version: int | None = None) -> None:
        role = "clerk" if act in ("accept", "request_correction", "not_accept") else "reviewer"
        event = self.cases.transition(case.id, BY_ACT[act], expected_state=source, actor=self.owners[case.hall],
                                      role=role, actor_label="C0231", reason="测试", assessment_version=version, at=when)
        assert event is not None, (act, source)

    def rate(self, case, rating: str, when: dt.datetime) -> None:
        self.cases.record_act(case.id, actor=self.owners[case.hall], role="clerk", kind="evaluation", at=when,
                              person_value={"rating": rating}, reason="" if rating in ("满意", "非常满意") else "等候太久")


def build(cases: CaseRepository, owners: dict[str, str]) -> dict[str, Any]:
    """Writes the case set; returns {letter: case row} (the query codes are on the rows)."""
    b = Builder(cases, owners)
    made = {}
    made["A"] = a = b.case(IBR, at(11, 2, 10))
    v = b.assess(a, 1, _materials(IBR), at(11, 2, 10, 10))
    b.act(a, "accept", "received", at(11, 2, 10, 30), v)
    b.act(a, "start_review", "accepted", at(11, 2, 11))
    b.act(a, "approve", "reviewing", at(11, 3, 10))
    b.rate(a, "非常满意", at(11, 4, 9))

    made["B"] = bb = b.case(IBR, at(11, 2, 23, 30))
    v = b.assess(bb, 1, _materials(IBR, operator_id="missing"), at(11, 2, 23, 40))
    b.act(bb, "request_correction", "received", at(11, 3, 9), v)
    v = b.assess(bb, 2, _materials(IBR), at(11, 5, 8, 50))
    b.act(bb, "accept", "correction", at(11, 5, 9), v)
    b.act(bb, "start_review", "accepted", at(11, 5, 10))
    b.act(bb, "approve", "reviewing", at(11, 12, 23, 30))
    b.rate(bb, "满意", at(11, 13, 9))

    made["C"] = c = b.case(IBR, at(11, 3, 0, 30))
    v = b.assess(c, 1, _materials(IBR, application=("invalid", UNSIGNED)), at(11, 3, 0, 40))
    b.act(c, "request_correction", "received", at(11, 3, 10), v)

    made["D"] = d = b.case(FOOD, at(11, 3, 9))
    v = b.assess(d, 1, _materials(FOOD), at(11, 3, 9, 10))
    b.act(d, "accept", "received", at(11, 3, 9, 30), v)
    b.act(d, "start_review", "accepted", at(11, 3, 10))
    b.act(d, "refuse", "reviewing", at(11, 5, 9))
    b.rate(d, "非常不满意", at(11, 6, 9))

    made["E"] = b.case(IBR, at(11, 4, 10))

    made["F"] = f = b.case(IBR, at(11, 4, 11))
    v = b.assess(f, 1, _materials(IBR, application=("invalid", UNSIGNED)), at(11, 4, 11, 10))
    b.act(f, "not_accept", "received", at(11, 4, 11, 30), v)

    made["G"] = g = b.case(IBR, at(11, 5, 10))
    v = b.assess(g, 1, _materials(IBR), at(11, 5, 10, 10))
    b.act(g, "accept", "received", at(11, 5, 10, 30), v)
    b.act(g, "start_review", "accepted", at(11, 5, 11))

    made["H"] = h = b.case(IBR, at(11, 3, 10), hall="h2")
    v = b.assess(h, 1, _materials(IBR), at(11, 3, 10, 10))
    b.act(h, "accept", "received", at(11, 3, 10, 30), v)
    return made

"""Opening a case (收件): a case for a service item, version and situation with its applicant, and its empty
checklist at once. Who calls it: POST /api/v1/cases and the counter page. Errors as CaseRefused."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from pipeline.errors import FORBIDDEN, REQUEST_INVALID, CaseRefused
from storage.models import CaseRow
from storage.repository import Identity
from pipeline.assessment import Assessment
from pipeline.service_item import ServiceItem
from workers.wiring import Services

logger = logging.getLogger(__name__)

CREATORS = ("clerk", "applicant", "integrator", "admin")


@dataclass(frozen=True)
class Opened:
    row: CaseRow
    item: ServiceItem
    assessment: Assessment | None  # the empty checklist, None when it could not be made yet


def open_case(svc: Services, who: Identity, *, item_code: str, item_version: int | None, situation: str,
              applicant: dict[str, Any], agent: dict[str, Any] | None, at: dt.datetime) -> Opened:
    """Create a case and its empty checklist, audited."""
    if who.role not in CREATORS:
        raise CaseRefused(FORBIDDEN, "审批人员不能创建办件")
    try:
        item = svc.catalog.get(item_code, item_version)
    except KeyError:
        raise CaseRefused(REQUEST_INVALID, f"未知的服务事项或版本：{item_code}") from None
    if item.situation(situation) is None:
        choices = "、".join(f"{s.code}（{s.name}）" for s in item.situations)
        raise CaseRefused(REQUEST_INVALID, f"办理情形应为 {choices} 之一")
    row = svc.cases.create(owner_key_id=who.key_id, hall=who.hall, item=item, situation=situation,
                           applicant=applicant, agent=agent, at=at)
    svc.repo.audit(who, "case.create", "case", row.id, item=item.code, item_version=item.version,
                   situation=situation, case_number=row.case_number)
    assessment = None
    try:  # the empty checklist at once: what the counter still has to collect
        assessment = svc.cases.reassess(row.id, svc.assessor)
    except Exception:  # noqa: BLE001 - the first finished upload assesses it again
        logger.exception("initial assessment of case %s failed", row.id)
    return Opened(row, item, assessment)

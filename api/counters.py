"""Counters (窗口) of a hall and the case each has open, so a document camera's folder client (`yichuang watch
DIR --counter NAME`, api/watch.py) sends scans into the case the clerk just opened without anyone typing an id.

The counter page (api/pages/counter.py) names its counter when it opens a case; that naming is an audit event
(`counter.case`, target `counter` `<hall>/<name>`), which is also where it is read back: the newest one wins,
and the trail already says who pointed which counter at which case and when.

    GET /api/v1/counters/{name}/case    -> {"counter", "case_id", "case_number", "case_url", "uploads_url", "set_at"}
                                           404 when the counter has no open case in the caller's hall
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from api import auth
from api.auth import IdentityDep
from api.contract import AUTHED, errors
from api.errors import ApiError
from storage.cases import CaseRepository
from storage.db import as_utc
from storage.repository import Identity

NAME = r"^[\w-]{1,32}$"  # letters (Chinese too), digits, _ and -: "3号窗口", "A-07"
ACTION = "counter.case"
READERS = ("clerk", "integrator", "admin")  # who may send scans into a case

router = APIRouter(prefix="/api/v1/counters", tags=["counters"])


class CounterCase(BaseModel):
    counter: str
    case_id: str
    case_number: str | None = None
    case_url: str
    uploads_url: str
    set_at: str


def valid_name(name: str) -> bool:
    return re.fullmatch(NAME, name) is not None


def _target(hall: str, name: str) -> str:
    target = f"{hall}/{name}"
    return target if len(target) <= 64 else hashlib.sha256(target.encode()).hexdigest()[:64]  # the column's size


def set_counter_case(repo, who: Identity, name: str, case_id: str) -> None:
    """Point counter `name` of the caller's hall at a case. Who calls it: the counter page, after opening a case."""
    repo.audit(who, ACTION, "counter", _target(who.hall, name), counter=name, case_id=case_id)


@router.get("/{name}/case", response_model=CounterCase, responses=errors(*AUTHED, 403, 404))
def counter_case(name: Annotated[str, Path(pattern=NAME)], request: Request, who: IdentityDep) -> CounterCase:
    """The case the counter page last opened at this counter of the caller's hall, while it takes materials."""
    from pipeline.case_states import OPEN

    if who.role not in READERS:
        raise ApiError("auth.forbidden", "该角色不能查询窗口的当前办件")
    repo = request.app.state.repo
    event = repo.last_audit(ACTION, "counter", _target(who.hall, name))
    row = CaseRepository(repo.engine).get(event.detail.get("case_id", "")) if event is not None else None
    if row is None or row.hall != who.hall or not (who.role != "integrator" or who.can_see(row)) or row.status not in OPEN:
        raise ApiError("not_found", f"窗口“{name}”当前没有正在收件的办件")
    repo.audit(who, "counter.read", "case", row.id, counter=name)
    return CounterCase(counter=name, case_id=row.id, case_number=row.case_number, case_url=f"/api/v1/cases/{row.id}",
                       uploads_url=f"/api/v1/cases/{row.id}/uploads", set_at=as_utc(event.at).isoformat())

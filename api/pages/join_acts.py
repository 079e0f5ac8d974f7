"""The counter page's forms to join shots into one document and to split them again (clerks, before 受理). Like
api/pages/acts.py: the CSRF token checked, authorised like the JSON API (a case of another hall answers 404), the
case layer called (workers/cases/joins.py, the same functions as POST /api/v1/cases/{id}/joins), audited with the
same actions, and the browser sent back to the case page (303) with what happened.

The checked shots are put in page order as the pages tell it: a page with a title of its own first, a later page
without one (`Document.continues`: a signature page) after it, each group in the order photographed — so a
signature page the camera took before the form's first page still ends up last. The JSON API takes the order given.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from api.deps import NowDep, ServicesDep
from api.pages.acts import _back, _prepare, _run, _text
from workers.cases.joins import MAX_PARTS, join, split

DONE = {"join": "已合并为一份材料，并已重新核验", "split": "已拆分为单独的照片，并已重新核验"}


router = APIRouter(prefix="/pages/cases/{case_id}", include_in_schema=False)


async def _checked_documents(request: Request) -> list[str]:
    form = await request.form()  # already read (and its token checked) by _prepare: starlette caches it
    return [str(v)[:64] for v in form.getlist("documents") if isinstance(v, str) and v][:MAX_PARTS + 1]


@router.post("/join")
async def join_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep) -> RedirectResponse:
    who, form, _row = await _prepare(request, svc, case_id, roles=("clerk",))
    chosen = set(await _checked_documents(request))
    shots = [s.document for s in svc.cases.submitted(case_id) if s.document.id in chosen]  # as photographed
    ordered = [d.id for d in sorted(shots, key=lambda d: d.continues)]  # stable: titled pages first
    ordered += sorted(chosen - set(ordered))  # unknown ids: the case layer refuses them by name
    act, _saved = _run(who, case_id, join, svc.cases, svc.assessor, case_id, who, documents=ordered, at=now,
                       reason=_text(form, "reason", 500))
    svc.repo.audit(who, "case.join", "case", case_id, act_id=act.id, documents=act.person_value["documents"],
                   via="pages")
    return _back(who, case_id, "join")


@router.post("/split")
async def split_form(case_id: str, request: Request, svc: ServicesDep, now: NowDep) -> RedirectResponse:
    who, form, _row = await _prepare(request, svc, case_id, roles=("clerk",))
    act, _saved = _run(who, case_id, split, svc.cases, svc.assessor, case_id, who, document=_text(form, "document", 64),
                       at=now, reason=_text(form, "reason", 500))
    svc.repo.audit(who, "case.split", "case", case_id, act_id=act.id, document=act.document_id, via="pages")
    return _back(who, case_id, "split")

"""A case as the applicant reads it: built from the counter's view (api/pages/case_view.build) and put in the
words the notices use (validators/notice.citizen_status, citizen_problem) — no internal status words, no finding
codes, no machine recommendation. Also the halls open for online applications, the catalog choices and the
progress in plain words. Read-only. Who calls it: api/pages/applicant.py."""

from __future__ import annotations

import logging
from typing import Any

from api.halls import halls_dir
from pipeline import case_states
from pipeline.assessment import MaterialResult
from pipeline.settings import Settings
from storage.bundle.records import BundleRepository
from storage.db import as_utc
from validators.halls import Hall, HallError, load_hall
from validators.notice import citizen_problem, citizen_status

logger = logging.getLogger(__name__)

# The case's state as the applicant reads it.
PROGRESS = {"received": "填报中（尚未提交预审）", "prereview": "已提交，等待窗口受理", "accepted": "已受理，正在审查",
            "accepted_tolerance": "已容缺受理，请按期补交材料", "correction": "需补齐补正，请按告知补交",
            "not_accepted": "不予受理", "reviewing": "正在审查", "suspended": "暂停审查（等待补正或特别程序）",
            "withdrawn": "已撤回", "decided": "已办结", "delivered": "已办结，结果已送达", "archived": "已办结"}
STEP_WORDS = {"prereview": "提交预审", "accept": "受理", "accept_tolerance": "容缺受理", "request_correction": "告知补齐补正",
              "not_accept": "不予受理", "start_review": "开始审查", "return_for_correction": "退回补正",
              "suspend": "暂停审查", "resume": "恢复审查", "approve": "办结（准予许可）", "refuse": "办结（不予许可）",
              "lapse_to_correction": "容缺逾期，转补齐补正", "lapse_to_refusal": "容缺逾期，不予许可",
              "withdraw": "撤回申请", "deliver": "结果送达", "archive": "归档"}
PROBLEM = ("missing", "invalid")


def open_halls(settings: Settings) -> list[Hall]:
    """The halls with a valid configuration (`<data dir>/halls/<code>.yaml`): only they take online cases."""
    out = []
    for path in sorted(halls_dir(settings).glob("*.yaml")):
        try:
            hall = load_hall(path.parent, path.stem)
        except HallError:
            logger.warning("hall file %s invalid: not offered for online applications", path.name)
            continue
        if hall is not None:
            out.append(hall)
    return out


def catalog_choices(svc) -> list[dict[str, Any]]:
    """Each item's current version, its situations (the question “谁来办理”) and the materials each needs."""
    out = []
    for code in svc.catalog.codes():
        item = svc.catalog.get(code, max(svc.catalog.versions(code)))
        out.append({"code": code, "version": item.version, "name": item.name, "situations": [
            {"code": s.code, "name": s.name, "materials": [m.name for m in item.materials_for(s.code)]}
            for s in item.situations]})
    return out


def summary_row(row) -> dict[str, Any]:
    return {"id": row.id, "case_number": row.case_number, "item_name": row.service_item.name, "created_at": row.created_at,
            "progress": PROGRESS.get(row.status, "办理中")}


def _material(m: dict[str, Any], standard: str, started: bool) -> dict[str, Any]:
    """One checklist line, from the counter's view of a material (case_view.material_view). Before anything was
    uploaded (`started` false) nothing is a problem yet."""
    result: MaterialResult = m["result"]
    necessity = result.necessity
    docs = [{"id": d["id"], "upload_id": d["upload_id"], "type_label": d["type_label"], "images": d["images"],
             "retake": [q["text"] for q in d["quality"] if q["severity"] == "error"]} for d in m["docs"]]
    absent = result.status in ("missing", "tolerated", "not_provided") and not docs
    problem = ""
    if not absent or necessity == "required":
        problem = citizen_problem(result, standard) if result.status in PROBLEM and started else ""
    if absent and not started:
        status = "待上传"
    elif absent and necessity != "required":
        status = "可不提交" if necessity == "optional" else "可容缺：可先不交，受理时签署承诺书后按期补交"
    else:
        status = citizen_status("correction", result.status)
    retake = any(d["retake"] for d in docs)
    if retake and not problem:
        status = "需重新拍摄或上传"
    return {"code": result.code, "name": result.name, "status": status, "problem": problem, "ok": not (problem or retake),
            "standard": standard, "necessity": necessity, "docs": docs}


def citizen(view: dict[str, Any], row) -> dict[str, Any]:
    """The checklist in the notices' words and the pre-review headline: every problem at once."""
    standards = {m.code: m.standard for m in row.service_item.materials}
    started = bool(view["uploads"])
    materials = [_material(m, standards.get(m["result"].code, ""), started) for m in view["materials"]]
    problems = [m["problem"] for m in materials if m["problem"]]
    busy = bool(view["pending"] or view["assessing"])
    retakes = [f"{m['name']}：第 {i} 份{r.removeprefix('请重拍：')}，请重新拍摄或上传" for m in materials
               for i, d in enumerate(m["docs"], start=1) for r in d["retake"]]
    problems += [r for r in retakes if not any(r.startswith(m["name"]) and m["problem"] for m in materials)]
    if busy:
        headline, verdict = "正在识别和预审您上传的材料，请稍候…", "busy"
    elif not view["uploads"]:
        headline, verdict = "请按下列清单逐项上传材料，上传后系统自动预审", "empty"
    elif problems:
        headline, verdict = f"预审未通过：共 {len(problems)} 个问题，请一次性按下列意见修改后重新上传", "problems"
    else:
        headline, verdict = "预审通过：材料齐全，符合要求" + ("，请提交预审" if row.status == "received" else "，请等待窗口受理"), "pass"
    return {"materials": materials, "problems": problems, "headline": headline, "verdict": verdict, "busy": busy,
            "pending": len(view["pending"]), "failed": len(view["failed"]), "signature": view["signature"],
            "situation_name": view["situation_name"], "editable": row.status in case_states.BEFORE_ACCEPTANCE,
            "can_submit": row.status == "received" and verdict in ("pass", "problems")}


def progress(svc, row) -> dict[str, Any]:
    """The state and the steps so far (acts in words, no staff names)."""
    steps = [{"at": as_utc(e.at), "what": STEP_WORDS.get(e.act, "办理")} for e in svc.cases.events(row.id)]
    return {"label": PROGRESS.get(row.status, "办理中"), "steps": steps,
            "outcome": case_states.OUTCOMES.get(row.outcome or "", "")}


def bundles(app, settings: Settings, case_id: str) -> list[dict[str, Any]]:
    """The signed bundles the hall built of the case: when, and the SHA-256 a copy can be checked against."""
    return [{"at": r.created_at, "sha256": r.sha256, "version": r.case_version}
            for r in BundleRepository(app.state.repo.engine).versions(case_id)]

"""A case as the pages show it: the checklist with each material's documents (thumbnails, type, quality in words,
fields with their boxes), what is still being read, the notice text, the acts the person may do, the history.
Read-only: built from the case repository's read methods (the same the JSON API's GET routes use)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from storage.db import as_utc
from pipeline import case_states
from pipeline.assessment import DECISION_LABELS, STATUS_LABELS, MaterialResult, PersonAct
from pipeline.models import Document
from storage.case_discards import DISCARDED
from validators.joining import standing_joins
from validators.vocabulary import field_class, field_label, type_label
from workers.cases.records import allowed_acts
from workers.wiring import Services

ACT_LABELS = {t.act: t.label for t in case_states.TRANSITIONS}
NOTICE_OF_ACT = {"accept": "acceptance", "accept_tolerance": "tolerance", "request_correction": "correction",
                 "return_for_correction": "correction", "lapse_to_correction": "correction", "not_accept": "refusal",
                 "refuse": "refusal_decision"}
NOTICE_LABELS = {"acceptance": "受理通知书", "tolerance": "容缺受理通知书", "correction": "一次性告知书（补齐补正）",
                 "refusal": "不予受理通知书", "refusal_decision": "不予行政许可决定书"}
NOTICE_FOR_RECOMMENDATION = {"accept": "acceptance", "accept_with_tolerance": "tolerance",
                             "correction_required": "correction"}
PERSON_ACT_LABELS = {"field": "更正字段", "finding": "处理问题", "manual_check": "人工核验", "original_seen": "核验原件",
                     "commitment": "签署容缺承诺", "discard": "作废照片", "evaluation": "评价",
                     "join": "合并照片为一份材料", "split": "拆分合并的材料"}


def quality_words(document: Document) -> list[dict[str, str]]:
    """Quality problems as the clerk reads them: an error is a retake (请重拍：…), a warning a prompt to check."""
    out = []
    for issue in document.quality.issues if document.quality else ():
        if issue.severity == "error":
            out.append({"severity": "error", "text": "请重拍：" + issue.message.split("，")[0]})
        else:
            out.append({"severity": issue.severity, "text": issue.message})
    if document.error:
        out.append({"severity": "error", "text": f"无法识别：{document.error.message}"})
    return out


def document_view(document: Document, upload_id: str, thresholds, corrected: dict | None = None) -> dict[str, Any]:
    """The template's view of a document. `corrected`: the latest person's value per (document id, field) —
    shown in place of the machine's."""
    pages = list(document.pages)
    fields = []
    for name, value in document.fields.items():
        confidence = float(value.confidence or 0)
        person = (corrected or {}).get((document.id, name))
        fields.append({"name": name, "label": field_label(document.type, name),
                       "value": person.person_value if person else value.value,
                       "machine_value": value.value if person else None, "corrected": person is not None,
                       "confidence": confidence, "source": value.source,
                       "doubtful": person is None and confidence < thresholds.for_class(field_class(name)),
                       "image": pages.index(value.page) if value.page in pages else 0, "box": value.box})
    return {"id": document.id, "upload_id": upload_id, "type": document.type, "type_label": type_label(document.type),
            "source": document.source, "images": len(document.image_keys) or _rendered_pages(document),
            "fields": fields, "quality": quality_words(document), "findings": list(document.findings),
            "readable": not document.error, "parts": [], "part_of": None, "split": False, "text": document.text,
            "signatures": list(document.signatures), "seals": list(document.seals)}


def _rendered_pages(document: Document) -> int:
    """A PDF document read from its text layer stores no page images: its pages are rendered when shown
    (api/pages/images.py)."""
    return 0 if document.error else len(document.pages)


def material_view(material: MaterialResult, docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The template's view of a material of the checklist: the typed result's fields (read as attributes by
    Jinja), the result itself (`result`, for the Python callers), its status in words and its documents' views."""
    return {**dict(material), "result": material, "status_label": STATUS_LABELS.get(material.status, material.status),
            "docs": [docs[d] for d in material.documents if d in docs]}


def _attach_parts(docs: dict[str, dict[str, Any]], joined: Mapping[str, Sequence[str]], acts) -> set[str]:
    """Documents the assessment judged as one (`joined`): each part shown inside the document it joined, in page
    order; a clerk's join can be split again. The shots' own findings were about each shot alone: the material's
    findings are those of the joined document, so they are not repeated beside the shots. Returns the ids of the
    parts (shown nowhere else)."""
    by_hand = standing_joins([PersonAct(kind=a.kind, document=a.document_id, value=a.person_value, role=a.role)
                              for a in acts if a.kind in ("join", "split")])
    tails: set[str] = set()
    for head, parts in joined.items():
        if head not in docs:
            continue
        docs[head].update(parts=[docs[t] for t in parts if t in docs], split=head in by_hand, findings=[])
        for t in parts:
            tails.add(t)
            if t in docs:
                docs[t].update(part_of=head, findings=[])
    return tails


def build(svc: Services, row, role: str, thresholds, timeline) -> dict[str, Any]:
    """Everything a case page shows. `timeline` is workers.cases.records.case_timeline's answer for today."""
    latest = svc.cases.latest(row.id)
    assessment = latest.assessment if latest else None
    superseded = svc.cases.superseded(row.id)
    uploads = svc.cases.uploads(row.id)
    live = [u for u in uploads if u.id not in superseded]
    corrected = {(a.document_id, a.field): a for a in svc.cases.acts(row.id) if a.kind == "field"}  # latest wins
    docs = {d.document.id: document_view(d.document, d.upload_id or "", thresholds, corrected)
            for d, gone in svc.cases.all_submitted(row.id) if not gone}
    tails = _attach_parts(docs, assessment.joined if assessment else {}, svc.cases.acts(row.id))
    results = assessment.materials if assessment else ()
    materials = [material_view(m, docs) for m in results]
    assigned = {d for m in results for d in m.documents}
    pending = [u for u in live if u.status in ("queued", "processing")]
    finished = [as_utc(u.finished_at) for u in live if u.finished_at is not None]
    # read, but the checklist not yet recomputed with it (assess_case runs after each finished upload)
    assessed_at = as_utc(row.assessed_at)
    assessing = bool(finished) and (assessed_at is None or max(finished) > assessed_at)
    failed = [u for u in live if u.status == "failed"]
    recommendation = assessment.decision if assessment else None
    signature = hashlib.sha256(repr((latest.version if latest else 0, row.status, assessing,
                                     [(u.id, u.status) for u in live])).encode()).hexdigest()[:16]
    item = row.service_item
    situation = item.situation(row.situation)
    return {
        "row": row, "assessment": assessment, "version": latest.version if latest else None, "materials": materials,
        "unassigned": [d for i, d in docs.items() if i not in assigned and i not in tails],
        "joinable": sum(1 for i, d in docs.items() if i not in tails and d["readable"]) >= 2, "pending": pending, "assessing": assessing, "failed": failed,
        "uploads": live, "discarded": [u for u in uploads if u.id in superseded and superseded[u.id].superseded_by == DISCARDED],
        "recommendation": recommendation, "recommendation_label": DECISION_LABELS.get(recommendation or "", "尚未核验"),
        "notice_text": assessment.notice if assessment else "", "notice_kind": NOTICE_FOR_RECOMMENDATION.get(recommendation or ""),
        "status_label": case_states.STATES.get(row.status, row.status), "allowed": allowed_acts(row, role),
        "act_labels": ACT_LABELS, "case_findings": list(assessment.findings) if assessment else [], "signature": signature,
        "flags": timeline.flags, "clock": timeline.clock, "tolerance": timeline.tolerance,
        "situation_name": situation.name if situation else row.situation,
        # in the item's order, as the stored snapshot lists them
        "item_materials": [m for m in item.materials if situation and m.code in situation.materials],
    }


def history(svc: Services, case_id: str) -> list[dict[str, Any]]:
    """Transitions and people's acts in time order, in words."""
    rows = [{"at": as_utc(e.at), "what": ACT_LABELS.get(e.act, e.act), "who": e.actor_label, "role": e.role,
             "reason": e.reason, "overridden": e.overridden} for e in svc.cases.events(case_id)]
    rows += [{"at": as_utc(a.at), "what": PERSON_ACT_LABELS.get(a.kind, a.kind)
              + (f"：{a.field}" if a.field else "") + (f"：{a.finding}" if a.finding else ""),
              "who": case_states.ROLE_LABELS.get(a.role, a.role), "role": a.role, "reason": a.reason, "overridden": False} for a in svc.cases.acts(case_id)]
    return sorted(rows, key=lambda r: r["at"])


def notice_preview_url(app, case_id: str, kind: str | None) -> str | None:
    """The seam for the notice preview API (`GET /api/v1/cases/{id}/notices/{kind}.pdf?preview=1`, built by
    another part of the project): linked only when the notice route accepts a `preview` query parameter;
    until then the page shows the assessment's notice text, which is what the notice would print."""
    if not kind:
        return None
    for route in app.routes:
        if getattr(route, "path", "") == "/api/v1/cases/{case_id}/notices/{kind}.pdf":
            names = {p.name for p in getattr(getattr(route, "dependant", None), "query_params", [])}
            if "preview" in names:
                return f"/api/v1/cases/{case_id}/notices/{kind}.pdf?preview=1"
    return None


def issued_notices(svc: Services, case_id: str) -> list[dict[str, str]]:
    """The notices already issued (one per kind, the latest act's), to print."""
    kinds = []
    for e in svc.cases.events(case_id):
        kind = NOTICE_OF_ACT.get(e.act)
        if kind and kind not in kinds:
            kinds.append(kind)
    return [{"kind": k, "label": NOTICE_LABELS[k], "url": f"/api/v1/cases/{case_id}/notices/{k}.pdf"} for k in kinds]

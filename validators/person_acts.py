"""People's corrections in the assessment: the machine recommends, people decide.

Who calls it: validators/assess.py (three small hooks). Pure: returns new objects, changes nothing.
- A corrected field replaces the machine's reading with the person's value (confidence 1.0, source `person`);
  the document's own findings about that field were about the machine's reading and are set aside (kept as
  `info`), and an `info` finding says who corrected what. The machine's value stays in the case's records.
- A confirmed finding is a definite problem (`error`, it goes on the notice); a dismissed one no longer
  counts (`info`, with the person's reason).
- A material checked by hand without a scan counts as present and `ok`, with an `info` finding saying so.
The latest act on the same target wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.assessment import CaseFinding, PersonAct, Submitted
from pipeline.models import FieldValue, Finding

ROLE_WORDS = {"clerk": "窗口工作人员", "reviewer": "审批人员"}


def _who(act: PersonAct) -> str:
    return ROLE_WORDS.get(act.role, "工作人员")


def field_acts(acts: Sequence[PersonAct]) -> dict[tuple[str, str], PersonAct]:
    latest: dict[tuple[str, str], PersonAct] = {}
    for act in acts:
        if act.kind == "field" and act.document and act.field:
            latest[(act.document, act.field)] = act
    return latest


def apply_to_documents(submitted: Sequence[Submitted], acts: Sequence[PersonAct]) -> list[Submitted]:
    corrections = field_acts(acts)
    if not corrections:
        return list(submitted)
    out = []
    for item in submitted:
        doc = item.document
        mine = {name: act for (doc_id, name), act in corrections.items() if doc_id == doc.id}
        if not mine:
            out.append(item)
            continue
        fields = dict(doc.fields)
        findings: list[Finding] = []
        for f in doc.findings:
            if set(f.fields) & set(mine) and f.severity != "info":
                f = f.model_copy(update={"severity": "info", "message": f.message + "（该项已由工作人员更正，原识别结果不再适用）"})
            findings.append(f)
        for name, act in mine.items():
            machine = fields.get(name)
            raw = None if machine is None or machine.value is None else str(machine.value)
            fields[name] = FieldValue(value=act.value, confidence=1.0, source="person", raw=raw,
                                      page=machine.page if machine else None, box=machine.box if machine else None)
            findings.append(Finding(code="field.corrected", severity="info", fields=(name,),
                                    message=f"{_who(act)}已更正该项：{act.reason}" if act.reason else f"{_who(act)}已更正该项"))
        out.append(item.model_copy(update={"document": doc.model_copy(update={"fields": fields, "findings": tuple(findings)})}))
    return out


def _matches(act: PersonAct, finding: CaseFinding, material: str) -> bool:
    return (act.kind == "finding" and act.finding == finding.code and act.document in (None, finding.document)
            and act.material in (None, material))


def apply_to_findings(findings: Sequence[CaseFinding], acts: Sequence[PersonAct], material: str) -> list[CaseFinding]:
    out = []
    for finding in findings:
        act = next((a for a in reversed(acts) if _matches(a, finding, material)), None)
        if act is None or finding.severity == "info" and act.action == "dismiss":
            out.append(finding)
        elif act.action == "confirm":
            out.append(finding.model_copy(update={"severity": "error", "message": finding.message.replace(
                "（识别置信度不足，请人工核对）", "") + f"（经{_who(act)}核实）"}))
        else:
            out.append(finding.model_copy(update={"severity": "info",
                                                  "message": f"{finding.message}（已由{_who(act)}核实排除：{act.reason}）"}))
    return out


def checked_by_hand(acts: Sequence[PersonAct], material: str) -> PersonAct | None:
    return next((a for a in reversed(acts) if a.kind == "manual_check" and a.material == material), None)


def hand_check_finding(act: PersonAct) -> CaseFinding:
    return CaseFinding(code="material.checked_by_hand", severity="info",
                       message=f"{_who(act)}已人工核验本材料（无扫描件）：{act.reason}")

"""People's corrections in the assessment: the machine recommends, people decide.

Who calls it: validators/assess.py (three small hooks). Pure: returns new objects, changes nothing.
- A corrected field replaces the machine's reading with the person's value (confidence 1.0, source `person`,
  the machine's value kept as `raw`); the document's own findings about that field were about the machine's
  reading and are set aside (kept as `info`), and an `info` finding says who corrected what. The corrected
  document then goes through its type's own checks again (`recheck`, the CheckRegistry of validators/): a
  correction that fixes an OCR misread clears the finding, one that introduces an invalid value (a wrong check
  digit, an expired date) raises it, as an `error` since a person's value is certain. The machine's value
  also stays in the case's records (the `case_acts` table's machine_value, storage/case_records.py).
- A confirmed finding is a definite problem (`error`, it goes on the notice); a dismissed one no longer
  counts (`info`, with the person's reason).
- A material checked by hand without a scan counts as present and `ok`, with an `info` finding saying so.
The latest act on the same target wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.assessment import CaseFinding, PersonAct, Submitted
from pipeline.confidence import UNCERTAIN
from pipeline.models import Document, FieldValue, Finding

ROLE_WORDS = {"clerk": "窗口工作人员", "reviewer": "审批人员"}


def _who(act: PersonAct) -> str:
    return ROLE_WORDS.get(act.role, "工作人员")


def field_acts(acts: Sequence[PersonAct]) -> dict[tuple[str, str], PersonAct]:
    latest: dict[tuple[str, str], PersonAct] = {}
    for act in acts:
        if act.kind == "field" and act.document and act.field:
            latest[(act.document, act.field)] = act
    return latest


RECHECKED = "（按工作人员更正后的值复核）"
Recheck = Callable[[Document], Sequence[Finding]]  # the document type's own checks on a document


def apply_to_documents(submitted: Sequence[Submitted], acts: Sequence[PersonAct], recheck: Recheck | None = None
                       ) -> list[Submitted]:
    """`recheck(doc)` returns the findings of the document type's checks on `doc` (Assessor.recheck)."""
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
        for name, act in mine.items():
            machine = fields.get(name)
            raw = None if machine is None or machine.value is None else str(machine.value)
            fields[name] = FieldValue(value=act.value, confidence=1.0, source="person", raw=raw,
                                      page=machine.page if machine else None, box=machine.box if machine else None)
        corrected = doc.model_copy(update={"fields": fields, "findings": ()})
        # Codes the type's checks give on the machine's reading and on the corrected one: a check finding that
        # names no field (a value not read at all) is cleared when the correction makes it go away.
        before = {f.code for f in recheck(doc.model_copy(update={"findings": ()}))} if recheck else set()
        again = list(recheck(corrected)) if recheck else []
        after = {f.code for f in again}
        findings: list[Finding] = []
        for f in doc.findings:
            if f.severity != "info" and (set(f.fields) & set(mine) or f.code in before - after):
                f = f.model_copy(update={"severity": "info", "message": f.message + "（该项已由工作人员更正，原识别结果不再适用）"})
            findings.append(f)
        findings += [f.model_copy(update={"message": f.message + RECHECKED}) for f in again
                     if set(f.fields) & set(mine) or (f.code not in before and not f.fields)]
        for name, act in mine.items():
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
                UNCERTAIN, "") + f"（经{_who(act)}核实）"}))
        else:
            out.append(finding.model_copy(update={"severity": "info",
                                                  "message": f"{finding.message}（已由{_who(act)}核实排除：{act.reason}）"}))
    return out


def checked_by_hand(acts: Sequence[PersonAct], material: str) -> PersonAct | None:
    return next((a for a in reversed(acts) if a.kind == "manual_check" and a.material == material), None)


def hand_check_finding(act: PersonAct) -> CaseFinding:
    return CaseFinding(code="material.checked_by_hand", severity="info",
                       message=f"{_who(act)}已人工核验本材料（无扫描件）：{act.reason}")

"""Stage objects of the case assessment: what goes in (`CaseInput`) and what comes out (`Assessment`).

The assessment (validators/assess.py) is a pure function of a `CaseInput`, the service item it names and
explicit dependencies (thresholds, licence library, calendar). Storage builds `CaseInput` from the
database; `yichuang verify --item` builds it from the files on the command line. `Assessment.to_case_dict()`
is the `case` object of the result JSON of docs/contracts.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pipeline.library import FileCheck
from pipeline.models import Document, Finding, Frozen, Hints
from pipeline.service_item import ServiceItem

MaterialStatus = Literal["ok", "from_library", "missing", "invalid", "tolerated", "needs_review", "not_provided"]
Decision = Literal["accept", "accept_with_tolerance", "correction_required", "needs_review"]

DECISION_LABELS: dict[str, str] = {
    "accept": "建议受理",
    "accept_with_tolerance": "建议容缺受理",
    "correction_required": "需补齐补正",
    "needs_review": "需人工核验",
}
STATUS_LABELS: dict[str, str] = {
    "ok": "符合要求",
    "from_library": "已从电子证照库调取",
    "missing": "未提交",
    "invalid": "不符合要求",
    "tolerated": "容缺后补",
    "needs_review": "需人工核验",
    "not_provided": "未提交（非必要）",
}


class Submitted(Frozen):
    """A document of the case with the hints of the upload it came from (扫描挂接)."""

    document: Document
    hints: Hints = Hints()
    upload_id: str | None = None


class PersonAct(Frozen):
    """What a clerk or reviewer decided about a reading (the machine's value is kept beside the person's in
    the case's records): `field` corrects a document's field; `finding` confirms (a definite problem) or
    dismisses (not a problem) a finding by code, optionally of one document or material; `manual_check`
    records a material as checked by hand without a scan; `join` judges several documents as one (`value`:
    {"documents": [ids in page order]}) and `split` undoes the join of `document` (validators/joining.py)."""

    kind: Literal["field", "finding", "manual_check", "join", "split"]
    document: str | None = None
    field: str | None = None
    value: Any = None
    finding: str | None = None
    material: str | None = None
    action: Literal["confirm", "dismiss"] | None = None
    reason: str = ""
    role: str = ""


class CaseInput(Frozen):
    """Everything an assessment reads about one case, taken from the database in one go (or from the
    command line). `version` is the case's row version the input was read at (optimistic concurrency)."""

    case_id: str | None = None
    item: ServiceItem  # the service item version the case was created with (a case keeps its version)
    situation: str
    judged_at: dt.datetime  # dates are judged on this moment's day in Asia/Shanghai
    documents: tuple[Submitted, ...] = ()
    pending_uploads: int = 0  # uploads of the case not yet processed
    failed_uploads: int = 0  # uploads that failed for infrastructure reasons
    version: int = 0
    acts: tuple[PersonAct, ...] = ()  # corrections and confirmations by people, oldest first


class CaseFinding(Finding):
    """A finding as reported on a material or the case: the document it concerns, if any."""

    document: str | None = None

    @classmethod
    def on(cls, finding: Finding, document: str | None) -> "CaseFinding":
        """A document's own finding as the case reports it."""
        return cls(code=finding.code, severity=finding.severity, message=finding.message, fields=finding.fields,
                   document=document)


class LicenceEvidence(Frozen):
    """What the licence library answered for a material filled from it (kept in the case, docs/domain.md step 6)."""

    identifier: str | None = None
    name: str
    type_code: str
    number: str | None = None
    issuer: str | None = None
    holder_code_type: str
    status: str
    trust_level: str
    valid_until: dt.date | None = None
    file_key: str | None = None  # always set for a material filled from the library
    looked_up_on: dt.date
    # What the lookup answered and when, and what checking the file found (docs/domain.md step 6).
    holder: str | None = None
    valid_from: dt.date | None = None
    source_status: str | None = None
    source: str | None = None  # which library answered: "embedded" or the external service's URL
    looked_up_at: dt.datetime | None = None
    answer: dict[str, Any] = {}  # the licence record as the library answered it
    file: FileCheck | None = None  # fetched, hashed and signature-checked file (None: not checked)


class MaterialResult(Frozen):
    code: str
    name: str
    status: MaterialStatus
    necessity: str
    documents: tuple[str, ...] = ()  # document ids assigned to this material
    findings: tuple[CaseFinding, ...] = ()
    missing: tuple[str, ...] = ()  # type codes absent from the closest accepted set
    due: dt.date | None = None  # tolerated: the day the material must be supplied by
    due_working_days: int | None = None
    commitment_required: bool = False
    licence: LicenceEvidence | None = None
    library_record: LicenceEvidence | None = None  # the library record a presented licence was reconciled with
    originals: int = 0
    copies: int = 0


class Assessment(Frozen):
    item: str
    item_version: int
    item_name: str
    situation: str
    situation_name: str
    judged_on: dt.date
    decision: Decision
    materials: tuple[MaterialResult, ...]
    unassigned: tuple[str, ...] = ()  # ids of documents no material took (or unreadable ones)
    findings: tuple[CaseFinding, ...] = ()  # case-level findings (unassigned documents, pending uploads, calendar)
    # documents judged as one: the id a material lists -> the ids of the documents merged into it, in page order
    # (a clerk's join, or a form's untitled later page; validators/joining.py)
    joined: dict[str, tuple[str, ...]] = {}
    notice: str = ""
    case_id: str | None = None
    input_version: int = 0  # the case row version the input was read at

    def to_case_dict(self) -> dict[str, Any]:
        """The `case` object of the result JSON (docs/architecture.md), with the extra keys clerks need. Called
        at the edges only: the database write (storage/cases.py), HTTP responses and rendered pages."""
        return self.model_dump(mode="json", exclude={"case_id", "input_version"})

    @classmethod
    def from_case_dict(cls, body: dict[str, Any], *, case_id: str | None = None, input_version: int = 0) -> "Assessment":
        """The inverse of `to_case_dict`: a stored assessment, read back once at the storage boundary."""
        return cls.model_validate({**body, "case_id": case_id, "input_version": input_version})

    def material(self, code: str) -> MaterialResult | None:
        return next((m for m in self.materials if m.code == code), None)

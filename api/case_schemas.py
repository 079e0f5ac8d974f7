"""Request and response shapes of the case API (api/cases.py), and how records are shown."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.contract import ACTS, Act, CaseState, Role, Severity, UploadState
from pipeline.models import Document
from storage.db import as_utc


NO_NUL = r"^[^\x00]*$"  # for form fields: PostgreSQL text cannot hold NUL, and no clerk types one


class RequestModel(BaseModel):
    """Base of the API's request bodies: a NUL character in any string the model keeps is refused (422), not
    carried to PostgreSQL, whose text columns cannot hold it (that answered 500). Keys a model ignores (it does not
    declare them and does not allow extras) are dropped unread, so their content is not judged."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        def walk(value: Any) -> None:
            if isinstance(value, str) and "\x00" in value:
                raise ValueError("请求中含有无效字符（NUL）")
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(k)
                    walk(v)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    walk(v)

        kept = data
        if isinstance(data, dict) and cls.model_config.get("extra") != "allow":
            names = set(cls.model_fields) | {f.alias for f in cls.model_fields.values() if f.alias}
            kept = {k: v for k, v in data.items() if k in names}
        walk(kept)
        return data


class Applicant(RequestModel):
    kind: Literal["person", "organisation"] = "person"
    name: str | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=32)
    credit_code: str | None = Field(default=None, max_length=32)


class Agent(RequestModel):
    """代理人 (委托代理人办理)."""

    name: str = Field(max_length=200)
    id_number: str | None = Field(default=None, max_length=32)


class CaseRequest(RequestModel):
    item: str = Field(max_length=100)
    item_version: int | None = None
    situation: str = Field(max_length=64)
    applicant: Applicant = Applicant()
    agent: Agent | None = None


class CaseFinding(BaseModel):
    """A finding of the case assessment (the result JSON's `case.findings`); free keys beyond these."""

    model_config = ConfigDict(extra="allow")
    code: str
    severity: Severity
    message: str


class CaseAssessment(BaseModel):
    """The result JSON's `case` object (see README "Result JSON"): decision, checklist, findings."""

    model_config = ConfigDict(extra="allow")
    decision: str
    findings: list[CaseFinding] = []


class Flag(BaseModel):
    code: str
    message: str


class CaseCreated(BaseModel):
    case_id: str
    case_url: str
    case_number: str | None = None
    status: CaseState = "received"
    item: str
    item_version: int
    situation: str
    assessment: CaseAssessment | None = None


class CaseUpload(BaseModel):
    upload_id: str
    status: UploadState
    material: str | None = None
    person: str | None = None
    documents_url: str
    superseded_by: str | None = None


class CaseView(BaseModel):
    case_id: str
    case_number: str | None = None
    query_code: str | None = None
    item: str
    item_version: int
    item_name: str
    situation: str
    situation_name: str
    status: CaseState
    status_label: str = ""
    outcome: Literal["approved", "refused"] | None = None
    applicant: dict[str, Any]
    agent: dict[str, Any] | None = None
    created_at: str
    uploads: list[CaseUpload]
    documents: list[dict[str, Any]] = Field(description="结果 JSON 的文档对象")
    assessment: CaseAssessment | None = None
    assessment_version: int | None = None
    deadlines: dict[str, Any] = {}
    flags: list[Flag] = []
    allowed_acts: list[Act] = []


class CaseSummary(BaseModel):
    """One line of a hall's queue (GET /api/v1/cases)."""

    case_id: str
    case_number: str | None = None
    item: str
    item_name: str
    status: CaseState
    status_label: str
    created_at: str
    flags: list[Flag]


class CaseUploadAccepted(BaseModel):
    upload_id: str
    documents_url: str
    superseded: list[str] = Field(description="本次提交取代的上传（补正轮次）")


class ReaderAccepted(BaseModel):
    upload_id: str
    documents: list[dict[str, Any]] = Field(description="结果 JSON 的文档对象")
    superseded: list[str]
    assessment: CaseAssessment | None = None


class EventView(BaseModel):
    """A transition of the case, as recorded."""

    model_config = ConfigDict(populate_by_name=True)
    act: Act
    from_: CaseState | None = Field(default=None, alias="from")
    to: CaseState
    at: str
    role: Role | Literal["system"]
    clerk_number: str | None = None
    reason: str | None = None
    recommendation: str | None = None
    overridden: bool | None = None
    assessment_version: int | None = None
    detail: dict[str, Any] | None = None


class ActView(BaseModel):
    """A person's act on the case: a correction, originals seen, an evaluation."""

    id: int | str
    kind: str
    at: str
    role: Role | Literal["system"]
    document: str | None = None
    field: str | None = None
    finding: str | None = None
    material: str | None = None
    action: str | None = None
    machine_value: Any = None
    person_value: Any = None
    reason: str | None = None


class TransitionDone(BaseModel):
    case_id: str
    status: CaseState
    event: EventView


class CorrectionDone(BaseModel):
    act: ActView
    assessment: CaseAssessment | None = None


class ActDone(BaseModel):
    act: ActView


class AssessmentLine(BaseModel):
    version: int
    decision: str
    created_at: str


class SupersededUpload(BaseModel):
    upload_id: str
    material: str | None = None
    superseded_by: str
    round: int | None = None
    at: str


class CaseHistory(BaseModel):
    events: list[EventView]
    acts: list[ActView]
    assessments: list[AssessmentLine]
    superseded_uploads: list[SupersededUpload]
    documents: list[dict[str, Any]] = Field(description="结果 JSON 的文档对象，附 upload_id 与 superseded")


class TransitionRequest(RequestModel):
    # an unknown act answers 422 `case.unknown_act` from the workflow; the schema lists the acts
    act: str = Field(max_length=32, json_schema_extra={"enum": list(ACTS)})
    reason: str = Field(default="", max_length=2000)
    clerk_number: str | None = Field(default=None, max_length=64)  # printed on notices; default: the key's label
    commitment_signed: bool = False  # 容缺受理: the applicant signed the 容缺受理信用承诺书
    supplement_by: dt.date | None = None  # 补齐补正: by when (optional)
    place: str | None = Field(default=None, max_length=200)  # where supplements are handed in
    reason_code: str | None = Field(default=None, max_length=64)  # 不予受理/不予许可: the item's refusal_reasons code


class CorrectionRequest(RequestModel):
    kind: Literal["field", "finding", "manual_check"]
    document: str | None = Field(default=None, max_length=64)
    field: str | None = Field(default=None, max_length=64)
    value: Annotated[str, Field(max_length=500)] | bool | None = None  # text (dates YYYY-MM-DD); true/false for `signed`
    finding: str | None = Field(default=None, max_length=64)
    material: str | None = Field(default=None, max_length=64)
    action: Literal["confirm", "dismiss"] | None = None
    reason: str = Field(default="", max_length=2000)


class OriginalsRequest(RequestModel):
    material: str = Field(max_length=64)
    originals_seen: int = Field(ge=0, le=99)
    copies_kept: int = Field(default=0, ge=0, le=99)
    reason: str = Field(default="", max_length=500)


class EvaluationRequest(RequestModel):
    rating: str = Field(max_length=8)  # 非常满意 满意 基本满意 不满意 非常不满意
    comment: str = Field(default="", max_length=1000)


class ReaderRecord(RequestModel):
    """What an ID card reader (二代证阅读器) returns; dates ISO, `valid_until` may be 长期; photo base64."""

    name: str = Field(min_length=1, max_length=100)
    sex: Literal["男", "女"]
    ethnicity: str = Field(min_length=1, max_length=20)
    birth_date: dt.date
    address: str = Field(min_length=1, max_length=300)
    id_number: str = Field(pattern=r"^\d{17}[\dXx]$")
    issuing_authority: str = Field(min_length=1, max_length=100)
    valid_from: dt.date
    valid_until: dt.date | Literal["长期"]
    photo: str | None = Field(default=None, max_length=400_000)
    material: str | None = Field(default=None, max_length=64)
    person: str | None = Field(default=None, max_length=32)
    device: str | None = Field(default=None, max_length=100)  # reader model / serial, kept on record


def public(document: Document) -> dict[str, Any]:
    """A document as the HTTP API shows it: its JSON without the storage keys."""
    return document.model_dump(mode="json", exclude={"image_keys", "upload_sha256"})


def event_view(e) -> dict[str, Any]:
    return {"act": e.act, "from": e.from_state, "to": e.to_state, "at": as_utc(e.at).isoformat(), "role": e.role,
            "clerk_number": e.actor_label, "reason": e.reason, "recommendation": e.recommendation,
            "overridden": e.overridden, "assessment_version": e.assessment_version, "detail": e.detail}


def act_view(a) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "at": as_utc(a.at).isoformat(), "role": a.role, "document": a.document_id,
            "field": a.field, "finding": a.finding, "material": a.material, "action": a.action,
            "machine_value": a.machine_value, "person_value": a.person_value, "reason": a.reason}


def deadlines_view(line) -> dict[str, Any]:
    def iso(day):
        return day.isoformat() if day else None

    out: dict[str, Any] = {}
    if line.clock is not None:
        c = line.clock
        out["decision"] = {"accepted_on": iso(c.accepted_on), "limit": c.limit_days, "unit": c.unit, "due": iso(c.due),
                           "used": c.used, "suspended": c.suspended, "overdue": c.overdue,
                           "year_not_covered": c.year_not_covered}
    if line.notice is not None:
        n = line.notice
        out["notice"] = {"received_on": iso(n.received_on), "due": iso(n.notice_due), "late": n.late,
                         "year_not_covered": n.year_not_covered}
    if line.tolerance:
        out["tolerance"] = [{"material": t.material, "name": t.name, "due": iso(t.due), "supplied": t.supplied,
                             "year_not_covered": t.year_not_covered} for t in line.tolerance]
    return out

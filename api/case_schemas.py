"""Request and response shapes of the case API (api/cases.py), and how records are shown."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from storage.db import as_utc


NO_NUL = r"^[^\x00]*$"  # for form fields: PostgreSQL text cannot hold NUL, and no clerk types one


class RequestModel(BaseModel):
    """Base of the API's request bodies: a NUL character anywhere in a string is refused (422), not carried to
    PostgreSQL, whose text columns cannot hold it (that answered 500)."""

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

        walk(data)
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


class CaseCreated(BaseModel):
    case_id: str
    case_url: str
    case_number: str | None = None
    status: str = "received"
    item: str
    item_version: int
    situation: str
    assessment: dict[str, Any] | None = None


class CaseView(BaseModel):
    case_id: str
    case_number: str | None = None
    query_code: str | None = None
    item: str
    item_version: int
    item_name: str
    situation: str
    situation_name: str
    status: str
    status_label: str = ""
    outcome: str | None = None
    applicant: dict[str, Any]
    agent: dict[str, Any] | None = None
    created_at: str
    uploads: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    assessment: dict[str, Any] | None = None
    assessment_version: int | None = None
    deadlines: dict[str, Any] = {}
    flags: list[dict[str, str]] = []
    allowed_acts: list[str] = []


class TransitionRequest(RequestModel):
    act: str = Field(max_length=32)
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


def public(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("image_keys", "upload_sha256")}


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

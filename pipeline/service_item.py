"""The service item (事项) as a typed stage object: the schema of one version of one item file.

A case keeps the item version it was created with: storage writes it as JSON (`ServiceItem.snapshot`) and
reads it back with `ServiceItem.model_validate` once per loaded case row (storage/models.py
`CaseRow.service_item`); the assessment (`CaseInput.item`), the case layer and the bundle read this object,
never the JSON. Parsing an item FILE (line-precise problems, warnings, the vocabulary of document types that
`accepted: identity` and default seal subjects expand from) is validators/catalog.py `parse_item`, which passes
that vocabulary as the validation context (`ItemVocabulary`); a stored snapshot is already expanded and needs none.
"""

from __future__ import annotations

from collections.abc import Mapping
import dataclasses
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


@dataclass(frozen=True)
class ItemVocabulary:
    """What the item schema needs to know of the document types while parsing an item file (the registry's
    words, validators/vocabulary.py): the lawful identity documents besides the resident ID card, and whose
    seal each type bears by default. Without it (a stored snapshot) nothing is expanded."""

    identity_types: tuple[str, ...] | None = None
    seal_subjects: Mapping[str, str] = dataclasses.field(default_factory=dict)


def _vocabulary(info: ValidationInfo) -> ItemVocabulary:
    context = info.context or {}
    return context.get("vocabulary") or ItemVocabulary()


SLUG = r"^[a-z][a-z0-9_]*$"
ITEM_CODE = r"^[a-z][a-z0-9-]*[a-z0-9]$"
CHECK_CODE = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
REF = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,2}$"  # material.field or material.type.field

ItemType = Literal["行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励",
                   "行政裁决", "其他行政权力", "公共服务"]
ServiceObject = Literal["自然人", "企业法人", "事业法人", "社会组织法人", "非法人企业", "行政机关", "其他组织"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ItemCodes(Model):
    """基本编码, 实施编码, 业务办理项编码: opaque strings of the platform."""

    basic: str | None = None
    implementation: str | None = None
    handling: str | None = None


class TimeLimit(Model):
    days: int = Field(ge=0, le=3650)
    unit: Literal["工作日", "自然日"] = "工作日"


class Person(Model):
    """Someone the item names (经营者, 受托人, 转让方 …) and where the case states their name and number."""

    label: str = Field(min_length=1)
    name: Annotated[str, Field(pattern=REF)] | None = None
    id_number: Annotated[str, Field(pattern=REF)] | None = None


class Tolerance(Model):
    """容缺后补: supply within `deadline_working_days` of acceptance; `checks` are the failing check codes that
    may be tolerated when a document was given (a missing document is always tolerable)."""

    deadline_working_days: int = Field(ge=1, le=60)
    checks: list[Annotated[str, Field(pattern=CHECK_CODE)]] = []
    commitment: bool = True  # 容缺受理信用承诺书 signed at acceptance
    on_lapse: Literal["correction", "refused"] = "correction"  # the deadline passed without the material


class Source(Model):
    """来源渠道. `licence_library`: the material may be filled from the licence library (免提交) with a VALID
    licence of `licence_type` held by the holder whose code the case states at `holder_code`."""

    channel: Literal["applicant", "government", "licence_library"] = "applicant"
    licence_type: str | None = None
    holder_code: Annotated[str, Field(pattern=REF)] | None = None
    holder_code_type: str | None = None
    holder_name: Annotated[str, Field(pattern=REF)] | None = None


class SignedRule(Model):
    """The document says it was signed (field `signed` true)."""

    rule: Literal["signed"]
    document: str
    field: str = "signed"
    code: Annotated[str, Field(pattern=CHECK_CODE)] = "document.unsigned"
    message: str | None = None


class NotExpiredRule(Model):
    """A date on the document is not before the judging day (`长期` never expires)."""

    rule: Literal["not_expired"]
    document: str
    field: str = "valid_until"
    code: Annotated[str, Field(pattern=CHECK_CODE)] = "document.expired"
    if_absent: Literal["ok", "review"] = "review"  # the date is not on the document, or was not read
    message: str | None = None


class SameRule(Model):
    """A value of this material's document equals a value stated elsewhere in the case (after normalisation
    by `compare`). Lists mean "any of". A mismatch is `severity` when the readings are certain."""

    rule: Literal["same"]
    document: str
    field: str | list[str]
    with_: Annotated[str, Field(pattern=REF)] | list[Annotated[str, Field(pattern=REF)]] = Field(alias="with")
    compare: Literal["name", "id_number", "credit_code", "address", "text"] = "text"
    severity: Literal["error", "warning"] = "error"
    code: Annotated[str, Field(pattern=CHECK_CODE)]
    message: str | None = None

    @property
    def fields(self) -> list[str]:
        return [self.field] if isinstance(self.field, str) else list(self.field)

    @property
    def refs(self) -> list[str]:
        return [self.with_] if isinstance(self.with_, str) else list(self.with_)


class SealedRule(Model):
    """The document bears the red seal of the organisation its `field` names (法定代表人身份证明书: 单位名称;
    授权委托书: 委托人), and the seal names that organisation. `when`: `always`; `organisation` — only when that
    party is an organisation (a credit code for its number, or a name such as …有限公司), not a natural person;
    `never` — this item does not ask for it (overrides the default of vocabulary.SEAL_DEFAULTS). `code` is the code of a
    missing seal; a seal of another organisation is `seal.organisation_mismatch`."""

    rule: Literal["sealed"]
    document: str
    field: str = ""  # default: the type's subject (vocabulary.SEAL_SUBJECTS, given at parsing)
    when: Literal["always", "organisation", "never"] = "always"
    code: Annotated[str, Field(pattern=CHECK_CODE)] = "seal.missing"
    message: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _subject(cls, data: Any, info: ValidationInfo) -> Any:
        subjects = _vocabulary(info).seal_subjects
        if isinstance(data, dict) and not data.get("field") and data.get("document") in subjects:
            data = {**data, "field": subjects[data["document"]]}
        return data


Rule = Annotated[Union[SignedRule, NotExpiredRule, SameRule, SealedRule], Field(discriminator="rule")]


class Material(Model):
    code: Annotated[str, Field(pattern=SLUG)]
    name: str = Field(min_length=1)
    originals: int = Field(default=0, ge=0, le=99)  # 原件份数
    copies: int = Field(default=0, ge=0, le=99)  # 复印件份数
    form: Literal["paper", "electronic", "paper_or_electronic"] = "paper"  # 纸质 / 电子化 / 纸质或电子化
    necessity: Literal["required", "optional", "tolerable"] = "required"  # 必要 / 非必要 / 容缺后补
    tolerance: Tolerance | None = None
    source: Source = Source()
    accepted: list[list[str]] = []  # alternatives, each a set that must all be present; "identity" expands
    manual: bool = False  # the software cannot read its documents: present means a person must look
    person: str | None = None  # identity materials: whose identity (a key of the item's `persons`)
    rules: list[Rule] = []
    # when a set of `accepted` stands on its own beside another document that failed (validators/accepted.py):
    # e.g. a property certificate alone proves the premises only when its holder is the operator
    met_when: list[SameRule] = []
    standard: str = ""  # 受理标准 / 收件标准
    instructions: str = ""  # 填报须知
    paper_spec: str = ""  # 纸质材料规格 (e.g. A4)
    blank_form: str | None = None  # 空白表格: where to get it
    sample_form: str | None = None  # 示例样表
    basis: str = ""  # 依据
    notes: str = ""  # 备注

    @field_validator("accepted", mode="before")
    @classmethod
    def _expand_identity(cls, value: Any, info: ValidationInfo) -> Any:
        """`accepted: identity` is the resident ID card (both sides) or any other lawful identity document."""
        if value == "identity":
            identity_types = _vocabulary(info).identity_types
            if identity_types is None:
                raise ValueError("`accepted: identity` needs the document types' vocabulary (validators.catalog.parse_item)")
            return [["id_card_front", "id_card_back"]] + [[t] for t in identity_types]
        return value

    def types(self) -> set[str]:
        return {t for alternative in self.accepted for t in alternative}

    @property
    def is_identity(self) -> bool:
        return "id_card_front" in self.types()


class Situation(Model):
    code: Annotated[str, Field(pattern=SLUG)]
    name: str = Field(min_length=1)
    materials: list[str] = Field(min_length=1)


class ItemResult(Model):
    """审批结果: what the applicant receives."""

    name: str = Field(min_length=1)
    kind: Literal["证照", "批文", "其他"] = "证照"
    sample: str | None = None


class RefusalReason(Model):
    """A reason to refuse (不予受理 `not_accept`, 不予许可 `refuse`) with the legal basis that fits it; the clerk
    names it by `code` and the notice prints `label` (the applicant's words) and `basis` (the articles)."""

    code: Annotated[str, Field(pattern=SLUG)]
    act: Literal["not_accept", "refuse"]
    label: str = Field(min_length=4)
    basis: list[str] = Field(min_length=1)


class ServiceItem(Model):
    code: Annotated[str, Field(pattern=ITEM_CODE)]
    version: int = Field(ge=1)
    name: str = Field(min_length=1)
    codes: ItemCodes = ItemCodes()
    item_type: ItemType
    department: str = Field(min_length=1)  # 实施主体
    service_objects: list[ServiceObject] = Field(min_length=1)
    case_type: Literal["即办件", "承诺件"]
    statutory_limit: TimeLimit  # 法定办结时限
    promised_limit: TimeLimit  # 承诺办结时限
    allows_tolerance: bool = False  # the item allows 容缺受理 at all
    legal_basis: list[str] = []
    conditions: str = ""  # 受理条件
    result: ItemResult | None = None  # 审批结果
    refusal_reasons: list[RefusalReason] = []  # 不予受理 / 不予许可 reasons with their legal basis
    persons: dict[Annotated[str, Field(pattern=SLUG)], Person] = {}
    materials: list[Material] = Field(min_length=1)
    situations: list[Situation] = Field(min_length=1)
    halls: list[Annotated[str, Field(min_length=1, max_length=64)]] = []  # halls that take it in; empty: every hall

    def material(self, code: str) -> Material | None:
        return next((m for m in self.materials if m.code == code), None)

    def situation(self, code: str) -> Situation | None:
        return next((s for s in self.situations if s.code == code), None)

    def materials_for(self, situation: str) -> list[Material]:
        found = self.situation(situation)
        if found is None:
            raise KeyError(situation)
        return [m for code in found.materials if (m := self.material(code)) is not None]

    def snapshot(self) -> dict[str, Any]:
        """The JSON a case stores so that it keeps the version it was created with (read back with
        `model_validate`, which needs no vocabulary: the snapshot is already expanded)."""
        return self.model_dump(mode="json", by_alias=True)

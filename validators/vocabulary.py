"""The words the catalog, the assessment and the notices share, derived from the document types' declarations
(extractors/<type>.py, pipeline/registry.DocumentType; docs/architecture.md "Document types, checks and service
items"): the types and their fields, Chinese labels, finding codes, field classes, seal and licence facts. Only
what belongs to no one type is written here: the general finding codes and the applicant's words for them.

Who calls it: validators (catalog, assessment, notices) and the edges' pages and bundles. The declarations are
read once, on import (extractors.declared)."""

from __future__ import annotations

from collections import Counter

from extractors import declared
from pipeline.registry import DocumentType, FieldSpec

_TYPES: tuple[DocumentType, ...] = tuple(declared())

RESIDENT_ID_TYPES = ("id_card_front", "id_card_back")
# Other lawful identity documents (DocumentType.identity): until their holder is compared they make an identity
# material needs_review. Listed most common first, as ID materials show them; a type not named here comes last.
_IDENTITY_ORDER = ("temporary_id_card", "residence_permit", "travel_permit_hkmo", "travel_permit_tw", "passport")
IDENTITY_TYPES = tuple(sorted((t.code for t in _TYPES if t.identity and t.code not in RESIDENT_ID_TYPES),
                              key=lambda code: (_IDENTITY_ORDER + (code,)).index(code)))
# The 容缺受理信用承诺书 scan: evidence for the 容缺受理 act (workers/cases/flow.py), not one of the item's materials.
COMMITMENT_TYPE = "tolerance_commitment"
UNKNOWN_TYPE = "unknown"  # a document no recogniser claimed (pipeline/stages.classify)

TYPE_FIELDS: dict[str, tuple[str, ...]] = {**{t.code: tuple(t.fields) for t in _TYPES}, UNKNOWN_TYPE: ()}
KNOWN_TYPES = frozenset(TYPE_FIELDS)
TYPE_LABELS: dict[str, str] = {**{t.code: t.name for t in _TYPES}, UNKNOWN_TYPE: "未识别的材料"}
_FIELDS = {(t.code, name): spec for t in _TYPES for name, spec in t.fields.items()}


def type_label(type_code: str) -> str:
    return TYPE_LABELS.get(type_code, type_code)


def _usual(field: str) -> FieldSpec | None:
    """How most types declaring a field of this name label and class it (a field named without its type)."""
    specs = [spec for (_t, name), spec in _FIELDS.items() if name == field]
    return Counter(specs).most_common(1)[0][0] if specs else None


def field_label(type_code: str, field: str) -> str:
    spec = _FIELDS.get((type_code, field)) or _usual(field)
    return spec.label if spec is not None else field


def field_class(field: str, type_code: str | None = None) -> str:
    """The class of a field for the confidence thresholds (pipeline/settings.Thresholds): as its type declares it,
    else as most types declaring that name do, else `text`."""
    spec = _FIELDS.get((type_code, field)) if type_code else None
    spec = spec or _usual(field)
    return spec.kind if spec is not None else "text"


# Finding codes that belong to no one document type: the assessment's own, the capture stage's
# (pipeline/stages.py, pipeline/text_layer.py) and the seal judgement's (validators/seals.py).
GENERAL_FINDING_CODES = frozenset({
    "assignment.ambiguous",
    "assignment.type_mismatch",
    "assignment.unknown_hint",
    "calendar.year_not_covered",
    "case.uploads_failed",
    "case.uploads_pending",
    "document.expired",
    "document.quality",
    "document.unassigned",
    "document.unknown_type",
    "document.unreadable",
    "document.unsigned",
    "field.uncertain",
    "field.unread",
    "identity.unreadable_kind",
    "library.found",
    "library.unavailable",
    "material.incomplete",
    "material.manual",
    "material.missing",
    "pdf.text_layer_mismatch",
    "pdf.text_layer_unusable",
    "seal.missing",
    "seal.organisation_mismatch",
    "seal.organisation_uncertain",
    "seal.unchecked",
    "seal.unread",
    "seal.unrecognised",
})
# Every finding code the checks and the assessment produce; the catalog validator warns about a tolerable check
# code outside this set.
KNOWN_FINDING_CODES = GENERAL_FINDING_CODES | {code for t in _TYPES for code in t.findings}

# Which party's seal a document bears when the catalog asks for one (validators/catalog.SealedRule): the field
# naming the organisation, and by default whether the item asks for it (DocumentType.seal_subject / seal_default).
SEAL_SUBJECTS: dict[str, str] = {t.code: t.seal_subject for t in _TYPES if t.seal_subject}
SEAL_DEFAULTS: dict[str, str] = {t.code: t.seal_default for t in _TYPES if t.seal_default}

# Check-stage findings that already say a value could not be read or checked (the assessment adds no second one).
UNREAD_CODES: dict[tuple[str, str], frozenset[str]] = {
    (t.code, name): frozenset(codes) for t in _TYPES for name, codes in t.unread_codes.items()}

# Values of a document type that decide acceptance even when no catalog rule names them.
DECIDING_FIELDS: dict[str, tuple[str, ...]] = {t.code: t.deciding for t in _TYPES if t.deciding}


# What the applicant reads on a notice for a finding (补齐补正通知书 and the like): plain words saying what to
# bring or fix, never the reviewer's technical message. By exact code first, then by the code's last part;
# notice code falls back on the material's standard from the catalog (validators/notice.citizen_problem).
_GENERAL_CITIZEN_MESSAGES: dict[str, str] = {
    "material.missing": "未提交，请补交",
    "material.incomplete": "材料不全，请补齐全部页面或全部所需文件",
    "document.unsigned": "未签字，请签字后重新提交",
    "document.expired": "已超过有效期，请提交有效期内的材料",
    "document.unreadable": "文件无法打开或看不清，请提交清晰完整的材料",
    "document.quality": "拍摄或扫描不清晰，请提交清晰的材料",
    "document.unknown_type": "无法确认是所需的材料，请按要求提交",
    "assignment.type_mismatch": "提交的文件不是本项所需的材料，请按要求提交",
    "seal.missing": "未加盖印章，请加盖印章后重新提交",
    "seal.organisation_mismatch": "所盖印章与单位名称不一致，请加盖本单位印章后重新提交",
}
CITIZEN_MESSAGES: dict[str, str] = {
    **_GENERAL_CITIZEN_MESSAGES,
    **{code: words for t in _TYPES for code, words in t.findings.items() if words is not None},
}
CITIZEN_BY_SUFFIX: dict[str, str] = {
    "expired": "已超过有效期，请提交有效期内的证件或材料",
    "not_yet_valid": "尚未生效，请提交有效的证件或材料",
    "unsigned": "未签字，请签字后重新提交",
    "checksum": "所填号码有误，请核对后重新填写",
    "format": "所填内容格式有误，请核对后重新填写",
    "birth_date": "所填号码有误，请核对后重新填写",
    "unread": "内容看不清，请提交清晰完整的材料",
    "mismatch": "与其他材料所填内容不一致，请核对后重新提交",
}


def citizen_message(code: str) -> str | None:
    """The applicant's words for a finding code, or None when only the material's standard can say it."""
    if code in CITIZEN_MESSAGES:
        return CITIZEN_MESSAGES[code]
    if code.startswith("consistency."):
        return CITIZEN_BY_SUFFIX["mismatch"]
    last = code.rsplit(".", 1)[-1]
    return CITIZEN_BY_SUFFIX.get(last) or next((text for suffix, text in CITIZEN_BY_SUFFIX.items()
                                                if last.endswith("_" + suffix)), None)

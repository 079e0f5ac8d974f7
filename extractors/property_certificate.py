"""不动产权证书 (property_certificate): the certificate number (鲁(2023)济宁市不动产权第0012345号) and the register
table — 权利人, 共有情况, 坐落, 不动产单元号 (28 characters, often printed in groups), 权利类型, 用途, 面积.
docs/domain.md."""

from __future__ import annotations

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form
from extractors._layout import field
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

LABELS = ("权利人", "共有情况", "坐落", "不动产单元号", "权利类型", "权利性质", "用途", "面积", "使用期限", "权利其他状况")
ALIASES = {"落": "坐落", "途": "用途", "积": "面积"}
CO_OWNERSHIP = ("单独所有", "共同共有", "按份共有")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(("不动产权证书",)):
        score += 0.4
    if "不动产权第" in ev.text or v.certificate_number(ev.text):
        score += 0.35
    score += min(0.4, 0.06 * ev.row_starts(LABELS))
    if ev.other_title("property_certificate"):
        score = min(score, 0.3)
    return clamp(score)


def _co_ownership(text: str) -> str | None:
    value = v.cjk_text(text)
    for option in CO_OWNERSHIP:
        if option in value or sum(a == b for a, b in zip(value, option)) >= 3:
            return option
    return None


def extract(doc: Classified) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for page in doc.pages:
        form = Form(page, LABELS, ALIASES)
        for piece in form.pieces:
            if "不动产权" in piece.text and (number := v.certificate_number(piece.text)):
                fields.setdefault("certificate_number", field(number, [piece], form.page, raw=piece.text))
                break
        found = {
            "holder": form.text_field(form.hit("权利人"), v.names, multi=True),
            "co_ownership": form.text_field(form.hit("共有情况"), _co_ownership),
            "location": form.text_field(form.hit("坐落"), v.cjk_text, multi=True),
            "unit_number": form.text_field(form.hit("不动产单元号"), v.unit_number, multi=True),
            "right_type": form.text_field(form.hit("权利类型"), v.cjk_text, multi=True),
            "usage": form.text_field(form.hit("用途"), v.cjk_text, multi=True),
            "area": form.text_field(form.hit("面积"), v.area, multi=True),
        }
        for name, value in found.items():
            if value is not None:
                fields.setdefault(name, value)
    return fields


DOCUMENT_TYPE = DocumentType(
    code="property_certificate",
    label="不动产权证书",
    recognise=recognise,
    anchors=LABELS,
    extract=extract,
    fields={
        "certificate_number": FieldSpec("不动产权证书号", "code"),
        "holder": FieldSpec("权利人", "name"),
        "co_ownership": FieldSpec("共有情况", "enum"),
        "location": FieldSpec("坐落"),
        "unit_number": FieldSpec("不动产单元号", "code"),
        "right_type": FieldSpec("权利类型"),
        "usage": FieldSpec("用途"),
        "area": FieldSpec("面积"),
    },
    findings={
        "property_certificate.number_format": None,
        "property_certificate.number_year": None,
        "property_certificate.region_mismatch": "不动产权证书有误，请核对后重新提交",
        "property_certificate.unit_format": None,
        "property_certificate.unit_region": None,
        "property_certificate.unread": None,
    },
    licence_fields={"number": "certificate_number", "holder": "holder"},
    titles=("不动产权证书", "房屋所有权证"),
)

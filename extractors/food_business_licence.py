"""食品经营许可证 (food_business_licence): the licence a 市场监督管理局 issues to sell food or serve meals
(《食品经营许可和备案管理办法》, 2023). Labelled rows — 经营者名称, 社会信用代码（身份证号码）, 法定代表人（负责人）, 住所,
经营场所, 主体业态, 经营项目 — and 许可证编号 (JY and 14 digits), 有效期至, 发证机关, 签发人 and the date of issue at
the foot of the page. The operator's number is a 统一社会信用代码, or an ID number for a natural person.

Its checks are validators/checks/food_business_licence.py; its samples samples/food_business_licence/."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form
from extractors._layout import field
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLES = ("食品经营许可证",)
CODE_LABELS = ("社会信用代码(身份证号码)", "社会信用代码（身份证号码）", "统一社会信用代码(身份证号码)",
               "统一社会信用代码（身份证号码）", "社会信用代码")
REPRESENTATIVE = ("法定代表人(负责人)", "法定代表人（负责人）", "法定代表人", "负责人")
ANCHORS = ("许可证编号", "经营者名称", "主体业态", "经营项目", "经营场所", "有效期至", "发证机关", "签发人")
LABELS = (*ANCHORS, *CODE_LABELS, *REPRESENTATIVE, "住所", "日常监督管理机构", "日常监督管理人员", "投诉举报电话")
NUMBER = re.compile(r"JY\d{14}")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLES):
        score += 0.6
    elif ev.has("食品经营许可证"):
        score += 0.3
    score += min(0.3, 0.06 * ev.row_starts(ANCHORS))
    score += 0.1 if licence_number(ev.text) else 0.0
    if ev.other_title("food_business_licence"):
        score = min(score, 0.3)
    return clamp(score)


def licence_number(text: str) -> str | None:
    """JY and 14 digits, with O / D read as 0 and I / L as 1 among the digits."""
    value = re.sub(r"[\s:：]", "", text).upper()
    value = re.sub(r"(?<=JY)([0-9ODIL]{14})", lambda m: m.group(1).translate(str.maketrans("ODIL", "0011")), value)
    m = NUMBER.search(value)
    return m.group(0) if m else None


def _operator_number(text: str) -> str | None:
    """A 统一社会信用代码, or an 18-digit ID number for a natural person."""
    return v.credit_code(text) or v.id_number(text)


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    form = Form(page, LABELS)
    fields: dict[str, FieldValue] = {}
    read = {
        "licence_number": form.text_field(form.hit("许可证编号"), licence_number),
        "operator_name": form.text_field(form.hit("经营者名称"), v.cjk_text, multi=True),
        "credit_code": form.text_field(form.hit(*CODE_LABELS), _operator_number),
        "legal_representative": form.text_field(form.hit(*REPRESENTATIVE), v.names),
        "address": form.text_field(form.hit("住所"), v.cjk_text, multi=True),
        "premises_address": form.text_field(form.hit("经营场所"), v.cjk_text, multi=True),
        "business_form": form.text_field(form.hit("主体业态"), v.cjk_text, multi=True),
        "business_items": form.text_field(form.hit("经营项目"), v.cjk_text, multi=True),
        "valid_until": form.text_field(form.hit("有效期至"), v.date_value),
        "issuing_authority": form.text_field(form.hit("发证机关"), _authority),
        "issuer": form.text_field(form.hit("签发人"), v.names),
    }
    fields.update({name: value for name, value in read.items() if value is not None})
    if "licence_number" not in fields:  # the number printed without its label
        for piece in form.pieces:
            if number := licence_number(piece.text):
                fields["licence_number"] = field(number, [piece], form.page, raw=piece.text)
                break
    if issued := _issue_date(form, fields.get("valid_until")):
        fields["issued_on"] = issued
    return fields


def _authority(text: str) -> str | None:
    value = v.cjk_text(re.sub(r"[(（]?[印盖]?章[)）]?", "", text)).strip("：:")
    return value if len(value) >= 4 else None


def _issue_date(form: Form, valid_until: FieldValue | None) -> FieldValue | None:
    """The date at the foot of the page: the lowest date that is not the 有效期至."""
    taken = valid_until.value if valid_until else None
    for piece in sorted(form.pieces, key=lambda p: -p.cy):
        date = v.date_value(piece.text)
        if date and date != taken:
            return field(date, [piece], form.page, raw=piece.text)
    return None


DOCUMENT_TYPE = DocumentType(
    code="food_business_licence",
    label="食品经营许可证",
    recognise=recognise,
    extract=extract,
    anchors=ANCHORS,
    titles=TITLES,
    fields={
        "licence_number": FieldSpec("许可证编号", "code"),
        "operator_name": FieldSpec("经营者名称", "name"),
        "credit_code": FieldSpec("社会信用代码（身份证号码）", "code"),
        "legal_representative": FieldSpec("法定代表人（负责人）", "name"),
        "address": FieldSpec("住所"),
        "premises_address": FieldSpec("经营场所"),
        "business_form": FieldSpec("主体业态"),
        "business_items": FieldSpec("经营项目"),
        "valid_until": FieldSpec("有效期至", "date"),
        "issuing_authority": FieldSpec("发证机关"),
        "issuer": FieldSpec("签发人", "name"),
        "issued_on": FieldSpec("发证日期", "date"),
    },
    findings={
        "food_business_licence.number_format": "食品经营许可证编号有误，请核对后重新提交",
        "food_business_licence.expired": "食品经营许可证已超过有效期，请提交有效期内的食品经营许可证",
        "food_business_licence.issued_future": None,
        "food_business_licence.unread": None,
        "credit_code.checksum": "统一社会信用代码有误，请核对后重新填写",
        "credit_code.format": "统一社会信用代码有误，请核对后重新填写",
    },
    licence_fields={"number": "licence_number", "holder": "operator_name", "valid_until": "valid_until"},
)

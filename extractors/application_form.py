"""个体工商户登记（备案）申请书 (application_form), the reference item's form: the operator (经营者姓名, 身份证件号码,
联系电话), the premises (经营场所), the business scope (经营范围), whether the operator signed (经营者签字) and when.

The form is a table whose multi-line cells are centred on their label; the pledge and the signature may sit on
a second page, which joins the first as one document. `signed` says whether the signature area holds writing:
on a scan or photo, ink after the signature label that is not part of the printed form. A born-digital PDF's
text layer cannot show a handwritten signature, so there `signed` is left out for a person to check."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form
from extractors._signature import judge, signature
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType

SIGNATURE = ("经营者签字", "经营者(签字)", "经营者签名", "经营者(签名)", "申请人签字", "申请人(签字)", "签字")
DATE_LABELS = ("日期", "签字日期", "申请日期")
LABELS = ("名称", "个体工商户名称", "经营者姓名", "身份证件类型", "身份证件号码", "公民身份号码", "身份证号码",
          "联系电话", "移动电话", "电子邮箱", "经营场所", "组成形式", "经营范围", "从业人数", "资金数额", *SIGNATURE, *DATE_LABELS)
FORM_LABELS = ("经营者姓名", "身份证件号码", "联系电话", "经营场所", "组成形式", "经营范围", "从业人数", "资金数额")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(("个体工商户登记", "申请书")) and (ev.has("个体工商户") or ev.has("经营者")):
        score += 0.6
    elif ev.title(("申请书",)):
        score += 0.3
    score += min(0.35, 0.07 * ev.row_starts(FORM_LABELS))
    if ev.row_starts(("经营者签字", "经营者(签字)", "经营者签名")):  # the signature page
        score += 0.4
        score += 0.2 if ev.has("本人承诺") or ev.has("经营者承诺") else 0.0
        score += 0.15 if ev.has("个体工商户") or ev.has("申请书") or ev.has("申请材料") else 0.0
    if ev.other_title("application_form"):
        score = min(score, 0.3)
    return clamp(score)


def extract(doc: Classified) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for page in doc.pages:
        form = Form(page, LABELS)
        found = _page_fields(form)
        for name, value in found.items():
            fields.setdefault(name, value)
    return fields


def _page_fields(form: Form) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    if f := form.text_field(form.hit("经营者姓名"), v.names):
        fields["operator_name"] = f
    if f := form.text_field(form.hit("身份证件号码", "公民身份号码", "身份证号码"), v.id_number):
        fields["operator_id_number"] = f
    if f := form.text_field(form.hit("经营场所"), v.cjk_text, multi=True):
        fields["premises_address"] = f
    if f := form.text_field(form.hit("经营范围"), v.cjk_text, multi=True):
        fields["business_scope"] = f
    if f := form.text_field(form.hit("联系电话", "移动电话"), v.phone):
        fields["phone"] = f
    fields.update(signature(form, form.hit(*SIGNATURE)))
    return fields


DOCUMENT_TYPE = DocumentType(
    code="application_form",
    label="个体工商户登记（备案）申请书",
    recognise=recognise,
    extract=extract,
    handwriting=judge,  # `signed` from the ink of the signature area (extractors/_signature.py)
    field_classes={"operator_name": "name", "operator_id_number": "id_number", "premises_address": "text",
                   "business_scope": "text", "phone": "code", "signed": "enum", "signed_on": "date"},
    multi_page=True,
)

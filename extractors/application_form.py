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
from pipeline.registry import DocumentType, FieldSpec

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
    anchors=FORM_LABELS,
    extract=extract,
    handwriting=judge,  # `signed` from the ink of the signature area (extractors/_signature.py)
    fields={
        "operator_name": FieldSpec("经营者姓名", "name"),
        "operator_id_number": FieldSpec("经营者身份证号码", "id_number"),
        "premises_address": FieldSpec("经营场所"),
        "business_scope": FieldSpec("经营范围"),
        "phone": FieldSpec("联系电话", "code"),
        "signed": FieldSpec("签名", "enum"),
        "signed_on": FieldSpec("签署日期", "date"),
        "entity_name": FieldSpec("单位名称", "name", read=False),
        "credit_code": FieldSpec("统一社会信用代码", "code", read=False),
        "legal_representative": FieldSpec("法定代表人（负责人）", "name", read=False),
        "legal_rep_id_number": FieldSpec("法定代表人（负责人）身份证号码", "id_number", read=False),
        "new_legal_representative": FieldSpec("拟任法定代表人姓名", "name", read=False),
        "new_legal_rep_id_number": FieldSpec("拟任法定代表人身份证号码", "id_number", read=False),
        "seller_name": FieldSpec("转让方姓名", "name", read=False),
        "seller_id_number": FieldSpec("转让方身份证号码", "id_number", read=False),
        "buyer_name": FieldSpec("受让方姓名", "name", read=False),
        "buyer_id_number": FieldSpec("受让方身份证号码", "id_number", read=False),
        "seller_spouse_name": FieldSpec("转让方配偶姓名", "name", read=False),
        "seller_spouse_id_number": FieldSpec("转让方配偶身份证号码", "id_number", read=False),
        "property_location": FieldSpec("不动产坐落", "text", read=False),
        "certificate_number": FieldSpec("不动产权证书号", "code", read=False),
    },
    findings={
        "application.signature_unchecked": None,
        "application.signed_future": "申请书签署日期有误，请核对后重新签署",
        "application.unread": None,
        "application.unsigned": "申请书未签字，请签字后重新提交",
        "operator_id_number.birth_date": None,
        "operator_id_number.checksum": None,
        "operator_id_number.format": None,
        "phone.format": "联系电话有误，请核对后重新填写",
    },
    seal_subject="entity_name",
    unread_codes={'signed': ('application.signature_unchecked',)},
    titles=("申请书", "登记表", "申请表"),
    shown_as="申请书",
    multi_page=True,
)

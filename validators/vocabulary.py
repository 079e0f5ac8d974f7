"""The words the catalog and the assessment share: document types and their fields (docs/architecture.md "Document types
and fields"), their Chinese labels, the finding codes of the document checks, and field classes for the
confidence thresholds when a type's extractor is not registered in this process."""

from __future__ import annotations

RESIDENT_ID_TYPES = ("id_card_front", "id_card_back")
# Other lawful identity documents: until their fields are read they make an identity material needs_review.
IDENTITY_TYPES = ("temporary_id_card", "residence_permit", "travel_permit_hkmo", "travel_permit_tw", "passport")

TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "id_card_front": ("name", "sex", "ethnicity", "birth_date", "address", "id_number"),
    "id_card_back": ("issuing_authority", "valid_from", "valid_until"),
    "business_licence": ("credit_code", "name", "entity_type", "legal_representative", "registered_capital",
                         "established_on", "address", "business_scope", "business_term", "registration_authority",
                         "issued_on"),
    # The reference item's form (read by the application_form extractor today) and the fields the other
    # shipped items' forms state; a field an extractor does not read yet makes its rule needs_review.
    "application_form": ("operator_name", "operator_id_number", "premises_address", "business_scope", "phone", "signed",
                         "signed_on", "entity_name", "credit_code", "legal_representative", "legal_rep_id_number",
                         "new_legal_representative", "new_legal_rep_id_number", "seller_name", "seller_id_number",
                         "buyer_name", "buyer_id_number", "seller_spouse_name", "seller_spouse_id_number",
                         "property_location", "certificate_number"),
    "power_of_attorney": ("principal_name", "principal_id_number", "agent_name", "agent_id_number", "matter",
                          "valid_until", "signed"),
    "property_certificate": ("certificate_number", "holder", "co_ownership", "location", "unit_number", "right_type",
                             "usage", "area"),
    "real_estate_registration_certificate": ("certificate_number", "right_or_matter", "holder", "obligor", "location",
                                             "unit_number", "registration_authority", "registered_on"),
    "lease_contract": ("lessor", "lessee", "address", "term_from", "term_until"),
    "marriage_certificate": ("holder", "registered_on", "certificate_number", "party1_name", "party1_id_number",
                             "party2_name", "party2_id_number"),
    "household_register": ("page_kind", "household_type", "head_name", "household_number", "address", "name",
                           "relationship", "sex", "ethnicity", "birth_date", "id_number"),
    "legal_rep_certificate": ("organisation_name", "credit_code", "representative_name", "representative_id_number",
                              "signed_on"),
    "temporary_id_card": ("name", "id_number", "valid_from", "valid_until"),
    "residence_permit": ("name", "id_number", "valid_from", "valid_until"),
    "travel_permit_hkmo": ("name", "permit_number", "valid_until"),
    "travel_permit_tw": ("name", "permit_number", "valid_until"),
    "passport": ("name", "passport_number", "valid_until"),
    "tolerance_commitment": ("applicant_name", "applicant_id_number", "case_number", "signed", "signed_on"),
    "unknown": (),
}
KNOWN_TYPES = frozenset(TYPE_FIELDS)
# The 容缺受理信用承诺书 scan: evidence for the 容缺受理 act (workers/case_flow.py), not one of the item's materials.
COMMITMENT_TYPE = "tolerance_commitment"

TYPE_LABELS: dict[str, str] = {
    "id_card_front": "居民身份证人像面",
    "id_card_back": "居民身份证国徽面",
    "business_licence": "营业执照",
    "household_register": "居民户口簿",
    "marriage_certificate": "结婚证",
    "property_certificate": "不动产权证书",
    "real_estate_registration_certificate": "不动产登记证明",
    "lease_contract": "租赁合同",
    "application_form": "申请书",
    "power_of_attorney": "授权委托书",
    "legal_rep_certificate": "法定代表人身份证明书",
    "temporary_id_card": "临时居民身份证",
    "residence_permit": "港澳台居民居住证",
    "travel_permit_hkmo": "港澳居民来往内地通行证",
    "travel_permit_tw": "台湾居民来往大陆通行证",
    "passport": "护照",
    "tolerance_commitment": "容缺受理信用承诺书",
    "unknown": "未识别的材料",
}

FIELD_LABELS: dict[str, str] = {
    "name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生日期", "address": "住址",
    "id_number": "公民身份号码", "issuing_authority": "签发机关", "valid_from": "有效期起始日期",
    "valid_until": "有效期截止日期", "credit_code": "统一社会信用代码", "entity_type": "类型",
    "legal_representative": "法定代表人（负责人）", "registered_capital": "注册资本", "established_on": "成立日期",
    "business_scope": "经营范围", "business_term": "营业期限", "registration_authority": "登记机关",
    "issued_on": "发证日期", "operator_name": "经营者姓名", "operator_id_number": "经营者身份证号码",
    "premises_address": "经营场所", "phone": "联系电话", "signed": "签名", "signed_on": "签署日期",
    "principal_name": "委托人", "principal_id_number": "委托人证件号码", "agent_name": "受托人姓名",
    "agent_id_number": "受托人身份证号码", "matter": "委托事项", "certificate_number": "不动产权证书号",
    "holder": "权利人", "co_ownership": "共有情况", "location": "坐落", "unit_number": "不动产单元号",
    "right_type": "权利类型", "usage": "用途", "area": "面积", "lessor": "出租方", "lessee": "承租方",
    "term_from": "租赁起始日期", "term_until": "租赁截止日期", "registered_on": "登记日期",
    "party1_name": "一方姓名", "party1_id_number": "一方身份证件号码", "party2_name": "另一方姓名",
    "party2_id_number": "另一方身份证件号码", "page_kind": "页别", "household_type": "户别", "head_name": "户主姓名",
    "household_number": "户号", "relationship": "与户主关系", "organisation_name": "单位名称",
    "representative_name": "法定代表人姓名", "representative_id_number": "法定代表人身份证号码",
    "entity_name": "单位名称", "legal_rep_id_number": "法定代表人（负责人）身份证号码",
    "new_legal_representative": "拟任法定代表人姓名", "new_legal_rep_id_number": "拟任法定代表人身份证号码",
    "seller_name": "转让方姓名", "seller_id_number": "转让方身份证号码", "buyer_name": "受让方姓名",
    "buyer_id_number": "受让方身份证号码", "seller_spouse_name": "转让方配偶姓名",
    "seller_spouse_id_number": "转让方配偶身份证号码", "property_location": "不动产坐落",
    "permit_number": "证件号码", "passport_number": "护照号码", "right_or_matter": "证明权利或事项", "obligor": "义务人",
    "applicant_name": "承诺人（申请人）", "applicant_id_number": "承诺人证件号码", "case_number": "办件编号",
}
TYPE_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("business_licence", "name"): "名称",
    ("business_licence", "address"): "住所（经营场所）",
    ("lease_contract", "address"): "租赁房屋地址",
    ("marriage_certificate", "holder"): "持证人",
    ("property_certificate", "holder"): "权利人",
    ("real_estate_registration_certificate", "certificate_number"): "不动产登记证明号",
    ("real_estate_registration_certificate", "holder"): "权利人（申请人）",
    ("real_estate_registration_certificate", "registration_authority"): "登记机构",
    ("real_estate_registration_certificate", "registered_on"): "登记时间",
}


def type_label(type_code: str) -> str:
    return TYPE_LABELS.get(type_code, type_code)


def field_label(type_code: str, field: str) -> str:
    return TYPE_FIELD_LABELS.get((type_code, field)) or FIELD_LABELS.get(field, field)


# Finding codes the document checks produce today (validators/id_card.py, pipeline/stages.py) and the
# assessment's own; the catalog validator warns about a tolerable check code outside this list.
KNOWN_FINDING_CODES = frozenset({
    "id_number.missing", "id_number.checksum", "id_number.birth_date", "id_number.format", "id_number.region_unknown",
    "id_number.birth_mismatch", "id_number.sex_mismatch", "id_card.validity_unread", "id_card.validity_dates",
    "id_card.not_yet_valid", "id_card.expired", "id_card.validity_length", "id_card.validity_age",
    "document.unknown_type", "document.unsigned", "document.expired", "document.unreadable", "document.quality",
    "field.uncertain", "field.unread", "material.missing", "material.incomplete", "material.manual",
    "assignment.type_mismatch", "assignment.ambiguous", "assignment.unknown_hint", "document.unassigned",
    "identity.unreadable_kind", "library.unavailable", "library.found", "case.uploads_pending", "case.uploads_failed",
    "calendar.year_not_covered",
    # validators/documents.py
    "credit_code.missing", "credit_code.format", "credit_code.category", "credit_code.checksum",
    "credit_code.org_checksum", "credit_code.entity_type", "business_licence.established_future",
    "business_licence.issued_future", "business_licence.issued_before_established", "business_licence.term_order",
    "business_licence.term_ended", "business_licence.unread", "operator_id_number.format", "operator_id_number.checksum",
    "operator_id_number.birth_date", "application.unsigned", "application.signature_unchecked",
    "application.signed_future", "application.unread", "phone.format", "principal_id_number.format",
    "principal_id_number.checksum", "principal_id_number.birth_date", "agent_id_number.format", "agent_id_number.checksum",
    "agent_id_number.birth_date", "power_of_attorney.same_person", "power_of_attorney.expired",
    "power_of_attorney.unsigned", "power_of_attorney.signature_unchecked", "power_of_attorney.unread",
    "property_certificate.number_format", "property_certificate.number_year", "property_certificate.unit_format",
    "property_certificate.unit_region", "property_certificate.region_mismatch", "property_certificate.unread",
    "lease_contract.term_order", "lease_contract.ended", "lease_contract.not_started", "lease_contract.unread",
    # validators/seals.py and pipeline/stages.marks
    "seal.missing", "seal.unrecognised", "seal.unread", "seal.organisation_mismatch", "seal.organisation_uncertain",
    "representative_id_number.format", "representative_id_number.checksum", "representative_id_number.birth_date",
    "legal_rep_certificate.signed_future", "legal_rep_certificate.unread", "party1_id_number.format",
    "party1_id_number.checksum", "party1_id_number.birth_date", "party2_id_number.format", "party2_id_number.checksum",
    "party2_id_number.birth_date", "marriage_certificate.registered_future", "marriage_certificate.holder_not_party",
    "marriage_certificate.unread", "household_register.birth_mismatch", "household_register.sex_mismatch",
    "household_register.unread",
    # the catalog's seal rule (validators/assess.py): seals of this type are not looked for, a person checks
    "seal.unchecked",
    # validators/identity_documents.py: the other identity documents
    "temporary_id_card.validity_unread", "temporary_id_card.validity_dates", "temporary_id_card.not_yet_valid",
    "temporary_id_card.expired", "temporary_id_card.validity_length", "temporary_id_card.permit_number",
    "temporary_id_card.unread", "residence_permit.region", "residence_permit.validity_unread",
    "residence_permit.validity_dates", "residence_permit.not_yet_valid", "residence_permit.expired",
    "residence_permit.validity_length", "residence_permit.unread", "travel_permit_hkmo.validity_unread",
    "travel_permit_hkmo.validity_dates", "travel_permit_hkmo.not_yet_valid", "travel_permit_hkmo.expired",
    "travel_permit_hkmo.validity_length", "travel_permit_hkmo.unread", "travel_permit_tw.validity_unread",
    "travel_permit_tw.validity_dates", "travel_permit_tw.not_yet_valid", "travel_permit_tw.expired",
    "travel_permit_tw.unread", "passport.validity_unread", "passport.validity_dates", "passport.not_yet_valid",
    "passport.expired", "passport.unread", "permit_number.format", "passport_number.format",
    "passport_number.pattern", "mrz.format", "mrz.checksum", "mrz.number_mismatch", "mrz.expiry_mismatch",
    # pipeline/text_layer.py: a PDF's text layer judged against what the page shows
    "pdf.text_layer_mismatch", "pdf.text_layer_unusable",
})

# Which party's seal a document bears when the catalog asks for one (validators/catalog.SealedRule): the field
# naming the organisation, and by default whether the item asks for it. `always`: 法定代表人身份证明书 is issued
# by the organisation; `organisation`: a 授权委托书 needs the principal's seal when the principal is an
# organisation (an item that serves only organisations asks for it always).
SEAL_SUBJECTS: dict[str, str] = {
    "legal_rep_certificate": "organisation_name",
    "power_of_attorney": "principal_name",
    "application_form": "entity_name",
}
SEAL_DEFAULTS: dict[str, str] = {
    "legal_rep_certificate": "always",
    "power_of_attorney": "organisation",
}

# Check-stage findings that already say a value could not be read or checked (the assessment adds no second one).
UNREAD_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("id_card_back", "valid_until"): frozenset({"id_card.validity_unread"}),
    ("id_card_front", "id_number"): frozenset({"id_number.missing"}),
    ("application_form", "signed"): frozenset({"application.signature_unchecked"}),
    ("power_of_attorney", "signed"): frozenset({"power_of_attorney.signature_unchecked"}),
}

# Field classes for the confidence thresholds (pipeline/settings.Thresholds) when the extractor of a type is
# not registered in this process; a registered extractor's own classes win.
def field_class(field: str) -> str:
    if field.endswith("id_number") or field in ("permit_number", "passport_number"):
        return "id_number"
    if field in ("credit_code", "certificate_number", "unit_number", "household_number"):
        return "code"
    if field in ("valid_from", "valid_until", "birth_date", "signed_on", "term_from", "term_until", "registered_on",
                 "established_on", "issued_on"):
        return "date"
    if field in ("signed", "sex", "ethnicity", "page_kind"):
        return "enum"
    if field in ("name", "holder", "obligor", "lessor", "lessee", "agent_name", "principal_name", "legal_representative",
                 "head_name", "representative_name", "entity_name", "organisation_name", "party1_name", "party2_name") \
            or field.endswith("_name") or field in ("new_legal_representative",):
        return "name"
    return "text"


# Values of a document type that decide acceptance even when no catalog rule names them: the checks on an
# ID card judge these.
DECIDING_FIELDS: dict[str, tuple[str, ...]] = {
    "id_card_front": ("id_number",),
    "id_card_back": ("valid_until",),
}


# What the applicant reads on a notice for a finding (补齐补正通知书 and the like): plain words saying what to
# bring or fix, never the reviewer's technical message. By exact code first, then by the code's last part;
# notice code falls back on the material's standard from the catalog (validators/notice.citizen_problem).
CITIZEN_MESSAGES: dict[str, str] = {
    "material.missing": "未提交，请补交",
    "material.incomplete": "材料不全，请补齐全部页面或全部所需文件",
    "document.unsigned": "未签字，请签字后重新提交",
    "document.expired": "已超过有效期，请提交有效期内的材料",
    "document.unreadable": "文件无法打开或看不清，请提交清晰完整的材料",
    "document.quality": "拍摄或扫描不清晰，请提交清晰的材料",
    "document.unknown_type": "无法确认是所需的材料，请按要求提交",
    "assignment.type_mismatch": "提交的文件不是本项所需的材料，请按要求提交",
    "id_card.expired": "居民身份证已过有效期，请提交有效期内的居民身份证",
    "id_card.not_yet_valid": "居民身份证尚未生效，请提交有效的居民身份证",
    "id_card.validity_dates": "居民身份证有效期有误，请提交有效的居民身份证",
    "id_number.checksum": "公民身份号码有误，请核对后重新填写",
    "id_number.birth_date": "公民身份号码有误，请核对后重新填写",
    "id_number.format": "公民身份号码有误，请核对后重新填写",
    "id_number.missing": "未能看到公民身份号码，请提交清晰完整的身份证件",
    "id_number.birth_mismatch": "身份证上的出生日期与公民身份号码不一致，请提交有效的居民身份证",
    "id_number.sex_mismatch": "身份证上的性别与公民身份号码不一致，请提交有效的居民身份证",
    "credit_code.format": "统一社会信用代码有误，请核对后重新填写",
    "credit_code.checksum": "统一社会信用代码有误，请核对后重新填写",
    "credit_code.missing": "未填写统一社会信用代码，请补填",
    "business_licence.term_ended": "营业执照已超过营业期限，请提交有效的营业执照",
    "application.unsigned": "申请书未签字，请签字后重新提交",
    "application.signed_future": "申请书签署日期有误，请核对后重新签署",
    "phone.format": "联系电话有误，请核对后重新填写",
    "power_of_attorney.expired": "授权委托书已超过委托期限，请提交在委托期限内的授权委托书",
    "power_of_attorney.unsigned": "授权委托书未经委托人签字，请签字后重新提交",
    "power_of_attorney.same_person": "委托人与受托人不能是同一人，请重新提交授权委托书",
    "lease_contract.ended": "租赁合同已到期，请提交在租赁期内的合同或其他场所使用证明",
    "lease_contract.not_started": "租赁合同尚未开始，请提交已生效的合同或其他场所使用证明",
    "lease_contract.term_order": "租赁合同的租赁期限有误，请核对后重新提交",
    "seal.missing": "未加盖印章，请加盖印章后重新提交",
    "seal.organisation_mismatch": "所盖印章与单位名称不一致，请加盖本单位印章后重新提交",
    "marriage_certificate.holder_not_party": "结婚证持证人与申请人不符，请提交本人的结婚证",
    "property_certificate.region_mismatch": "不动产权证书有误，请核对后重新提交",
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

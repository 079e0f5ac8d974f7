"""临时居民身份证 (temporary_id_card): recognised by its title; name, ID number and validity read where printed."""

from extractors._identity import identity_type
from pipeline.registry import FieldSpec

DOCUMENT_TYPE = identity_type(
    code="temporary_id_card",
    label="临时居民身份证",
    printed_titles=("临时居民身份证",),
    anchors=("公民身份号码", "有效期限", "签发机关", "姓名"),
    number_field="id_number",
    number=None,
    fields={
        "name": FieldSpec("姓名", "name"),
        "id_number": FieldSpec("公民身份号码", "id_number"),
        "valid_from": FieldSpec("有效期起始日期", "date"),
        "valid_until": FieldSpec("有效期截止日期", "date"),
    },
    length_judged=True,  # validity codes: extractors/_identity.validity_findings
    findings={
        "id_number.birth_date": "公民身份号码有误，请核对后重新填写",
        "id_number.checksum": "公民身份号码有误，请核对后重新填写",
        "id_number.format": "公民身份号码有误，请核对后重新填写",
        "id_number.region_unknown": None,
        "temporary_id_card.permit_number": None,
        "temporary_id_card.unread": None,
    },
    titles=("临时居民身份证",),
)

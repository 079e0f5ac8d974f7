"""港澳台居民居住证 (residence_permit): recognised by its title (中华人民共和国港澳居民居住证 / 台湾居民居住证); its
公民身份号码 starts 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan)."""

from extractors._identity import identity_type
from pipeline.registry import FieldSpec

DOCUMENT_TYPE = identity_type(
    code="residence_permit",
    label="港澳台居民居住证",
    printed_titles=("港澳居民居住证", "台湾居民居住证", "港澳台居民居住证"),
    anchors=("公民身份号码", "通行证号码", "有效期限", "签发机关"),
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
        "id_number.region_unknown": None,  # the shared helper can report it; this type calls it with region=False
        "residence_permit.region": None,
        "residence_permit.unread": None,
    },
    titles=("居民居住证",),
)

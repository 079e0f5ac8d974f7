"""台湾居民来往大陆通行证 (travel_permit_tw, 台胞证): recognised by its title; its number is 8 digits."""

import re

from extractors._identity import identity_type
from pipeline.registry import FieldSpec

DOCUMENT_TYPE = identity_type(
    code="travel_permit_tw",
    label="台湾居民来往大陆通行证",
    printed_titles=("台湾居民来往大陆通行证", "来往大陆通行证"),
    anchors=("MAINLAND TRAVEL PERMIT", "TAIWAN", "有效期限", "签发机关"),
    number_field="permit_number",
    number=re.compile(r"(?<!\d)\d{8}(?!\d)"),
    fields={
        "name": FieldSpec("姓名", "name"),
        "permit_number": FieldSpec("证件号码", "id_number"),
        "valid_until": FieldSpec("有效期截止日期", "date"),
        "valid_from": FieldSpec("有效期起始日期", "date"),
    },
    length_judged=False,  # validity codes: extractors/_identity.validity_findings
    findings={
        "permit_number.format": None,
        "travel_permit_tw.unread": None,
    },
    titles=("来往大陆通行证",),
)

"""港澳居民来往内地通行证 (travel_permit_hkmo, 回乡证): recognised by its title; its number is H (Hong Kong) or M
(Macao) followed by 8 or 10 digits."""

import re

from extractors._identity import identity_type
from pipeline.registry import FieldSpec

DOCUMENT_TYPE = identity_type(
    code="travel_permit_hkmo",
    label="港澳居民来往内地通行证",
    printed_titles=("港澳居民来往内地通行证", "来往内地通行证"),
    anchors=("MAINLAND TRAVEL PERMIT", "HONG KONG", "MACAO", "有效期限", "签发机关"),
    number_field="permit_number",
    number=re.compile(r"[HM]\d{10}|[HM]\d{8}"),
    fields={
        "name": FieldSpec("姓名", "name"),
        "permit_number": FieldSpec("证件号码", "id_number"),
        "valid_until": FieldSpec("有效期截止日期", "date"),
        "valid_from": FieldSpec("有效期起始日期", "date"),
    },
    length_judged=True,  # validity codes: extractors/_identity.validity_findings
    findings={
        "permit_number.format": None,
        "travel_permit_hkmo.unread": None,
    },
    titles=("来往内地通行证",),
)

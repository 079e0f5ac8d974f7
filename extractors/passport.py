"""护照 (passport): recognised by 护照 / PASSPORT and the machine-readable zone (P<CHN…); the passport number is E
followed by 8 characters."""

import re

from extractors._identity import identity_type
from pipeline.registry import FieldSpec

DOCUMENT_TYPE = identity_type(
    code="passport",
    label="护照",
    printed_titles=("中华人民共和国护照", "护照"),
    anchors=("PASSPORT", "P<CHN", "国籍", "签发地点", "签发机关"),
    number_field="passport_number",
    number=re.compile(r"E[A-Z0-9]\d{7}"),
    fields={
        "name": FieldSpec("姓名", "name"),
        "passport_number": FieldSpec("护照号码", "id_number"),
        "valid_until": FieldSpec("有效期截止日期", "date"),
        "valid_from": FieldSpec("有效期起始日期", "date"),
    },
    length_judged=False,  # validity codes: extractors/_identity.validity_findings
    findings={
        "mrz.checksum": None,
        "mrz.expiry_mismatch": None,
        "mrz.format": None,
        "mrz.number_mismatch": None,
        "passport.unread": None,
        "passport_number.format": None,
        "passport_number.pattern": None,
    },
    titles=("护照",),
)

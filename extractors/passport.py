"""护照 (passport): recognised by 护照 / PASSPORT and the machine-readable zone (P<CHN…); the passport number is E
followed by 8 characters."""

import re

from extractors._identity import identity_type

DOCUMENT_TYPE = identity_type("passport", "护照", ("中华人民共和国护照", "护照"),
                              ("PASSPORT", "P<CHN", "国籍", "签发地点", "签发机关"), "passport_number",
                              re.compile(r"E[A-Z0-9]\d{7}"))

"""港澳居民来往内地通行证 (travel_permit_hkmo, 回乡证): recognised by its title; its number is H (Hong Kong) or M
(Macao) followed by 8 or 10 digits."""

import re

from extractors._identity import identity_type

DOCUMENT_TYPE = identity_type("travel_permit_hkmo", "港澳居民来往内地通行证", ("港澳居民来往内地通行证", "来往内地通行证"),
                              ("MAINLAND TRAVEL PERMIT", "HONG KONG", "MACAO", "有效期限", "签发机关"), "permit_number",
                              re.compile(r"[HM]\d{10}|[HM]\d{8}"))

"""台湾居民来往大陆通行证 (travel_permit_tw, 台胞证): recognised by its title; its number is 8 digits."""

import re

from extractors._identity import identity_type

DOCUMENT_TYPE = identity_type("travel_permit_tw", "台湾居民来往大陆通行证", ("台湾居民来往大陆通行证", "来往大陆通行证"),
                              ("MAINLAND TRAVEL PERMIT", "TAIWAN", "有效期限", "签发机关"), "permit_number",
                              re.compile(r"(?<!\d)\d{8}(?!\d)"))

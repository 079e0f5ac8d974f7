"""港澳台居民居住证 (residence_permit): recognised by its title (中华人民共和国港澳居民居住证 / 台湾居民居住证); its
公民身份号码 starts 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan)."""

from extractors._identity import identity_type

DOCUMENT_TYPE = identity_type("residence_permit", "港澳台居民居住证", ("港澳居民居住证", "台湾居民居住证", "港澳台居民居住证"),
                              ("公民身份号码", "通行证号码", "有效期限", "签发机关"), "id_number", None)

"""临时居民身份证 (temporary_id_card): recognised by its title; name, ID number and validity read where printed."""

from extractors._identity import identity_type

DOCUMENT_TYPE = identity_type("temporary_id_card", "临时居民身份证", ("临时居民身份证",),
                              ("公民身份号码", "有效期限", "签发机关", "姓名"), "id_number", None)

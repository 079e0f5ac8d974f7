"""Checks on the 居民户口簿: on a member's page (常住人口登记卡) the ID number, and its birth date and sex against the
printed ones; on the head's page, key fields read."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators import id_card
from validators.checks._common import id_failures, missing


def household_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """id_number.* of a member page (errors: format / checksum / birth_date), household_register.birth_mismatch
    and .sex_mismatch (errors: the number disagrees with the printed birth date or sex),
    household_register.unread (warning)."""
    if doc.value("page_kind") == "head":
        yield from missing(doc, ("head_name", "address"), "household_register.unread", "户口簿户主页")
        return
    yield from id_failures(doc, "id_number", "常住人口登记卡中的")
    number, birth, sex = doc.value("id_number"), doc.value("birth_date"), doc.value("sex")
    parsed = id_card.parts(number)  # a wrong check character does not hide a birth date that disagrees
    if parsed is not None:
        if birth and parsed.birth_date.isoformat() != birth:
            yield Failure("household_register.birth_mismatch", "公民身份证件编号中的出生日期与登记的出生日期不一致",
                          ("id_number", "birth_date"))
        if sex in ("男", "女") and parsed.sex != sex:
            yield Failure("household_register.sex_mismatch", "公民身份证件编号的性别位与登记的性别不一致",
                          ("id_number", "sex"))
    yield from missing(doc, ("name", "id_number"), "household_register.unread", "常住人口登记卡")


CHECKS = {"household_register.fields": household_fields}

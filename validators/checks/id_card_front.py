"""Checks on the front of a resident ID card (居民身份证人像面): the 公民身份号码 (GB 11643) and that it agrees with the
printed birth date and sex. docs/domain.md."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import CheckContext, Failure
from validators import id_card


def id_number_valid(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """Format, real birth date not in the future, and check character. A region code younger than the
    holder is fine (numbers carry the code of the place at assignment); an unknown one is a warning."""
    value = doc.value("id_number")
    if value is None:
        yield Failure("id_number.missing", "未能读取公民身份号码，请人工核对", (), severity="warning")
        return
    try:
        parsed = numbers.id_parse(value)
    except numbers.InvalidChecksum:
        yield Failure("id_number.checksum", "公民身份号码校验位错误", ("id_number",))
        parsed = id_card.parts(value)  # the other parts are still judged: every problem at once
    except numbers.InvalidComponent:
        yield Failure("id_number.birth_date", "公民身份号码中的出生日期不是有效日期", ("id_number",))
        return
    except numbers.ValidationError:
        yield Failure("id_number.format", "公民身份号码格式错误（应为18位）", ("id_number",))
        return
    if parsed.birth_date > ctx.today:
        yield Failure("id_number.birth_date", "公民身份号码中的出生日期晚于今天", ("id_number",))
    if numbers.region_name(parsed.region) is None:
        yield Failure("id_number.region_unknown", "公民身份号码的地址码不在行政区划代码表中，请人工核对",
                      ("id_number",), severity="warning")

def agrees_with_card(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """id_number.birth_mismatch, id_number.sex_mismatch (errors): also when the check character is wrong, since
    a wrong check character does not make the birth date and sex in the number unreadable."""
    parsed = id_card.parts(doc.value("id_number"))
    if parsed is None:
        return
    birth = doc.value("birth_date")
    if birth and birth != parsed.birth_date.isoformat():
        yield Failure("id_number.birth_mismatch", "公民身份号码中的出生日期与证件上的出生日期不一致",
                      ("id_number", "birth_date"))
    sex = doc.value("sex")
    if sex and sex != parsed.sex:
        yield Failure("id_number.sex_mismatch", "公民身份号码中的性别与证件上的性别不一致", ("id_number", "sex"))


CHECKS = {"id_number.valid": id_number_valid, "id_number.agrees_with_card": agrees_with_card}

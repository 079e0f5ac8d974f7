"""Helpers shared by the checks of several document types: reading a date field, judging a 公民身份号码 field,
reporting unread key fields, and a signature area judged blank."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document
from pipeline.registry import Failure


def date_of(doc: Document, name: str) -> dt.date | None:
    value = doc.value(name)
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value != "长期" else None
    except ValueError:
        return None


def id_failures(doc: Document, name: str, what: str) -> Iterator[Failure]:
    """`<name>.format` / `.checksum` / `.birth_date` for an ID number field, as for ID cards."""
    value = doc.value(name)
    if value is None:
        return
    try:
        numbers.id_parse(value)
    except numbers.InvalidChecksum:
        yield Failure(f"{name}.checksum", f"{what}公民身份号码校验位错误", (name,))
    except numbers.InvalidComponent:
        yield Failure(f"{name}.birth_date", f"{what}公民身份号码中的出生日期不是有效日期", (name,))
    except numbers.ValidationError:
        yield Failure(f"{name}.format", f"{what}公民身份号码格式错误（应为18位）", (name,))


def missing(doc: Document, names: tuple[str, ...], code: str, label: str) -> Iterator[Failure]:
    absent = [n for n in names if doc.value(n) in (None, "")]
    if absent:
        yield Failure(code, f"未能读取{label}的部分内容，请人工核对", tuple(absent), severity="warning")


def unsigned(doc: Document, code: str, message: str) -> Failure:
    """A signature area judged without handwriting. Definite (an error, subject to the confidence rule) only when the
    pixels were seen: the area found whole, at a usable resolution, and clearly blank (its `handwriting` record,
    pipeline/ink.py). A record that is not certain makes it a warning for a person. A `signed` with no record at all
    was not judged from pixels here (a person's correction, or a document made before pixels were judged): its
    confidence decides, as for any other field."""
    record = next((h for h in doc.handwriting if h.area == "signature" and h.signed is not None), None)
    if record is not None and not (record.certain and record.signed is False):
        return Failure(code, f"{message}（签字区域未能看清，请人工核对）", ("signed",), severity="warning")
    return Failure(code, message, ("signed",))


def credit_code_failures(value: str, *, checksum: str) -> Iterator[Failure]:
    """credit_code.checksum (warning, worded by `checksum`) and credit_code.format (error) for a 统一社会信用代码
    (GB 32100); early pilot codes fail the check character, so it is never an error (docs/domain.md)."""
    code = numbers.uscc_compact(value)
    try:
        numbers.uscc_validate(code, inner=False)
    except numbers.InvalidChecksum:
        yield Failure("credit_code.checksum", checksum, ("credit_code",), severity="warning")
    except numbers.ValidationError:
        yield Failure("credit_code.format", "统一社会信用代码格式错误（应为18位，不含I、O、S、V、Z）", ("credit_code",))

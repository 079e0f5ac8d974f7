"""Personal data masking for logs, errors and notices shown to third parties (docs/architecture.md "Personal data").

ID numbers keep the first 6 and last 4 characters with eight `*` between; names keep the first character
followed by `*`. A logging filter masks any ID-number-like run, any mainland mobile number (first 3 and
last 4 digits kept), and names: the values of person-name fields (`name=…`, `'holder': '…'`, a record's
`operator_name` extra, …) and Chinese names after a label (`姓名：张三`, `申请人: 李四`), in a log message
or the traceback logged with it.
"""

from __future__ import annotations

import logging
import re

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])|(?<![0-9A-Za-z])(\d{6})(\d{5})(\d{4})(?![0-9A-Za-z])")


_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)(\d{4})(\d{4})(?![0-9A-Za-z])")

# Fields whose value is a person's name (extractors' field names and the case's parties).
NAME_FIELDS = frozenset({
    "name", "holder", "holder_name", "operator_name", "applicant_name", "agent_name", "principal_name", "head_name",
    "representative_name", "legal_representative", "new_legal_representative", "lessor", "lessee", "seller_name",
    "seller_spouse_name", "buyer_name", "spouse_name", "husband_name", "wife_name", "person_name", "full_name",
})
_FIELD_NAMES = "|".join(sorted(NAME_FIELDS, key=len, reverse=True))
# name=张三, name='Zhang San', "holder": "李四", 'operator_name': '王五'
_NAME_FIELD = re.compile(r"(?<![A-Za-z0-9_])(['\"]?)(" + _FIELD_NAMES + r")\1(\s*[=:]\s*)(?:(['\"])([^'\"\n]*)\4|([^\s,;'\"})\]]+))")
_LABELS = "姓名|名字|持证人|申请人|经办人|法定代表人|委托代理人|代理人|负责人|经营者|出租人|承租人|户主|买受人|出卖人|配偶|权利人|男方|女方"
# 姓名：张三 / 申请人: 欧阳娜娜 / 姓名张三 (OCR lines run the label into the name)
_LABELLED_NAME = re.compile(r"((?:姓名|(?:" + _LABELS + r")\s*[：:])\s*)([\u4e00-\u9fff·]{2,8})")


def mask_id_number(value: str) -> str:
    value = value.strip()
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}********{value[-4:]}"


def mask_name(value: str) -> str:
    value = value.strip()
    return f"{value[0]}*" if value else ""


def mask_text(text: str) -> str:
    def repl(m: re.Match) -> str:
        return mask_id_number(m.group(0))

    text = _MOBILE.sub(r"\1****\3", _ID_LIKE.sub(repl, text))
    return _LABELLED_NAME.sub(_mask_labelled, _NAME_FIELD.sub(_mask_field, text))


def _mask_field(m: re.Match) -> str:
    quote = m.group(4) or ""
    value = m.group(5) if m.group(4) else m.group(6)
    return f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{quote}{mask_name(value)}{quote}"


def _mask_labelled(m: re.Match) -> str:
    return m.group(1) + mask_name(m.group(2))


class MaskingFilter(logging.Filter):
    """Masks ID numbers in every record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = str(record.msg)
        masked = mask_text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        for field in NAME_FIELDS.intersection(record.__dict__):
            if field != "name" and isinstance(record.__dict__[field], str):  # `name` is the logger's own
                record.__dict__[field] = mask_name(record.__dict__[field])
        if record.exc_info and not record.exc_text:
            # An exception's message can carry a value (pydantic echoes its input): format the traceback here,
            # masked; handlers' formatters use exc_text as it is.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True

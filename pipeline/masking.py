"""Personal data masking for logs, errors and notices shown to third parties (DESIGN.md "Personal data").

ID numbers keep the first 6 and last 4 characters with eight `*` between; names keep the first character
followed by `*`. A logging filter masks any ID-number-like run, and any mainland mobile number (first 3 and
last 4 digits kept), that slips into a log message or the traceback logged with it.
"""

from __future__ import annotations

import logging
import re

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])|(?<![0-9A-Za-z])(\d{6})(\d{5})(\d{4})(?![0-9A-Za-z])")


_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)(\d{4})(\d{4})(?![0-9A-Za-z])")


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

    return _MOBILE.sub(r"\1****\3", _ID_LIKE.sub(repl, text))


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
        if record.exc_info and not record.exc_text:
            # An exception's message can carry a value (pydantic echoes its input): format the traceback here,
            # masked; handlers' formatters use exc_text as it is.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True

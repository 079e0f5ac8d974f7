"""电子证照标识 (licence identifier, GB/T 36904-2018), in the four functions of a python-stdnum module.

    1.2.156.3005.2.<type code: 21>.<issuer USCC: 18>.<serial>.<version: 3 digits>.<check>

The check character is ISO/IEC 7064 MOD 37,36 over type + issuer + serial + version written without the
dots (python-stdnum's `iso7064.mod_37_36` computes it; docs/domain.md), e.g.
1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F.

Pure functions shared by the importer (storage), the external-library client, the API and the assessment.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.iso7064 import mod_37_36

__all__ = ["PREFIX", "compact", "validate", "is_valid", "format", "check_char", "parts", "ValidationError",
           "problem_message"]

PREFIX = "1.2.156.3005.2"
_ALNUM = re.compile(r"^[0-9A-Z]+$")
_SHAPE = re.compile(r"^1\.2\.156\.3005\.2\.([0-9A-Z]{21})\.([0-9A-Z]{18})\.([0-9A-Z]{1,40})\.([0-9]{3})\.([0-9A-Z*])$")


def compact(identifier: str) -> str:
    """Strip surrounding and inner white space, upper-case (the standard's alphabet is upper case)."""
    return re.sub(r"\s+", "", str(identifier)).upper()


def check_char(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    """The check character for the given parts (upper case)."""
    body = compact(type_code + issuer_code + serial + version)
    if not _ALNUM.match(body):
        raise InvalidFormat()
    return mod_37_36.calc_check_digit(body)


def parts(identifier: str) -> tuple[str, str, str, str, str]:
    """(type code, issuer code, serial, version, check) of a well-shaped identifier; raises ValidationError."""
    value = compact(identifier)
    if not value.startswith(PREFIX + "."):
        raise InvalidComponent("prefix")
    match = _SHAPE.match(value)
    if match is None:
        fields = value[len(PREFIX) + 1:].split(".")
        if len(fields) != 5:
            raise InvalidFormat("fields")
        raise InvalidLength("component")
    return match.groups()  # type: ignore[return-value]


def validate(identifier: str) -> str:
    """The compact identifier if its shape and check character are right; raises ValidationError otherwise."""
    value = compact(identifier)
    type_code, issuer, serial, version, check = parts(value)
    if check_char(type_code, issuer, serial, version) != check:
        raise InvalidChecksum()
    return value


def is_valid(identifier: str) -> bool:
    try:
        return bool(validate(identifier))
    except ValidationError:
        return False


def format(identifier: str) -> str:  # noqa: A001 - the python-stdnum name
    return compact(identifier)


def make(type_code: str, issuer_code: str, serial: str, version: str = "001") -> str:
    """An identifier with its check character (the sample generator and tests build identifiers this way)."""
    return ".".join([PREFIX, type_code, issuer_code, serial, version, check_char(type_code, issuer_code, serial, version)])


def problem_message(identifier: str) -> str | None:
    """None if valid, else a sentence a clerk understands."""
    try:
        validate(identifier)
    except InvalidChecksum:
        return "电子证照标识校验位错误"
    except InvalidComponent:
        return f"电子证照标识应以 {PREFIX} 开头"
    except ValidationError:
        return "电子证照标识格式错误（应为 1.2.156.3005.2.证照类型代码(21位).颁发机构代码(18位).流水号.版本号(3位).校验位）"
    return None

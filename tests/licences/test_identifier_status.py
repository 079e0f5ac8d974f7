"""The licence identifier (GB/T 36904, ISO 7064 MOD 37,36 check) and the mapping of source status codes."""

from __future__ import annotations

import pytest
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from pipeline import licence_identifier as li
from pipeline.library import LicenceStatus, status_from_source
from tests.licences.helpers import RECORDS

REAL = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"  # docs/domain.md (real, valid)


def test_real_identifier_is_valid_and_its_check_character_is_recomputed():
    assert li.validate(REAL) == REAL
    assert li.check_char("11100000000013338W032", "11220000013544541J", "2430599", "001") == "F"
    assert li.is_valid(" " + REAL.lower() + "\n"), "lower case and white space are compacted"


@pytest.mark.parametrize("wrong", "0123456789ABCDEGHZ")
def test_every_other_check_character_is_refused(wrong):
    assert li.is_valid(REAL[:-1] + wrong) is False
    with pytest.raises(InvalidChecksum):
        li.validate(REAL[:-1] + wrong)


def test_a_changed_serial_or_issuer_breaks_the_check():
    assert not li.is_valid(REAL.replace("2430599", "2430598"))
    assert not li.is_valid(REAL.replace("11220000013544541J", "11220000013544541K"))


SHAPE = "电子证照标识格式错误（应为 1.2.156.3005.2.证照类型代码(21位).颁发机构代码(18位).流水号.版本号(3位).校验位）"


@pytest.mark.parametrize("bad, error, message", [
    ("1.2.156.3005.3.11100000000013338W032.11220000013544541J.2430599.001.F", InvalidComponent,
     "电子证照标识应以 1.2.156.3005.2 开头"),
    ("1.2.156.3005.2.11100000000013338W03.11220000013544541J.2430599.001.F", InvalidLength, SHAPE),  # type code 20
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F", InvalidLength, SHAPE),  # version 2 digits
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.F", InvalidFormat, SHAPE),  # no version
    ("1.2.156.3005.2.11100000000013338W032.11220000013544541J.24305-99.001.F", InvalidLength, SHAPE),  # not alphanumeric
])
def test_malformed_identifiers_say_what_is_wrong(bad, error, message):
    with pytest.raises(error):
        li.validate(bad)
    assert li.problem_message(bad) == message


def test_problem_messages_are_chinese_and_none_when_valid():
    assert li.problem_message(REAL) is None
    assert li.problem_message(REAL[:-1] + "G") == "电子证照标识校验位错误"


def test_make_builds_identifiers_that_validate():
    made = li.make("12100000000000002B001", "11110105000056781G", "1234567")
    assert li.is_valid(made) and made.startswith("1.2.156.3005.2.12100000000000002B001.")
    assert all(li.is_valid(r["identifier"]) for r in RECORDS), "every sample identifier carries a right check"


@pytest.mark.parametrize("code, status", [
    ("01", LicenceStatus.VALID), ("1", LicenceStatus.VALID), ("02", LicenceStatus.SUSPENDED),
    ("03", LicenceStatus.REVOKED), ("04", LicenceStatus.CANCELLED), ("05", LicenceStatus.EXPIRED),
    ("07", LicenceStatus.REVOKED), ("06", LicenceStatus.OTHER), ("吊销", LicenceStatus.REVOKED),
    ("暂扣", LicenceStatus.SUSPENDED), ("注销", LicenceStatus.CANCELLED), ("废止", LicenceStatus.ABOLISHED),
    ("失效", LicenceStatus.EXPIRED), ("有效", LicenceStatus.VALID), ("revoked", LicenceStatus.REVOKED),
    ("ABOLISHED", LicenceStatus.ABOLISHED), ("", LicenceStatus.OTHER), (None, LicenceStatus.OTHER),
    ("unknown", LicenceStatus.OTHER),
])
def test_source_status_codes_map_onto_the_internal_status(code, status):
    assert status_from_source(code) == status


def test_a_source_may_bring_its_own_codes_and_unknown_ones_are_never_valid():
    own = {"A": LicenceStatus.VALID, "01": LicenceStatus.SUSPENDED}
    assert status_from_source("A", own) == LicenceStatus.VALID
    assert status_from_source("01", own) == LicenceStatus.SUSPENDED, "a source's own table wins"
    assert status_from_source("B", own) == LicenceStatus.OTHER

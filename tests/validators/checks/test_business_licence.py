"""营业执照 checks (validators/checks/business_licence.py): the credit code and the dates.
On documents built by hand (no OCR), including the confidence rule."""

import pytest

from pipeline import numbers
from tests.validators.checks.helpers import doc, findings, uscc


LICENCE = dict(credit_code="91110105MA01H7K23Y", name="北京样本商贸有限公司", entity_type="有限责任公司（自然人投资或控股）",
               legal_representative="张三", established_on="2016-03-12", issued_on="2020-05-06",
               business_term="2016-03-12/长期", address="北京市朝阳区样本路1号", business_scope="日用百货销售")


def test_valid_licence_has_no_findings():
    assert findings(doc("business_licence", **LICENCE)) == {}


def test_every_real_credit_code_passes(shared_data):
    codes = [line.split()[0] for line in (shared_data / "numbers" / "uscc_real.txt").read_text().splitlines() if line.strip()]
    assert len(codes) == 143
    failing = {c: findings(doc("business_licence", **{**LICENCE, "credit_code": c, "entity_type": ""}))
               for c in codes}
    assert {c: f for c, f in failing.items() if f} == {}


@pytest.mark.parametrize("first17", ["A1110000MB1234567", "N2370811MF0000011", "Y1370811MG1234560"])
def test_codes_starting_with_a_n_or_y_are_legal(first17):
    inner = numbers.org_code_check_char(first17[8:16])
    code = uscc(first17[:16] + inner)
    assert findings(doc("business_licence", **{**LICENCE, "credit_code": code, "entity_type": ""})) == {}


def test_outer_check_failure_on_a_plausible_code_is_a_warning_for_the_library():
    assert findings(doc("business_licence", **{**LICENCE, "credit_code": "91110105MA01H7K23X"})) == {
        "credit_code.checksum": "warning"}


def test_inner_organisation_code_check():
    # the pilot code docs/domain.md names fails a check: a warning, never an error
    result = findings(doc("business_licence", **{**LICENCE, "credit_code": "91350100M0001TGQXM"}))
    assert set(result.values()) == {"warning"} and result
    bad_inner = uscc("91110105MA01H7K2" + ("4" if numbers.org_code_check_char("MA01H7K2") != "4" else "5"))
    assert findings(doc("business_licence", **{**LICENCE, "credit_code": bad_inner})) == {"credit_code.org_checksum": "warning"}


def test_malformed_code_is_an_error_and_an_uncertain_one_a_warning():
    assert findings(doc("business_licence", **{**LICENCE, "credit_code": "91110105MA01H7K2"})) == {"credit_code.format": "error"}
    assert findings(doc("business_licence", confidence=0.3, **{**LICENCE, "credit_code": "9111O105MA01H7K23Y"})) == {
        "credit_code.format": "warning"}


def test_individual_business_code_against_entity_type():
    code = uscc("92370811MA3C4D5E" + numbers.org_code_check_char("MA3C4D5E"))
    assert findings(doc("business_licence", **{**LICENCE, "credit_code": code})) == {"credit_code.entity_type": "warning"}
    assert findings(doc("business_licence", **{**LICENCE, "credit_code": code, "entity_type": "个体工商户"})) == {}


def test_licence_dates():
    assert findings(doc("business_licence", **{**LICENCE, "established_on": "2026-02-01", "issued_on": "2026-02-01",
                                               "business_term": "2026-02-01/长期"})) == {
        "business_licence.established_future": "error", "business_licence.issued_future": "error"}
    assert findings(doc("business_licence", **{**LICENCE, "issued_on": "2015-01-01"})) == {
        "business_licence.issued_before_established": "error"}
    assert findings(doc("business_licence", **{**LICENCE, "business_term": "2016-03-12/2025-03-11"})) == {
        "business_licence.term_ended": "error"}


def test_unread_licence_fields_are_a_warning():
    values = {k: v for k, v in LICENCE.items() if k != "legal_representative"}
    assert findings(doc("business_licence", **values)) == {"business_licence.unread": "warning"}

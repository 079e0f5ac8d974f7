"""食品经营许可证 checks (validators/checks/food_business_licence.py), and a service item that accepts the type.
On documents built by hand (no OCR), including the confidence rule."""

from pipeline import numbers
from tests.validators.checks.helpers import doc, findings
from validators.catalog import parse_item

LICENCE = dict(licence_number="JY16101246895407", operator_name="周至县东升小吃店", credit_code="92610124MA195ACE23",
               legal_representative="罗志", valid_until="2028-08-17", issued_on="2023-08-18",
               issuing_authority="西安市周至县市场监督管理局")


def test_a_current_licence_has_no_findings():
    assert findings(doc("food_business_licence", **LICENCE)) == {}


def test_a_natural_persons_licence_carries_an_id_number():
    number = "11010519900307" + "123"
    number += numbers.id_check_char(number)
    assert findings(doc("food_business_licence", **{**LICENCE, "credit_code": number})) == {}


def test_licence_checks():
    def of(**values):
        return findings(doc("food_business_licence", **{**LICENCE, **values}))

    assert of(valid_until="2025-12-31") == {"food_business_licence.expired": "error"}
    assert findings(doc("food_business_licence", confidence=0.4, **{**LICENCE, "valid_until": "2025-12-31"})) == {
        "food_business_licence.expired": "warning"}
    assert of(licence_number="JY1610124689540") == {"food_business_licence.number_format": "error"}
    assert of(issued_on="2026-02-01") == {"food_business_licence.issued_future": "error"}
    assert of(credit_code="92610124MA195ACE24") == {"credit_code.checksum": "warning"}
    assert of(credit_code="92610124") == {"credit_code.format": "error"}
    without_number = {k: v for k, v in LICENCE.items() if k != "licence_number"}
    assert findings(doc("food_business_licence", **without_number)) == {"food_business_licence.unread": "warning"}


ITEM = """
code: food-business-licence-renewal
version: 1
name: 食品经营许可（延续）
item_type: 行政许可
department: 市场监督管理局
service_objects: [企业法人, 自然人]
case_type: 承诺件
allows_tolerance: true
statutory_limit: {days: 10, unit: 工作日}
promised_limit: {days: 5, unit: 工作日}
result: {name: 食品经营许可证, kind: 证照}
materials:
  - code: licence
    name: 原食品经营许可证
    copies: 1
    accepted: [[food_business_licence]]
    source: {channel: licence_library, licence_type: food_business_licence, holder_code: licence.credit_code,
             holder_code_type: "001", holder_name: licence.operator_name}
    rules:
      - {rule: not_expired, document: food_business_licence, field: valid_until, code: food_business_licence.expired}
    tolerance: {deadline_working_days: 5, checks: [food_business_licence.expired]}
    necessity: tolerable
situations:
  - {code: self, name: 本人办理, materials: [licence]}
"""


def test_a_service_item_may_accept_the_type_and_rule_on_its_fields():
    item, warnings = parse_item(ITEM, "renewal.yaml")
    assert item.material("licence").types() == {"food_business_licence"}
    assert not [w for w in warnings if w.severity == "error"], warnings
    assert not any("food_business_licence" in w.message for w in warnings), warnings

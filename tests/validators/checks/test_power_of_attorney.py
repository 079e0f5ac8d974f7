"""授权委托书 checks (validators/checks/power_of_attorney.py).
On documents built by hand (no OCR), including the confidence rule."""

from tests.validators.checks.helpers import doc, findings


AUTH = dict(principal_name="张三", principal_id_number="110105199003071239", agent_name="李四",
            agent_id_number="11010519491231002X", matter="个体工商户设立登记", valid_until="2026-03-01", signed=True)


def test_power_of_attorney_checks():
    assert findings(doc("power_of_attorney", **AUTH)) == {}
    assert findings(doc("power_of_attorney", **{**AUTH, "valid_until": "2025-12-31"})) == {"power_of_attorney.expired": "error"}
    assert findings(doc("power_of_attorney", **{**AUTH, "signed": False})) == {"power_of_attorney.unsigned": "error"}
    assert findings(doc("power_of_attorney", **{**AUTH, "agent_id_number": AUTH["principal_id_number"]})) == {
        "power_of_attorney.same_person": "error"}
    assert findings(doc("power_of_attorney", **{**AUTH, "agent_id_number": "11010519491231002"})) == {
        "agent_id_number.format": "error"}

"""Application form checks (validators/checks/application_form.py).
On documents built by hand (no OCR), including the confidence rule."""

from tests.validators.checks.helpers import doc, findings


FORM = dict(operator_name="张三", operator_id_number="110105199003071239", premises_address="北京市朝阳区样本路1号",
            business_scope="日用百货销售", phone="13812345678", signed=True, signed_on="2025-12-20")


def test_valid_form_has_no_findings():
    assert findings(doc("application_form", **FORM)) == {}


def test_form_checks():
    assert findings(doc("application_form", **{**FORM, "signed": False})) == {"application.unsigned": "error"}
    assert findings(doc("application_form", confidence=0.4, **{**FORM, "signed": False})) == {"application.unsigned": "warning"}
    no_signature = {k: v for k, v in FORM.items() if k != "signed"}
    assert findings(doc("application_form", **no_signature)) == {"application.signature_unchecked": "warning"}
    assert findings(doc("application_form", **{**FORM, "operator_id_number": "110105199003071238"})) == {
        "operator_id_number.checksum": "error"}
    assert findings(doc("application_form", **{**FORM, "signed_on": "2026-03-01"})) == {"application.signed_future": "error"}
    assert findings(doc("application_form", **{**FORM, "phone": "1381234"})) == {"phone.format": "warning"}

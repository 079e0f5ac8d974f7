"""不动产权证书 checks (validators/checks/property_certificate.py).
On documents built by hand (no OCR), including the confidence rule."""

from tests.validators.checks.helpers import doc, findings


PROPERTY = dict(certificate_number="鲁(2023)济宁市不动产权第0012345号", holder="张三", co_ownership="单独所有",
                location="山东省济宁市任城区古槐路88号", unit_number="370811003005GB00123F00010001",
                right_type="国有建设用地使用权/房屋所有权", usage="城镇住宅用地/住宅", area="房屋建筑面积98.76㎡")


def test_property_certificate_checks():
    assert findings(doc("property_certificate", **PROPERTY)) == {}
    assert findings(doc("property_certificate", **{**PROPERTY, "certificate_number": "鲁(2027)济宁市不动产权第0012345号"})) == {
        "property_certificate.number_year": "error"}
    assert findings(doc("property_certificate", **{**PROPERTY, "certificate_number": "鲁(2010)济宁市不动产权第0012345号"})) == {
        "property_certificate.number_year": "warning"}
    assert findings(doc("property_certificate", **{**PROPERTY, "certificate_number": "鲁2023济宁市不动产第12345号"})) == {
        "property_certificate.number_format": "error"}
    assert findings(doc("property_certificate", **{**PROPERTY, "unit_number": "370811003005GB00123F0001000"})) == {
        "property_certificate.unit_format": "error"}
    assert findings(doc("property_certificate", **{**PROPERTY, "unit_number": "990811003005GB00123F00010001"})) == {
        "property_certificate.unit_region": "warning", "property_certificate.region_mismatch": "warning"}

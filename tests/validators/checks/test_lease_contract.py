"""租赁合同 checks (validators/checks/lease_contract.py).
On documents built by hand (no OCR), including the confidence rule."""

from tests.validators.checks.helpers import doc, findings


LEASE = dict(lessor="王五", lessee="张三", address="山东省济宁市任城区古槐路88号", term_from="2025-07-01", term_until="2028-06-30")


def test_lease_checks():
    assert findings(doc("lease_contract", **LEASE)) == {}
    assert findings(doc("lease_contract", **{**LEASE, "term_until": "2025-06-30"})) == {"lease_contract.term_order": "error"}
    assert findings(doc("lease_contract", **{**LEASE, "term_from": "2024-01-01", "term_until": "2025-12-31"})) == {
        "lease_contract.ended": "error"}
    assert findings(doc("lease_contract", **{**LEASE, "term_from": "2026-02-01"})) == {"lease_contract.not_started": "warning"}
    assert findings(doc("lease_contract", **{k: v for k, v in LEASE.items() if k != "lessor"})) == {
        "lease_contract.unread": "warning"}

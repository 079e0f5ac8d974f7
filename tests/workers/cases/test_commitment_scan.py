"""容缺受理 with the signed 容缺受理信用承诺书 scanned into the case (document type `tolerance_commitment`) instead of
the clerk's `commitment_signed`: a signed scan by the applicant is accepted and recorded as the evidence; an
unsigned scan, or one signed by someone else, keeps case.commitment_missing and says why. The scan is no
material of the item: the assessment neither assigns it nor warns about it."""

from __future__ import annotations

import pytest

from tests.case_data import application, doc, id_card, utc
from tests.workers.cases.helpers import ASSESSOR, CAL, new_case, put
from workers.cases.acts import attest_originals
from pipeline.errors import CaseRefused
from workers.cases.flow import perform


def tolerance_case(db, people, commitment: dict):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card())
    put(repo, cases, people.clerk, case.id, [commitment])
    # the scan is the act's evidence, not a stray material: the recommendation stays 容缺受理
    assessment = cases.reassess(case.id, ASSESSOR)
    assert assessment.decision == "accept_with_tolerance"
    assert not [f for f in assessment.findings if f.document == commitment["id"]]
    attest_originals(cases, case.id, people.clerk, material="application", originals_seen=1, copies_kept=0, at=utc(2026, 11, 2))
    return case


def accept(cases, case, people):
    return perform(cases, CAL, case.id, "accept_tolerance", people.clerk, at=utc(2026, 11, 2))


def test_a_signed_commitment_scan_by_the_applicant_is_the_commitment(db, people):
    _repo, cases = db
    case = tolerance_case(db, people, doc("tolerance_commitment", "commit-1", "s-commit", applicant_name="张 三",
                                          case_number="h1-2026-000001", signed=True))
    event = accept(cases, case, people)
    assert event.to_state == "accepted_tolerance"
    assert event.detail["commitment"] == {"signed": True, "evidence": "document", "document_id": "commit-1"}
    [act] = [a for a in cases.acts(case.id) if a.kind == "commitment"]
    assert act.person_value == {"signed": True, "materials": ["premises_proof"], "document_id": "commit-1"}


def test_the_clerks_word_is_recorded_as_such(db, people):
    _repo, cases = db
    case = tolerance_case(db, people, doc("tolerance_commitment", "commit-1", "s-commit", applicant_name="张三",
                                          signed=False))
    event = perform(cases, CAL, case.id, "accept_tolerance", people.clerk, at=utc(2026, 11, 2), commitment_signed=True)
    assert event.detail["commitment"] == {"signed": True, "evidence": "clerk"}


@pytest.mark.parametrize(("values", "why"), [
    ({"applicant_name": "张三", "signed": False}, "未签字"),
    ({"applicant_name": "李四", "signed": True}, "承诺人与申请人不一致"),
    ({"applicant_name": "张三"}, "无法确认是否签字"),  # a text-layer PDF: `signed` not reported
])
def test_an_unsigned_or_someone_elses_commitment_is_refused(db, people, values, why):
    _repo, cases = db
    case = tolerance_case(db, people, doc("tolerance_commitment", "commit-1", "s-commit", **values))
    with pytest.raises(CaseRefused) as refused:
        accept(cases, case, people)
    assert refused.value.code == "case.commitment_missing"
    assert why in refused.value.message
    assert cases.get(case.id).status != "accepted_tolerance"
    assert not [a for a in cases.acts(case.id) if a.kind == "commitment"]


def test_without_any_commitment_the_clerk_is_told_to_have_it_signed(db, people):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card())
    cases.reassess(case.id, ASSESSOR)
    attest_originals(cases, case.id, people.clerk, material="application", originals_seen=1, copies_kept=0, at=utc(2026, 11, 2))
    with pytest.raises(CaseRefused) as refused:
        accept(cases, case, people)
    assert refused.value.code == "case.commitment_missing" and "须由申请人签署" in refused.value.message

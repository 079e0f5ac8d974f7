"""The case lifecycle on SQLite and PostgreSQL: case numbers, transitions with reasons and overrides, originals
and the 容缺 commitment, corrections that keep the machine's value beside the person's and reassess, the 容缺
lapse sweeper, and correction rounds where a resubmitted material supersedes the old one (kept on record)."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from storage.repository import Identity
from tests.case_data import application, id_card, premises, utc
from tests.workers.cases.helpers import ASSESSOR, CAL, ITEM, new_case, put
from storage.objects import MemoryStore
from pipeline.service_item import ServiceItem
from pipeline.settings import Settings
from workers.cases.acts import attest_originals, correct
from pipeline.errors import CaseRefused
from workers.cases.flow import perform, sweep_lapsed_cases, sweep_lapses
from workers.cases.records import tolerance_dues
from workers.wiring import build_services


def statuses(saved) -> dict[str, str]:
    return {m.code: m.status for m in saved.materials}


def complete_case(db, people, **kwargs):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card(**kwargs))
    put(repo, cases, people.clerk, case.id, premises())
    return case


# --- case numbers ------------------------------------------------------------------------------------------------


def test_case_numbers_are_readable_unique_and_per_hall_and_year(db, people):
    repo, cases = db
    key = repo.add_key(key_id="hall2clerk000000", key_hash="h" * 64, role="clerk", hall="h2", label="C9")
    other = Identity(key_id=key, role="clerk", hall="h2")
    numbers = [new_case(cases, people.clerk).case_number, new_case(cases, people.clerk).case_number,
               new_case(cases, other).case_number, new_case(cases, people.clerk, at=utc(2027, 1, 4)).case_number]
    assert numbers == ["h1-2026-000001", "h1-2026-000002", "h2-2026-000001", "h1-2027-000001"]
    codes = {cases.get(c.id).query_code for c in cases.in_states(("received",))}
    assert len(codes) == 4 and all(len(c) == 10 for c in codes)


def test_concurrent_creation_gives_distinct_gapless_numbers(db, people):
    _repo, cases = db
    made, errors = [], []
    barrier = threading.Barrier(6, timeout=30)

    def create():
        try:
            barrier.wait()
            made.append(new_case(cases, people.clerk).case_number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(made) == [f"h1-2026-{n:06d}" for n in range(1, 7)]


# --- transitions ----------------------------------------------------------------------------------------------------


def test_acceptance_needs_originals_attested_and_records_who_what_and_the_recommendation(db, people):
    repo, cases = db
    case = complete_case(db, people)
    assert cases.reassess(case.id, ASSESSOR).decision == "accept"
    with pytest.raises(CaseRefused) as unattested:
        perform(cases, CAL, case.id, "accept", people.clerk, at=utc(2026, 11, 2, 15))
    assert unattested.value.code == "case.originals_unattested" and "个体工商户登记（备案）申请书" in unattested.value.message
    attest_originals(cases, case.id, people.clerk, material="application", originals_seen=1, copies_kept=0,
                     at=utc(2026, 11, 2, 15))
    with pytest.raises(CaseRefused) as wrong_role:
        perform(cases, CAL, case.id, "accept", people.reviewer, at=utc(2026, 11, 2, 15))
    assert wrong_role.value.code == "auth.forbidden"
    event = perform(cases, CAL, case.id, "accept", people.clerk, at=utc(2026, 11, 2, 15), clerk_number="C0231")
    assert (event.from_state, event.to_state, event.recommendation, event.overridden) == ("received", "accepted", "accept", False)
    assert event.actor_label == "C0231" and event.assessment_version == cases.latest(case.id).version
    assert cases.get(case.id).status == "accepted"
    with pytest.raises(CaseRefused) as twice:
        perform(cases, CAL, case.id, "accept", people.clerk, at=utc(2026, 11, 2, 15))
    assert twice.value.code == "case.transition_not_allowed"


def test_overriding_the_recommendation_needs_a_reason(db, people):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application(signed=False)])
    put(repo, cases, people.clerk, case.id, id_card())
    assert cases.reassess(case.id, ASSESSOR).decision == "correction_required"
    attest_originals(cases, case.id, people.clerk, material="application", originals_seen=1, copies_kept=0, at=utc(2026, 11, 2))
    for reason in ("", "   "):
        with pytest.raises(CaseRefused) as refused:
            perform(cases, CAL, case.id, "accept", people.clerk, at=utc(2026, 11, 2), reason=reason)
        assert refused.value.code == "case.reason_required" and "需补齐补正" in refused.value.message
    with pytest.raises(CaseRefused) as no_reason:
        perform(cases, CAL, case.id, "not_accept", people.clerk, at=utc(2026, 11, 2))
    assert no_reason.value.code == "case.reason_required"
    event = perform(cases, CAL, case.id, "accept", people.clerk, at=utc(2026, 11, 2), reason="申请人当场补签，已核对原件")
    assert event.overridden and event.recommendation == "correction_required" and event.reason == "申请人当场补签，已核对原件"
    # confirming the recommendation needs no reason
    other = new_case(cases, people.clerk)
    assert cases.reassess(other.id, ASSESSOR).decision == "correction_required"
    assert not perform(cases, CAL, other.id, "request_correction", people.clerk, at=utc(2026, 11, 2)).overridden


def test_a_stale_transition_is_refused(db, people):
    _repo, cases = db
    case = new_case(cases, people.clerk)
    cases.reassess(case.id, ASSESSOR)
    from pipeline.case_states import BY_ACT

    assert cases.transition(case.id, BY_ACT["prereview"], expected_state="received", actor=people.clerk.key_id,
                            role="clerk", actor_label="C0231") is not None
    assert cases.transition(case.id, BY_ACT["prereview"], expected_state="received", actor=people.clerk.key_id,
                            role="clerk", actor_label="C0231") is None
    assert [e.act for e in cases.events(case.id)] == ["prereview"]


def test_tolerance_acceptance_records_the_commitment_and_the_deadline_from_acceptance(db, people):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card())
    assert cases.reassess(case.id, ASSESSOR).decision == "accept_with_tolerance"
    attest_originals(cases, case.id, people.clerk, material="application", originals_seen=1, copies_kept=0, at=utc(2026, 11, 2))
    with pytest.raises(CaseRefused) as unsigned:
        perform(cases, CAL, case.id, "accept_tolerance", people.clerk, at=utc(2026, 9, 29))
    assert unsigned.value.code == "case.commitment_missing"
    event = perform(cases, CAL, case.id, "accept_tolerance", people.clerk, at=utc(2026, 9, 29), commitment_signed=True)
    [owed] = event.detail["tolerance"]
    assert (owed["material"], owed["due"], owed["on_lapse"]) == ("premises_proof", "2026-10-12", "correction"), \
        "5 working days from Tue 29 Sep across National Day and the make-up Saturday"
    [commitment] = [a for a in cases.acts(case.id) if a.kind == "commitment"]
    assert commitment.person_value == {"signed": True, "materials": ["premises_proof"]}
    perform(cases, CAL, case.id, "start_review", people.reviewer, at=utc(2026, 9, 30))
    with pytest.raises(CaseRefused) as owed_still:
        perform(cases, CAL, case.id, "approve", people.reviewer, at=utc(2026, 9, 30), reason="符合条件")
    assert owed_still.value.code == "case.tolerance_outstanding"
    put(repo, cases, people.clerk, case.id, premises(), material="premises_proof", at=utc(2026, 10, 9))
    cases.reassess(case.id, ASSESSOR)
    event = perform(cases, CAL, case.id, "approve", people.reviewer, at=utc(2026, 10, 9), reason="材料齐全，准予登记")
    assert cases.get(case.id).outcome == "approved" and event.to_state == "decided"


def test_tolerance_is_refused_when_the_item_does_not_allow_it(db, people):
    repo, cases = db
    case = cases.create(owner_key_id=people.clerk.key_id, hall="h1", item=ITEM.model_copy(update={"allows_tolerance": False}),
                        situation="self", applicant={})
    cases.reassess(case.id, ASSESSOR)
    with pytest.raises(CaseRefused) as refused:
        perform(cases, CAL, case.id, "accept_tolerance", people.clerk, at=utc(2026, 11, 2), commitment_signed=True,
                reason="容缺")
    assert refused.value.code == "case.tolerance_not_allowed"


@pytest.mark.parametrize(("on_lapse", "state", "outcome", "act"), [
    ("correction", "correction", None, "lapse_to_correction"),
    ("refused", "decided", "refused", "lapse_to_refusal"),
])
def test_the_sweeper_moves_a_lapsed_tolerance_case_as_the_item_says(db, people, on_lapse, state, outcome, act, tmp_path):
    repo, cases = db
    snapshot = ITEM.snapshot()
    next(m for m in snapshot["materials"] if m["code"] == "premises_proof")["tolerance"]["on_lapse"] = on_lapse
    case = cases.create(owner_key_id=people.clerk.key_id, hall="h1", item=ServiceItem.model_validate(snapshot), situation="self",
                        applicant={"name": "张三"}, at=utc(2026, 11, 2))
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card())
    cases.reassess(case.id, ASSESSOR)
    attest_originals(cases, case.id, people.clerk, material="application", originals_seen=1, copies_kept=0, at=utc(2026, 11, 2))
    perform(cases, CAL, case.id, "accept_tolerance", people.clerk, at=utc(2026, 11, 2), commitment_signed=True)
    assert sweep_lapses(cases, CAL, utc(2026, 11, 9, 23)) == [], "due Mon 9 Nov: not lapsed on the day"
    with pytest.raises(CaseRefused) as early:
        perform(cases, CAL, case.id, act, people.clerk, at=utc(2026, 11, 9), reason="逾期")
    assert early.value.code == "case.tolerance_not_lapsed"
    services = build_services(Settings(data_dir=tmp_path), repo=repo, store=MemoryStore())
    assert sweep_lapsed_cases(services, utc(2026, 11, 10)) == [(case.id, act)]  # what `serve` and `sweep` run
    row = cases.get(case.id)
    assert (row.status, row.outcome) == (state, outcome)
    last = cases.events(case.id)[-1]
    assert (last.role, last.act) == ("system", act) and "经营场所使用证明" in last.reason
    assert sweep_lapses(cases, CAL, utc(2026, 11, 11)) == []
    if state == "correction":  # back before 受理: accepted in full later, the old 容缺 promise no longer applies
        perform(cases, CAL, case.id, "accept", people.clerk, at=utc(2026, 11, 12), reason="经营场所证明已当场核验原件")
        assert tolerance_dues(cases, cases.get(case.id), cases.latest(case.id).assessment) == []
        assert sweep_lapses(cases, CAL, utc(2026, 11, 20)) == []
    with repo.session() as session:
        audited = session.execute(sa.text("SELECT actor, action, target_id FROM audit_events")).all()
    assert [tuple(r) for r in audited] == [("system", "case.transition", case.id)]


# --- corrections ----------------------------------------------------------------------------------------------------


def test_a_corrected_field_keeps_both_values_and_the_case_is_reassessed(db, people):
    repo, cases = db
    case = complete_case(db, people, name="张二")
    first = cases.reassess(case.id, ASSESSOR)
    assert statuses(first)["operator_id"] == "invalid" and first.decision == "correction_required"
    act, saved = correct(cases, ASSESSOR, case.id, people.clerk, kind="field", document="op-front", field="name",
                         value="张三", reason="核对原件：识别错误", at=utc(2026, 11, 2, 12))
    assert act.machine_value == {"value": "张二", "confidence": 0.99} and act.person_value == "张三"
    assert saved.decision == "accept" and statuses(saved)["operator_id"] == "ok"
    assert "field.corrected" in {f.code for m in saved.materials for f in m.findings}
    assert cases.latest(case.id).version == first_version(cases, case.id) + 1
    front = next(s.document for s in cases.submitted(case.id) if s.document.id == "op-front")
    assert front.value("name") == "张二", "the machine's reading stays as it was read"


def first_version(cases, case_id):
    return cases.history(case_id)[0].version


def test_a_dismissed_finding_no_longer_counts_and_a_confirmed_one_is_definite(db, people):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card())
    put(repo, cases, people.clerk, case.id, premises(location="北京市海淀区中关村大街9号"))
    first = cases.reassess(case.id, ASSESSOR)
    assert statuses(first)["premises_proof"] == "needs_review"
    with pytest.raises(CaseRefused) as no_reason:
        correct(cases, ASSESSOR, case.id, people.reviewer, kind="finding", finding="consistency.premises_address",
                action="dismiss", at=utc(2026, 11, 2))
    assert no_reason.value.code == "case.reason_required"
    act, saved = correct(cases, ASSESSOR, case.id, people.reviewer, kind="finding", finding="consistency.premises_address",
                         material="premises_proof", action="dismiss", reason="同一地址的新旧门牌", at=utc(2026, 11, 2))
    assert act.machine_value["severity"] == "warning" and act.person_value == "dismiss"
    assert statuses(saved)["premises_proof"] == "ok" and saved.decision == "accept"
    _act, confirmed = correct(cases, ASSESSOR, case.id, people.clerk, kind="finding", finding="consistency.premises_address",
                              action="confirm", reason="门牌确不一致", at=utc(2026, 11, 2))
    assert statuses(confirmed)["premises_proof"] == "invalid" and confirmed.decision == "correction_required"
    assert "不动产权证书所载坐落与申请书所填经营场所不一致" in confirmed.notice
    with pytest.raises(CaseRefused) as absent:
        correct(cases, ASSESSOR, case.id, people.clerk, kind="finding", finding="id_card.expired", action="dismiss",
                reason="x", at=utc(2026, 11, 2))
    assert absent.value.code == "request.invalid"


def test_a_material_checked_by_hand_without_a_scan(db, people):
    repo, cases = db
    case = new_case(cases, people.clerk)
    put(repo, cases, people.clerk, case.id, [application()])
    put(repo, cases, people.clerk, case.id, id_card())
    assert statuses(cases.reassess(case.id, ASSESSOR))["premises_proof"] == "tolerated"
    act, saved = correct(cases, ASSESSOR, case.id, people.clerk, kind="manual_check", material="premises_proof",
                         reason="扫描仪故障，已核对不动产权证书原件", at=utc(2026, 11, 2))
    assert act.machine_value == {"status": "tolerated"} and act.person_value == {"checked": True}
    assert statuses(saved)["premises_proof"] == "ok" and saved.decision == "accept"
    premises_result = saved.material("premises_proof")
    assert [f.code for f in premises_result.findings] == ["material.checked_by_hand"]
    assert "以下材料已由工作人员人工核验（无扫描件）：经营场所使用证明。" in saved.notice


@pytest.mark.parametrize(("document", "field", "value"), [
    ("op-back", "valid_until", 20410510),  # a number where the checks read a date
    ("op-back", "valid_until", "2041/05/10"),
    ("op-back", "valid_from", "长期"),  # only a validity's end may be 长期
    ("op-front", "birth_date", "19900307x"),
    ("app", "signed", "yes"),  # `signed` is true or false
    ("op-front", "name", True),
    ("op-front", "name", "   "),
])
def test_a_corrected_value_of_the_wrong_shape_is_refused_and_the_case_stays_assessable(db, people, document, field, value):
    repo, cases = db
    case = complete_case(db, people)
    cases.reassess(case.id, ASSESSOR)
    before = cases.latest(case.id)
    with pytest.raises(CaseRefused) as refused:
        correct(cases, ASSESSOR, case.id, people.clerk, kind="field", document=document, field=field, value=value,
                reason="核对原件", at=utc(2026, 11, 2, 12))
    assert refused.value.code == "request.invalid" and refused.value.message
    assert cases.acts(case.id) == [], "nothing recorded"
    cases.reassess(case.id, ASSESSOR)  # a recorded bad value used to break every later reassessment
    latest = cases.latest(case.id)
    assert (latest.version, latest.decision) == (before.version, before.decision), "nothing changed"


def test_well_formed_corrections_of_dates_and_signatures_are_kept(db, people):
    repo, cases = db
    case = complete_case(db, people)
    cases.reassess(case.id, ASSESSOR)
    for document, field, value in (("op-back", "valid_until", "长期"), ("op-back", "valid_from", "2021-05-10"),
                                   ("app", "signed", True)):
        act, saved = correct(cases, ASSESSOR, case.id, people.clerk, kind="field", document=document, field=field,
                             value=value, reason="核对原件", at=utc(2026, 11, 2, 12))
        assert act.person_value == value and saved is not None
    assert saved.decision == "accept"


def test_who_may_correct_and_when(db, people):
    repo, cases = db
    case = complete_case(db, people)
    cases.reassess(case.id, ASSESSOR)
    with pytest.raises(CaseRefused) as applicant:
        correct(cases, ASSESSOR, case.id, people.applicant, kind="field", document="op-front", field="name", value="李四",
                at=utc(2026, 11, 2))
    assert applicant.value.code == "auth.forbidden"
    with pytest.raises(CaseRefused) as unknown_doc:
        correct(cases, ASSESSOR, case.id, people.clerk, kind="field", document="nope", field="name", value="李四",
                at=utc(2026, 11, 2))
    assert unknown_doc.value.code == "request.invalid"
    perform(cases, CAL, case.id, "not_accept", people.clerk, at=utc(2026, 11, 2), reason="不属于本机关职权范围")
    with pytest.raises(CaseRefused) as closed:
        correct(cases, ASSESSOR, case.id, people.clerk, kind="field", document="op-front", field="name", value="李四",
                at=utc(2026, 11, 2))
    assert closed.value.code == "case.transition_not_allowed"


# --- correction rounds ------------------------------------------------------------------------------------------------


def test_a_resubmitted_material_replaces_the_old_one_which_stays_on_record(db, people):
    repo, cases = db
    case = new_case(cases, people.clerk)
    old = put(repo, cases, people.clerk, case.id, [application(signed=False)], material="application")
    front = put(repo, cases, people.clerk, case.id, id_card()[:1], material="operator_id")
    back = put(repo, cases, people.clerk, case.id, id_card()[1:], material="operator_id")
    assert cases.superseded(case.id) == {}, "the first submission: front and back arrive as separate uploads"
    first = cases.reassess(case.id, ASSESSOR)
    assert statuses(first)["application"] == "invalid"
    perform(cases, CAL, case.id, "request_correction", people.clerk, at=utc(2026, 11, 2, 12))
    new = put(repo, cases, people.clerk, case.id, [application(doc_id="app-2", sha="s-app2")], material="application",
              at=utc(2026, 11, 3))
    assert set(cases.superseded(case.id)) == {old}
    record = cases.superseded(case.id)[old]
    assert (record.superseded_by, record.material, record.round) == (new, "application", 1)
    saved = cases.reassess(case.id, ASSESSOR)
    assert statuses(saved)["application"] == "ok" and saved.material("application").documents == ("app-2",)
    assert {s.document.id for s in cases.load_input(case.id).documents} == {"op-front", "op-back", "app-2"}
    everything = {s.document.id: gone for s, gone in cases.all_submitted(case.id)}
    assert everything == {"app": True, "op-front": False, "op-back": False, "app-2": False}
    assert {front, back}.isdisjoint(cases.superseded(case.id))
    assert [a.decision for a in cases.history(case.id)][0] == "correction_required", "earlier rounds stay on record"

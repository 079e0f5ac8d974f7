"""The material-checklist assessment on synthetic cases built from hand-made documents (no OCR).

Every decision and every listed problem is asserted exactly: `problems()` is the set of definite problems
per material (the codes of error findings of materials that are missing, invalid or tolerated), so an extra
or a lost problem fails the test. Target: zero false accepts, and no citizen sent home for an OCR misread.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.errors import LibraryUnavailable
from pipeline.interfaces import SHANGHAI
from pipeline.library import Licence, LicenceStatus
from pipeline.models import Document, FileError, QualityIssue, QualityOut, Seal
from pipeline.settings import Thresholds
from tests.validators.helpers import (
    AGENT, AGENT_BACK, CREDIT, OPERATOR, OPERATOR_BACK, REP, REP_BACK, TODAY, TYPES, agent_complete, application, assess,
    business_licence, card, doc, hinted, hygiene_form, power_of_attorney, problems, property_certificate, reviews,
    self_complete, statuses, uscc,
)
from validators.assess import Assessor
from validators.notice import WorkCalendar


# --- the reference item: complete cases ------------------------------------------------------


def test_complete_self_case_is_accepted():
    result = assess(*self_complete())
    assert result.decision == "accept"
    assert statuses(result) == {"application": "ok", "operator_id": "ok", "premises_proof": "ok"}
    assert result.unassigned == () and problems(result) == {}
    assert "申请材料齐全、符合法定形式" in result.notice and "补正" not in result.notice
    assert "受理时需核验原件：个体工商户登记（备案）申请书" in result.notice


def test_complete_agent_case_assigns_each_card_by_its_number():
    documents = agent_complete()
    result = assess(*documents, situation="agent")
    assert result.decision == "accept", result.notice
    assert statuses(result) == {"application": "ok", "operator_id": "ok", "premises_proof": "ok",
                                "agent_authorization": "ok", "agent_id": "ok"}
    operator_front, agent_front = documents[1][0], documents[4][0]
    assert operator_front.id in result.material("operator_id").documents
    assert agent_front.id in result.material("agent_id").documents


def test_cards_arriving_in_any_order_and_in_separate_files_are_paired():
    front, back = card(OPERATOR, OPERATOR_BACK)
    back = back.model_copy(update={"upload_sha256": "another-file"})
    agent_front, agent_back = card(AGENT, AGENT_BACK)
    agent_back = agent_back.model_copy(update={"upload_sha256": "yet-another-file"})
    result = assess(agent_back, back, power_of_attorney(), agent_front, front, property_certificate(), application(),
                    situation="agent")
    assert result.decision == "accept", result.notice
    assert set(result.material("operator_id").documents) == {front.id, back.id}
    assert set(result.material("agent_id").documents) == {agent_front.id, agent_back.id}


def test_lease_with_the_landlords_certificate_is_accepted():
    lease = doc("lease_contract", lessor="王五", lessee="张三", address="朝阳区建国路1号", term_from="2026-01-01",
                term_until="2028-12-31")
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), lease, property_certificate(holder="王五"))
    assert result.decision == "accept"
    assert len(result.material("premises_proof").documents) == 2


# --- tolerance -------------------------------------------------------------------------------


def test_missing_tolerable_material_gives_acceptance_with_tolerance_and_a_deadline():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK))
    assert result.decision == "accept_with_tolerance"
    premises = result.material("premises_proof")
    assert premises.status == "tolerated" and premises.commitment_required
    assert premises.due == dt.date(2026, 11, 30) and premises.due_working_days == 5  # 5 working days after Monday
    assert problems(result) == {"premises_proof": {"material.missing"}}
    assert "经营场所使用证明：未提交，请于2026年11月30日前（受理之日起5个工作日内）补交" in result.notice
    assert "容缺受理信用承诺书" in result.notice


def test_deadline_skips_statutory_holidays_and_counts_make_up_working_days():
    # Accepted Wednesday 2026-09-30; National Day holiday 1-7 October; Saturday 10 October is a make-up
    # working day: 8 (1), 9 (2), Sat 10 (3), 12 (4), 13 (5).
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), at=dt.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))
    assert result.material("premises_proof").due == dt.date(2026, 10, 13)


def test_a_year_the_calendar_does_not_cover_is_flagged_not_guessed():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), at=dt.datetime(2026, 12, 28, 10, tzinfo=SHANGHAI))
    premises = result.material("premises_proof")
    assert result.decision == "accept_with_tolerance"
    assert premises.status == "tolerated" and premises.due is None
    assert [f.code for f in result.findings] == ["calendar.year_not_covered"]
    assert "2027年" in result.findings[0].message
    assert "具体日期由窗口工作人员告知" in result.notice


def test_an_administrator_loaded_year_is_used():
    calendar = WorkCalendar(years=[2027], holidays=[dt.date(2027, 1, 1)])
    assessor = Assessor(thresholds=Thresholds(), calendar=calendar, types=TYPES)
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), assessor=assessor,
                    at=dt.datetime(2026, 12, 28, 10, tzinfo=SHANGHAI))
    # 29, 30, 31 Dec 2026, then 1 Jan 2027 is a holiday, 2-3 Jan a weekend: 4 and 5 Jan
    assert result.material("premises_proof").due == dt.date(2027, 1, 5)


def test_partly_present_tolerable_material_names_the_absent_part():
    lease = doc("lease_contract", lessor="王五", lessee="张三", address="北京市朝阳区建国路1号", term_from="2026-01-01",
                term_until="2028-12-31")
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), lease)
    assert result.decision == "accept_with_tolerance"
    assert result.material("premises_proof").missing == ("property_certificate",)
    assert problems(result) == {"premises_proof": {"material.incomplete"}}
    assert "经营场所使用证明：缺少不动产权证书，请于" in result.notice


# --- definite problems: correction required --------------------------------------------------


def test_required_material_missing():
    result = assess(card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "correction_required"
    assert statuses(result) == {"application": "missing", "operator_id": "ok", "premises_proof": "ok"}
    assert problems(result) == {"application": {"material.missing"}}
    assert "1. 个体工商户登记（备案）申请书：未提交。" in result.notice
    assert "2." not in result.notice


def test_missing_back_side_counts_as_missing_and_is_named():
    front, _back = card(OPERATOR, OPERATOR_BACK)
    result = assess(application(), front, property_certificate())
    assert result.decision == "correction_required"
    operator = result.material("operator_id")
    assert operator.status == "missing" and operator.missing == ("id_card_back",)
    assert problems(result) == {"operator_id": {"material.incomplete"}}
    assert "经营者身份证明：缺少居民身份证国徽面" in result.notice


def test_expired_id_card():
    documents = [application(), card(OPERATOR, OPERATOR_BACK, valid_from="2015-06-01", valid_until="2025-06-01"),
                 property_certificate()]
    result = assess(*documents)
    assert result.decision == "correction_required"
    assert statuses(result)["operator_id"] == "invalid"
    assert problems(result) == {"operator_id": {"id_card.expired"}}
    assert "身份证已过期（有效期至2025年06月01日）" in result.notice


def test_card_that_expires_between_its_upload_and_the_judging_day_is_expired():
    """The check ran on the upload day; the case is judged later, so the catalog's rule catches it."""
    scanned = card(OPERATOR, OPERATOR_BACK, valid_from="2006-11-20", valid_until="2026-11-20", checked_on=dt.date(2026, 11, 19))
    assert not any(f.code == "id_card.expired" for f in scanned[1].findings)
    result = assess(application(), scanned, property_certificate())
    assert problems(result) == {"operator_id": {"id_card.expired"}}
    assert "经营者身份证已过期（有效期截止日期为2026年11月20日）" in result.notice


def test_wrong_check_digit_copied_onto_the_form():
    bad = "110105199003071238"
    result = assess(application(operator_id_number=bad), card(OPERATOR, OPERATOR_BACK, id_number=bad), property_certificate())
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"id_number.checksum"}, "application": {"operator_id_number.checksum"}}
    assert "经营者身份证明：公民身份号码校验位错误" in result.notice
    assert "申请书中经营者的公民身份号码校验位错误" in result.notice


def test_wrong_check_digit_against_a_correct_form_lists_both_problems():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK, id_number="110105199003071238"), property_certificate())
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"id_number.checksum", "consistency.operator_id_number"}}


def test_names_that_disagree_between_the_form_and_the_card():
    result = assess(application(operator_name="张山"), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"consistency.operator_name"}}
    assert "身份证上的姓名与申请书所填经营者姓名不一致" in result.notice
    assert "张三" not in result.notice and "110105" not in result.notice, "the notice carries no personal data"


def test_names_are_compared_after_normalisation():
    form = application(operator_name="张 三")
    result = assess(form, card({**OPERATOR, "name": "张三"}, OPERATOR_BACK), property_certificate())
    assert result.decision == "accept"
    minority = {**OPERATOR, "name": "买买提·艾力"}
    result = assess(application(operator_name="买买提•艾力"), card(minority, OPERATOR_BACK), property_certificate())
    assert result.decision == "accept"


def test_agent_situation_without_the_power_of_attorney():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(), card(AGENT, AGENT_BACK),
                    situation="agent")
    assert result.decision == "correction_required"
    assert statuses(result) == {"application": "ok", "operator_id": "ok", "premises_proof": "ok",
                                "agent_authorization": "missing", "agent_id": "ok"}
    assert problems(result) == {"agent_authorization": {"material.missing"}}
    assert "授权委托书：未提交" in result.notice


def test_agents_card_given_as_the_operators_card():
    """Self situation: the only card is the agent's; by elimination it is taken as the operator's and
    contradicts the form."""
    result = assess(application(), card(AGENT, AGENT_BACK), property_certificate())
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"consistency.operator_name", "consistency.operator_id_number"}}


def test_agents_card_hinted_as_the_operators_in_the_agent_situation():
    result = assess(application(), property_certificate(), power_of_attorney(),
                    *[hinted(d, person="operator") for d in card(AGENT, AGENT_BACK)], situation="agent")
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"consistency.operator_name", "consistency.operator_id_number"},
                                "agent_id": {"material.missing"}}


def test_agents_card_without_hints_goes_to_the_agent_by_the_authorisation():
    result = assess(application(), property_certificate(), power_of_attorney(), card(AGENT, AGENT_BACK), situation="agent")
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"material.missing"}}
    assert statuses(result)["agent_id"] == "ok"


def test_power_of_attorney_from_someone_else_for_someone_else():
    poa = power_of_attorney(principal_name="王五", principal_id_number="370829197502031512", agent_name="赵六",
                            agent_id_number="370829197809112421", valid_until="2026-10-31", signed=False)
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(), poa,
                    hinted(card(AGENT, AGENT_BACK)[0], person="agent"), hinted(card(AGENT, AGENT_BACK)[1], person="agent"),
                    situation="agent")
    assert result.decision == "correction_required"
    assert problems(result) == {"agent_authorization": {
        "power_of_attorney.unsigned", "power_of_attorney.expired", "consistency.principal_name",
        "consistency.principal_id_number",
        "consistency.agent_name", "consistency.agent_id_number"}}
    assert result.notice.count("授权委托书：") == 1, "one line per material, every problem on it"


def test_unsigned_application_read_with_confidence():
    result = assess(application(signed=False), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "correction_required"
    assert problems(result) == {"application": {"application.unsigned"}}
    assert "申请书未经经营者签字" in result.notice


def test_every_problem_is_listed_at_once():
    documents = [application(operator_name="张山", signed=False), card(OPERATOR, OPERATOR_BACK, valid_from="2015-06-01",
                                                                        valid_until="2025-06-01")]
    result = assess(*documents, situation="agent")
    assert result.decision == "correction_required"
    assert problems(result) == {"application": {"application.unsigned"},
                                "operator_id": {"id_card.expired", "consistency.operator_name"},
                                "premises_proof": {"material.missing"},
                                "agent_authorization": {"material.missing"}, "agent_id": {"material.missing"}}
    for line in ("1. 个体工商户登记（备案）申请书：申请书未经经营者签字。", "授权委托书：未提交", "受托人身份证明：未提交",
                 "经营场所使用证明：未提交，请于"):
        assert line in result.notice


# --- a person must look: needs_review ---------------------------------------------------------


def test_unreadable_file_sends_the_case_to_a_person():
    broken = Document(id="broken-1", source="scan.pdf", error=FileError(code="file.truncated", message="文件不完整或已损坏"))
    result = assess(*self_complete(), broken)
    assert result.decision == "needs_review"
    assert result.unassigned == ("broken-1",)
    assert [f.code for f in result.findings] == ["document.unreadable"]
    assert "另有1份材料无法确定所属或无法识别" in result.notice


def test_unreadable_file_hinted_to_a_material_makes_it_needs_review_not_missing():
    broken = Document(id="broken-2", source="app.pdf", error=FileError(code="file.truncated", message="文件不完整或已损坏"))
    result = assess(hinted(broken, material="application"), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "needs_review"
    assert statuses(result)["application"] == "needs_review"
    assert problems(result) == {}


def test_blurred_page_is_read_but_its_material_is_at_best_needs_review():
    blurred = application().model_copy(update={"quality": QualityOut(ok=False, score=0.3, issues=(
        QualityIssue(code="blur", severity="error", message="图像模糊，请重拍"),))})
    result = assess(blurred, card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "needs_review"
    assert reviews(result) == {"application": {"document.quality"}}


def test_unrecognised_page_without_a_hint_is_unassigned():
    unknown = Document(id="unknown-1", source="x.jpg", type="unknown")
    result = assess(*self_complete(), unknown)
    assert result.decision == "needs_review" and result.unassigned == ("unknown-1",)


def test_low_confidence_expiry_date_is_review_not_correction():
    documents = [application(), card(OPERATOR, OPERATOR_BACK, valid_until="2020-01-01", back_low=("valid_until",)),
                 property_certificate()]
    result = assess(*documents)
    assert result.decision == "needs_review"
    assert problems(result) == {}
    assert "请一次性补齐补正" not in result.notice


def test_low_confidence_wrong_check_digit_is_review_not_correction():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK, id_number="110105199003071238", low=("id_number",)),
                    property_certificate())
    assert result.decision == "needs_review"
    assert problems(result) == {}
    assert "id_number.checksum" in reviews(result)["operator_id"]


def test_low_confidence_name_mismatch_is_review_not_correction():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK, name="张兰", low=("name",)), property_certificate())
    assert result.decision == "needs_review"
    assert reviews(result) == {"operator_id": {"consistency.operator_name"}}
    assert "识别置信度不足" in result.material("operator_id").findings[0].message or any(
        "识别置信度不足" in f.message for f in result.material("operator_id").findings)


def test_low_confidence_signature_reading_is_review_not_correction():
    result = assess(application(signed=False, low=("signed",)), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "needs_review" and problems(result) == {}


def test_uncertain_number_confirmed_by_the_form_is_accepted():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK, low=("id_number",)), property_certificate())
    assert result.decision == "accept"


def test_uncertain_number_with_nothing_to_confirm_it_needs_review_and_the_notice_lists_definite_problems():
    result = assess(card(OPERATOR, OPERATOR_BACK, low=("id_number",)), property_certificate())
    assert result.decision == "needs_review"
    assert reviews(result) == {"operator_id": {"field.uncertain"}}
    assert problems(result) == {"application": {"material.missing"}}
    assert "个体工商户登记（备案）申请书：未提交" in result.notice
    assert "以下需工作人员进一步核验：经营者身份证明" in result.notice


def test_address_mismatch_is_a_warning():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(location="北京市海淀区中关村大街5号"))
    assert result.decision == "needs_review"
    premises = result.material("premises_proof")
    assert [(f.code, f.severity) for f in premises.findings] == [("consistency.premises_address", "warning")]


def test_address_with_province_and_city_prefix_matches():
    result = assess(application(premises_address="朝阳区建国路1号"), card(OPERATOR, OPERATOR_BACK),
                    property_certificate(location="北京市朝阳区建国路1号1单元101室"))
    assert result.decision == "accept"


def test_other_identity_document_needs_review_until_it_can_be_read():
    passport = doc("passport", name="ZHANG SAN", passport_number="E12345678", valid_until="2030-01-01")
    result = assess(application(), hinted(passport, person="operator"), property_certificate())
    assert result.decision == "needs_review"
    assert reviews(result) == {"operator_id": {"identity.unreadable_kind"}}


def test_hinted_document_of_the_wrong_type_is_a_warning():
    lease = doc("lease_contract", lessor="王五", lessee="张三", address="北京市朝阳区建国路1号", term_from="2026-01-01",
                term_until="2028-12-31")
    result = assess(application(), hinted(lease, material="operator_id"), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "needs_review"
    assert "assignment.type_mismatch" in reviews(result)["operator_id"]


def test_hint_wins_over_inference():
    """The clerk scanned the agent's card as the agent's: it stays there even though the form's operator
    number would also have matched nothing."""
    front, back = card(AGENT, AGENT_BACK)
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(), power_of_attorney(),
                    hinted(front, material="agent_id"), hinted(back, material="agent_id"), situation="agent")
    assert result.decision == "accept"
    assert set(result.material("agent_id").documents) == {front.id, back.id}


def test_two_cards_matching_nobody_cannot_be_told_apart():
    stranger = dict(name="王五", sex="男", birth_date="1975-02-03", id_number="370829197502031512", address="山东省嘉祥县")
    stranger2 = dict(name="赵六", sex="女", birth_date="1978-09-11", id_number="370829197809112421", address="山东省嘉祥县")
    result = assess(application(), property_certificate(), card(stranger, AGENT_BACK, valid_from="2015-01-01",
                                                                  valid_until="2035-01-01"),
                    card(stranger2, AGENT_BACK, valid_from="2015-01-01", valid_until="2035-01-01"), situation="agent")
    assert result.decision == "needs_review"
    assert len(result.unassigned) == 4
    assert {f.code for f in result.findings} == {"assignment.ambiguous"}
    assert problems(result) == {"agent_authorization": {"material.missing"}}
    assert statuses(result)["operator_id"] == statuses(result)["agent_id"] == "needs_review", \
        "either card may be either person's: neither identity is definitely missing"


def test_pending_uploads_keep_the_case_open():
    result = assess(*self_complete(), pending_uploads=1)
    assert result.decision == "needs_review"
    assert [f.code for f in result.findings] == ["case.uploads_pending"]


def test_unknown_situation_is_refused():
    with pytest.raises(ValueError):
        assess(*self_complete(), situation="proxy")


# --- the licence library ---------------------------------------------------------------------


class FakeLibrary:
    def __init__(self, licences=(), unavailable=False):
        self.licences, self.unavailable, self.calls = list(licences), unavailable, []

    def by_identifier(self, identifier):
        return next((lic for lic in self.licences if lic.identifier == identifier), None)

    def by_holder(self, holder_code, holder_code_type, licence_type, on):
        self.calls.append((holder_code, holder_code_type, licence_type, on))
        if self.unavailable:
            raise LibraryUnavailable(detail="test")
        return [lic for lic in self.licences if lic.holder_code == holder_code]


def id_licence(**changes) -> Licence:
    values = dict(identifier="1.2.156.3005.2.TEST.0001", name="居民身份证", type_code="id_card", holder="张三",
                  holder_code="110105199003071239", holder_code_type="111", valid_from=dt.date(2021, 5, 10),
                  valid_until=dt.date(2041, 5, 10), status=LicenceStatus.VALID, trust_level="A",
                  file_key="sha256/" + "b" * 64, file_kind="ofd")
    return Licence(**{**values, **changes})


def with_library(library) -> Assessor:
    return Assessor(thresholds=Thresholds(), library=library, types=TYPES)


def test_identity_filled_from_the_library_when_not_presented():
    library = FakeLibrary([id_licence()])
    result = assess(application(), property_certificate(), assessor=with_library(library))
    assert result.decision == "accept"
    operator = result.material("operator_id")
    assert operator.status == "from_library"
    assert operator.licence.file_key == "sha256/" + "b" * 64 and operator.licence.looked_up_on == TODAY
    assert library.calls == [("110105199003071239", "111", "id_card", TODAY)]


def test_library_fills_a_card_presented_expired():
    documents = [application(), card(OPERATOR, OPERATOR_BACK, valid_from="2015-06-01", valid_until="2025-06-01"),
                 property_certificate()]
    result = assess(*documents, assessor=with_library(FakeLibrary([id_licence()])))
    assert result.decision == "accept" and statuses(result)["operator_id"] == "from_library"


@pytest.mark.parametrize("changes", [
    {"status": LicenceStatus.REVOKED},
    {"status": LicenceStatus.SUSPENDED},
    {"valid_until": dt.date(2026, 11, 22)},  # does not cover the judging day
    {"type_code": "business_licence"},
    {"holder_code_type": "001"},
    {"file_key": None},  # nothing to attach
    {"holder": "张山"},  # another holder's name
])
def test_library_licences_that_do_not_qualify_are_not_used(changes):
    result = assess(application(), property_certificate(), assessor=with_library(FakeLibrary([id_licence(**changes)])))
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"material.missing"}}


def test_failed_lookup_is_needs_review_never_ok():
    result = assess(application(), property_certificate(), assessor=with_library(FakeLibrary(unavailable=True)))
    assert result.decision == "needs_review"
    assert reviews(result) == {"operator_id": {"library.unavailable", "material.missing"}}
    assert problems(result) == {}, "not presented, but perhaps obtainable: not a definite problem"
    ok = assess(*self_complete(), assessor=with_library(FakeLibrary(unavailable=True)))
    assert ok.decision == "accept", "a material that is fine as presented needs no lookup"


def test_library_is_not_asked_with_an_uncertain_holder_code():
    library = FakeLibrary([id_licence()])
    result = assess(application(low=("operator_id_number",)), property_certificate(), assessor=with_library(library))
    assert library.calls == [] and result.decision == "correction_required"


def test_no_library_configured_judges_only_what_was_presented():
    result = assess(application(), property_certificate())
    assert problems(result) == {"operator_id": {"material.missing"}}


# --- other items -------------------------------------------------------------------------------


HYGIENE = "public-place-hygiene-licence"


def test_hygiene_licence_complete_is_accepted_and_the_optional_report_is_not_required():
    result = assess(hygiene_form(), business_licence(), card(REP, REP_BACK), property_certificate(holder="王五"), item=HYGIENE)
    assert result.decision == "accept", result.notice
    assert statuses(result) == {"application": "ok", "business_licence": "ok", "legal_rep_id": "ok",
                                "premises_proof": "ok", "hygiene_report": "not_provided"}


def test_hygiene_licence_business_licence_from_the_library():
    licence = Licence(name="营业执照", type_code="business_licence", holder="北京博远商贸有限公司", holder_code=CREDIT,
                      holder_code_type="001", status=LicenceStatus.VALID, file_key="sha256/" + "c" * 64)
    library = FakeLibrary([licence])
    result = assess(hygiene_form(), card(REP, REP_BACK), property_certificate(holder="王五"), item=HYGIENE,
                    assessor=with_library(library))
    assert result.decision == "accept"
    assert statuses(result)["business_licence"] == "from_library"
    without = assess(hygiene_form(), card(REP, REP_BACK), property_certificate(holder="王五"), item=HYGIENE)
    assert without.decision == "correction_required"
    assert problems(without) == {"business_licence": {"material.missing"}}


def test_hygiene_licence_credit_code_mismatch_and_tolerable_expired_lease():
    lease = doc("lease_contract", lessor="赵六", lessee="北京博远商贸有限公司", address="北京市朝阳区建国路1号",
                term_from="2023-01-01", term_until="2025-12-31")
    other = uscc("110105", "MA3D7P2L")
    result = assess(hygiene_form(credit_code=other), business_licence(), card(REP, REP_BACK), lease,
                    property_certificate(holder="赵六"), item=HYGIENE)
    assert result.decision == "correction_required"
    assert problems(result) == {"business_licence": {"consistency.credit_code"}, "premises_proof": {"lease_contract.ended"}}
    assert statuses(result)["premises_proof"] == "tolerated"
    fixed = assess(hygiene_form(), business_licence(), card(REP, REP_BACK), lease, property_certificate(holder="赵六"),
                   item=HYGIENE)
    assert fixed.decision == "accept_with_tolerance"
    assert "租赁合同已于2025年12月31日到期" in fixed.notice


def test_hygiene_licence_report_given_is_read_by_a_person():
    report = Document(id="report-1", source="report.pdf", type="unknown")
    result = assess(hygiene_form(), business_licence(), card(REP, REP_BACK), property_certificate(holder="王五"),
                    hinted(report, material="hygiene_report"), item=HYGIENE)
    assert result.decision == "needs_review"
    assert reviews(result) == {"hygiene_report": {"material.manual", "document.unknown_type"}} or \
        reviews(result) == {"hygiene_report": {"material.manual"}}


ESTATE = "real-estate-transfer"
SELLER = REP
SELLER_BACK = REP_BACK
BUYER = dict(name="孙七", sex="男", birth_date="1995-05-05", id_number="370802199505053337", address="山东省济宁市市中区")
BUYER_BACK = dict(issuing_authority="济宁市公安局市中分局", valid_from="2020-07-01", valid_until="2040-07-01")
SPOUSE = dict(name="赵六", sex="女", birth_date="1978-09-11", id_number="370829197809112421", address="山东省嘉祥县城关镇")
SPOUSE_BACK = dict(issuing_authority="嘉祥县公安局", valid_from="2018-03-01", valid_until="2038-03-01")


def estate_form(**changes) -> Document:
    values = dict(seller_name="王五", seller_id_number=SELLER["id_number"], buyer_name="孙七", buyer_id_number=BUYER["id_number"],
                  seller_spouse_name="赵六", seller_spouse_id_number=SPOUSE["id_number"],
                  property_location="济宁市任城区古槐路12号3单元401室", certificate_number="鲁(2019)济宁市不动产权第0012345号",
                  signed=True)
    return doc("application_form", **{**values, **changes})


def estate_certificate(**changes) -> Document:
    values = dict(certificate_number="鲁(2019)济宁市不动产权第0012345号", holder="王五、赵六", co_ownership="共同共有",
                  location="山东省济宁市任城区古槐路12号3单元401室", unit_number="370811001001GB00001F00010001",
                  right_type="国有建设用地使用权/房屋所有权", usage="住宅", area="98.6")
    return doc("property_certificate", **{**values, **changes})


def marriage(**changes) -> Document:
    values = dict(holder="王五", registered_on="2001-10-01", certificate_number="J370829-2001-001234", party1_name="王五",
                  party1_id_number=SELLER["id_number"], party2_name="赵六", party2_id_number=SPOUSE["id_number"])
    return doc("marriage_certificate", **{**values, **changes})


def contract_library() -> Assessor:
    contract = Licence(name="存量房买卖合同（网签备案）", type_code="sale_contract_filing", holder="孙七",
                       holder_code=BUYER["id_number"], holder_code_type="111", status=LicenceStatus.VALID,
                       file_key="sha256/" + "d" * 64, file_kind="pdf")
    return with_library(FakeLibrary([contract]))


def estate_married() -> list:
    return [estate_form(), card(SELLER, SELLER_BACK), card(BUYER, BUYER_BACK), estate_certificate(), marriage(),
            card(SPOUSE, SPOUSE_BACK)]


def test_real_estate_married_seller_complete_with_the_shared_contract_is_accepted():
    documents = estate_married()
    result = assess(*documents, item=ESTATE, situation="married", assessor=contract_library())
    assert result.decision == "accept", result.notice
    assert statuses(result) == {"application": "ok", "seller_id": "ok", "buyer_id": "ok", "property_certificate": "ok",
                                "sale_contract": "from_library", "marriage_proof": "ok", "spouse_id": "ok"}
    assert documents[5][0].id in result.material("spouse_id").documents


def test_real_estate_paper_contract_is_checked_by_a_person():
    contract = Document(id="contract-1", source="contract.pdf", type="unknown")
    result = assess(*estate_married(), hinted(contract, material="sale_contract"), item=ESTATE, situation="married")
    assert result.decision == "needs_review"
    assert set(reviews(result)) == {"sale_contract"}
    missing = assess(*estate_married(), item=ESTATE, situation="married")
    assert missing.decision == "correction_required"
    assert problems(missing) == {"sale_contract": {"material.missing"}}


def test_real_estate_single_seller_needs_the_statement_and_not_the_spouse():
    documents = [estate_form(seller_spouse_name=None, seller_spouse_id_number=None), card(SELLER, SELLER_BACK),
                 card(BUYER, BUYER_BACK), estate_certificate(holder="王五")]
    result = assess(*documents, item=ESTATE, situation="single", assessor=contract_library())
    assert result.decision == "correction_required"
    assert problems(result) == {"marital_statement": {"material.missing"}}
    statement = Document(id="statement-1", source="statement.jpg", type="unknown")
    result = assess(*documents, hinted(statement, material="marital_statement"), item=ESTATE, situation="single",
                    assessor=contract_library())
    assert result.decision == "needs_review" and set(reviews(result)) == {"marital_statement"}


def test_real_estate_certificate_of_someone_else_and_a_marriage_without_the_seller():
    documents = [estate_form(), card(SELLER, SELLER_BACK), card(BUYER, BUYER_BACK), estate_certificate(holder="周八"),
                 marriage(party1_name="吴九", holder="吴九"), card(SPOUSE, SPOUSE_BACK)]
    result = assess(*documents, item=ESTATE, situation="married", assessor=contract_library())
    assert result.decision == "correction_required"
    assert problems(result) == {"property_certificate": {"consistency.property_holder"},
                                "marriage_proof": {"consistency.marriage_seller"}}


def test_real_estate_buyer_and_seller_swapped_on_the_cards():
    """The buyer's card hinted as the seller's: both identity materials contradict the form."""
    seller_front, seller_back = card(SELLER, SELLER_BACK)
    buyer_front, buyer_back = card(BUYER, BUYER_BACK)
    documents = [estate_form(), estate_certificate(), marriage(), card(SPOUSE, SPOUSE_BACK),
                 hinted(seller_front, person="buyer"), hinted(seller_back, person="buyer"),
                 hinted(buyer_front, person="seller"), hinted(buyer_back, person="seller")]
    result = assess(*documents, item=ESTATE, situation="married", assessor=contract_library())
    assert result.decision == "correction_required"
    assert problems(result) == {"seller_id": {"consistency.seller_name", "consistency.seller_id_number"},
                                "buyer_id": {"consistency.buyer_name", "consistency.buyer_id_number"}}


def test_manual_materials_of_the_food_licence_need_a_person():
    form = hygiene_form()
    layout = Document(id="layout-1", source="layout.pdf", type="unknown")
    result = assess(form, business_licence(), card(REP, REP_BACK), hinted(layout, material="facilities_layout"),
                    item="food-business-licence")
    assert result.decision == "needs_review"
    assert statuses(result)["safety_rules"] == "tolerated", "a tolerable manual material may be brought later"
    assert statuses(result)["facilities_layout"] == "needs_review"
    assert problems(result) == {"safety_rules": {"material.missing"}}


def test_case_dict_has_the_design_shape():
    result = assess(*self_complete())
    case = result.to_case_dict()
    assert {"item", "situation", "decision", "materials", "notice"} <= set(case)
    assert set(case["materials"][0]) >= {"code", "name", "status", "documents", "findings"}
    assert case["item_version"] == 1 and case["judged_on"] == "2026-11-23"


def test_an_unread_value_matters_only_where_the_item_uses_it():
    """The form checks warn when the reference form's fields are unread; the hygiene item never uses them."""
    form = application(operator_name=None)
    result = assess(form, card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "needs_review"
    assert "application.unread" in reviews(result)["application"]
    hygiene = assess(hygiene_form(), business_licence(), card(REP, REP_BACK), property_certificate(holder="王五"), item=HYGIENE)
    [unread] = [f for f in hygiene.material("application").findings if f.code == "application.unread"]
    assert unread.severity == "info" and hygiene.decision == "accept"


def test_check_stage_and_catalog_rule_do_not_report_the_same_problem_twice():
    result = assess(application(signed=False), card(OPERATOR, OPERATOR_BACK), property_certificate(), power_of_attorney(
        valid_until="2026-01-31"), card(AGENT, AGENT_BACK), situation="agent")
    codes = [f.code for m in result.materials for f in m.findings if f.severity == "error"]
    assert sorted(codes) == ["application.unsigned", "power_of_attorney.expired"]


def test_document_hinted_to_a_material_it_does_not_fit_is_not_a_reason_to_send_anyone_home():
    """The clerk says this page is the application; it reads as a lease. Either may be wrong: a person looks."""
    lease = doc("lease_contract", lessor="王五", lessee="张三", address="北京市朝阳区建国路1号", term_from="2026-01-01",
                term_until="2028-12-31")
    result = assess(hinted(lease, material="application"), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "needs_review"
    assert statuses(result)["application"] == "needs_review" and problems(result) == {}


def test_a_lone_card_in_the_agent_situation_without_the_papers_is_not_called_missing():
    result = assess(card(OPERATOR, OPERATOR_BACK), situation="agent")
    assert result.decision == "needs_review"
    assert problems(result) == {"application": {"material.missing"}, "premises_proof": {"material.missing"},
                                "agent_authorization": {"material.missing"}}
    assert "经营者身份证明：未提交" not in result.notice and "受托人身份证明：未提交" not in result.notice


# --- the same scenarios over the two other items ---------------------------------------------------

AGENT_FOR_ENTITY = dict(principal_name="北京博远商贸有限公司", principal_id_number=None, agent_name="李四",
                        agent_id_number="370811198808120420", matter="代为办理公共场所卫生许可", signed=True)
ENTITY_SEAL = Seal(text="北京博远商贸有限公司", organisation="北京博远商贸有限公司", kind="round", page=1,
                   box=(100.0, 100.0, 300.0, 300.0), confidence=0.95)
BROKEN = Document(id="broken-x", source="x.pdf", error=FileError(code="file.truncated", message="文件不完整或已损坏"))


def hygiene_case(situation="self", **overrides):
    parts = {"application": [hygiene_form()], "licence": [business_licence()], "rep": card(REP, REP_BACK),
             "premises": [property_certificate(holder="王五")]}
    if situation == "agent":
        poa = doc("power_of_attorney", **{k: v for k, v in AGENT_FOR_ENTITY.items() if v is not None})
        parts["poa"] = [poa.model_copy(update={"seals": (ENTITY_SEAL,)})]  # the company's seal: the item asks for it
        parts["agent"] = card(AGENT, AGENT_BACK)
    parts.update(overrides)
    return [d for documents in parts.values() for d in documents]


@pytest.mark.parametrize(("situation", "overrides", "decision", "expected_problems", "expected_reviews"), [
    ("self", {}, "accept", {}, {}),
    ("agent", {}, "accept", {}, {}),
    ("self", {"premises": []}, "accept_with_tolerance", {"premises_proof": {"material.missing"}}, {}),
    ("self", {"application": []}, "correction_required", {"application": {"material.missing"}}, {}),
    ("self", {"rep": card(REP, REP_BACK)[:1]}, "correction_required", {"legal_rep_id": {"material.incomplete"}}, {}),
    ("self", {"rep": card({**REP}, {**REP_BACK, "valid_from": "2005-04-01", "valid_until": "2025-04-01"})},
     "correction_required", {"legal_rep_id": {"id_card.expired"}}, {}),
    ("self", {"rep": card({**REP, "id_number": "370829197502031513"}, REP_BACK)}, "correction_required",
     {"legal_rep_id": {"id_number.checksum", "consistency.legal_rep_id_number"}}, {}),
    ("self", {"application": [hygiene_form(legal_representative="王武")]}, "correction_required",
     {"legal_rep_id": {"consistency.legal_rep_name"}, "business_licence": {"consistency.legal_representative"}}, {}),
    ("agent", {"poa": []}, "correction_required", {"agent_authorization": {"material.missing"}}, {}),
    ("self", {"extra": [BROKEN]}, "needs_review", {}, {}),
    ("self", {"rep": card(REP, {**REP_BACK, "valid_until": "2020-01-01"}, back_low=("valid_until",))}, "needs_review",
     {}, {"legal_rep_id": {"id_card.expired"}}),
    ("self", {"licence": [business_licence(credit_code=uscc("110105", "MA3D7P2L"))]}, "correction_required",
     {"business_licence": {"consistency.credit_code"}}, {}),
])
def test_hygiene_licence_scenarios(situation, overrides, decision, expected_problems, expected_reviews):
    result = assess(*hygiene_case(situation, **overrides), item=HYGIENE, situation=situation)
    assert result.decision == decision, result.notice
    assert problems(result) == expected_problems
    for material, codes in expected_reviews.items():
        assert codes <= reviews(result)[material]


def estate_case(**overrides):
    parts = {"application": [estate_form()], "seller": card(SELLER, SELLER_BACK), "buyer": card(BUYER, BUYER_BACK),
             "certificate": [estate_certificate()], "marriage": [marriage()], "spouse": card(SPOUSE, SPOUSE_BACK)}
    parts.update(overrides)
    return [d for documents in parts.values() for d in documents]


@pytest.mark.parametrize(("overrides", "decision", "expected_problems"), [
    ({}, "accept", {}),
    ({"certificate": []}, "correction_required", {"property_certificate": {"material.missing"}}),
    ({"buyer": card(BUYER, BUYER_BACK)[:1]}, "correction_required", {"buyer_id": {"material.incomplete"}}),
    ({"seller": card(SELLER, {**SELLER_BACK, "valid_from": "1998-04-01", "valid_until": "2018-04-01"})},
     "correction_required", {"seller_id": {"id_card.expired"}}),
    ({"buyer": card({**BUYER, "id_number": "370802199505053338"}, BUYER_BACK)}, "correction_required",
     {"buyer_id": {"id_number.checksum", "consistency.buyer_id_number"}}),
    ({"spouse": card({**SPOUSE, "name": "赵陆"}, SPOUSE_BACK)}, "correction_required",
     {"spouse_id": {"consistency.spouse_name"}}),
    ({"marriage": []}, "correction_required", {"marriage_proof": {"material.missing"}}),
    ({"extra": [BROKEN]}, "needs_review", {}),
    ({"buyer": card({**BUYER, "name": "孙柒"}, BUYER_BACK, low=("name",))}, "needs_review", {}),
])
def test_real_estate_scenarios(overrides, decision, expected_problems):
    result = assess(*estate_case(**overrides), item=ESTATE, situation="married", assessor=contract_library())
    assert result.decision == decision, result.notice
    assert problems(result) == expected_problems


# --- accepted sets: a met set is not spoiled by a failed alternative (issue 16) ----------------------------------


def lease(**changes) -> Document:
    values = dict(lessor="王五", lessee="张三", address="北京市朝阳区建国路1号", term_from="2024-01-01", term_until="2025-12-31")
    return doc("lease_contract", **{**values, **changes})


def test_own_property_certificate_met_beside_an_ended_lease():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(), lease())
    assert statuses(result)["premises_proof"] == "ok" and result.decision == "accept"
    info = {f.code: f.severity for f in result.material("premises_proof").findings}
    assert info == {"lease_contract.ended": "info"}, "the failed lease is listed, for information"
    assert "仅供参考" in result.material("premises_proof").findings[0].message


def test_landlords_certificate_beside_an_ended_lease_is_still_invalid():
    """The certificate alone proves the premises only when the operator holds it: no false accept."""
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(holder="王五"), lease())
    assert statuses(result)["premises_proof"] in ("invalid", "tolerated")
    assert problems(result) == {"premises_proof": {"lease_contract.ended"}}


def test_unread_holder_does_not_meet_the_set_on_its_own():
    result = assess(application(), card(OPERATOR, OPERATOR_BACK), property_certificate(holder=None), lease())
    assert statuses(result)["premises_proof"] != "ok"
    assert "lease_contract.ended" in {f.code for f in result.material("premises_proof").findings if f.severity == "error"}


# --- a form's signature page scanned as a file of its own (issue 16) ---------------------------------------------


def _split_application(signed: bool = True):
    first = doc("application_form", operator_name="张三", operator_id_number="110105199003071239",
                premises_address="北京市朝阳区建国路1号", business_scope="日用百货零售", phone="13800000000")
    second = doc("application_form", signed=signed, signed_on="2026-11-20").model_copy(update={"continues": True})
    return first, second


def test_a_signature_page_scanned_alone_joins_the_form_before_it():
    first, second = _split_application()
    assert "application.signature_unchecked" in {f.code for f in first.findings}
    assert "application.unread" in {f.code for f in second.findings}
    result = assess(first, second, card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert result.decision == "accept", [(m.code, m.status, [f.code for f in m.findings]) for m in result.materials]
    assert result.material("application").documents == (first.id,)


def test_the_joined_form_is_judged_whole():
    first, second = _split_application(signed=False)
    result = assess(first, second, card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert problems(result) == {"application": {"application.unsigned"}}


def test_two_complete_forms_never_join():
    result = assess(application(), application(operator_name="李四"), card(OPERATOR, OPERATOR_BACK), property_certificate())
    assert len(result.material("application").documents) == 2

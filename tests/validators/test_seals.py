"""The organisation's seal as the service item's checklist asks for it (catalog rule `sealed`, validators/seals.py,
validators/assess.py): defaults, the catalog's own statements, the judgement of one document, and the findings at
the material level of the assessment — with hand-made documents, and once end to end from sample scans (slow)."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.models import Document, FieldValue, Finding, Seal
from pipeline.registry import TypeRegistry
from pipeline.settings import Thresholds
from tests.validators.helpers import (
    AGENT, AGENT_BACK, CATALOG, REP, REP_BACK, TYPES, assess, business_licence, card, doc, hygiene_form,
    problems, property_certificate, reviews, statuses,
)
from validators import seals
from validators.assess import Assessor
from validators.catalog import CatalogError, SealedRule, parse_item, rules_of
from validators.vocabulary import KNOWN_FINDING_CODES

HYGIENE, FOOD = "public-place-hygiene-licence", "food-business-licence"
COMPANY = "北京博远商贸有限公司"
CREDIT_CODE_OF_COMPANY = "91110105MA01H7K23Y"


def seal(organisation: str, confidence: float = 0.95, kind: str = "round") -> Seal:
    return Seal(text=organisation, organisation=organisation, kind=kind, page=1, box=(100.0, 100.0, 300.0, 300.0),
                confidence=confidence)


def sealed(document: Document, *found: Seal) -> Document:
    return document.model_copy(update={"seals": found})


def company_poa(*found: Seal, low: tuple[str, ...] = (), **changes) -> Document:
    values = dict(principal_name=COMPANY, agent_name="李四", agent_id_number=AGENT["id_number"],
                  matter="代为办理公共场所卫生许可", signed=True)
    return sealed(doc("power_of_attorney", low=low, **{**values, **changes}), *found)


def hygiene_agent_case(poa: Document) -> list:
    return [hygiene_form(), business_licence(), card(REP, REP_BACK), property_certificate(holder="王五"), poa,
            card(AGENT, AGENT_BACK)]


def material_findings(result, code: str) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in result.material(code).findings]


# --- the catalog ------------------------------------------------------------------------------------


def default_seal_rules(item_code: str, material: str) -> list[tuple[str, str, str]]:
    item = CATALOG.get(item_code)
    return [(r.document, r.field, r.when) for r in rules_of(item, item.material(material)) if isinstance(r, SealedRule)]


def test_a_power_of_attorney_needs_the_principals_seal_by_default_when_the_principal_is_an_organisation():
    # items serving only organisations: always; items serving natural persons too: when the principal is one
    assert default_seal_rules(HYGIENE, "agent_authorization") == [("power_of_attorney", "principal_name", "always")]
    assert default_seal_rules("company-legal-representative-change", "agent_authorization") == [
        ("power_of_attorney", "principal_name", "always")]
    assert default_seal_rules(FOOD, "agent_authorization") == [("power_of_attorney", "principal_name", "organisation")]
    assert default_seal_rules("individual-business-registration", "agent_authorization") == [
        ("power_of_attorney", "principal_name", "organisation")]
    assert default_seal_rules(HYGIENE, "application") == []  # no seal rule unless the catalog states one


ITEM = """
code: seal-test-item
version: 1
name: 测试事项
item_type: 行政许可
department: 市场监督管理局
service_objects: [企业法人]
case_type: 即办件
statutory_limit: {days: 3}
promised_limit: {days: 1}
materials:
  - code: legal_rep_proof
    name: 法定代表人身份证明书
    originals: 1
    accepted: [[legal_rep_certificate]]
    rules: RULES
situations:
  - {code: self, name: 本人办理, materials: [legal_rep_proof]}
"""


def item_with(rules: str):
    return parse_item(ITEM.replace("RULES", rules), "seal-test.yaml")


def test_a_legal_representative_certificate_needs_its_seal_unless_the_item_says_never():
    item, warnings = item_with("[]")
    assert warnings == []
    [rule] = rules_of(item, item.material("legal_rep_proof"))
    assert (rule.rule, rule.document, rule.field, rule.when, rule.code) == (
        "sealed", "legal_rep_certificate", "organisation_name", "always", "seal.missing")
    item, _ = item_with("[{rule: sealed, document: legal_rep_certificate, when: never}]")
    [rule] = rules_of(item, item.material("legal_rep_proof"))
    assert rule.when == "never" and rule.field == "organisation_name"


def test_catalog_refuses_a_seal_rule_it_cannot_judge():
    with pytest.raises(CatalogError) as caught:
        item_with("[{rule: sealed, document: legal_rep_certificate, field: shop_name}]")
    assert any("没有字段 'shop_name'" in p.message for p in caught.value.problems)
    with pytest.raises(CatalogError) as caught:
        item_with("[{rule: sealed, document: legal_rep_certificate}, {rule: sealed, document: legal_rep_certificate, when: never}]")
    assert any("盖章要求重复" in p.message for p in caught.value.problems)
    with pytest.raises(CatalogError) as caught:
        item_with("[{rule: sealed, document: power_of_attorney}]")
    assert any("不接受 'power_of_attorney'" in p.message for p in caught.value.problems)
    with pytest.raises(CatalogError) as caught:
        item_with("[{rule: sealed, document: legal_rep_certificate, when: sometimes}]")
    assert any("'always'、'organisation'、'never'" in p.message for p in caught.value.problems)


def test_catalog_warns_of_a_seal_rule_on_a_type_whose_seals_are_not_looked_for():
    text = ITEM.replace("RULES", "[]").replace("[[legal_rep_certificate]]", "[[application_form]]").replace(
        "rules: []", "rules: [{rule: sealed, document: application_form}]")
    item, warnings = parse_item(text, "form.yaml")
    [rule] = rules_of(item, item.material("legal_rep_proof"))
    assert (rule.field, rule.when) == ("entity_name", "always")
    assert [(w.severity, w.message) for w in warnings] == [
        ("warning", "系统不检测 'application_form' 类文件上的印章，受理时将提示人工核对是否盖章")]


# --- who is an organisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "number", "kind"), [
    (COMPANY, None, "organisation"),
    ("济宁市任城区红星饭店", None, "organisation"),
    ("嘉祥县城关镇农民专业合作社", None, "organisation"),
    ("中国农业银行济宁分行", None, "organisation"),
    ("张三", None, "person"),
    ("欧阳建国", None, "person"),
    ("阿依古丽·买买提", None, "person"),
    ("王小店", None, "person"),  # a personal name ending like a shop's is still a name
    (None, None, None),
    ("ZHANG SAN", None, None),
    (None, "110105199003071239", "person"),
    (None, "110105199003071238", "person"),  # a misread ID number is still a person's
    (None, CREDIT_CODE_OF_COMPANY, "organisation"),
    (None, "91110105MA01H7K230", "organisation"),  # a credit code failing its check (early pilot codes do)
    ("张三", CREDIT_CODE_OF_COMPANY, "organisation"),  # the number decides when it is read
])
def test_party_kind(name, number, kind):
    assert seals.party_kind(name, number) == kind


# --- judging one document's seal ------------------------------------------------------------------------


def certificate(*found: Seal, findings: tuple[Finding, ...] = (), name: str = COMPANY) -> Document:
    return Document(id="lr-1", source="lr.jpg", type="legal_rep_certificate", seals=found, findings=findings,
                    fields={"organisation_name": FieldValue(value=name, confidence=0.99)})


def judged(document: Document) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in seals.judge(document, "organisation_name", Thresholds().text)]


def test_judge_a_seal():
    assert judged(certificate(seal(COMPANY))) == []
    assert judged(certificate()) == [("seal.missing", "error")]
    assert judged(certificate(seal("张三", kind="square"))) == [("seal.missing", "error")]  # a name seal is no company seal
    assert judged(certificate(seal("济宁恒通建材有限公司"))) == [("seal.organisation_mismatch", "error")]
    assert judged(certificate(seal("北京博远商货有限公司"))) == [("seal.organisation_uncertain", "warning")]  # one character off
    assert judged(certificate(seal("济宁恒通建材有限公司", confidence=0.3))) == [("seal.organisation_uncertain", "warning")]
    assert judged(certificate(seal(""))) == [("seal.unread", "warning")]
    unrecognised = Finding(code="seal.unrecognised", severity="warning", message="页面上有红色印迹")
    assert judged(certificate(findings=(unrecognised,))) == []  # the capture stage asked a person already


# --- at the material level of the assessment -------------------------------------------------------------


def test_a_companys_power_of_attorney_without_its_seal_is_a_problem_of_the_material():
    result = assess(*hygiene_agent_case(company_poa()), item=HYGIENE, situation="agent")
    assert result.decision == "correction_required", result.notice
    assert problems(result) == {"agent_authorization": {"seal.missing"}}
    [finding] = [f for f in result.material("agent_authorization").findings if f.code == "seal.missing"]
    assert finding.message == f"授权委托书未加盖{COMPANY}的公章" and finding.document is not None
    assert f"授权委托书：授权委托书未加盖{COMPANY}的公章" in result.notice


def test_a_companys_power_of_attorney_with_its_seal_is_accepted():
    result = assess(*hygiene_agent_case(company_poa(seal(COMPANY))), item=HYGIENE, situation="agent")
    assert result.decision == "accept", result.notice
    assert statuses(result)["agent_authorization"] == "ok"


def test_a_seal_of_another_organisation():
    result = assess(*hygiene_agent_case(company_poa(seal("济宁恒通建材有限公司"))), item=HYGIENE, situation="agent")
    assert problems(result) == {"agent_authorization": {"seal.organisation_mismatch"}}
    [finding] = [f for f in result.material("agent_authorization").findings if f.code == "seal.organisation_mismatch"]
    assert finding.message == f"印章上的单位名称“济宁恒通建材有限公司”与授权委托书中的委托人“{COMPANY}”不一致"
    assert finding.fields == ("principal_name",)


def test_an_uncertain_reading_never_sends_anyone_home():
    """A seal read below the threshold, or a principal's name read uncertainly, makes the mismatch a warning."""
    weak_seal = assess(*hygiene_agent_case(company_poa(seal("济宁恒通建材有限公司", confidence=0.3))), item=HYGIENE,
                       situation="agent")
    assert weak_seal.decision == "needs_review" and problems(weak_seal) == {}
    assert "seal.organisation_uncertain" in reviews(weak_seal)["agent_authorization"]
    # the food item does not compare the principal with the form, so nothing corroborates an uncertain name
    weak_name = assess(*food_agent_case(company_poa(seal("济宁恒通建材有限公司"), low=("principal_name",),
                                                    matter="代为办理食品经营许可")), item=FOOD, situation="agent")
    assert "agent_authorization" not in problems(weak_name)
    assert ("seal.organisation_mismatch", "warning") in material_findings(weak_name, "agent_authorization")
    # the hygiene item finds the same name on the application form: the reading is corroborated, the mismatch certain
    corroborated = assess(*hygiene_agent_case(company_poa(seal("济宁恒通建材有限公司"), low=("principal_name",))),
                          item=HYGIENE, situation="agent")
    assert problems(corroborated) == {"agent_authorization": {"seal.organisation_mismatch"}}


def food_agent_case(poa: Document) -> list:
    return [hygiene_form(), business_licence(), card(REP, REP_BACK), poa, card(AGENT, AGENT_BACK)]


def test_an_item_serving_people_too_asks_for_a_seal_only_when_the_principal_is_an_organisation():
    company = assess(*food_agent_case(company_poa(matter="代为办理食品经营许可")), item=FOOD, situation="agent")
    assert ("seal.missing", "error") in material_findings(company, "agent_authorization")
    person = assess(*food_agent_case(company_poa(principal_name="王五", principal_id_number=REP["id_number"],
                                                 matter="代为办理食品经营许可")), item=FOOD, situation="agent")
    assert not [c for c, _s in material_findings(person, "agent_authorization") if c.startswith("seal.")]
    # whether the principal is an organisation rests on a reading: uncertain, a person looks
    uncertain = assess(*food_agent_case(company_poa(low=("principal_name",), matter="代为办理食品经营许可")), item=FOOD,
                       situation="agent")
    assert ("seal.missing", "warning") in material_findings(uncertain, "agent_authorization")
    assert "agent_authorization" not in problems(uncertain)


def test_the_individual_business_item_does_not_ask_a_natural_person_for_a_seal():
    from tests.validators.helpers import agent_complete

    result = assess(*agent_complete(), situation="agent")
    assert result.decision == "accept", result.notice


def test_seals_not_looked_for_are_left_to_a_person():
    """A deployment whose type registry does not look for seals on powers of attorney: never 'missing'."""
    registry = TypeRegistry()
    for t in TYPES:
        registry.register(dataclasses.replace(t, seals=False) if t.code == "power_of_attorney" else t)
    result = assess(*hygiene_agent_case(company_poa()), item=HYGIENE, situation="agent",
                    assessor=Assessor(thresholds=Thresholds(), types=registry))
    assert result.decision == "needs_review" and problems(result) == {}
    assert reviews(result) == {"agent_authorization": {"seal.unchecked"}}


def legal_rep_document(*found: Seal) -> Document:
    values = dict(organisation_name=COMPANY, credit_code=CREDIT_CODE_OF_COMPANY, representative_name="王五",
                  representative_id_number=REP["id_number"], signed_on="2026-11-20")
    return doc("legal_rep_certificate", **values).model_copy(update={"seals": found})


def assess_item(item, *documents):
    from pipeline.assessment import Submitted
    from tests.validators.helpers import AT

    return Assessor(thresholds=Thresholds(), types=TYPES).assess(item, "self", [Submitted(document=d) for d in documents], AT)


def test_the_document_check_and_the_catalog_rule_report_a_missing_seal_once():
    item, _ = item_with("[]")
    bare = doc("legal_rep_certificate", organisation_name=COMPANY, credit_code=CREDIT_CODE_OF_COMPANY,
               representative_name="王五", representative_id_number=REP["id_number"], signed_on="2026-11-20")
    assert [f.code for f in bare.findings] == ["seal.missing"]  # the check stage's own (no seal on the paper)
    result = assess_item(item, bare)
    assert result.decision == "correction_required"
    assert material_findings(result, "legal_rep_proof") == [("seal.missing", "error")]


def test_an_item_that_asks_for_no_seal_shows_the_documents_own_finding_for_information():
    item, _ = item_with("[{rule: sealed, document: legal_rep_certificate, when: never}]")
    bare = doc("legal_rep_certificate", organisation_name=COMPANY, credit_code=CREDIT_CODE_OF_COMPANY,
               representative_name="王五", representative_id_number=REP["id_number"], signed_on="2026-11-20")
    result = assess_item(item, bare)
    assert result.decision == "accept", result.notice
    [finding] = result.material("legal_rep_proof").findings
    assert (finding.code, finding.severity) == ("seal.missing", "info") and "本事项不要求加盖公章" in finding.message


def test_a_catalog_code_and_message_for_the_missing_seal():
    item, _ = parse_item(ITEM.replace("RULES", "[]").replace("legal_rep_certificate", "power_of_attorney").replace(
        "法定代表人身份证明书", "授权委托书").replace("rules: []", "rules: [{rule: sealed, document: power_of_attorney, "
                                                         "code: power_of_attorney.unsealed, message: 授权委托书未加盖公司公章}]"),
        "poa.yaml")
    result = assess_item(item, company_poa())
    assert ("power_of_attorney.unsealed", "error") in material_findings(result, "legal_rep_proof")
    assert "授权委托书未加盖公司公章" in result.notice


def test_every_seal_code_is_in_the_vocabulary():
    assert seals.SEAL_CODES | {"seal.unchecked"} <= KNOWN_FINDING_CODES


# --- end to end: sample scans through the pipeline and the assessment ---------------------------------------


@pytest.mark.slow
def test_sample_certificates_through_the_pipeline_and_the_assessment(deps_factory):
    import datetime as dt

    from pipeline.runner import make_upload, process
    from tests.conftest import SAMPLES

    at = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    deps = deps_factory()
    item, _ = item_with("[]")

    def run(name: str) -> Document:
        path = SAMPLES / "legal_rep_certificate" / name
        data = path.read_bytes()
        [document] = process(make_upload(data, path.name, at), data, deps, at)
        return document

    with_seal, without = run("legal_rep_certificate_s7-0000_clean.png"), run("legal_rep_certificate_s7-0001_clean.png")
    assessor = Assessor(thresholds=Thresholds(), types=deps.types)

    def material(document: Document):
        from pipeline.assessment import Submitted

        return assessor.assess(item, "self", [Submitted(document=document)], at).material("legal_rep_proof")

    assert [(f.code, f.severity) for f in material(without).findings if f.code.startswith("seal.")] == [("seal.missing", "error")]
    assert material(without).status == "invalid"
    assert not [f for f in material(with_seal).findings if f.code.startswith("seal.")]

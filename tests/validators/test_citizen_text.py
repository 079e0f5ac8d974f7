"""What the applicant reads: the headline of the one-time notice agrees with what it lists, and notices take
per-finding citizen words, not the reviewer's technical messages."""

from __future__ import annotations

from tests.validators.helpers import OPERATOR, OPERATOR_BACK, assess, card, property_certificate
from validators.notice import citizen_problem, citizen_status
from validators.vocabulary import CITIZEN_MESSAGES, KNOWN_FINDING_CODES, citizen_message


def test_the_headline_agrees_with_the_list_while_the_machine_decision_stays():
    result = assess(card(OPERATOR, OPERATOR_BACK, low=("id_number",)), property_certificate())
    assert result.decision == "needs_review", "the machine's internal order is unchanged"
    assert "请一次性补齐补正" in result.notice
    assert "核验结论：需补齐补正（另有材料待工作人员核对）" in result.notice
    assert "核验结论：需人工核验" not in result.notice


def test_citizen_words_per_finding_and_the_standard_as_fallback():
    from pipeline.assessment import MaterialResult

    assert set(CITIZEN_MESSAGES) <= KNOWN_FINDING_CODES | {"application.unsigned"}
    assert citizen_message("power_of_attorney.expired").startswith("授权委托书已超过委托期限")
    assert citizen_message("passport.expired") and citizen_message("consistency.operator_name")
    material = MaterialResult.model_validate({"code": "application", "name": "申请书", "status": "invalid",
                                              "necessity": "required", "findings": [
        {"code": "application.unsigned", "severity": "error", "message": "签名区域墨迹覆盖率 0.3% 低于阈值"},
        {"code": "rule.custom_x", "severity": "error", "message": "规则 R12 命中：field=signed"},
        {"code": "field.uncertain", "severity": "warning", "message": "置信度 0.42"}]})
    line = citizen_problem(material, "原件；经营者本人签字")
    assert line == "申请书：申请书未签字，请签字后重新提交；不符合要求，请按以下要求重新提交：原件；经营者本人签字。"
    absent = MaterialResult(code="premises_proof", name="经营场所使用证明", status="missing", necessity="required")
    assert citizen_problem(absent) == "经营场所使用证明：未提交，请补交。"


def test_internal_statuses_never_reach_the_applicant():
    for kind in ("acceptance", "correction", "refusal", "refusal_decision", "approval"):
        assert citizen_status(kind, "needs_review") == "已收取"
        assert "容缺" not in citizen_status(kind, "tolerated")
    assert citizen_status("tolerance", "tolerated").startswith("容缺后补")


def test_every_shipped_item_names_its_refusal_reasons_with_the_articles_that_fit():
    from validators.catalog import load_catalog

    catalog = load_catalog()
    for code in catalog.codes():
        reasons = catalog.get(code).refusal_reasons
        assert {r.act for r in reasons} == {"not_accept", "refuse"}, code
        assert len({r.code for r in reasons}) == len(reasons), code
        for reason in reasons:
            assert any("第" in b and "条" in b for b in reason.basis), (code, reason.code)
    licence = {r.code: r.basis for r in catalog.get("individual-business-registration").refusal_reasons}
    assert licence["not_competent"] == ["《中华人民共和国行政许可法》第三十二条第一款第（二）项"]
    assert licence["not_corrected"] == ["《中华人民共和国行政许可法》第三十二条第一款第（四）项"]


def test_a_repeated_refusal_reason_code_is_a_catalog_error():
    from pathlib import Path

    import pytest

    from validators.catalog import CatalogError, parse_item

    text = (Path(__file__).resolve().parents[2] / "validators" / "catalog_data" / "real-estate-transfer.yaml").read_text(
        encoding="utf-8")
    parse_item(text, "ok.yaml")
    with pytest.raises(CatalogError, match="理由代码 'unlawful' 重复"):
        parse_item(text.replace("code: ownership_dispute", "code: unlawful"), "bad.yaml")

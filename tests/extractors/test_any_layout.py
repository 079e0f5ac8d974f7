"""Fields from layouts the generators do not draw: prose powers of attorney and certificates, forms with two
label/value pairs per row or labels above their boxes, first-person letters, 个体工商户 licences without 类型,
a screenshot of a web table; values of the wrong shape refused. Pages built by hand (no OCR)."""

import pytest

from extractors import (application_form, build_registry, business_licence, id_card_front, legal_rep_certificate,
                        power_of_attorney)
from extractors import _values as v
from pipeline.confidence import Calibrator
from pipeline.settings import Thresholds
from pipeline.stages import classify, extract
from pipeline.models import Reading
from tests.extractors.helpers import UPLOAD, classified, reading, values

H = 40
REGISTRY = build_registry()


def _type(page) -> tuple[str, float]:
    doc = classify(Reading(upload=UPLOAD, kind="image", pages=(page,)), REGISTRY, Thresholds())[0]
    return doc.type, doc.type_confidence


def test_prose_power_of_attorney_reads_both_parties():
    page = reading([
        ("授权委托书", 640, 200, 0.99, 70),
        ("委托人:陆雨甦,公民身份号码:440305199003071234。受托人:段燕,", 150, 400),
        ("公民身份号码:310101198511204520。现委托受托人代为办理个体工商户设", 150, 470),
        ("立登记事宜,受托人在委托权限内办理的事项,委托人均予以认可。", 150, 540),
        ("委托期限:自2026年11月20日至二〇二七年二月二十日。", 150, 610),
        ("委托人签字:", 800, 900),
    ])
    got = values(power_of_attorney.extract(classified("power_of_attorney", page)))
    assert got["principal_name"] == "陆雨甦"
    assert got["principal_id_number"] == "440305199003071234"
    assert got["agent_name"] == "段燕"
    assert got["agent_id_number"] == "310101198511204520"
    assert got["valid_until"] == "2027-02-20"
    assert got["matter"] == "个体工商户设立登记"


def test_prose_matter_is_not_taken_from_a_wrapped_line_that_starts_with_label_words():
    """委托权限 is a label only when printed as one: here a wrapped line of the sentence starts with the words."""
    page = reading([
        ("授权委托书", 640, 200, 0.99, 70),
        ("委托人:陆雨甦,公民身份号码:440305199003071234。受托人:段燕,", 150, 400),
        ("公民身份号码:310101198511204520。现委托受托人代为办理个体工商户设立登记事宜,受托人在", 150, 470),
        ("委托权限内办理的事项,委托人均予以认可。", 150, 540),
    ])
    assert values(power_of_attorney.extract(classified("power_of_attorney", page)))["matter"] == "个体工商户设立登记"
    labelled = reading([("授权委托书", 640, 200, 0.99, 70), ("委托权限:代为办理个体工商户设立登记", 150, 400)])
    assert values(power_of_attorney.extract(classified("power_of_attorney", labelled)))["matter"] == "代为办理个体工商户设立登记"


def test_first_person_letter_power_of_attorney_and_agent_signature_line():
    page = reading([
        ("授权委托书", 640, 200, 0.99, 70),
        ("本人陆雨甦(公民身份号码:440305199003071234),现委托段燕(公民", 150, 400),
        ("身份号码:310101198511204520)为我的合法代理人,代为办理个体工", 150, 470),
        ("商户设立登记事宜。", 150, 540),
        ("委托人(签字):", 200, 900), ("受托人(签字):", 900, 900),
        ("2026.11.20", 900, 1000),
    ])
    got = values(power_of_attorney.extract(classified("power_of_attorney", page)))
    assert got["principal_name"] == "陆雨甦"
    assert got["agent_name"] == "段燕"  # never 签字
    assert got["principal_id_number"] == "440305199003071234"
    assert got["agent_id_number"] == "310101198511204520"


def test_letter_with_labelled_signature_line_never_takes_the_label_as_the_agent():
    page = reading([
        ("授权委托书", 640, 200, 0.99, 70),
        ("委托人:张頔雪", 200, 400), ("身份证号码:331082199702071720", 200, 470),
        ("现委托受托人代为办理个体工商户设立登记事宜。", 200, 560),
        ("受托人:签字", 200, 700), ("身份证号码:360121198608208682", 200, 770),
    ])
    got = values(power_of_attorney.extract(classified("power_of_attorney", page)))
    assert got.get("agent_name") != "签字"
    assert "agent_name" not in got
    assert got["agent_id_number"] == "360121198608208682"


def prose_certificate():
    return reading([
        ("法定代表人身份证明书", 500, 200, 0.99, 70),
        ("乔甦(公民身份号码:440305199003071234)在我单位任执行董事职务,", 200, 420),
        ("是济宁博远商贸有限公司(统一社会信用代码:91370811MA3C4D5E6F)的法", 150, 490),
        ("定代表人。", 150, 560),
        ("特此证明。", 200, 630),
        ("二〇二六年十一月二十日", 1000, 900),
    ])


def test_prose_legal_rep_certificate_reads_both_parties():
    fields = legal_rep_certificate.extract(classified("legal_rep_certificate", prose_certificate()))
    got = values(fields)
    assert got["representative_name"] == "乔甦"  # not 书乔甦: the title's last character stays in the title
    assert got["representative_id_number"] == "440305199003071234"
    assert got["organisation_name"] == "济宁博远商贸有限公司"
    assert got["credit_code"] == "91370811MA3C4D5E6F"
    assert got["signed_on"] == "2026-11-20"
    assert _type(prose_certificate())[0] == "legal_rep_certificate"


def test_an_id_number_is_never_a_credit_code():
    page = reading([
        ("法定代表人身份证明书", 500, 200, 0.99, 70),
        ("乔甦(公民身份号码:440305199003071234)在我单位任执行董事职务,", 200, 420),
        ("是济宁博远商贸有限公司的法定代表人。", 150, 490),
        ("特此证明。", 200, 560),
    ])
    got = values(legal_rep_certificate.extract(classified("legal_rep_certificate", page)))
    assert "credit_code" not in got
    assert got["organisation_name"] == "济宁博远商贸有限公司"
    assert v.credit_code("440305199003071234") is None
    assert v.credit_code("统一社会信用代码:91370811MA3C4D5E6F") == "91370811MA3C4D5E6F"


def test_table_legal_rep_certificate_with_labels():
    page = reading([
        ("法定代表人身份证明书", 500, 200, 0.99, 70),
        ("单位名称", 150, 400), ("济宁博远商贸有限公司", 500, 400),
        ("统一社会信用代码", 150, 480), ("91370811MA3C4D5E6F", 500, 480),
        ("姓名", 150, 560), ("乔甦", 500, 560), ("性别", 900, 560), ("男", 1100, 560),
        ("公民身份号码", 150, 640), ("440305199003071234", 500, 640),
        ("职务", 150, 720), ("执行董事", 500, 720),
        ("2026-11-20", 1000, 900),
    ])
    got = values(legal_rep_certificate.extract(classified("legal_rep_certificate", page)))
    assert got == {"organisation_name": "济宁博远商贸有限公司", "credit_code": "91370811MA3C4D5E6F",
                   "representative_name": "乔甦", "representative_id_number": "440305199003071234",
                   "signed_on": "2026-11-20"}


def two_pairs_form():
    return reading([
        ("个体工商户登记(备案)申请书", 400, 150, 0.99, 60),
        ("名称", 60, 400), ("巴林右旗天瑞烟酒店", 400, 400),
        ("经营者姓名", 60, 470), ("张頔雪", 400, 470), ("性别", 900, 470), ("女", 1200, 470),
        ("民族", 60, 540), ("汉", 400, 540), ("出生日期", 900, 540), ("1997年02月07日", 1200, 540),
        ("身份证件号码", 60, 610), ("331082199702071720", 400, 610), ("联系电话", 900, 610), ("18478133782", 1200, 610),
        ("住址", 60, 680), ("浙江省台州市玉环县城关镇1号", 400, 680),
        ("经营场所", 60, 750), ("内蒙古自治区赤峰市巴林右旗清河镇郭店村399号", 400, 750),
        ("经营范围", 60, 820), ("日用百货销售", 400, 820),
    ])


def test_two_pairs_per_row_form_is_an_application_form():
    assert id_card_front.recognise(two_pairs_form()) < 0.5
    code, confidence = _type(two_pairs_form())
    assert code == "application_form" and confidence >= 0.6
    got = values(application_form.extract(classified("application_form", two_pairs_form())))
    assert got["operator_name"] == "张頔雪"
    assert got["operator_id_number"] == "331082199702071720"
    assert got["phone"] == "18478133782"


def test_labels_above_their_value_boxes():
    page = reading([
        ("个体工商户登记(备案)申请书", 400, 150, 0.99, 60),
        ("经营者姓名", 100, 400), ("性别", 700, 400), ("联系电话", 1100, 400),
        ("张頔雪", 110, 470), ("女", 710, 470), ("18478133782", 1110, 470),
        ("身份证件号码", 100, 580),
        ("331082199702071720", 110, 650),
        ("经营场所", 100, 760),
        ("内蒙古自治区赤峰市巴林右旗清河镇郭店村399号", 110, 830),
    ])
    fields = application_form.extract(classified("application_form", page))
    got = values(fields)
    assert got["operator_name"] == "张頔雪"  # not 性别
    assert got["operator_id_number"] == "331082199702071720"
    assert got["phone"] == "18478133782"
    assert got["premises_address"] == "内蒙古自治区赤峰市巴林右旗清河镇郭店村399号"
    # found under its label, not beside it: a little less support than a value beside its label
    assert fields["operator_name"].confidence < 0.99


def test_individual_licence_reads_operator_premises_and_composition():
    page = reading([
        ("营业执照", 700, 200, 0.99, 100),
        ("统一社会信用代码", 100, 400), ("92420105MAP3RPKB82", 500, 400),
        ("名称", 100, 480), ("汉阳区恒泰便利店", 500, 480),
        ("经营者", 100, 560), ("黄海鑫", 500, 560),
        ("组成形式", 100, 640), ("个人经营", 500, 640),
        ("经营场所", 100, 720), ("湖北省武汉市汉阳区育才西路61号", 500, 720),
        ("注册日期", 100, 800), ("2018.08.17", 500, 800),
    ])
    got = values(business_licence.extract(classified("business_licence", page)))
    assert got["legal_representative"] == "黄海鑫"
    assert got["address"] == "湖北省武汉市汉阳区育才西路61号"
    assert got["entity_type"] == "个人经营"
    assert got["established_on"] == "2018-08-17"


def screenshot_table():
    return reading([
        ("个人中心", 40, 20, 0.99, 24), ("首页", 300, 20, 0.99, 24), ("退出登录", 1700, 20, 0.99, 24),
        ("身份信息查询结果", 600, 120), ("序号", 100, 220), ("项目", 300, 220), ("内容", 700, 220),
        ("1", 100, 300), ("姓名", 300, 300), ("陆雨甦", 700, 300),
        ("2", 100, 370), ("性别", 300, 370), ("男", 700, 370),
        ("3", 100, 440), ("民族", 300, 440), ("汉", 700, 440),
        ("4", 100, 510), ("出生", 300, 510), ("1990年03月07日", 700, 510),
        ("5", 100, 580), ("住址", 300, 580), ("广东省深圳市福田区", 700, 580),
        ("6", 100, 650), ("公民身份号码", 300, 650), ("440305199003071234", 700, 650),
        ("返回", 800, 900), ("打印", 1000, 900),
    ], size=(1920, 1080))


def card():
    return reading([
        ("姓名陆雨甦", 60, 60), ("性别男", 60, 140), ("民族汉", 400, 140), ("出生1990年3月7日", 60, 220),
        ("住址广东省深圳市福田区", 60, 300), ("公民身份号码440305199003071234", 60, 520),
    ], size=(1000, 630))


def test_a_screenshot_of_a_table_is_less_of_a_card_than_a_card():
    assert id_card_front.recognise(card()) == pytest.approx(1.0)
    assert id_card_front.recognise(screenshot_table()) < 0.6
    code, confidence = _type(screenshot_table())
    assert code != "id_card_front" or confidence < 0.6


def test_confidence_falls_with_an_odd_shape_and_competing_readings():
    calibrator = Calibrator({})
    assert calibrator("name", 0.99, "张三") == pytest.approx(0.99)
    assert calibrator("name", 0.99, "张三李四王五") < 0.99  # six characters: a sentence more likely than a name
    assert calibrator("id_number", 0.99, "440305199013071234") < 0.99  # month 13: not a date of birth
    assert calibrator("id_number", 0.99, "440305199003071239") == pytest.approx(0.99)  # the check digit is not looked at


@pytest.mark.parametrize("text", ["2026年11月20日", "2026-11-20", "2026.11.20", "二〇二六年十一月二十日", "2026 年 11 月 20 日"])
def test_dates_in_every_form(text):
    assert v.date_value(text) == "2026-11-20"


def test_a_label_is_never_a_name():
    assert v.person_name_value("性别") is None
    assert v.person_name_value("签字") is None
    assert v.names("签字") is None
    assert v.person_name_value("代为办理") is None
    assert v.person_name_value("段燕") == "段燕"


def test_whole_document_calibrated_confidence_reflects_support():
    page = reading([
        ("法定代表人身份证明书", 500, 200, 0.99, 70),
        ("乔甦(公民身份号码:440305199003071234)在我单位任执行董事职务,", 200, 420),
        ("是济宁博远商贸有限公司的法定代表人。", 150, 490),
        ("91370811MA3C4D5E6F", 150, 700),
    ])
    doc = extract(classified("legal_rep_certificate", page), REGISTRY, Calibrator({}))
    # a credit code not after its label was found by its shape alone: it counts less than the anchored name
    assert doc.fields["credit_code"].confidence < doc.fields["representative_name"].confidence


def test_two_readers_that_disagree_lower_the_kept_value_and_agreeing_ones_do_not():
    from extractors._anchors import merge
    from pipeline.models import FieldValue

    geometry = {"agent_name": FieldValue(value="段燕", confidence=0.98), "agent_id_number": FieldValue(value="1", confidence=0.98)}
    wording = {"agent_name": FieldValue(value="段燕", confidence=0.97), "agent_id_number": FieldValue(value="2", confidence=0.99),
               "principal_name": FieldValue(value="陆雨甦", confidence=0.95)}
    merged = merge(geometry, wording)
    assert merged["agent_name"].confidence == 0.98
    assert merged["agent_id_number"].value == "1" and merged["agent_id_number"].confidence < 0.98
    assert merged["principal_name"].value == "陆雨甦"

"""Reading fields from box geometry on pages built by hand (no OCR): spaced labels, two columns, values
centred in table cells, signatures, prose broken over lines; and recognition of each type."""

import pytest

from extractors import (application_form, business_licence, lease_contract, power_of_attorney,
                        property_certificate)
from tests.extractors.helpers import classified, reading, values

H = 40  # text height in pixels


def licence_two_columns(*, spaced: bool = True):
    name_label = [("名", 160, 600), ("称", 300, 600)] if spaced else [("名称", 160, 600)]
    return reading([
        ("统一社会信用代码", 110, 150), ("92420105MAP3RPKB82", 110, 210),
        ("营业执照", 860, 260, 0.99, 120),
        *name_label, ("汉阳区恒泰便利店", 390, 600), ("注册日期", 1240, 600), ("2018年08月17日", 1470, 600),
        ("类型", 160, 690), ("个体工商户", 390, 690), ("经营场所", 1240, 690), ("湖北省武汉市汉阳区育才西路61号3号", 1470, 690),
        # the address wraps onto the row of 经营者 in the other column
        ("经营者", 160, 770), ("黄海鑫", 390, 770, 0.84), ("楼1单元1501室", 1470, 752),
        ("经营范围", 160, 860), ("餐饮服务;摄影扩印服务;日用百货销售;农", 390, 860),
        ("副产品销售。(依法须经批准的项目,经相关", 390, 925), ("部门批准后方可开展经营活动)", 390, 990),
        ("组成形式", 160, 1080), ("个人经营", 390, 1080),
        ("登记机关", 1700, 1400), ("2018年08月17日", 1690, 1460),
    ], height=H, size=(2339, 1654))


def test_licence_two_columns_spaced_labels_and_wrapped_values():
    fields = business_licence.extract(classified("business_licence", licence_two_columns()))
    assert values(fields) == {
        "credit_code": "92420105MAP3RPKB82", "name": "汉阳区恒泰便利店", "entity_type": "个体工商户",
        "legal_representative": "黄海鑫", "established_on": "2018-08-17",
        "address": "湖北省武汉市汉阳区育才西路61号3号楼1单元1501室",
        "business_scope": "餐饮服务；摄影扩印服务；日用百货销售；农副产品销售。（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
        "issued_on": "2018-08-17",
    }
    # the raw confidence is the weakest piece the value was read from
    assert fields["legal_representative"].confidence == pytest.approx(0.84)
    assert fields["address"].box[2] > 1470


def test_licence_first_character_of_spaced_label_missing():
    page = licence_two_columns()
    lines = tuple(line for line in page.lines if line.text != "名")
    fields = business_licence.extract(classified("business_licence", page.model_copy(update={"lines": lines})))
    assert fields["name"].value == "汉阳区恒泰便利店"


def test_licence_company_capital_term_and_printed_authority():
    page = reading([
        ("统一社会信用代码", 100, 100), ("91370811MA3C4D5E6F", 100, 160), ("营业执照", 600, 230, 0.99, 110),
        ("名称", 100, 500), ("济宁博远商贸有限公司", 400, 500),
        ("类型", 100, 580), ("有限责任公司(自然人投资或控股)", 400, 580),
        ("法定代表人", 100, 660), ("王伟", 400, 660),
        ("注册资本", 100, 740), ("人民币贰佰伍拾万元整", 400, 740),
        ("成立日期", 100, 820), ("2016年03月12日", 400, 820),
        ("营业期限", 100, 900), ("2016年03月12日至长期", 400, 900),
        ("住所", 100, 980), ("山东省济宁市任城区古槐路88号", 400, 980),
        ("经营范围", 100, 1060), ("日用百货销售", 400, 1060),
        ("登记机关", 1000, 1800), ("济宁市任城区市场监督管理局", 1200, 1800), ("二〇一六年三月十二日", 1100, 1880),
    ])
    got = values(business_licence.extract(classified("business_licence", page)))
    assert got["registered_capital"] == "2500000"
    assert got["business_term"] == "2016-03-12/长期"
    assert got["legal_representative"] == "王伟"
    assert got["registration_authority"] == "济宁市任城区市场监督管理局"
    assert got["issued_on"] == "2016-03-12"
    assert got["entity_type"] == "有限责任公司（自然人投资或控股）"


def application_pages(*, signed: bool = True):
    page1 = reading([
        ("个体工商户登记(备案)申请书", 400, 150),
        ("名称", 60, 400), ("巴林右旗天瑞烟酒店", 400, 400),
        ("经营者姓名", 60, 470), ("张頔雪", 400, 470), ("联系电话", 900, 470), ("18478133782", 1200, 470),
        ("身份证件类型", 60, 540), ("居民身份证", 400, 540), ("身份证件号码", 900, 540), ("331082199702071720", 1200, 540),
        ("经营场所", 60, 610), ("内蒙古自治区赤峰市巴林右旗清河镇郭店村399号", 400, 610),
        # a value of three lines centred on its label
        ("广告设计、代理;计算机软硬件及辅助设备零售;食品销售(仅", 400, 700),
        ("经营范围", 60, 725), ("销售预包装食品)", 400, 750),
        ("可开展经营活动)", 400, 800),
        ("从业人数", 60, 880), ("4人", 400, 880), ("资金数额", 900, 880), ("20万元", 1200, 880),
    ])
    sig = [("经营者承诺", 160, 190), ("本人承诺:所提交的申请材料真实、合法、有效。", 230, 480),
           ("经营者签字", 780, 700)]
    if signed:
        sig += [("张頔雪", 970, 660, 0.7), ("2025年12月10日", 810, 800)]
    else:
        sig += [("年月日", 900, 800)]
    return page1, reading(sig, page=2)


def test_application_form_over_two_pages():
    page1, page2 = application_pages()
    got = values(application_form.extract(classified("application_form", page1, page2)))
    assert got == {
        "operator_name": "张頔雪", "operator_id_number": "331082199702071720", "phone": "18478133782",
        "premises_address": "内蒙古自治区赤峰市巴林右旗清河镇郭店村399号",
        "business_scope": "广告设计、代理；计算机软硬件及辅助设备零售；食品销售（仅销售预包装食品）可开展经营活动）",
        "signed": True, "signed_on": "2025-12-10",
    }


def test_unsigned_form_says_so_and_has_no_date():
    page1, page2 = application_pages(signed=False)
    fields = application_form.extract(classified("application_form", page1, page2))
    assert fields["signed"].value is False
    assert "signed_on" not in fields


def test_born_digital_form_leaves_signed_out():
    page1, page2 = application_pages()
    text_page = page2.model_copy(update={"source": "pdf_text"})
    assert "signed" not in application_form.extract(classified("application_form", page1, text_page))


def test_power_of_attorney_letter():
    page = reading([
        ("授权委托书", 600, 250),
        ("委托人:张頔雪", 200, 450), ("身份证号码:331082199702071720", 200, 525),
        ("受托人:丁德静", 200, 600), ("身份证号码:360121198608208682", 200, 670),
        ("现委托受托人代为办理个体工商户设立登记及领取营业执照事宜,受托人在", 270, 770),
        ("办理过程中所签署的有关文件,我均予以承认。", 200, 835),
        ("委托期限:自2025年11月28日至2026年2月28日。", 270, 910),
        ("委托人(签字):张頔雪", 760, 1050, 0.94), ("2025年11月28日", 920, 1190),
    ])
    got = values(power_of_attorney.extract(classified("power_of_attorney", page)))
    assert got == {"principal_name": "张頔雪", "principal_id_number": "331082199702071720", "agent_name": "丁德静",
                   "agent_id_number": "360121198608208682", "matter": "个体工商户设立登记及领取营业执照",
                   "valid_until": "2026-02-28", "signed": True}


def test_power_of_attorney_table_labels_one_character_apart():
    page = reading([
        ("指定代表或者共同委托代理人授权委托书", 360, 230),
        ("委托人:黄海鑫", 160, 370), ("身份证件号码:130524200311041293", 700, 370),
        ("受托人姓名", 180, 490), ("段炜波", 455, 490),
        ("身份证件号码", 180, 585), ("370828198304304418", 460, 585),
        ("委托事项", 180, 770), ("汉阳区恒泰便利店的设立登记", 460, 770),
        ("委托有效期限", 180, 865), ("自2025年12月14日至2026年03月14日", 460, 865),
        ("委托人签名:", 780, 1150), ("2025年12月14日", 920, 1260),
    ])
    got = values(power_of_attorney.extract(classified("power_of_attorney", page)))
    assert got == {"principal_name": "黄海鑫", "principal_id_number": "130524200311041293", "agent_name": "段炜波",
                   "agent_id_number": "370828198304304418", "matter": "汉阳区恒泰便利店的设立登记",
                   "valid_until": "2026-03-14", "signed": False}


def test_property_certificate_table():
    page = reading([
        ("不动产权证书", 620, 150), ("蒙(2021)巴彦淖尔市不动产权第3697793号", 730, 280),
        ("权利人", 170, 400), ("任珺辉、尹敏", 420, 400), ("共有情况", 170, 500), ("共同共有", 420, 500),
        ("坐落", 170, 600), ("内蒙古自治区巴彦淖尔市五原县太白中路270号", 420, 600),
        ("不动产单元号", 170, 710), ("150821 011014 GB00205 F00380241", 420, 710),
        ("权利类型", 170, 810), ("国有建设用地使用权/房屋所有权", 420, 810), ("用途", 170, 1010), ("商服用地/商业", 420, 1010),
        ("面积", 170, 1110), ("共有宗地面积81.38m2/房屋建筑面积108.75m2", 420, 1110),
    ])
    got = values(property_certificate.extract(classified("property_certificate", page)))
    assert got == {"certificate_number": "蒙(2021)巴彦淖尔市不动产权第3697793号", "holder": "任珺辉、尹敏",
                   "co_ownership": "共同共有", "location": "内蒙古自治区巴彦淖尔市五原县太白中路270号",
                   "unit_number": "150821011014GB00205F00380241", "right_type": "国有建设用地使用权/房屋所有权",
                   "usage": "商服用地/商业", "area": "共有宗地面积81.38㎡/房屋建筑面积108.75㎡"}


def lease_pages():
    page1 = reading([
        ("房屋租赁合同", 610, 200), ("出租方(甲方):潘琳梅", 180, 360), ("身份证号码:632221195601095522", 180, 420),
        ("承租方(乙方):张頔雪", 180, 500), ("身份证号码:331082199702071720", 180, 560),
        ("第一条房屋基本情况", 180, 775),
        ("甲方将坐落于内蒙古自治区赤峰市巴林右旗清河镇郭店村399号的房屋(建筑面积230.", 250, 820),
        ("62平方米)出租给乙方,用于办公。", 180, 875), ("第二条租赁期限", 180, 955),
        ("租赁期限自2025年7月1日起至2028年6月30日止,共计36个月。", 250, 1000),
    ])
    page2 = reading([("第四条未经甲方书面同意,乙方不得将房屋转租。", 180, 300), ("第五条租金按季度支付。", 180, 380),
                     ("甲方(签字):", 200, 900), ("乙方(签字):", 200, 1000)], page=2)
    return page1, page2


def test_lease_contract_prose_joined_across_lines():
    page1, page2 = lease_pages()
    got = values(lease_contract.extract(classified("lease_contract", page1, page2)))
    assert got == {"lessor": "潘琳梅", "lessee": "张頔雪", "address": "内蒙古自治区赤峰市巴林右旗清河镇郭店村399号",
                   "term_from": "2025-07-01", "term_until": "2028-06-30"}


def test_lease_contract_labelled_address_and_term():
    page = reading([
        ("房屋租赁合同", 610, 200), ("出租人:王五", 180, 360), ("承租人:赵六", 180, 500),
        ("一、房屋地址:", 180, 700), ("山东省济宁市任城区古槐路88号", 500, 700), ("3号楼101室", 500, 760),
        ("该房屋建筑面积50.00平方米。", 250, 830),
        ("二、租赁期限:", 180, 920), ("2025年01月01日至2026年12月31日", 500, 920),
    ])
    got = values(lease_contract.extract(classified("lease_contract", page)))
    assert got == {"lessor": "王五", "lessee": "赵六", "address": "山东省济宁市任城区古槐路88号3号楼101室",
                   "term_from": "2025-01-01", "term_until": "2026-12-31"}


@pytest.mark.parametrize("module, page", [
    (business_licence, licence_two_columns()),
    (application_form, application_pages()[0]),
    (application_form, application_pages()[1]),
    (lease_contract, lease_pages()[0]),
    (lease_contract, lease_pages()[1]),
])
def test_each_page_scores_highest_for_its_own_type(module, page):
    from extractors import build_registry

    scores = {t.code: t.recognise(page) for t in build_registry()}
    best = max(scores, key=scores.get)
    assert best == module.DOCUMENT_TYPE.code
    assert scores[best] >= 0.75
    assert sorted(scores.values())[-2] <= 0.5


def test_a_title_of_another_kind_caps_every_score():
    from extractors import build_registry

    page = reading([("法定代表人身份证明书", 500, 200), ("王伟同志,身份证号码110105199003071239,现任我单位执行董事职务,", 200, 400),
                    ("为我单位法定代表人,特此证明。", 200, 460), ("单位名称:济宁博远商贸有限公司", 200, 560),
                    ("统一社会信用代码:91370811MA3C4D5E6F", 200, 620)])
    # a legal representative's certificate is a type of its own; every other type is capped by its title
    assert max(t.recognise(page) for t in build_registry() if t.code != "legal_rep_certificate") < 0.6
    assert build_registry().get("legal_rep_certificate").recognise(page) >= 0.75

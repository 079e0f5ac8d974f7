"""The shape part of a field's confidence (pipeline/confidence.shape_factor): a value of an unusual shape for its class
counts less, by its length and characters only, never by a check that yields a finding."""

import pytest

from pipeline.confidence import ODD_SHAPE, Calibrator, is_organisation_name, shape_factor


@pytest.mark.parametrize("name", ["黄山市明辉商贸有限公司", "祁门县吴飞超便利店", "张家村农民专业合作社", "深圳市南山区科技创新服务中心",
                                  "北京某某律师事务所（普通合伙）", "吴飞超（个体工商户）", "上海市浦东新区人民政府", "红星机械厂",
                                  "中国工商银行股份有限公司黄山分行"])
def test_organisation_names_are_of_a_plausible_shape_for_the_name_class(name):
    assert is_organisation_name(name)
    assert shape_factor("name", name) == 1.0


@pytest.mark.parametrize("text", ["经营者（签字）", "安徽省黄山市祁门县石桥镇王家洼村105号", "陆雨甦的设立登记", "的法定代表人",
                                  "性别男民族汉", "（个体工商户）", "张三李四王五"])
def test_labels_addresses_and_sentence_pieces_are_not_organisation_names(text):
    assert not is_organisation_name(text)
    assert shape_factor("name", text) == ODD_SHAPE


def test_an_organisational_form_alone_is_not_an_organisation_name():
    assert not is_organisation_name("有限公司") and not is_organisation_name("股份有限公司")


def test_person_names_keep_their_own_shape_rule():
    assert shape_factor("name", "段燕") == shape_factor("name", "欧阳明辉") == 1.0
    assert shape_factor("name", "阿依古丽·买买提") == 1.0
    assert shape_factor("name", "王") == ODD_SHAPE


def test_text_cut_short_before_its_closing_bracket_is_of_an_odd_shape():
    whole = "烟草制品零售。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
    assert shape_factor("text", whole) == 1.0
    assert shape_factor("text", whole[:20]) == ODD_SHAPE
    assert shape_factor("text", "经营活动)") == ODD_SHAPE


def test_the_shape_lowers_the_support_the_calibration_sees():
    raw = Calibrator({})
    assert raw("name", 0.99, "黄山市明辉商贸有限公司") == 0.99
    assert raw("name", 0.99, "的法定代表人") == pytest.approx(0.99 * ODD_SHAPE)

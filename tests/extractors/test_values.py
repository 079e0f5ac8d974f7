"""Normalisation of values read from documents (extractors/_values.py). No OCR."""

import pytest

from extractors import _values as v


@pytest.mark.parametrize("text, iso", [
    ("2023年05月06日", "2023-05-06"), ("2023年5月6日", "2023-05-06"), ("2023.5.6", "2023-05-06"),
    ("成立日期 2023-05-06", "2023-05-06"), ("二〇二三年五月六日", "2023-05-06"), ("二〇一九年十二月三十一日", "2019-12-31"),
    ("二O二O年十月十日", "2020-10-10"), ("2025年 12 月 3 日", "2025-12-03"),
])
def test_dates(text, iso):
    assert v.date_value(text) == iso


@pytest.mark.parametrize("text", ["2023年02月30日", "年 月 日", "二〇二三年十三月一日", "1234"])
def test_not_dates(text):
    assert v.date_value(text) is None


def test_dates_in_order():
    assert v.dates("自2025年3月1日起至2027年2月28日止") == ["2025-03-01", "2027-02-28"]


@pytest.mark.parametrize("text, yuan", [
    ("壹佰万元整", "1000000"), ("人民币伍拾万元整", "500000"), ("贰佰伍拾万元整", "2500000"), ("壹仟万元整", "10000000"),
    ("壹仟零伍拾万元整", "10500000"), ("叁仟元整", "3000"), ("伍元伍角", "5.5"), ("壹拾万元整", "100000"),
    ("100万元", "1000000"), ("100.5万元人民币", "1005000"), ("１００万元", "1000000"), ("壹亿贰仟万元整", "120000000"),
])
def test_amounts(text, yuan):
    assert v.amount(text) == yuan


def test_no_amount():
    assert v.amount("有限责任公司") is None


def test_credit_code_lookalikes_mapped_but_checks_not_used():
    assert v.credit_code("91110105MA01H7K23Y") == "91110105MA01H7K23Y"
    # O and I are not in the code's alphabet; B in the region digits is an 8
    assert v.credit_code("9111O1O5MAO1H7K23Y") == "91110105MA01H7K23Y"
    assert v.credit_code("91B10105MA01H7K23Y") == "91810105MA01H7K23Y"
    # a wrong check character is read as printed: the check is the validator's business
    assert v.credit_code("统一社会信用代码 91110105MA01H7K23X") == "91110105MA01H7K23X"
    assert v.credit_code("9111010") is None


def test_certificate_number_canonical_half_width_brackets():
    assert v.certificate_number("鲁（2023）济宁市不动产权第0012345号") == "鲁(2023)济宁市不动产权第0012345号"
    assert v.certificate_number("京(2019)朝阳区不动产权第 0123456号") == "京(2019)朝阳区不动产权第0123456号"
    assert v.certificate_number("不动产权证书") is None


def test_unit_number_spaces_and_lookalikes():
    assert v.unit_number("370811 003005 GB00123 F00010001") == "370811003005GB00123F00010001"
    assert v.unit_number("37O811003005G800123F00010001") == "370811003005GB00123F00010001"


def test_phone():
    assert v.phone("联系电话 138 1234 5678") == "13812345678"
    assert v.phone("0537—2345678") == "0537-2345678"
    assert v.phone("12345") is None


def test_id_number():
    assert v.id_number("身份证号码：11010519900307123x") == "11010519900307123X"
    assert v.id_number("1101O519900307I239") == "110105199003071239"


def test_names():
    assert v.names("张三、李四") == "张三、李四"
    assert v.names("張三") == "张三"
    assert v.names("承诺：受托人在委托权限内办理的事项") is None


def test_cjk_text_full_width_punctuation():
    assert v.cjk_text("有限责任公司(自然人投资或控股)") == "有限责任公司（自然人投资或控股）"
    assert v.cjk_text("日用百货销售;五金产品零售") == "日用百货销售；五金产品零售"


def test_area_one_unit_sign():
    assert v.area("共有宗地面积497.98m2/房屋建筑面积53.90m") == "共有宗地面积497.98㎡/房屋建筑面积53.90㎡"
    assert v.area("房屋建筑面积53.90平方米") == "房屋建筑面积53.90㎡"

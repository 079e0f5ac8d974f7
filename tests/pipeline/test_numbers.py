import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import numbers


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "110105199003071239", "11010519491231002x"])
def test_standard_examples_are_valid(number):
    assert numbers.id_is_valid(number)


def test_check_character_from_the_domain_example():
    assert numbers.id_check_char("11010519900307123") == "9"


def test_region_younger_than_holder_is_still_valid():
    # 320213 (梁溪区) was created in 2015; a number assigned there to someone born in 1980 is fine.
    first17 = "32021319800101001"
    number = first17 + numbers.id_check_char(first17)
    assert numbers.id_is_valid(number)
    from stdnum.cn import ric

    assert not ric.is_valid(number), "stdnum rejects it: this is the difference we wrap"


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("110105199003071238", numbers.InvalidChecksum),
        ("110105199002301234", numbers.InvalidComponent),  # 30 February
        ("11010519900307123", numbers.InvalidLength),
        ("1101051990030712A9", numbers.InvalidFormat),
    ],
)
def test_invalid_numbers(number, error):
    with pytest.raises(error):
        numbers.id_parse(number)


def test_sex_and_birth_from_number():
    parsed = numbers.id_parse("110105199003071239")
    assert parsed.sex == "男" and parsed.birth_date.isoformat() == "1990-03-07"
    assert numbers.id_parse("11010519491231002X").sex == "女"


def test_fifteen_digit_legacy_number_is_converted():
    assert numbers.id_parse("110105491231002").number == "11010519491231002X"


def test_region_names():
    assert numbers.region_name("110105") == "北京市朝阳区"
    assert numbers.region_name("999999") is None


@given(st.from_regex(r"[1-6]\d{5}(19[5-9]\d|200\d)(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}", fullmatch=True))
def test_any_computed_check_character_validates(first17):
    number = first17 + numbers.id_check_char(first17)
    assert numbers.id_is_valid(number)
    wrong = "0" if number[-1] != "0" else "1"
    assert not numbers.id_is_valid(number[:-1] + wrong)


def test_uscc_example_and_letters_in_front():
    assert numbers.uscc_check_char("91110105MA01H7K23") == "Y"
    assert numbers.org_code_check_char("MA01H7K2") == "3"
    assert numbers.uscc_is_valid("91110105MA01H7K23Y")
    code17 = "N2110105MA01H7K23"
    assert numbers.uscc_is_valid(code17 + numbers.uscc_check_char(code17))


def test_real_credit_codes_pass(shared_data):
    codes = [line.split()[0] for line in (shared_data / "numbers" / "uscc_real.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(codes) > 100
    assert [c for c in codes if not numbers.uscc_is_valid(c)] == []

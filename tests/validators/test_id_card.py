"""Every ID-card check, on documents built by hand (no OCR), including docs/architecture.md's confidence rule."""

import datetime as dt

import pytest

from extractors import build_registry
from pipeline import stages
from pipeline.models import Document, FieldValue
from pipeline.numbers import id_check_char
from pipeline.registry import CheckContext
from pipeline.settings import Thresholds
from validators import build_checks

TODAY = dt.date(2026, 11, 23)
TYPES = build_registry()
CHECKS = build_checks()


def doc(type_code: str, confidence: float = 0.99, sha: str = "a", **values) -> Document:
    return Document(id=f"{type_code}-{sha}-{len(values)}", source="x.jpg", type=type_code, upload_sha256=sha,
                    fields={k: FieldValue(value=v, confidence=confidence) for k, v in values.items()})


def findings(d: Document, today: dt.date = TODAY) -> dict[str, str]:
    checked = stages.check(d, CHECKS, today, Thresholds(), TYPES.get(d.type).field_classes)
    return {f.code: f.severity for f in checked.findings}


FRONT_OK = dict(name="张三", sex="男", birth_date="1990-03-07", id_number="110105199003071239")


def with_number(first17: str, **values) -> dict:
    return {**FRONT_OK, **values, "id_number": first17 + id_check_char(first17)}


def test_valid_front_has_no_findings():
    assert findings(doc("id_card_front", **FRONT_OK)) == {}


def test_wrong_check_digit_is_an_error_when_read_confidently():
    assert findings(doc("id_card_front", **{**FRONT_OK, "id_number": "110105199003071238"})) == {"id_number.checksum": "error"}


def test_wrong_check_digit_on_an_uncertain_reading_is_a_warning():
    result = findings(doc("id_card_front", confidence=0.5, **{**FRONT_OK, "id_number": "110105199003071238"}))
    assert result == {"id_number.checksum": "warning"}


def test_impossible_birth_date_in_number():
    assert findings(doc("id_card_front", **with_number("11010519900230123"))) == {"id_number.birth_date": "error"}


def test_birth_date_in_the_future():
    values = with_number("11010520300101123", birth_date="2030-01-01")
    assert findings(doc("id_card_front", **values)) == {"id_number.birth_date": "error"}


def test_sex_mismatch():
    assert findings(doc("id_card_front", **{**FRONT_OK, "sex": "女"})) == {"id_number.sex_mismatch": "error"}


def test_birth_mismatch():
    assert findings(doc("id_card_front", **{**FRONT_OK, "birth_date": "1990-03-08"})) == {"id_number.birth_mismatch": "error"}


def test_unknown_region_is_a_warning_only():
    assert findings(doc("id_card_front", **with_number("99010519900307123"))) == {"id_number.region_unknown": "warning"}


def test_region_younger_than_holder_is_no_finding():
    values = with_number("32021319800101001", birth_date="1980-01-01")
    assert findings(doc("id_card_front", **values)) == {}


def test_specimen_card_from_the_shared_data_fails_as_documented():
    # MANIFEST: checksum invalid (expected 9, printed 7); number's birth date disagrees with 出生. Every problem is
    # listed at once (issue 16): the sex digit is even (女) on a card printed 男, and 430512 is no county code.
    result = findings(doc("id_card_front", name="代用名", sex="男", birth_date="2013-05-06", id_number="430512198908131367"))
    assert result == {"id_number.checksum": "error", "id_number.birth_mismatch": "error", "id_number.sex_mismatch": "error",
                      "id_number.region_unknown": "warning"}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2016-03-01", "2036-03-01", {}),
        ("2016-03-01", "长期", {}),
        ("2006-03-01", "2016-03-01", {"id_card.expired": "error"}),
        ("2016-03-01", "2031-03-01", {"id_card.validity_length": "error"}),
        ("2016-03-01", "2016-01-01", {"id_card.validity_dates": "error"}),
        ("2027-01-01", "2047-01-01", {"id_card.not_yet_valid": "warning"}),
    ],
)
def test_card_validity(start, end, expected):
    assert findings(doc("id_card_back", issuing_authority="北京市公安局朝阳分局", valid_from=start, valid_until=end)) == expected


def test_expiry_is_judged_on_the_given_day():
    back = doc("id_card_back", issuing_authority="x", valid_from="2006-11-23", valid_until="2026-11-23")
    assert findings(back, dt.date(2026, 11, 23)) == {}
    assert findings(back, dt.date(2026, 11, 24)) == {"id_card.expired": "error"}


def _pair(front_values, start, end, same_file=True):
    front = doc("id_card_front", sha="f", **front_values)
    back = doc("id_card_back", sha="f" if same_file else "b", issuing_authority="北京市公安局朝阳分局", valid_from=start, valid_until=end)
    cross = [c for run in CHECKS.cross_checks() for c in run([front, back], CheckContext(TODAY, Thresholds()))]
    return {c.failure.code: c.failure.severity for c in cross}


def test_validity_length_fits_age():
    assert _pair(FRONT_OK, "2016-03-01", "2026-03-01") == {}  # 25 on the day: 10 years
    assert _pair(FRONT_OK, "2016-03-20", "2036-03-20") == {}  # 26 since 2016-03-07: 20 years
    assert _pair(FRONT_OK, "2010-05-01", "长期") == {"id_card.validity_age": "error"}


def test_validity_length_one_band_off_near_a_birthday_is_a_warning():
    # Turned 26 on 2016-03-07; applied for at 25, card issued days later with 10 years.
    assert _pair(FRONT_OK, "2016-03-10", "2026-03-10") == {"id_card.validity_age": "warning"}


def test_pairing_by_region_when_files_differ():
    front = doc("id_card_front", sha="f", **FRONT_OK)
    other = doc("id_card_front", sha="g", **with_number("37081119800101001", birth_date="1980-01-01"))
    back = doc("id_card_back", sha="b", issuing_authority="北京市公安局朝阳分局", valid_from="2010-05-01", valid_until="长期")
    cross = [c for run in CHECKS.cross_checks() for c in run([front, other, back], CheckContext(TODAY, Thresholds()))]
    assert [(c.failure.code, c.involved) for c in cross] == [("id_card.validity_age", (front.id, back.id))]


def test_wrong_check_digit_does_not_hide_a_birth_date_that_disagrees():
    """The real specimen card's two problems (issue 16): both listed, so the one-time notice names both."""
    values = {**FRONT_OK, "id_number": "110105199003071238", "birth_date": "1990-03-17", "sex": "女"}
    assert findings(doc("id_card_front", **values)) == {"id_number.checksum": "error", "id_number.birth_mismatch": "error",
                                                        "id_number.sex_mismatch": "error"}


def test_wrong_check_digit_and_a_future_birth_date_both_reported():
    first17 = "11010520300101123"
    wrong = "0" if id_check_char(first17) != "0" else "1"
    values = {**FRONT_OK, "id_number": first17 + wrong, "birth_date": "2030-01-01"}
    assert findings(doc("id_card_front", **values)) == {"id_number.checksum": "error", "id_number.birth_date": "error"}


def test_household_member_birth_mismatch_beside_a_wrong_check_digit():
    values = dict(page_kind="member", name="张三", sex="男", birth_date="1990-03-17", id_number="110105199003071238")
    assert findings(doc("household_register", **values)) == {"id_number.checksum": "error",
                                                             "household_register.birth_mismatch": "error"}


# --- two people's cards in one batch (issue 16) ------------------------------------------------------------------


def _cross(documents) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.failure.code, c.involved) for run in CHECKS.cross_checks()
            for c in run(documents, CheckContext(TODAY, Thresholds()))]


WANG = dict(name="王五", sex="男", birth_date="1975-02-03", id_number="110108197502031514")  # 海淀, 46 in 2021: 长期
ZHAO = dict(name="赵六", sex="女", birth_date="2001-09-11", id_number="110105200109112428")  # 朝阳, 19 in 2021: 10 years


def test_two_peoples_cards_in_four_files_are_paired_by_authority():
    from validators.id_card import pair_sides

    wang_front, zhao_front = doc("id_card_front", sha="w1", **WANG), doc("id_card_front", sha="z1", **ZHAO)
    wang_back = doc("id_card_back", sha="w2", issuing_authority="北京市公安局海淀分局", valid_from="2021-05-10", valid_until="长期")
    zhao_back = doc("id_card_back", sha="z2", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10", valid_until="2031-05-10")
    batch = [zhao_back, wang_front, wang_back, zhao_front]
    assert {(f.id, b.id) for f, b in pair_sides(batch)} == {(wang_front.id, wang_back.id), (zhao_front.id, zhao_back.id)}
    assert _cross(batch) == []


def test_two_people_of_one_district_are_paired_by_age_or_not_at_all():
    from validators.id_card import pair_sides

    zhao = dict(ZHAO, id_number=ZHAO["id_number"])
    qian = with_number("11010519750203151", name="钱七", birth_date="1975-02-03")  # 朝阳 too, 46: 长期
    zhao_front, qian_front = doc("id_card_front", sha="z1", **zhao), doc("id_card_front", sha="q1", **qian)
    ten = doc("id_card_back", sha="z2", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10", valid_until="2031-05-10")
    long_term = doc("id_card_back", sha="q2", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10", valid_until="长期")
    assert {(f.id, b.id) for f, b in pair_sides([ten, long_term, zhao_front, qian_front])} == {
        (zhao_front.id, ten.id), (qian_front.id, long_term.id)}
    assert _cross([ten, long_term, zhao_front, qian_front]) == []
    # two people of the same age band: the back cannot tell them apart, so it is paired with neither
    other = with_number("11010520020101152", name="孙八", birth_date="2002-01-01")
    sun_front = doc("id_card_front", sha="s1", **other)
    assert pair_sides([ten, zhao_front, sun_front]) == []


def test_a_front_and_a_back_of_two_people_are_not_checked_together():
    wang_front = doc("id_card_front", sha="w1", **WANG)
    jining = doc("id_card_back", sha="j2", issuing_authority="济宁市公安局任城分局", valid_from="2021-05-10", valid_until="2031-05-10")
    assert _cross([wang_front, jining]) == []
    # one person's two sides in two files are still checked together (the wrong length is found)
    haidian = doc("id_card_back", sha="w2", issuing_authority="北京市公安局", valid_from="2021-05-10", valid_until="2031-05-10")
    assert _cross([wang_front, haidian]) == [("id_card.validity_age", (wang_front.id, haidian.id))]


def test_a_back_joins_the_front_of_its_own_file_even_when_it_does_not_fit():
    wang_front, zhao_front = doc("id_card_front", sha="one", **WANG), doc("id_card_front", sha="z1", **ZHAO)
    back = doc("id_card_back", sha="one", issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10", valid_until="2031-05-10")
    assert _cross([zhao_front, wang_front, back]) == [("id_card.validity_age", (wang_front.id, back.id))]

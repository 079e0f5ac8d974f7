"""Checks on the other identity documents (validators/checks/_identity.py and each type's module,
pipeline/identity_numbers.py): 临时居民身份证, 港澳台居民居住证, 港澳/台湾通行证 and passports — number formats and check characters, validity, and a
passport's MRZ check digits. Hand-made documents run through the real check stage, so the confidence rule applies:
an uncertain reading gives a warning, never an error."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from extractors import build_registry
from pipeline import identity_numbers as ids
from pipeline import stages
from pipeline.models import Document, FieldValue
from pipeline.numbers import id_check_char
from pipeline.settings import Thresholds
from validators import build_checks

TODAY = dt.date(2026, 11, 23)
TYPES = build_registry()
CHECKS = build_checks()
ICAO_SPECIMEN = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"


def number(first17: str) -> str:
    return first17 + id_check_char(first17)


HK, MACAO, TAIWAN = number("81000019900307123"), number("82000019851111002"), number("83000019791231004")
MAINLAND = number("11010519900307123")


def checked(type_code: str, low: tuple[str, ...] = (), **values) -> Document:
    fields = {k: FieldValue(value=v, confidence=0.5 if k in low else 0.99) for k, v in values.items() if v is not None}
    document = Document(id=f"{type_code}-1", source="scan.jpg", type=type_code, type_confidence=0.97, fields=fields)
    classes = TYPES.get(type_code).field_classes
    return stages.check(document, CHECKS, TODAY, Thresholds(), classes)


def found(document: Document) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in document.findings]


# --- 临时居民身份证 ---------------------------------------------------------------------------------------


def temporary(**changes) -> Document:
    values = dict(name="张三", id_number=MAINLAND, valid_from="2026-10-10", valid_until="2027-01-10")
    return checked("temporary_id_card", **{**values, **changes})


def test_temporary_card_in_order():
    assert found(temporary()) == []
    assert found(temporary(valid_until="2027-01-09")) == []  # printed as the day before: still three months


def test_temporary_card_number():
    assert found(temporary(id_number=MAINLAND[:-1] + ("0" if MAINLAND[-1] != "0" else "1"))) == [("id_number.checksum", "error")]
    assert found(temporary(id_number="11010519900307")) == [("id_number.format", "error")]
    assert found(temporary(id_number=number("11010519901307123"))) == [("id_number.birth_date", "error")]
    assert found(temporary(id_number=number("99999919900307123"))) == [("id_number.region_unknown", "warning")]
    assert found(temporary(id_number=HK)) == [("temporary_id_card.permit_number", "warning")]


def test_temporary_card_validity():
    assert found(temporary(valid_from="2026-06-01", valid_until="2026-09-01")) == [("temporary_id_card.expired", "error")]
    assert found(temporary(valid_from="2026-10-10", valid_until="2027-04-10")) == [
        ("temporary_id_card.validity_length", "warning")]
    assert found(temporary(valid_from="2026-12-01", valid_until="2027-03-01")) == [
        ("temporary_id_card.not_yet_valid", "warning")]
    assert found(temporary(valid_from="2026-10-10", valid_until="2026-10-01")) == [("temporary_id_card.validity_dates", "error")]
    assert found(temporary(valid_until="长期")) == [("temporary_id_card.validity_dates", "error")]
    assert found(temporary(valid_from=None, valid_until=None)) == [("temporary_id_card.validity_unread", "warning")]
    assert found(temporary(name=None)) == [("temporary_id_card.unread", "warning")]


# --- 港澳台居民居住证 -------------------------------------------------------------------------------------


def permit(**changes) -> Document:
    values = dict(name="陈大文", id_number=HK, valid_from="2024-03-01", valid_until="2029-03-01")
    return checked("residence_permit", **{**values, **changes})


def test_residence_permit_numbers_of_hong_kong_macao_and_taiwan():
    for value in (HK, MACAO, TAIWAN):
        assert found(permit(id_number=value)) == [], value
        assert ids.residence_is_valid(value)
    # python-stdnum's cn.ric refuses them all (a code it deems younger than the holder, or unknown): we wrap it
    for value in (HK, MACAO, TAIWAN):
        with pytest.raises(ValidationError):
            ric.validate(value)


def test_residence_permit_number_of_the_mainland_or_wrong():
    assert found(permit(id_number=MAINLAND)) == [("residence_permit.region", "error")]
    assert found(permit(id_number=HK[:-1] + ("0" if HK[-1] != "0" else "1"))) == [("id_number.checksum", "error")]
    with pytest.raises(ValidationError):
        ids.residence_parse(MAINLAND)


def test_residence_permit_validity():
    assert found(permit(valid_from="2020-03-01", valid_until="2025-03-01")) == [("residence_permit.expired", "error")]
    assert found(permit(valid_until="2029-02-28")) == []  # printed as the day before
    assert found(permit(valid_until="2029-02-20")) == [("residence_permit.validity_length", "warning")]
    assert found(permit(valid_until="2029-02-20", low=("valid_until",))) == [("residence_permit.validity_length", "warning")]


# --- 港澳居民来往内地通行证, 台湾居民来往大陆通行证 ---------------------------------------------------------------


def hkmo(**changes) -> Document:
    values = dict(name="陈大文", permit_number="H12345678", valid_from="2020-05-06", valid_until="2030-05-06")
    return checked("travel_permit_hkmo", **{**values, **changes})


def tw(**changes) -> Document:
    values = dict(name="林志明", permit_number="01234567", valid_from="2023-05-06", valid_until="2028-05-05")
    return checked("travel_permit_tw", **{**values, **changes})


@pytest.mark.parametrize("value", ["H12345678", "M87654321", "H1234567801", "ｈ１２３４５６７８", "H 1234 5678"])
def test_hkmo_permit_numbers(value):
    assert found(hkmo(permit_number=value)) == []


@pytest.mark.parametrize("value", ["H1234567", "K12345678", "12345678", "H123456789", "HA2345678"])
def test_hkmo_permit_numbers_refused(value):
    assert found(hkmo(permit_number=value)) == [("permit_number.format", "error")]
    assert not ids.hkmo_permit_is_valid(value)


def test_hkmo_permit_validity():
    assert found(hkmo(valid_from="2021-05-06", valid_until="2026-05-06")) == [("travel_permit_hkmo.expired", "error")]
    assert found(hkmo(valid_from="2022-05-06", valid_until="2027-05-05")) == []  # five years (under 18)
    assert found(hkmo(valid_from="2022-05-06", valid_until="2029-05-06")) == [("travel_permit_hkmo.validity_length", "warning")]


def test_taiwan_permit():
    assert found(tw()) == []
    assert found(tw(permit_number="0123456789")) == []  # older booklet
    assert found(tw(permit_number="H12345678")) == [("permit_number.format", "error")]
    assert found(tw(permit_number="1234567")) == [("permit_number.format", "error")]
    assert found(tw(valid_from="2019-01-01", valid_until="2024-01-01")) == [("travel_permit_tw.expired", "error")]
    assert found(tw(permit_number=None)) == [("travel_permit_tw.unread", "warning")]


# --- passports and their MRZ ---------------------------------------------------------------------------


def passport(**changes) -> Document:
    values = dict(name="张三", passport_number="EA1234567", valid_until="2031-08-01")
    return checked("passport", **{**values, **changes})


@pytest.mark.parametrize("value", ["E12345678", "EA1234567", "G12345678", "L898902C3", "123456789", "X12345"])
def test_passport_numbers(value):
    assert found(passport(passport_number=value)) == []


def test_passport_numbers_refused():
    assert found(passport(passport_number="E123")) == [("passport_number.format", "error")]
    assert found(passport(passport_number="E1234567890")) == [("passport_number.format", "error")]
    assert found(passport(passport_number="E12345６7A")) == [("passport_number.pattern", "warning")]
    assert found(passport(passport_number="E12#45678")) == [("passport_number.format", "error")]


def test_passport_expiry():
    assert found(passport(valid_until="2026-11-22")) == [("passport.expired", "error")]
    assert found(passport(valid_until="2026-11-23")) == []  # valid through its last day
    assert found(passport(valid_until=None)) == [("passport.validity_unread", "warning")]


def test_mrz_check_digits_of_the_icao_specimen():
    mrz = ids.mrz_validate(ICAO_SPECIMEN, TODAY)
    assert (mrz.number, mrz.nationality, mrz.birth_date, mrz.expiry, mrz.sex) == (
        "L898902C3", "UTO", dt.date(1974, 8, 12), dt.date(2012, 4, 15), "F")
    assert (mrz.surname, mrz.given_names, mrz.personal_number) == ("ERIKSSON", "ANNA MARIA", "ZE184226B")
    assert [ids.mrz_check_digit(part) for part in ("L898902C3", "740812", "120415", "ZE184226B<<<<<")] == list("6291")


def chinese_mrz(number: str = "EA1234567", expiry: str = "310801") -> str:
    line1 = "P<CHNZHANG<<SAN" + "<" * 29
    line2 = f"{number}{ids.mrz_check_digit(number)}CHN9003071M{expiry}{ids.mrz_check_digit(expiry)}" + "<" * 14 + "<"
    # personal number empty: its check digit may be '<' (ICAO 9303 part 4)
    return line1 + "\n" + line2 + ids.mrz_check_digit(line2[0:10] + line2[13:20] + line2[21:43])


def test_mrz_of_a_passport_in_order():
    assert found(passport(mrz=chinese_mrz())) == []
    specimen = passport(name="ERIKSSON ANNA MARIA", passport_number="L898902C3", valid_until="2012-04-15",
                        mrz=ICAO_SPECIMEN)
    assert found(specimen) == [("passport.expired", "error")]


def test_mrz_with_a_wrong_check_digit():
    text = chinese_mrz()
    broken = text[:45 + 9] + str((int(text[45 + 9]) + 1) % 10) + text[45 + 10:]  # the number's check digit
    [(code, severity)] = found(passport(mrz=broken))
    assert (code, severity) == ("mrz.checksum", "error")
    [finding] = passport(mrz=broken).findings
    assert "护照号码" in finding.message and "整体" in finding.message
    assert found(passport(mrz=broken, low=("mrz",))) == [("mrz.checksum", "warning")]


def test_mrz_disagreeing_with_the_page():
    assert found(passport(mrz=chinese_mrz(number="EA7654321"))) == [("mrz.number_mismatch", "error")]
    assert found(passport(mrz=chinese_mrz(expiry="300801"))) == [("mrz.expiry_mismatch", "error")]
    # the page's expiry unread: the MRZ's says the passport expired
    assert found(passport(valid_until=None, mrz=chinese_mrz(expiry="250801"))) == [("passport.expired", "error")]


def test_mrz_that_cannot_be_parsed_is_a_warning():
    assert found(passport(mrz="P<CHNZHANG<<SAN")) == [("mrz.format", "warning")]


# --- the confidence rule, the vocabulary, the assessment ------------------------------------------------------


@pytest.mark.parametrize(("document", "code"), [
    (lambda: temporary(low=("id_number",), id_number=MAINLAND[:-1] + ("0" if MAINLAND[-1] != "0" else "1")), "id_number.checksum"),
    (lambda: temporary(low=("valid_until",), valid_from="2026-06-01", valid_until="2026-09-01"), "temporary_id_card.expired"),
    (lambda: permit(low=("id_number",), id_number=MAINLAND), "residence_permit.region"),
    (lambda: hkmo(low=("permit_number",), permit_number="H1234567"), "permit_number.format"),
    (lambda: tw(low=("valid_until",), valid_from="2019-01-01", valid_until="2024-01-01"), "travel_permit_tw.expired"),
    (lambda: passport(low=("passport_number",), passport_number="E123"), "passport_number.format"),
])
def test_an_uncertain_reading_gives_a_warning_never_an_error(document, code):
    [finding] = document().findings
    assert (finding.code, finding.severity) == (code, "warning")
    assert finding.message.endswith("（识别置信度不足，请人工核对）")


def test_an_expired_temporary_card_makes_the_identity_material_invalid():
    from pipeline.assessment import Submitted
    from pipeline.models import Hints
    from tests.validators.helpers import AT, assess, application, problems, property_certificate

    card = temporary(valid_from="2026-06-01", valid_until="2026-09-01")
    result = assess(application(), Submitted(document=card, hints=Hints(person="operator")), property_certificate(), at=AT)
    assert result.decision == "correction_required"
    assert problems(result) == {"operator_id": {"temporary_id_card.expired"}}
    fine = assess(application(), Submitted(document=temporary(), hints=Hints(person="operator")), property_certificate())
    assert fine.decision == "needs_review"  # the holder is not yet compared with the application: a person looks
    assert {f.code for f in fine.material("operator_id").findings} == {"identity.unreadable_kind"}

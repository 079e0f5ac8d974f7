"""Household registers, marriage certificates, legal-representative certificates and the other identity documents:
recognised and read from box geometry (hand-built readings), from born-digital PDFs of the generator (text layer,
no OCR) and from the committed samples with PP-OCR (slow). An identity document of another kind makes the ID
material `needs_review`, never `missing`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extractors import build_registry
from pipeline.settings import Thresholds
from pipeline.stages import classify
from pipeline.models import Reading
from tests.conftest import SAMPLES, load_sample_module
from tests.extractors.helpers import UPLOAD, classified, reading, values

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TYPES = build_registry()
NEW_TYPES = ("household_register", "marriage_certificate", "legal_rep_certificate", "temporary_id_card",
             "residence_permit", "travel_permit_hkmo", "travel_permit_tw", "passport")


_load = load_sample_module


def _type_of(page) -> str:
    docs = classify(Reading(upload=UPLOAD, kind="image", pages=(page,)), TYPES, Thresholds())
    return docs[0].type


def _extract(type_code: str, page) -> dict:
    return values(TYPES.get(type_code).extract(classified(type_code, page)))


# --- hand-built readings ---------------------------------------------------------------------------


def test_legal_rep_certificate_labelled_lines():
    page = reading([("样本", 1300, 60), ("法定代表人身份证明书", 500, 200, 0.99, 70),
                    ("单位名称：", 100, 400), ("济宁博远商贸有限公司", 320, 400),
                    ("统一社会信用代码：", 100, 480), ("91370800MA3C5LKX8U", 460, 480),
                    ("姓名：", 100, 560), ("张三", 240, 560), ("性别：", 100, 640), ("男", 240, 640),
                    ("身份证号码：", 100, 720), ("110105199003071239", 340, 720),
                    ("系济宁博远商贸有限公司的法定代表人。", 100, 820), ("特此证明。", 100, 900),
                    ("单位（盖章）：", 900, 1300), ("2025年11月04日", 960, 1380)])
    assert _type_of(page) == "legal_rep_certificate"
    assert _extract("legal_rep_certificate", page) == {
        "organisation_name": "济宁博远商贸有限公司", "credit_code": "91370800MA3C5LKX8U", "representative_name": "张三",
        "representative_id_number": "110105199003071239", "signed_on": "2025-11-04"}


def test_legal_rep_certificate_letter_reads_the_name_after_the_title():
    page = reading([("法定代表人身份证明书", 500, 200, 0.99, 70),
                    ("兹证明李四同志（身份证号码：370811198808120420）现任我单位执行董事职务，", 100, 400),
                    ("为我单位法定代表人。特此证明。", 100, 460),
                    ("单位名称：济宁博远商贸有限公司", 100, 560), ("2025年12月1日", 960, 1380)])
    got = _extract("legal_rep_certificate", page)
    assert got["representative_name"] == "李四"
    assert got["representative_id_number"] == "370811198808120420"
    assert got["organisation_name"] == "济宁博远商贸有限公司"
    assert got["signed_on"] == "2025-12-01"


def test_marriage_certificate_both_parties_in_order():
    page = reading([("结婚证", 1000, 100, 0.99, 80), ("持证人：", 1300, 300), ("王芳", 1460, 300),
                    ("登记日期：", 1300, 380), ("2015年05月20日", 1500, 380),
                    ("结婚证字号：", 1300, 460), ("J370811-2015-001234", 1540, 460),
                    ("姓名：", 1300, 620), ("张三", 1420, 620), ("性别：", 1750, 620), ("男", 1870, 620),
                    ("身份证件号：", 1300, 780), ("110105199003071239", 1540, 780),
                    ("姓名：", 1300, 900), ("王芳", 1420, 900), ("性别：", 1750, 900), ("女", 1870, 900),
                    ("身份证件号：", 1300, 1060), ("370811198808120420", 1540, 1060)], size=(2339, 1654))
    assert _type_of(page) == "marriage_certificate"
    assert _extract("marriage_certificate", page) == {
        "holder": "王芳", "registered_on": "2015-05-20", "certificate_number": "J370811-2015-001234",
        "party1_name": "张三", "party1_id_number": "110105199003071239", "party2_name": "王芳",
        "party2_id_number": "370811198808120420"}


def test_household_register_head_and_member_pages():
    head = reading([("居民户口簿", 600, 100, 0.99, 80), ("户别", 100, 300), ("家庭户", 300, 300),
                    ("户主姓名", 800, 300), ("张三", 1000, 300), ("户号", 100, 400), ("370811001", 300, 400),
                    ("住址", 100, 500), ("山东省济宁市任城区古槐路8号", 300, 500)])
    member = reading([("常住人口登记卡", 600, 100, 0.99, 70), ("姓名", 100, 300), ("王芳", 300, 300),
                      ("户主或与户主关系", 700, 300), ("妻", 1100, 300), ("性别", 700, 400), ("女", 1100, 400),
                      ("民族", 700, 500), ("汉", 1100, 500), ("出生日期", 700, 600), ("1988年08月12日", 1100, 600),
                      ("公民身份证件编号", 700, 700), ("370811198808120420", 1100, 700)])
    assert _type_of(head) == _type_of(member) == "household_register"
    assert _extract("household_register", head) == {"page_kind": "head", "household_type": "家庭户", "head_name": "张三",
                                                    "household_number": "370811001", "address": "山东省济宁市任城区古槐路8号"}
    assert _extract("household_register", member) == {
        "page_kind": "member", "name": "王芳", "relationship": "妻", "sex": "女", "ethnicity": "汉",
        "birth_date": "1988-08-12", "id_number": "370811198808120420"}


@pytest.mark.parametrize("title,code", [("中华人民共和国临时居民身份证", "temporary_id_card"),
                                        ("中华人民共和国港澳居民居住证", "residence_permit"),
                                        ("港澳居民来往内地通行证", "travel_permit_hkmo"),
                                        ("台湾居民来往大陆通行证", "travel_permit_tw"),
                                        ("中华人民共和国护照", "passport")])
def test_other_identity_documents_are_recognised_by_title_not_as_id_cards(title, code):
    page = reading([(title, 100, 60, 0.99, 60), ("姓名", 100, 200), ("张三", 220, 200), ("性别", 100, 280), ("男", 220, 280),
                    ("出生", 100, 360), ("1990年3月7日", 220, 360), ("住址", 100, 440), ("北京市朝阳区建国路1号", 220, 440),
                    ("公民身份号码", 100, 600), ("110105199003071239", 400, 600)], size=(1100, 700))
    assert _type_of(page) == code
    assert TYPES.get(code).identity


def test_a_resident_id_card_front_is_still_an_id_card():
    page = reading([("姓名", 100, 200), ("张三", 220, 200), ("性别", 100, 280), ("男", 220, 280), ("民族", 400, 280),
                    ("汉", 520, 280), ("出生", 100, 360), ("1990年3月7日", 220, 360), ("住址", 100, 440),
                    ("北京市朝阳区建国路1号", 220, 440), ("公民身份号码", 100, 600), ("110105199003071239", 400, 600)],
                   size=(1100, 700))
    assert _type_of(page) == "id_card_front"


# --- born-digital PDFs of the generator: every printed field read exactly -----------------------------


@pytest.fixture(scope="module")
def text_deps():
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits
    from storage.objects import MemoryStore
    from validators import build_checks

    return Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())


@pytest.mark.parametrize("doc_type", NEW_TYPES)
@pytest.mark.parametrize("index", range(3))
def test_generated_pdf_of_each_new_type_is_typed_and_read(text_deps, doc_type, index):
    from pipeline.runner import make_upload, process

    _load("generate_more_documents")
    gd, sheet = _load("generate_documents"), _load("_sheet")
    sheets, fields, _case = gd.render_document(41, index, doc_type)
    data = sheet.to_pdf(sheets)
    docs = process(make_upload(data, "doc.pdf", AT), data, text_deps, AT)
    assert [d.type for d in docs] == [doc_type]
    got = {k: docs[0].value(k) for k in fields[0]}
    assert got == fields[0]


def test_a_birthplace_too_long_for_its_cell_wraps_inside_it(text_deps):
    """新疆维吾尔自治区克孜勒苏柯尔克孜自治州 does not fit its cell even at 7 pt: the generator once printed it over the
    民族 label beside it, which no register shows; it wraps in its cell, and the labels beside it read."""
    from pipeline.runner import make_upload, process

    _load("generate_more_documents")
    gd, sheet = _load("generate_documents"), _load("_sheet")
    sheets, fields, _case = gd.render_document(2031, 0, "household_register")
    assert fields[0]["ethnicity"] == "维吾尔" and fields[0]["page_kind"] == "member"
    boxes = []
    for op in sheets[0].ops:
        if op[0] == "text":
            _, x, y, text, face, pt, _color, spacing = op
            em = pt * sheet.PT_MM
            boxes.append((text, x, y - 0.88 * em, x + sheet.text_width(text, face, pt, spacing), y + 0.14 * em))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap_y = min(a[4], b[4]) - max(a[2], b[2])
            overlap_x = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_y <= 0 or overlap_x <= 0, f"{a[0]} printed over {b[0]}"
    data = sheet.to_pdf(sheets)
    doc = process(make_upload(data, "doc.pdf", AT), data, text_deps, AT)[0]
    assert {k: doc.value(k) for k in fields[0]} == fields[0]


def test_generated_legal_rep_certificate_seals_are_found_on_the_rendered_pdf_page(text_deps):
    """The seal is a picture in the PDF: found on the rendered page (unread without an OCR engine)."""
    from pipeline.runner import make_upload, process

    gd, sheet = _load("generate_documents"), _load("_sheet")
    _load("generate_more_documents")
    for index in range(6):
        sheets, _fields, _case = gd.render_document(41, index, "legal_rep_certificate")
        data = sheet.to_pdf(sheets)
        doc = process(make_upload(data, "doc.pdf", AT), data, text_deps, AT)[0]
        assert sorted(s.kind for s in doc.seals) == sorted(s["kind"] for s in sheets[0].seals)
        codes = {f.code for f in doc.findings}
        if not [s for s in sheets[0].seals if s["kind"] != "square"]:
            assert "seal.missing" in codes
        else:
            assert "seal.missing" not in codes


# --- committed samples with PP-OCR ------------------------------------------------------------------

KEY_FIELDS = {
    "household_register": ("page_kind", "name", "id_number", "head_name", "household_number"),
    "marriage_certificate": ("certificate_number", "party1_name", "party1_id_number", "party2_name", "party2_id_number"),
    "legal_rep_certificate": ("organisation_name", "credit_code", "representative_name", "representative_id_number"),
    "temporary_id_card": ("id_number",), "residence_permit": ("name",), "travel_permit_hkmo": ("permit_number",),
    "travel_permit_tw": ("permit_number",), "passport": ("passport_number",),
}
FILES = sorted(str(p.relative_to(SAMPLES)) for t in NEW_TYPES for p in (SAMPLES / t).glob("*_s7-0000_*.[pj][np]g"))


@pytest.fixture(scope="module")
def deps(deps_factory):
    return deps_factory()


def _run(deps, path):
    from pipeline.runner import make_upload, process

    data = path.read_bytes()
    return process(make_upload(data, path.name, AT), data, deps, AT)


@pytest.mark.slow
@pytest.mark.parametrize("name", FILES)
def test_committed_sample_type_and_key_fields(deps, name):
    path = SAMPLES / name
    truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    docs = _run(deps, path)
    assert [d.type for d in docs] == [truth["type"]]
    assert docs[0].type_confidence >= 0.6
    for field in KEY_FIELDS[truth["type"]]:
        if field in truth["fields"]:
            assert docs[0].value(field) == truth["fields"][field], field


@pytest.mark.slow
def test_committed_legal_rep_certificates_report_their_seals(deps):
    sealed = SAMPLES / "legal_rep_certificate" / "legal_rep_certificate_s7-0000_clean.png"
    unsealed = SAMPLES / "legal_rep_certificate" / "legal_rep_certificate_s7-0001_clean.png"
    truth = json.loads(sealed.with_suffix(".json").read_text(encoding="utf-8"))
    doc = _run(deps, sealed)[0]
    assert [(s.organisation, s.kind) for s in doc.seals] == [(s["organisation"], s["kind"]) for s in truth["seals"]]
    assert doc.seals[0].confidence >= 0.8
    assert not [f for f in doc.findings if f.code.startswith("seal.")]
    assert json.loads(unsealed.with_suffix(".json").read_text(encoding="utf-8"))["seals"] == []
    bare = _run(deps, unsealed)[0]
    assert bare.seals == ()
    assert [(f.code, f.severity) for f in bare.findings if f.code.startswith("seal.")] == [("seal.missing", "error")]


@pytest.mark.slow
def test_passport_makes_the_identity_material_needs_review_not_missing(deps):
    from pipeline.assessment import Submitted
    from validators.assess import Assessor
    from validators.catalog import load_catalog

    doc = _run(deps, SAMPLES / "passport" / "passport_s7-0000_clean.png")[0]
    assert doc.type == "passport"
    item = load_catalog().get("individual-business-registration")
    result = Assessor(thresholds=Thresholds(), types=deps.types).assess(item, "self", [Submitted(document=doc)], AT)
    material = next(m for m in result.materials if m.code == "operator_id")
    assert material.status == "needs_review"
    assert "identity.unreadable_kind" in {f.code for f in material.findings}


def test_member_card_cropped_to_its_table_is_still_a_household_register():
    """The capture stage can crop a clean page to its ruled table, losing the title above it."""
    page = reading([("姓名", 100, 30), ("钱悦", 300, 30), ("户主或与户主关系", 700, 30), ("户主", 1100, 30),
                    ("曾用名", 100, 130), ("性别", 700, 130), ("女", 1100, 130), ("出生地", 100, 230), ("云南省大理白族自治州", 300, 230),
                    ("民族", 700, 230), ("汉", 1100, 230), ("籍贯", 100, 330), ("出生日期", 700, 330), ("1970年05月03日", 1100, 330),
                    ("公民身份证件编号", 700, 430), ("532930197005035064", 1100, 430)], size=(1437, 689))
    assert _type_of(page) == "household_register"
    assert _extract("household_register", page)["id_number"] == "532930197005035064"


# --- PP-OCR's padded boxes (boxes as the engine gave them on generated pages, seed 2028) ---------------


def _boxed(lines, size=(1079, 680)):
    """A reading from (text, (x0, y0, x1, y1)) lines: boxes exactly as the OCR engine returned them."""
    from pipeline.models import Page, PageReading, TextLine

    return PageReading(page=Page(page=1, width=size[0], height=size[1], has_text_layer=False),
                       lines=tuple(TextLine(text=t, score=0.99, box=b) for t, b in lines), source="ocr", engine="test")


PERMIT_HEAD = [("中华人民共和国台湾居民居住证", (252, 45, 746, 85)), ("姓名钱悦", (44, 141, 180, 178)),
               ("性别女", (44, 199, 153, 237)), ("签发机关大理白族自治州公安局", (47, 260, 454, 291)),
               ("有效期限2025.07.01-2030.07.01", (47, 317, 465, 348))]


def test_residence_permit_number_whose_box_starts_inside_the_label_box():
    """A short gap after 公民身份号码: the number's padded box starts 10 px inside the label's."""
    page = _boxed(PERMIT_HEAD + [("公民身份号码", (47, 538, 249, 568)), ("830000197005035066", (239, 538, 552, 566))])
    assert _type_of(page) == "residence_permit"
    assert _extract("residence_permit", page)["id_number"] == "830000197005035066"


@pytest.mark.parametrize("label,number", [
    (("公民身份号码8", (47, 538, 253, 568)), ("830000200011250461", (238, 539, 551, 565))),
    (("公民身份号码：8", (47, 538, 270, 568)), ("830000200011250461", (238, 539, 551, 565))),
])
def test_a_digit_read_both_by_the_label_box_and_by_the_number_box_counts_once(label, number):
    page = _boxed(PERMIT_HEAD + [label, number])
    assert _extract("residence_permit", page)["id_number"] == "830000200011250461"


def test_marriage_certificate_id_number_first_digit_read_twice():
    page = _boxed([("结婚证", (1030, 170, 1306, 251)), ("持证人：钱悦", (1253, 373, 1483, 417)),
                   ("结婚证字号：J532930-2020-078917", (1254, 509, 1806, 552)),
                   ("姓名：钱悦", (1252, 670, 1452, 721)), ("身份证件号：532930197005035064", (1255, 802, 1789, 844)),
                   ("姓名：余立", (1252, 890, 1447, 933)), ("身份证件号：5", (1256, 1020, 1487, 1060)),
                   ("522324195604060332", (1467, 1024, 1787, 1056))], size=(2339, 1654))
    got = _extract("marriage_certificate", page)
    assert got["party1_id_number"] == "532930197005035064"
    assert got["party2_id_number"] == "522324195604060332"


def test_a_value_left_of_its_label_is_not_taken():
    """The padding allowance takes a box that runs past the label's end, never one that lies over the label."""
    page = _boxed(PERMIT_HEAD + [("公民身份号码", (47, 538, 249, 568)), ("8300", (200, 538, 262, 566))])
    assert "id_number" not in _extract("residence_permit", page)


def test_household_register_label_read_in_its_traditional_form():
    """PP-OCR printed 户別 for 户别 on a clean 户主页."""
    page = _boxed([("样本", (1312, 60, 1482, 145)), ("居民户口簿", (628, 206, 1025, 284)), ("户別", (162, 417, 251, 470)),
                   ("集体户", (353, 417, 469, 468)), ("户主姓名", (792, 418, 952, 468)), ("莫一晨", (997, 418, 1119, 468)),
                   ("户号", (160, 517, 250, 575)), ("250349712", (353, 528, 529, 563)), ("住址", (162, 620, 251, 674)),
                   ("四川省阿坝藏族羌族自治州若尔盖县解放南路147号", (358, 624, 1195, 667))], size=(1654, 2339))
    assert _type_of(page) == "household_register"
    got = _extract("household_register", page)
    assert got["household_type"] == "集体户"
    assert got["head_name"] == "莫一晨"

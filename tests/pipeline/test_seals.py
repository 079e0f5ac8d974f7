"""Red seals: found by shape on page images (round, oval, square; not red text, not a red frame), their curved text
unwrapped and read with PP-OCR (slow), reported only for types whose checks need them, and judged by the seal
checks (missing, another organisation)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest

from pipeline import seals
from pipeline.models import Document, FieldValue, Finding, Seal
from pipeline.settings import Thresholds
from pipeline.stages import check
from tests.conftest import load_sample_module

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


_load = load_sample_module


def _page(stamps=(), *, frame: bool = False, pink_text: bool = True) -> tuple[np.ndarray, list]:
    """A white A4 page at 200 dpi (BGR) with black print, optional stamps [(kind, text, cx_mm, cy_mm)]."""
    _sheet, _seals = _load("_sheet"), _load("_seals")
    sheet = _sheet.Sheet()
    rng = random.Random(5)
    if frame:  # a brownish-red printed frame round the page, as on licences
        sheet.rect(8, 8, 202, 289, width=2.2, color=(180, 92, 60))
    if pink_text:
        sheet.text(160, 20, "样本", "noto_sans_bold", 22, color=(226, 150, 150))
        sheet.text(20, 60, "红色印刷的标题文字不是印章", "noto_sans_bold", 20, color=(215, 40, 50))
    for i in range(12):
        sheet.text(20, 90 + i * 9, "本单位承诺所提交的全部材料真实有效，如有虚假愿承担相应的法律责任。", "noto_sans", 12)
    for kind, text, cx, cy in stamps:
        _seals.stamp(sheet, rng, cx, cy, text, kind, size={"round": 42, "oval": 48, "square": 18}[kind],
                     extra="合同专用章" if kind == "oval" else "")
    image = np.asarray(_sheet.to_image(sheet, 200))[..., ::-1].copy()
    boxes = [[v * 200 / 25.4 for v in s["box"]] for s in sheet.seals]
    return image, boxes


def _centre_in(found, box) -> bool:
    cx, cy = (found.box[0] + found.box[2]) / 2, (found.box[1] + found.box[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def test_round_oval_and_square_seals_are_found_with_their_kind():
    image, boxes = _page([("round", "济宁博远商贸有限公司", 60, 230), ("oval", "济宁恒泰科技有限公司", 150, 230),
                          ("square", "张三", 110, 190)])
    found = seals.find_seals(image)
    assert sorted(f.kind for f in found) == ["oval", "round", "square"]
    for f in found:
        expected = {"round": boxes[0], "oval": boxes[1], "square": boxes[2]}[f.kind]
        assert _centre_in(f, expected)
        assert f.coverage >= seals.RING_COVERAGE


def test_red_text_and_the_sample_mark_are_not_seals():
    image, _ = _page()
    assert seals.find_seals(image) == []
    assert not seals.seal_like_ink(image)  # not even for a person to look at


def test_a_red_frame_round_the_page_does_not_hide_the_seal_inside_it():
    image, boxes = _page([("round", "攀枝花市仁和区市场监督管理局", 140, 240)], frame=True)
    found = seals.find_seals(image)
    assert [f.kind for f in found] == ["round"] and _centre_in(found[0], boxes[0])


def test_a_page_without_red_ink():
    image = np.full((800, 600, 3), 255, np.uint8)
    image[100:110, 50:500] = 20
    assert not seals.seal_like_ink(image)
    assert seals.find_seals(image) == []


def test_a_smudged_seal_is_seal_like_ink_though_not_a_seal():
    image, boxes = _page([("round", "济宁博远商贸有限公司", 100, 220)], pink_text=False)
    x0, y0, x1, y1 = (round(v) for v in boxes[0])
    image[y0:y1, x1 - (x1 - x0) // 3:x1] = 255  # a third of it torn away
    assert seals.find_seals(image) == []
    assert seals.seal_like_ink(image)


def test_unwrap_turns_the_rim_into_one_line_with_the_rim_up():
    image, _ = _page([("round", "济宁博远商贸有限公司", 100, 200)], pink_text=False)
    found = seals.find_seals(image)[0]
    circle, stretch = seals._circle(seals.ink_image(image, found.box), found, 170)
    assert stretch == pytest.approx(1.0)
    strip = seals.unwrap(circle)
    assert strip.shape[0] == round(0.43 * 170)
    assert strip.shape[1] > 3 * strip.shape[0]  # a long line
    ink_rows = np.flatnonzero((strip.min(axis=2) < 160).any(axis=1))
    assert len(ink_rows) > 0.5 * strip.shape[0]


def test_an_oval_seal_unwraps_along_its_own_rim_into_a_straight_line():
    """Its name runs at a constant distance inside the rim: a polar unwrap of the oval made round curves it (the ends
    sit nearer the rim); the unwrap along the oval keeps the characters on one straight line."""
    image, _ = _page([("oval", "济宁恒泰科技有限公司", 100, 200)], pink_text=False)
    (found,) = seals.find_seals(image)
    circle, stretch = seals._circle(seals.ink_image(image, found.box), found, 170)
    assert stretch > 1.3

    def spread(strip):  # how far the ink's centre row wanders along the strip, in strip heights
        ink = strip.min(axis=2) < 160
        ink[ink.mean(axis=1) > 0.6] = False  # ring lines run the whole strip: not characters
        rows = np.arange(strip.shape[0])[:, None]
        used = ink.sum(axis=0) > 3
        centres = (ink * rows).sum(axis=0)[used] / ink.sum(axis=0)[used]
        return (np.percentile(centres, 90) - np.percentile(centres, 10)) / strip.shape[0]

    oval = seals._unwrap_oval(circle, (0.5, 0.93), stretch)
    polar = seals.unwrap(circle)  # as an oval was unwrapped before
    assert oval.shape[0] == polar.shape[0]
    assert spread(oval) < 0.6 * spread(polar)


@pytest.mark.parametrize("text,expected", [("济宁博远商贸有限公司合同专用章", "济宁博远商贸有限公司"),
                                           ("济宁市任城区市场监督管理局登记专用章", "济宁市任城区市场监督管理局"),
                                           ("张三之印", "张三"), ("济宁博远商贸有限公司", "济宁博远商贸有限公司"),
                                           ("公章", "公章")])
def test_organisation_drops_the_kind_of_seal(text, expected):
    assert seals.organisation_of(text) == expected


# --- reading with PP-OCR ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("kind,text,expected", [("round", "济宁博远商贸有限公司", "济宁博远商贸有限公司"),
                                                ("oval", "济宁恒泰科技有限公司", "济宁恒泰科技有限公司"),
                                                ("square", "王伟", "王伟")])
def test_seal_text_is_read(ocr_engine, kind, text, expected):
    image, _ = _page([(kind, text, 105, 220)])
    (found,) = seals.find_seals(image)
    page_seals = seals.seals_on_page(image, 1, ocr_engine)
    assert [(s.organisation, s.kind) for s in page_seals] == [(expected, kind)]
    if kind == "oval":
        assert page_seals[0].text.startswith(expected) and "专用" in page_seals[0].text
    assert page_seals[0].confidence >= 0.8
    assert tuple(page_seals[0].box) == found.box


def test_a_line_is_cut_to_its_characters_and_a_rule_along_it_whited_out():
    """Recognition alone reads whatever it is given: an oval's inner border touching the name would read as 一 or
    二, and blank space round the line only costs time."""
    strip = np.full((73, 600, 3), 255, np.uint8)
    strip[20:22, :] = 40  # a rule the length of the strip, touching the characters' tops
    for x in range(60, 500, 55):  # eight "characters": boxes with a cross inside, 36 px high
        strip[22:58, x:x + 3] = strip[22:58, x + 33:x + 36] = 30
        strip[22:24, x:x + 36] = strip[56:58, x:x + 36] = strip[39:41, x:x + 36] = 30
    crop = seals._to_ink(strip)
    ink = crop.min(axis=2) < 160
    margin = max(4, round(36 / 10))
    gaps = [x - 60 + margin + d for x in range(60 + 55, 500, 55) for d in range(-17, -2)]
    assert not ink[:, gaps].any()  # nothing between the characters: the rule is gone
    rows = np.flatnonzero(ink.any(axis=1))
    assert rows[-1] - rows[0] + 1 in range(34, 38)  # the characters whole, the rule gone
    assert crop.shape == (rows[-1] - rows[0] + 1 + 2 * margin, 60 + 7 * 55 + 36 - 60 + 2 * margin, 3)
    assert seals._to_ink(np.full((73, 600, 3), 255, np.uint8)) is None


def test_reading_by_a_full_read_joins_the_pieces_left_to_right_with_the_lowest_score():
    """Engines without a separate recognition step (PaddleOCR here) read a seal's line with a full read."""
    from pipeline.models import TextLine
    from pipeline.ocr import recognize_by_reading

    class TwoPieces:
        name = "fake-two-pieces"

        def read(self, image):
            assert image.shape[:2] == (40 + 32, 300 + 32)  # the crop on a white margin
            return [TextLine(text="有限公司", score=0.9, box=(150, 5, 290, 35)),
                    TextLine(text="济宁博远", score=0.8, box=(5, 5, 140, 35))]

    assert recognize_by_reading(TwoPieces(), np.full((40, 300, 3), 255, np.uint8)) == ("济宁博远有限公司", 0.8)


@pytest.mark.slow
def test_recognition_reads_each_line_and_nothing_from_a_blank_one(ocr_engine):
    image, _ = _page([("round", "济宁博远商贸有限公司", 105, 220)], pink_text=False)
    (found,) = seals.find_seals(image)
    circle, _stretch = seals._circle(seals.ink_image(image, found.box), found, 170)
    rim = seals.unwrap(circle)
    blank = np.full((60, 300, 3), 255, np.uint8)
    (text, score), (nothing, no_score) = seals._read_lines(ocr_engine, [rim, blank])
    assert (text, nothing, no_score) == ("济宁博远商贸有限公司", "", 0.0)
    assert score > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("index,expected", [(28, "乌兰县福瑞五金店"), (40, "淮北广源食品有限公司")])
def test_an_oval_seal_whose_inner_border_touches_its_name_is_read_without_it(ocr_engine, index, expected):
    """Two 合同专用章 from samples/bench_seals.py (seed 2028) whose border runs along the unrolled name: cut to all
    their ink, they read as 乌兰县福瑞五金店二 and 二淮北广源食品有限公司."""
    import cv2

    gd = _load("generate_documents")
    _load("generate_more_documents")  # registers the legal-rep certificate's renderers
    [(data, truth)] = list(gd.page_images(2028, index, "legal_rep_certificate", "clean"))
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    ovals = [s for s in seals.seals_on_page(image, 1, ocr_engine) if s.kind == "oval"]
    assert [s.organisation for s in ovals] == [expected]
    assert expected in [s["organisation"] for s in truth["seals"]]


@pytest.mark.slow
def test_stage_reports_seals_only_for_types_that_need_them(deps_factory):
    """A legal-representative certificate is searched; a business licence, which no seal rule judges, is not."""
    from pipeline.runner import make_upload, process
    from tests.conftest import SAMPLES

    deps = deps_factory()
    path = SAMPLES / "legal_rep_certificate" / "legal_rep_certificate_s7-0000_clean.png"
    data = path.read_bytes()
    doc = process(make_upload(data, path.name, AT), data, deps, AT)[0]
    assert [(s.kind, s.organisation) for s in doc.seals] == [("round", "周至县东升小吃店")]
    assert all(s.page == 1 for s in doc.seals)
    licence = SAMPLES / "business_licence" / "business_licence_s7-0000_clean.png"
    data = licence.read_bytes()
    doc = process(make_upload(data, licence.name, AT), data, deps, AT)[0]
    assert doc.type == "business_licence" and doc.seals == ()


# --- print under a seal ------------------------------------------------------------------------------


def _stamped_date(seed: int = 3) -> tuple[np.ndarray, tuple]:
    """A page whose 单位（盖章）： line and date are stamped over by a round seal, as on a certificate; returns the
    image and the date line's box in pixels."""
    _sheet, _seals = _load("_sheet"), _load("_seals")
    sheet = _sheet.Sheet()
    for i in range(6):
        sheet.text(20, 60 + i * 9, "兹证明钱悦同志现任我单位执行董事职务，为我单位法定代表人。", "noto_sans", 12)
    sheet.text(110, 180, "单位（盖章）：", "noto_serif", 14)
    date_box = sheet.text(118, 194, "2025年11月24日", "noto_serif", 14)
    _seals.stamp(sheet, random.Random(seed), 140, 186, "大理白族自治州润丰餐饮管理有限公司", "round", size=42)
    image = np.asarray(_sheet.to_image(sheet, 200))[..., ::-1].copy()
    return image, tuple(v * 200 / 25.4 for v in date_box)


def _line(text: str, box, score: float = 0.99):
    from pipeline.models import TextLine

    return TextLine(text=text, score=score, box=tuple(float(v) for v in box))


def test_without_red_keeps_black_print_and_drops_the_seal():
    image, date_box = _stamped_date()
    (found,) = seals.find_seals(image)
    plain = seals.without_red(image)
    assert seals.find_seals(plain) == []
    x0, y0, x1, y1 = (round(v) for v in date_box)
    assert (plain[y0:y1, x0:x1, 0] < 100).sum() > 0.5 * (image[y0:y1, x0:x1].min(axis=2) < 100).sum()


def test_print_under_a_seal_that_the_ocr_missed_is_found_and_nothing_when_it_was_read():
    image, date_box = _stamped_date()
    (found,) = seals.find_seals(image)
    body = [_line("兹证明钱悦同志现任我单位执行董事职务，为我单位法定代表人。", (150, 440 + i * 71, 1100, 480 + i * 71))
            for i in range(6)]
    missed = seals.print_missed_under(image, found, body, 40)
    assert any(b[0] <= (date_box[0] + date_box[2]) / 2 <= b[2] and b[1] <= (date_box[1] + date_box[3]) / 2 <= b[3]
               for b in missed)
    x0, y0, x1, y1 = date_box
    read = body + [_line("单位（盖章）：", (860, 1370, 1100, 1425)), _line("2025年11月24日", (x0 - 8, y0 - 8, x1 + 8, y1 + 8))]
    assert seals.print_missed_under(image, found, read, 40) == []


def test_merge_lines_adds_what_was_missed_and_replaces_a_line_read_short():
    page = [_line("特此证明。", (100, 100, 300, 140)), _line("(盖章)", (957, 1121, 1061, 1173)),
            _line("发日期：2012年07月07日", (897, 1074, 1307, 1116)), _line("垢", (847, 1015, 912, 1080), 0.36)]
    again = [_line("单位（盖章）：", (880, 1118, 1110, 1175)), _line("2025年11月24日", (932, 1230, 1180, 1280)),
             _line("签发日期：2012年07月07日", (865, 1075, 1305, 1115)), _line("特此", (100, 100, 200, 140)),
             _line("户口专用章", (861, 978, 1056, 1025)), _line("口", (400, 400, 440, 440), 0.3)]
    merged = sorted(ln.text for ln in seals.merge_lines(page, again))
    assert merged == sorted(["特此证明。", "单位（盖章）：", "2025年11月24日", "签发日期：2012年07月07日", "户口专用章", "垢"])


def test_merge_lines_replaces_a_line_misread_under_the_ring_and_the_rim_read_as_a_line():
    """Seed 2031: the ring cut a 1 out of 2025年11月13日 (0.92); the rim text and the date read as one line (0.70)."""
    page = [_line("2025年1月13日", (919, 1515, 1226, 1596), 0.924), _line("单", (868, 1425, 906, 1462), 0.989),
            _line("海天法家政服务有限公司", (862, 1312, 1239, 1507), 0.714), _line("附：法定代表人身份证复印件", (186, 1163, 620, 1202))]
    again = [_line("2025年11月13日", (923, 1531, 1196, 1576), 0.998), _line("单位（盖章）：", (863, 1420, 1097, 1467), 0.95)]
    assert sorted(ln.text for ln in seals.merge_lines(page, again)) == sorted(
        ["2025年11月13日", "单位（盖章）：", "附：法定代表人身份证复印件"])
    worse = [_line("2025年11月3日", (923, 1531, 1196, 1576), 0.9)]  # no more characters, less certain: kept as read
    assert "2025年1月13日" in [ln.text for ln in seals.merge_lines(page[:1], worse)]


def test_doubtful_lines_are_those_the_seal_crosses():
    found = seals.Found(kind="round", center=(1050, 1450), axes=(330, 330), angle=0, box=(885, 1285, 1215, 1615),
                        coverage=0.9)
    lines = [_line("2025年1月13日", (919, 1515, 1226, 1596), 0.924), _line("单位（盖章）：", (863, 1420, 1097, 1467), 0.99),
             _line("附：法定代表人身份证复印件", (186, 1163, 620, 1202), 0.9), _line("海天法", (900, 1312, 1100, 1400), 0.6)]
    assert [ln.text for ln in seals.doubtful_under(found, lines)] == ["2025年1月13日"]


def test_a_line_read_short_under_the_ring_is_read_again_and_a_whole_one_is_not():
    """The page's OCR read 025年11月24日 with certainty: the ring hid the first character, whose print stands right
    against the line's start inside the seal."""
    image, date_box = _stamped_date()
    (found,) = seals.find_seals(image)
    x0, y0, x1, y1 = date_box
    first = (x1 - x0) / 11  # 2025年11月24日: eleven characters
    short = _line("025年11月24日", (x0 + first + 2, y0 - 4, x1 + 4, y1 + 4))
    whole = _line("2025年11月24日", (x0 - 4, y0 - 4, x1 + 4, y1 + 4))
    label = _line("单位（盖章）：", (860, 1370, 1100, 1425))
    assert seals.cut_short_under(image, found, [label, short], 40) == [short]
    assert seals.cut_short_under(image, found, [label, whole], 40) == []


@pytest.mark.slow
def test_date_stamped_over_by_the_seal_is_read(ocr_engine):
    image, date_box = _stamped_date()
    lines = [ln for ln in ocr_engine.read(image) if not (ln.box[1] > date_box[1] - 150 and ln.box[0] > 800)]
    (found,) = seals.find_seals(image)
    again = seals.read_under(image, found, lines, ocr_engine)
    assert "2025年11月24日" in [ln.text for ln in again]
    assert seals.read_under(image, found, seals.merge_lines(lines, again), ocr_engine) == []


@pytest.mark.slow
def test_legal_rep_certificate_date_under_its_seal_through_the_pipeline(deps_factory):
    """Generated certificates whose page OCR missed the date under the seal or misread it (clean pages)."""
    from pipeline.runner import make_upload, process

    gd = _load("generate_documents")
    _load("generate_more_documents")
    deps = deps_factory()
    for seed, index in ((2028, 1), (2028, 3), (2031, 1), (2031, 2)):
        ((data, truth),) = gd.page_images(seed, index, "legal_rep_certificate", "clean")
        doc = process(make_upload(data, "page.png", AT), data, deps, AT)[0]
        assert doc.type == "legal_rep_certificate"
        assert doc.fields["signed_on"].value == truth["fields"]["signed_on"]
        assert [s.kind for s in doc.seals if s.kind != "square"] == [truth["seals"][0]["kind"]]


# --- the checks ------------------------------------------------------------------------------------


def _certificate(seal_list=(), findings=(), name="济宁博远商贸有限公司", name_confidence=0.99) -> Document:
    fields = {"organisation_name": FieldValue(value=name, confidence=name_confidence),
              "representative_name": FieldValue(value="张三", confidence=0.99),
              "representative_id_number": FieldValue(value="110105199003071239", confidence=0.99)}
    return Document(id="d", source="x.png", type="legal_rep_certificate", fields=fields, seals=tuple(seal_list),
                    findings=tuple(findings))


def _seal(organisation: str, kind: str = "round", confidence: float = 0.97) -> Seal:
    return Seal(text=organisation, organisation=organisation, kind=kind, page=1, box=(0, 0, 10, 10), confidence=confidence)


def _seal_findings(doc: Document) -> list[tuple[str, str]]:
    from extractors import build_registry
    from validators import build_checks

    classes = build_registry().get(doc.type).field_classes
    checked = check(doc, build_checks(), AT.date(), Thresholds(), classes)
    return [(f.code, f.severity) for f in checked.findings if f.code.startswith("seal.")]


def test_certificate_with_its_own_seal_passes():
    assert _seal_findings(_certificate([_seal("济宁博远商贸有限公司"), _seal("张三", "square")])) == []


def test_certificate_without_a_seal_is_an_error():
    assert _seal_findings(_certificate()) == [("seal.missing", "error")]
    # a name seal alone is not the organisation's seal
    assert _seal_findings(_certificate([_seal("张三", "square")])) == [("seal.missing", "error")]


def test_red_ink_that_formed_no_seal_is_left_to_a_person():
    unrecognised = Finding(code="seal.unrecognised", severity="warning", message="页面上有红色印迹")
    assert _seal_findings(_certificate(findings=[unrecognised])) == [("seal.unrecognised", "warning")]


def test_seal_of_another_organisation_is_an_error_when_read_with_certainty():
    assert _seal_findings(_certificate([_seal("临沂华盛建材有限公司")])) == [("seal.organisation_mismatch", "error")]


def test_uncertain_or_near_seal_readings_are_warnings():
    near = _certificate([_seal("济宁博远商贸有限公")])
    assert _seal_findings(near) == [("seal.organisation_uncertain", "warning")]
    unsure = _certificate([_seal("临沂华盛建材有限公司", confidence=0.5)])
    assert _seal_findings(unsure) == [("seal.organisation_uncertain", "warning")]
    low_name = _certificate([_seal("临沂华盛建材有限公司")], name_confidence=0.3)
    assert _seal_findings(low_name) == [("seal.organisation_mismatch", "warning")]

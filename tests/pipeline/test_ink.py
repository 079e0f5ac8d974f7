"""Signature areas judged from the pixels (pipeline/ink.py, extractors/_signature.judge, the `handwriting` stage).

Pages come from samples/signature_pages.py: the generator's application form and power of attorney with their
signature area signed again by samples/signatures.py, and four hand-made layouts (label + date on one row, a ruled
cell, the signature under its label, a letter with two signers). The judgement sees only the printed text as OCR
lines, never the signature's text: a scribble that OCR cannot read is still a signature. The photographed pages go
through the whole pipeline with PP-OCR (slow)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from extractors import _signature
from pipeline import ink, stages
from pipeline.interfaces import SHANGHAI
from pipeline.models import Classified, FieldValue, Page, PageReading, TextLine, Upload

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "samples"))
import signature_pages as sp  # noqa: E402
import signatures as sg  # noqa: E402

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


def judged(layout: str, kind: str, seed: int = 0) -> tuple[ink.InkVerdict, dict]:
    data, truth = sp.page(layout, kind, seed)
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"]]
    return ink.judge(sp.decode(data), tuple(truth["label_box"]), lines), truth


@pytest.mark.slow  # 42 A4 pages drawn at 200 dpi
@pytest.mark.parametrize("layout", sp.LAYOUTS)
@pytest.mark.parametrize("kind", sg.KINDS)
def test_signed_and_blank_areas_are_told_apart(layout, kind):
    verdict, truth = judged(layout, kind)
    assert verdict.signed is sg.is_signed(kind)
    if verdict.signed:
        ix0, iy0, ix1, iy1 = verdict.ink_box
        tx0, ty0, tx1, ty1 = truth["ink_box"]
        assert ix0 < tx1 and tx0 < ix1 and iy0 < ty1 and ty0 < iy1, "the ink found is the signature drawn"
    else:
        assert verdict.ink_box is None and verdict.ink == 0.0


def test_a_blank_area_seen_whole_is_certain_and_its_box_is_reported():
    verdict, truth = judged("application_form", "empty_box")
    assert not verdict.signed and verdict.certain
    ax0, ay0, ax1, ay1 = verdict.area
    lx0, ly0, lx1, ly1 = truth["label_box"]
    assert ax0 >= lx1 - 1 and ay0 < ly0 and ay1 > ly1, "the area is right of the label, around its row"


def test_an_area_cut_by_the_edge_of_the_photo_is_not_certain():
    data, truth = sp.page("below", "blank_space", 0)
    image = sp.decode(data)
    label = tuple(truth["label_box"])
    cut = image[: int(label[3] + 30)]  # the photo ends just under the label: the area below is not seen
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"] if box[3] < cut.shape[0]]
    verdict = ink.judge(cut, label, lines)
    assert not verdict.signed and not verdict.certain


def test_too_coarse_a_scan_is_not_certain():
    import cv2

    data, truth = sp.page("inline_date", "blank_space", 0)
    image = cv2.resize(sp.decode(data), None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    lines = [TextLine(text=t, score=0.99, box=tuple(v / 4 for v in b)) for t, b in truth["lines"]]
    verdict = ink.judge(image, tuple(v / 4 for v in truth["label_box"]), lines)
    assert not verdict.signed and not verdict.certain


def test_printed_text_in_the_area_is_not_a_signature():
    """A date printed after the label on its row and the sentence above it are furniture, not ink."""
    verdict, truth = judged("inline_date", "blank_space")
    assert any("日期" in text for text, _ in truth["lines"])
    assert not verdict.signed and verdict.certain


# --- the stage and the decision ---------------------------------------------------------------


class _Store:
    def __init__(self):
        self.data = {}

    def put(self, data, content_type=""):
        key = f"k{len(self.data)}"
        self.data[key] = data
        return key

    def get(self, key):
        return self.data[key]


def _classified(layout: str, kind: str, source: str = "ocr") -> tuple[Classified, stages.Images, dict]:
    data, truth = sp.page(layout, kind, 0)
    images = stages.Images(_Store())
    image = sp.decode(data)
    key = images.put(image)
    lines = tuple(TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"])
    page = Page(page=1, image_key=key, width=image.shape[1], height=image.shape[0], has_text_layer=source == "pdf_text")
    upload = Upload(id="u", key="k", sha256="0" * 64, size=1, source="t.png", received_at=AT)
    return Classified(upload=upload, pages=(PageReading(page=page, lines=lines, source=source, engine="t"),),
                      type="application_form", type_confidence=1.0), images, truth


def _provisional(truth: dict, value: bool) -> dict[str, FieldValue]:
    return {"signed": FieldValue(value=value, confidence=0.9, page=1, box=tuple(truth["label_box"]))}


@pytest.mark.parametrize("kind", ["scribble", "brush_name", "name_fingerprint", "seal_over_signature"])
def test_judge_overrules_an_ocr_reading_that_found_no_text(kind):
    classified, images, truth = _classified("application_form", kind)
    fields, areas = _signature.judge(classified, _provisional(truth, False), images.get)
    assert fields["signed"].value is True and fields["signed"].confidence >= 0.9
    assert [(a.area, a.page, a.signed) for a in areas] == [("signature", 1, True)]


@pytest.mark.parametrize("kind", ["empty_box", "blank_underline", "blank_space"])
def test_judge_overrules_an_ocr_reading_that_took_furniture_for_text(kind):
    classified, images, truth = _classified("power_of_attorney", kind)
    fields, areas = _signature.judge(classified, _provisional(truth, True), images.get)
    assert fields["signed"].value is False
    assert areas[0].signed is False and areas[0].certain


def test_handwriting_stage_fills_the_document():
    from extractors import build_registry
    from pipeline.models import Document

    classified, images, truth = _classified("application_form", "scribble")
    doc = Document(id="d", source="t.png", type="application_form", fields=_provisional(truth, False))
    out = stages.handwriting(doc, classified, build_registry(), images)
    assert out.fields["signed"].value is True
    assert len(out.handwriting) == 1 and out.handwriting[0].area == "signature"
    assert out.model_dump(mode="json")["handwriting"][0]["box"] == list(out.handwriting[0].box)


def test_born_digital_pages_are_left_to_a_person():
    classified, images, truth = _classified("application_form", "empty_box", source="pdf_text")
    assert _signature.judge(classified, _provisional(truth, False), images.get) == ({}, ())


# --- photographed, through the whole pipeline --------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("layout,kind", [("application_form", "scribble"), ("application_form", "empty_box"),
                                         ("cell", "brush_name"), ("two_parties", "blank_underline")])
def test_photographed_pages_through_the_pipeline(deps_factory, layout, kind):
    from pipeline.runner import make_upload, process

    data, truth = sp.page(layout, kind, 1, "camera")
    docs = process(make_upload(data, "shot.jpg", AT), data, deps_factory(), AT)
    (doc,) = [d for d in docs if d.type == "application_form"]
    assert doc.fields["signed"].value is sg.is_signed(kind)
    assert [h.area for h in doc.handwriting] == ["signature"]
    unsigned = {f.code: f.severity for f in doc.findings if f.code == "application.unsigned"}
    assert unsigned == ({} if sg.is_signed(kind) else {"application.unsigned": "error"})


def test_an_ocr_line_running_from_the_label_into_the_signature_does_not_hide_it():
    """PP-OCR often reads "经营者签字：陆雨甦" as one line: only its label part is printed furniture."""
    data, truth = sp.page("inline_date", "brush_name", 0)
    lx0, ly0, lx1, ly1 = truth["label_box"]
    _ix0, iy0, ix1, iy1 = truth["ink_box"]
    own = [(t, b) for t, b in truth["lines"] if "签字" in t and abs(b[1] - ly0) < 20]
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"] if (text, box) not in own]
    merged = [TextLine(text=t + "陆雨甦", score=0.9, box=(b[0], max(b[1] - 8, iy0), ix1 + 2, min(b[3] + 8, iy1))) for t, b in own]
    assert len(merged) == 1
    verdict = ink.judge(sp.decode(data), (lx0, ly0, lx1, ly1), [*lines, *merged])
    assert verdict.signed


@pytest.mark.parametrize("kind", ["brush_name", "seal_over_signature"])
def test_a_label_box_stretched_by_a_tall_signature_keeps_the_print_height(kind):
    """When OCR reads "经营者（签字）：吴飞超" as one line, the label's box is as tall as the written name and the
    seal beside it; the area and the ink are still measured in the page's print height, so the name is seen."""
    data, truth = sp.page("inline_date", kind, 0)
    lx0, ly0, lx1, ly1 = truth["label_box"]
    h = ly1 - ly0
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"]]
    stretched = (lx0, ly0 - 1.3 * h, lx1, ly1 + 1.3 * h)  # three lines tall
    assert ink.print_height(stretched, lines) == pytest.approx(h, rel=0.3)
    verdict = ink.judge(sp.decode(data), stretched, lines)
    assert verdict.signed and verdict.certain


def test_a_stretched_label_box_over_a_blank_area_stays_blank():
    data, truth = sp.page("inline_date", "blank_underline", 0)
    lx0, ly0, lx1, ly1 = truth["label_box"]
    h = ly1 - ly0
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"]]
    verdict = ink.judge(sp.decode(data), (lx0, ly0 - 1.3 * h, lx1, ly1 + 1.3 * h), lines)
    assert not verdict.signed


def test_an_ocr_line_of_the_labels_colon_and_the_signature_is_not_print():
    """PP-OCR may read "经营者签字" alone and "：阿力木" (the label's colon and the written name) as the next line:
    that line starts left of the area only by the colon, and is the signature, not a printed row."""
    data, truth = sp.page("inline_date", "brush_name", 0)
    lx0, ly0, lx1, ly1 = truth["label_box"]
    ix0, iy0, ix1, iy1 = truth["ink_box"]
    h = ly1 - ly0
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"]]
    colon_and_name = TextLine(text="：陆雨甦", score=0.99, box=(lx1 - 1.2 * h, ly0 - 0.45 * h, ix1 + 2, ly1 + 0.05 * h))
    verdict = ink.judge(sp.decode(data), (lx0, ly0, lx1, ly1), [*lines, colon_and_name])
    assert verdict.signed


def test_a_blank_verdict_is_not_certain_when_text_inside_the_area_was_taken_for_print():
    data, truth = sp.page("inline_date", "blank_space", 0)
    lx0, ly0, lx1, ly1 = truth["label_box"]
    h = ly1 - ly0
    lines = [TextLine(text=text, score=0.99, box=tuple(box)) for text, box in truth["lines"]]
    # a line of text starting well left of the area but standing mostly inside it (what OCR read there)
    odd = TextLine(text="某某某某", score=0.9, box=(lx1 - 2 * h, ly0, lx1 + 8 * h, ly1))
    verdict = ink.judge(sp.decode(data), (lx0, ly0, lx1, ly1), [*lines, odd])
    assert not verdict.signed and not verdict.certain

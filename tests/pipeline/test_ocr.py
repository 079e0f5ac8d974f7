"""The rapidocr engine's recognition batches: lines of like shape together, each read as it would be alone."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.ocr import REC_BATCH, REC_MIN_RATIO, shape_batches
from tests.conftest import load_sample_module

SC = load_sample_module("_fonts").FACES["noto_sans"]  # Noto Sans CJK SC


def _line(text: str, height: int = 48) -> np.ndarray:
    font = ImageFont.truetype(str(SC.path), int(height * 0.7), index=SC.index)
    width = int(font.getlength(text)) + height
    img = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(img).text((height // 2, height // 8), text, font=font, fill="black")
    return np.asarray(img)[:, :, ::-1].copy()


def test_a_long_line_is_not_batched_with_short_ones():
    """rapidocr pads every line of a batch to the widest: five short lines and a line of prose are two batches
    (rapidocr's own batching reads all six at the prose line's width)."""
    ratios = [2.0, 26.0, 1.1, 3.6, 9.4, 0.9]
    assert shape_batches(ratios) == [[5, 2, 0, 3, 4], [1]]
    assert shape_batches([2.0, 26.0, 1.1, 3.6, 12.0, 0.9]) == [[5, 2, 0, 3], [4], [1]]


def test_batches_hold_every_line_once_at_most_six_and_of_like_width():
    rng = np.random.default_rng(7)
    ratios = list(rng.uniform(0.5, 40, 200))
    batches = shape_batches(ratios)
    assert sorted(i for b in batches for i in b) == list(range(200))
    for batch in batches:
        assert len(batch) <= REC_BATCH
        widths = [max(ratios[i], REC_MIN_RATIO) for i in batch]
        assert max(widths) <= 1.5 * min(widths)


def test_lines_narrower_than_the_recognisers_input_count_as_one_width():
    assert shape_batches([0.5, 1.0, 3.0, 6.0, 6.5, 2.0]) == [[0, 1, 5, 2, 3, 4]]
    assert shape_batches([]) == []


@pytest.mark.slow
def test_short_lines_read_beside_a_long_one_read_as_they_do_alone(ocr_engine):
    """A stamp's two characters, a date and a title read in one call with a full-width line of prose come out as
    each does alone: no line is read padded to the prose line's width (which moved their scores by about 1e-3)."""
    short = [_line("公章"), _line("2025年12月7日"), _line("法定代表人身份证明书")]
    prose = _line("黎春俊（公民身份号码：230223199505205474）在我单位任经理职务，是县顺达依安商贸有限公司的法定代表人。")
    together = ocr_engine.recognize([*short, prose])
    alone = [ocr_engine.recognize([crop])[0] for crop in short]
    assert [t for t, _ in together[:3]] == [t for t, _ in alone] == ["公章", "2025年12月7日", "法定代表人身份证明书"]
    assert [s for _, s in together[:3]] == pytest.approx([s for _, s in alone], abs=2e-4)
    assert together[3][0].startswith("黎春俊")


@pytest.mark.slow
def test_read_as_is_keeps_a_small_image_at_its_own_scale_and_reads_the_same(ocr_engine):
    """The detector working at the image's own scale (a crop of a 200-dpi page round a seal) reads what the shipped
    one reads, without enlarging a 436 x 112 image to 736 px high first (a quarter of the pixels to detect on)."""
    import cv2

    crop = cv2.copyMakeBorder(_line("2025年12月7日"), 32, 32, 32, 32, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    as_is = ocr_engine._detector_as_is.get_preprocess().resize(crop).shape[:2]
    enlarged = ocr_engine._detector.get_preprocess().resize(crop).shape[:2]
    assert min(enlarged) == 736 and as_is == (round(crop.shape[0] / 32) * 32, round(crop.shape[1] / 32) * 32)
    [line] = ocr_engine.read_as_is(crop)
    assert line.text == "2025年12月7日" == ocr_engine.read(crop)[0].text
    x0, y0, x1, y1 = line.box
    # in the crop's own pixels: the print starts 56 px in (margin 32 + 24) and 38 px down
    assert 40 <= x0 <= 60 and 25 <= y0 <= 42 and 65 <= y1 <= 90 and x1 <= crop.shape[1] - 30

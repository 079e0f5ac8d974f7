"""Handwriting in a signature area, judged from the page pixels (not from OCR text).

Who calls it: extractors/_signature.py (through the `handwriting` stage, which hands it the page image), for
the signature label the extractor found. Pure: reads the image and the page's OCR lines, returns an `InkVerdict`.

    the area the label owns: right of it on its row (rising above and dipping below the line, as signatures
        do) up to the next printed text or the page's margin; below it when nothing fits to its right
    ─> ink: pixels clearly darker than the paper around them (paper estimated by a wide closing, so shade and
       uneven light drop out) or clearly coloured (blue pen, red fingerprint or seal)
    ─> printed furniture removed: ruled lines (long thin runs: box lines, underlines), the label, and every OCR
       line that is printed text (年 月 日, 日期, other labels, a line that runs out of the area, a line of a
       printed row that starts left of the area)
    ─> specks dropped (noise, JPEG, the ends of a removed rule); what is left is measured in squared text heights

`signed` when the strokes left amount to a signature; `certain` when the whole area lies on the page, the text is
large enough to see a pen line, and the amount is clearly on one side of the threshold. A blank area is a definite
finding only when certain; anything else is for a person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.models import Box, TextLine

if TYPE_CHECKING:
    import numpy as np

SIGNED_INK = 0.3  # strokes, in squared text heights, that make a signature (a short scribble is about 1.5)
CLEAR_BLANK = 0.3  # below this share of SIGNED_INK an area is certainly blank
CLEAR_SIGNED = 2.0  # above this multiple of SIGNED_INK it is certainly signed
MIN_TEXT_PX = 12  # a text height below this is too coarse to be sure a thin pen line is absent
RIGHT_SPAN = 30.0  # how far right of its label a signature area reaches at most, in text heights
MIN_RIGHT = 4.0  # narrower than this, the area is below the label instead
TALL_LABEL = 1.6  # a label box this many usual line heights tall holds more than the label (see print_height)

# printed words of a signature area: 年 月 日, dates, labels, (签字) / (盖章) instructions
_FURNITURE = re.compile(r"^[\s:：()（）_\-—.。,，]*(年|月|日|日期|签字|签名|签章|盖章|签字盖章|签名盖章|捺印|手印|或|及|"
                        r"[\s:：()（）_\-—.。,，])+$")
_LABEL = re.compile(r"(签字|签名|签章|盖章|日期|委托人|受托人|代理人|经营者|申请人|法定代表人|负责人)[^\u4e00-\u9fff]*[:：]?\s*$|[:：]\s*$")
_LEADING = ":：_-—.。,，、 "  # punctuation a label leaves at the start of the OCR line of what follows it
_DATE = re.compile(r"\d{2,4}\s*[年./-]|\d{1,2}\s*[月日]|[〇零一二三四五六七八九十]+\s*[年月日]")


@dataclass(frozen=True)
class InkVerdict:
    area: Box  # the region judged, in page pixels
    ink_box: Box | None  # the strokes' extent, None when none were found
    ink: float  # strokes found, in squared text heights
    signed: bool
    certain: bool


def judge(image: "np.ndarray", label: Box, lines: Sequence[TextLine]) -> InkVerdict:
    """Whether the signature area owned by the label at `label` (page pixels) holds handwriting."""
    import numpy as np

    h_img, w_img = image.shape[:2]
    text_h = print_height(label, lines)
    area, clipped = signature_area(label, lines, (w_img, h_img), text_h)
    x0, y0, x1, y1 = (int(round(v)) for v in area)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return InkVerdict(area=area, ink_box=None, ink=0.0, signed=False, certain=False)
    region = image[y0:y1, x0:x1]
    strokes = _strokes(region, text_h)
    doubt = False  # text taken for print that stands mostly inside the area: a blank verdict is not sure of it
    for line in lines:
        if _holds_label(line, label):
            continue  # the label's own OCR line, which may run on into the signature: only the label is masked
        if _printed(line, area, label, text_h):
            _blank_box(strokes, line.box, (x0, y0), 0.2 * text_h)
            doubt = doubt or _mostly_inside(line, area) and not _furniture_or_label(line.text)
    _blank_box(strokes, label, (x0, y0), 0.2 * text_h)
    strokes = _without_specks(strokes, text_h)
    ys, xs = np.nonzero(strokes)
    ink = float(len(xs)) / (text_h * text_h)
    ink_box = (float(x0 + xs.min()), float(y0 + ys.min()), float(x0 + xs.max() + 1), float(y0 + ys.max() + 1)) if len(xs) else None
    extent = max(ink_box[2] - ink_box[0], ink_box[3] - ink_box[1]) if ink_box else 0.0
    signed = ink >= SIGNED_INK and extent >= 0.5 * text_h
    usable = text_h >= MIN_TEXT_PX and not clipped
    clear = ink >= CLEAR_SIGNED * SIGNED_INK if signed else ink < CLEAR_BLANK * SIGNED_INK
    return InkVerdict(area=tuple(float(v) for v in area), ink_box=ink_box, ink=round(ink, 3), signed=signed,
                      certain=usable and clear and (signed or not doubt))


def print_height(label: Box, lines: Sequence[TextLine]) -> float:
    """The height of the form's print at the label, the unit of the area and of the ink: the label's own box,
    unless that box is much taller than the page's usual line (OCR read the label and the handwriting after it
    as one line, whose box then spans the signature: a brush-written name, a seal): then the usual line height."""
    own = max(4.0, label[3] - label[1])
    heights = sorted(line.box[3] - line.box[1] for line in lines if len(line.text.strip()) >= 2)
    if len(heights) < 3:
        return own
    usual = heights[len(heights) // 2]
    return own if own <= TALL_LABEL * usual else max(4.0, usual)


def signature_area(label: Box, lines: Sequence[TextLine], size: tuple[int, int],
                   text_h: float | None = None) -> tuple[Box, bool]:
    """The region the label owns and whether the page's edge cut it short: right of the label (from a little
    above its row to a little below) up to the next printed text on its row or the margin; below the label when
    less than MIN_RIGHT text heights fit to its right. `text_h`: the print's height (`print_height`), by default
    the label box's."""
    w_img, h_img = size
    lx0, ly0, lx1, ly1 = label
    h = text_h or max(4.0, ly1 - ly0)
    cy = (ly0 + ly1) / 2
    stop = lx1 + RIGHT_SPAN * h
    for line in lines:
        bx0, by0, bx1, by1 = line.box
        if bx0 > lx1 - 0.2 * h and by0 < cy < by1 and _furniture_or_label(line.text):
            stop = min(stop, bx0 - 0.2 * h)
    margin = 0.02 * w_img
    right = min(stop, w_img - margin)
    clipped = False
    if right - lx1 >= MIN_RIGHT * h:
        x0, y0, x1, y1 = lx1 + 0.15 * h, ly0 - 1.4 * h, right, ly1 + 0.8 * h
    else:  # the label ends its row (or a box under it): the signature goes below
        bottom = ly1 + 3.2 * h
        for line in lines:
            bx0, by0, bx1, by1 = line.box
            if by0 > ly1 + 0.3 * h and bx1 > lx0 and bx0 < lx0 + 10 * h and _furniture_or_label(line.text):
                bottom = min(bottom, by0 - 0.2 * h)
        x0, y0, x1, y1 = lx0 - 0.5 * h, ly1 + 0.1 * h, min(w_img - margin, max(lx1, lx0 + 10 * h)), bottom
        clipped = clipped or ly1 + 3.2 * h > h_img
    clipped = clipped or y0 < 0 or y1 > h_img or x0 < 0
    box = (max(0.0, x0), max(0.0, y0), min(float(w_img), x1), min(float(h_img), y1))
    return box, clipped


def _furniture_or_label(text: str) -> bool:
    bare = text.strip()
    return bool(_FURNITURE.match(bare) or _LABEL.search(bare) or _DATE.search(bare))


def _holds_label(line: TextLine, label: Box) -> bool:
    bx0, by0, bx1, by1 = line.box
    lx0, ly0, lx1, ly1 = label
    return bx0 <= lx0 + 0.5 * (ly1 - ly0) and bx1 >= lx1 - 1 and by0 < (ly0 + ly1) / 2 < by1


def _mostly_inside(line: TextLine, area: Box) -> bool:
    bx0, _, bx1, _ = line.box
    inside = min(bx1, area[2]) - max(bx0, area[0])
    return inside > 0.5 * max(1.0, bx1 - bx0)


def _printed(line: TextLine, area: Box, label: Box, h: float) -> bool:
    """An OCR line that is printed text of the form rather than the signature: furniture, or a line that runs
    out of the area (a sentence above or below), or a line of a printed row that started left of the area."""
    bx0, by0, bx1, by1 = line.box
    ax0, ay0, ax1, ay1 = area
    if bx1 <= ax0 or bx0 >= ax1 or by1 <= ay0 or by0 >= ay1:
        return False
    if _furniture_or_label(line.text):
        return True
    if by1 - by0 > 1.6 * h:  # taller than print: handwriting
        return False
    text = line.text.strip()
    lead = len(text) - len(text.lstrip(_LEADING))
    if lead:  # OCR read the label's colon and the signature after it as one line: the colon does not start it
        bx0 += (bx1 - bx0) * lead / len(text)
    return bx0 < ax0 - 0.5 * h or bx1 > ax1 + 0.5 * h or (by0 < ay0 - 0.3 * h or by1 > ay1 + 0.3 * h)


def _strokes(region: "np.ndarray", h: float) -> "np.ndarray":
    """Boolean mask of ink: darker than the paper around it, or coloured; ruled lines taken out."""
    import cv2
    import numpy as np

    gray = cv2.cvtColor(region, cv2.COLOR_BGR2GRAY).astype(np.float32)
    k = max(3, int(round(0.8 * h)) | 1)
    paper = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), max(1.0, h / 4))
    paper = np.maximum(paper, gray)
    drop = (paper - gray) / np.maximum(paper, 1.0)
    hsv = cv2.cvtColor(region, cv2.COLOR_BGR2HSV)
    coloured = (hsv[..., 1] >= 90) & (drop >= 0.12)
    dark = drop >= 0.3
    ink = ((dark | coloured) * 255).astype(np.uint8)
    rule = max(9, int(round(2.5 * h)))
    lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (rule, 1)))
    # a box's sides are as tall as the box, which the area may cut short: a vertical rule fills most of the area
    tall = max(9, min(rule, int(0.6 * region.shape[0])))
    lines |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    return (ink > 0) & ~(lines > 0)


def _blank_box(mask: "np.ndarray", box: Box, origin: tuple[int, int], pad: float) -> None:
    ox, oy = origin
    x0, y0 = int(max(0, box[0] - pad - ox)), int(max(0, box[1] - pad - oy))
    x1, y1 = int(max(0, box[2] + pad - ox)), int(max(0, box[3] + pad - oy))
    mask[y0:y1, x0:x1] = False


def _without_specks(mask: "np.ndarray", h: float) -> "np.ndarray":
    """Drop components too small to be pen strokes: noise, JPEG ringing, the stub of a removed rule."""
    import cv2
    import numpy as np

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask
    min_area = max(6.0, 0.012 * h * h)
    min_span = 0.25 * h
    keep = np.zeros(count, bool)
    for i in range(1, count):
        x, y, w, hh, area = stats[i]
        keep[i] = area >= min_area and max(w, hh) >= min_span
    return keep[labels]

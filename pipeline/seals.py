"""Red seals (印章) on a page: find them, unwrap their curved text and read the organisation they name.

Who calls it: pipeline/stages.marks, only for document types whose checks judge a seal (DocumentType.seals),
so a page of another type never pays for it. Pure: it reads the page image and calls the OCR engine it is
given; it returns `Seal` values (DESIGN.md "seals").

    page (BGR) ─> red-ink mask (HSV: hue near 0/180, saturated, not dark) ─> closed blobs ─> outer contours
      ─> shape: ellipse fit (round / oval) or a four-cornered polygon filling its rectangle (square)
      ─> a seal only if its border is inked almost all the way round (text and red marks are not)
      ─> read: red ink as black on white (black print under the seal drops out);
               round and oval: the ellipse made a circle, cv2.warpPolar, the rim band as one straight line,
               plus the horizontal line under the star (合同专用章 …);
               square (name seals, 2 × 2 characters read right column first): the four cells in reading order
      ─> organisation = the text without suffixes such as 公章 / 合同专用章 / 登记专用章

`has_red_ink` tells a page with no red ink at all (certainly no seal) from one whose red ink formed no seal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pipeline.models import Seal

if TYPE_CHECKING:
    import numpy as np

    from pipeline.interfaces import OcrEngine

Kind = Literal["round", "oval", "square"]

# Words a seal adds after the organisation's name (longest first).
SUFFIXES = ("行政审批专用章", "合同专用章", "财务专用章", "登记专用章", "发票专用章", "业务专用章", "人事专用章",
            "专用章", "公章", "之印", "印章", "印")
MIN_SIZE = 0.035  # smallest seal, as a share of the page's shorter side (a 15 mm name seal on A4 is 0.07)
MAX_SIZE = 0.6
RING_COVERAGE = 0.72  # share of directions round the border that must show red ink
RED_PIXELS_FOR_INK = 150  # fewer red pixels than this on a page: no red ink at all


@dataclass(frozen=True)
class Found:
    """A seal found on a page, before its text is read."""

    kind: Kind
    center: tuple[float, float]
    axes: tuple[float, float]  # full lengths (width, height) of the fitted ellipse or rectangle, in pixels
    angle: float  # degrees, as cv2.fitEllipse / cv2.minAreaRect give it
    box: tuple[float, float, float, float]
    coverage: float  # share of the border inked


# --- the mask ---------------------------------------------------------------------------------------


def red_mask(image: "np.ndarray") -> "np.ndarray":
    """255 where the pixel is red ink (seal ink on paper, light or dark), else 0."""
    import cv2
    import numpy as np

    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    reddish = (h <= 10) | (h >= 165)
    # red clearly above both other channels: pink print (样本) and brown wood are weaker or not red
    margin = (r - np.maximum(g, b)) >= 45
    return ((reddish & (s >= 70) & (v >= 70) & margin) * 255).astype(np.uint8)


def has_red_ink(image: "np.ndarray") -> bool:
    import cv2

    return int(cv2.countNonZero(red_mask(image))) >= RED_PIXELS_FOR_INK


# --- detection ----------------------------------------------------------------------------------------


def find_seals(image: "np.ndarray") -> list[Found]:
    """Seals on a BGR page image, largest first."""
    import cv2
    import numpy as np

    mask = red_mask(image)
    h, w = mask.shape
    short = min(h, w)
    k = max(3, round(short * 0.006)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    closed = cv2.dilate(closed, np.ones((3, 3), np.uint8))
    near = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    found: list[Found] = []
    for contour in contours:
        x, y, cw, ch = cv2.boundingRect(contour)
        if max(cw, ch) < MIN_SIZE * short or max(cw, ch) > MAX_SIZE * short or len(contour) < 20:
            continue
        if min(cw, ch) < 0.45 * max(cw, ch):
            continue  # a line of red text, a stroke
        shape = _shape(contour)
        if shape is None:
            continue
        kind, center, axes, angle = shape
        coverage = _border_coverage(near, kind, center, axes, angle)
        if coverage < RING_COVERAGE:
            continue
        found.append(Found(kind=kind, center=center, axes=axes, angle=angle,
                           box=(float(x), float(y), float(x + cw), float(y + ch)), coverage=round(coverage, 3)))
    return sorted(found, key=lambda f: -(f.axes[0] * f.axes[1]))


def _shape(contour) -> tuple[Kind, tuple[float, float], tuple[float, float], float] | None:
    import cv2

    area = cv2.contourArea(contour)
    (rx, ry), (rw, rh), rangle = cv2.minAreaRect(contour)
    if rw * rh <= 0 or area <= 0:
        return None
    fill = area / (rw * rh)
    poly = cv2.approxPolyDP(contour, 0.04 * cv2.arcLength(contour, True), True)
    if len(poly) == 4 and fill > 0.88 and min(rw, rh) > 0.75 * max(rw, rh):
        return "square", (rx, ry), (rw, rh), rangle
    (ex, ey), (ew, eh), eangle = cv2.fitEllipse(contour)
    if ew * eh <= 0:
        return None
    ellipse_fill = area / (math.pi * ew * eh / 4)
    if not 0.85 < ellipse_fill < 1.12:
        return None  # not an ellipse (a block of text, a blot)
    ratio = min(ew, eh) / max(ew, eh)
    if ratio < 0.45:
        return None
    return ("round" if ratio >= 0.88 else "oval"), (ex, ey), (ew, eh), eangle


def _border_coverage(near: "np.ndarray", kind: Kind, center, axes, angle) -> float:
    """The share of 96 directions from the centre in which red ink lies on the outer 14 % of the shape."""
    h, w = near.shape
    cx, cy = center
    a, b = axes[0] / 2, axes[1] / 2
    t = math.radians(angle)
    hits = 0
    steps = 96
    for i in range(steps):
        phi = 2 * math.pi * i / steps
        if kind == "square":  # a point on the rectangle's border in direction phi
            ux, uy = math.cos(phi), math.sin(phi)
            scale = 1 / max(abs(ux) / a, abs(uy) / b)
            px, py = ux * scale, uy * scale
        else:
            px, py = a * math.cos(phi), b * math.sin(phi)
        hit = False
        for f in (0.86, 0.9, 0.94, 0.98):
            x = cx + f * (px * math.cos(t) - py * math.sin(t))
            y = cy + f * (px * math.sin(t) + py * math.cos(t))
            if 0 <= int(y) < h and 0 <= int(x) < w and near[int(y), int(x)]:
                hit = True
                break
        hits += hit
    return hits / steps


# --- reading --------------------------------------------------------------------------------------------


def ink_image(image: "np.ndarray") -> "np.ndarray":
    """Red ink as dark grey on white (BGR); black print, which is not red, turns white."""
    import cv2
    import numpy as np

    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    redness = np.clip((r - np.maximum(g, b)) * 2.2, 0, 255).astype(np.uint8)
    return cv2.cvtColor(255 - redness, cv2.COLOR_GRAY2BGR)


def _circle(ink: "np.ndarray", found: Found, radius: int) -> "np.ndarray":
    """The seal's ellipse mapped onto an upright circle of `radius` pixels (a square image 2·radius wide)."""
    import cv2
    import numpy as np

    cx, cy = found.center
    a, b = found.axes[0] / 2, found.axes[1] / 2
    t = math.radians(found.angle)
    # ellipse axis directions in the page; the ellipse's wider axis becomes horizontal
    if found.kind == "round":  # a circle's fitted angle means nothing: keep the page's axes
        u, v = np.array([(a + b) / 2, 0.0]), np.array([0.0, (a + b) / 2])
    else:
        u = np.array([math.cos(t), math.sin(t)]) * a
        v = np.array([-math.sin(t), math.cos(t)]) * b
        if b > a:
            u, v = v, -u
        if u[0] < 0:
            u, v = -u, -v
        if v[1] < 0:
            v = -v
    src = np.float32([[cx, cy], [cx + u[0], cy + u[1]], [cx + v[0], cy + v[1]]])
    dst = np.float32([[radius, radius], [2 * radius, radius], [radius, 2 * radius]])
    matrix = cv2.getAffineTransform(src, dst)
    return cv2.warpAffine(ink, matrix, (2 * radius, 2 * radius), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def unwrap(circle: "np.ndarray", band: tuple[float, float] = (0.5, 0.93)) -> "np.ndarray":
    """The rim text of a circular seal as one straight line: polar unwarp from the bottom of the seal round
    through the top, rim up, reading left to right."""
    import cv2
    import numpy as np

    radius = circle.shape[0] // 2
    rows = max(64, round(2 * math.pi * radius * 0.74))  # angular samples: glyphs keep their width at the text
    polar = cv2.warpPolar(circle, (radius, rows), (radius, radius), radius, cv2.WARP_POLAR_LINEAR | cv2.INTER_LINEAR)
    polar = np.roll(polar, -rows // 4, axis=0)  # start at the bottom (90°), the top of the seal in the middle
    strip = cv2.transpose(polar)[::-1]  # rows: radius (rim first); columns: angle (clockwise = reading order)
    top, bottom = round((1 - band[1]) * radius), round((1 - band[0]) * radius)
    return np.ascontiguousarray(strip[top:bottom])


def _read_line(engine: "OcrEngine", image: "np.ndarray") -> tuple[str, float]:
    """All the text of a one-line image, left to right, and the lowest score."""
    import cv2

    padded = cv2.copyMakeBorder(image, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    lines = sorted(engine.read(padded), key=lambda line: line.box[0])
    text = "".join(_cjk(line.text) for line in lines)
    scores = [line.score for line in lines if _cjk(line.text)]
    return text, (min(scores) if scores else 0.0)


def _cjk(text: str) -> str:
    """Characters and digits only (the star reads as ★, ☆ or nothing; spaces between glyphs drop out)."""
    return re.sub(r"[^\u4e00-\u9fff0-9A-Za-z（）()]", "", text)


def read_seal(image: "np.ndarray", found: Found, engine: "OcrEngine") -> tuple[str, float]:
    """The seal's text (rim text, then the line under the star) and the OCR's lowest score."""
    import cv2

    ink = ink_image(image)
    if found.kind == "square":
        return _read_square(ink, found, engine)
    radius = 160
    circle = _circle(ink, found, radius)
    rim, rim_score = _read_line(engine, unwrap(circle))
    below = circle[round(radius * 1.22):round(radius * 1.62), round(radius * 0.45):round(radius * 1.55)]
    centre, centre_score = _read_line(engine, cv2.resize(below, None, fx=1.0, fy=1.0))
    if centre and centre_score >= 0.6 and len(centre) >= 2:
        return rim + centre, min(rim_score, centre_score) if rim else centre_score
    return rim, rim_score


def _read_square(ink: "np.ndarray", found: Found, engine: "OcrEngine") -> tuple[str, float]:
    """A square name seal: 2 × 2 characters, read right column top to bottom, then the left column."""
    import cv2
    import numpy as np

    cx, cy = found.center
    side = round(max(found.axes))
    turn = (found.angle + 45) % 90 - 45  # a square's rectangle angle, modulo its quarter turns
    matrix = cv2.getRotationMatrix2D((cx, cy), turn, 1.0)
    upright = cv2.warpAffine(ink, matrix, (ink.shape[1], ink.shape[0]), borderValue=(255, 255, 255))
    x0, y0 = round(cx - side / 2), round(cy - side / 2)
    crop = upright[max(0, y0):y0 + side, max(0, x0):x0 + side]
    if crop.size == 0:
        return "", 0.0
    crop = cv2.resize(crop, (200, 200))
    inner = crop[14:186, 14:186]  # inside the border
    half = inner.shape[0] // 2
    cells = [inner[:half, half:], inner[half:, half:], inner[:half, :half], inner[half:, :half]]
    line = np.hstack([cv2.copyMakeBorder(c, 6, 6, 4, 4, cv2.BORDER_CONSTANT, value=(255, 255, 255)) for c in cells])
    return _read_line(engine, line)


def organisation_of(text: str) -> str:
    """The organisation a seal names: its text without the kind of seal (公章, 合同专用章, …)."""
    value = text
    for _ in range(2):
        for suffix in SUFFIXES:
            if value.endswith(suffix) and len(value) > len(suffix) + 1:
                value = value[: -len(suffix)]
                break
    return value


def seals_on_page(image: "np.ndarray", page: int, engine: "OcrEngine | None") -> list[Seal]:
    """Every seal of a page as the result reports it. Without an engine the seals are found but not read."""
    out = []
    for found in find_seals(image):
        text, score = read_seal(image, found, engine) if engine is not None else ("", 0.0)
        out.append(Seal(text=text, organisation=organisation_of(text), kind=found.kind, page=page,
                        box=found.box, confidence=round(float(score), 4)))
    return out

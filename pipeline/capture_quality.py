"""Capture settings, text-structure measurements and the quality gate of the capture stage.

`pipeline.capture` finds, straightens and turns documents; this module holds what both it and the
quality gate measure on a page image: the ink mask, character-sized marks, text lines, the text axis
and skew (projection profiles), and `assess_quality`. Pure functions over numpy BGR uint8 arrays; no
file or settings access (thresholds come in `CaptureSettings`). Problems are returned as
`QualityIssue`s with a message for the counter clerk, never raised.

Severities ("error": retake before reading; "warning": read, but a person should look):

| code           | error                                              | warning                                   |
|----------------|----------------------------------------------------|-------------------------------------------|
| blur           | edge spread >= `blur_error` x text-line height      | >= `blur_warning`                          |
| glare          | clipped highlights print-wide >= `glare_error` of doc | >= `glare_warning`                       |
| too_dark       | paper level < `dark_error`                          | < `dark_warning`                           |
| low_resolution | text-line height < `text_height_error` source px    | < `text_height_warning`                    |
| cropped        | the outline reaches the frame border (part missing) | marks cut by an edge; wrong shape for kind |
| not_a_document | blank, noise, or no text-like structure at all      |                                           |

A frame too dark to see anything reports `too_dark` only; text smeared beyond recognition reports
`blur` rather than `not_a_document`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.models import Quality, QualityIssue
from pipeline.settings import CaptureSettings

ID1_RATIO = 85.6 / 54.0  # ISO/IEC 7810 ID-1: resident ID cards, bank cards
A4_RATIO = 297.0 / 210.0  # ISO 216: A4, A3, A5 pages


# --- image helpers ---------------------------------------------------------------------------


def as_bgr(image: np.ndarray | None) -> np.ndarray | None:
    """A BGR uint8 view of `image` (grey, BGRA, float or bool accepted); None when there is no pixel."""
    if image is None:
        return None
    img = np.asarray(image)
    if img.size == 0 or img.ndim not in (2, 3) or img.shape[0] == 0 or img.shape[1] == 0:
        return None
    if img.dtype != np.uint8:
        if img.dtype == bool:
            img = img.astype(np.uint8) * 255
        elif np.issubdtype(img.dtype, np.floating) and float(np.nanmax(img)) <= 1.0:
            img = np.clip(np.nan_to_num(img) * 255, 0, 255).astype(np.uint8)
        else:
            img = np.clip(np.nan_to_num(img), 0, 255).astype(np.uint8)
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    channels = img.shape[2]
    if channels == 1:
        return cv2.cvtColor(img[:, :, 0], cv2.COLOR_GRAY2BGR)
    if channels == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if channels == 3:
        return np.ascontiguousarray(img)
    return cv2.cvtColor(np.ascontiguousarray(img[:, :, 0]), cv2.COLOR_GRAY2BGR)


def to_gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def resize_long(img: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """Shrink so the long side is at most `side`; returns the image and the scale applied (<= 1).
    Halves with 2x2 averaging first (fast), then area-resamples the last step."""
    h, w = img.shape[:2]
    s = side / max(h, w)
    if s >= 1:
        return img, 1.0
    tw, th = max(1, round(w * s)), max(1, round(h * s))
    out = img
    while out.shape[1] >= 2 * tw and out.shape[0] >= 2 * th and min(out.shape[:2]) >= 4:
        out = cv2.resize(out, ((out.shape[1] + 1) // 2, (out.shape[0] + 1) // 2), interpolation=cv2.INTER_LINEAR)
    if out.shape[:2] != (th, tw):
        out = cv2.resize(out, (tw, th), interpolation=cv2.INTER_AREA)
    return out, tw / w


def resize_area(img: np.ndarray, pixels: int) -> tuple[np.ndarray, float]:
    """Shrink to at most `pixels` pixels (keeps very wide or tall images legible, unlike a long-side
    cap); returns the image and the scale applied (<= 1)."""
    h, w = img.shape[:2]
    s = math.sqrt(pixels / max(h * w, 1))
    if s >= 1:
        return img, 1.0
    return resize_long(img, max(1, int(max(h, w) * s)))


# --- text structure --------------------------------------------------------------------------


@dataclass(frozen=True)
class TextStats:
    """Text-like structure of a grey page image at some analysis scale."""

    ink: np.ndarray  # 255 where dark marks are (adaptive threshold)
    text: np.ndarray  # ink restricted to character-sized components clear of the image edges
    components: int  # number of those components
    mark_size: float  # typical size (px) of a mark (area-weighted median)
    lines: np.ndarray  # (n, 4) x, y, w, h of horizontal text-line blobs
    ink_share: float  # share of pixels that are ink
    edge_marks: tuple[int, int, int, int]  # character-sized marks cut by the left, top, right, bottom edge


def levels(gray: np.ndarray, percents: tuple[float, ...]) -> tuple[float, ...]:
    """Percentiles of a uint8 image from its histogram (much faster than np.percentile)."""
    hist = cv2.calcHist([gray], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    total = cum[-1] if cum[-1] > 0 else 1.0
    return tuple(float(np.searchsorted(cum, total * p / 100.0)) for p in percents)


def noise_sigma(gray: np.ndarray) -> float:
    """Sensor/JPEG noise (grey levels), robust to edges: median of a second-difference filter
    (Immerkaer 1996, with a median instead of a mean)."""
    k = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    r = cv2.convertScaleAbs(cv2.filter2D(gray, cv2.CV_16S, k))  # |response|, saturated at 255
    return levels(r, (50,))[0] * 1.4826 / 6.0


INK_CONTRAST = 0.15


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark marks against their surroundings (adaptive mean threshold), with a margin that grows with
    the image's contrast and noise so that flat paper and sensor noise stay blank."""
    h, w = gray.shape
    block = max(15, (min(h, w) // 30) | 1)
    # the margin follows the contrast of the darkest marks (text) against the paper, so faint
    # background patterns (guilloche on ID cards) stay out while faded text still counts
    p1, p90 = levels(gray, (1, 90))
    c = max(5.0, INK_CONTRAST * float(p90 - p1), 2.5 * noise_sigma(gray))
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, c)


def text_stats(gray: np.ndarray) -> TextStats:
    """Ink, character-sized components (drops rules, borders, photos, specks and marks cut by the
    image edge) and text-line blobs."""
    ink = ink_mask(gray)
    n, labels, st, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    empty = np.zeros_like(ink)
    share = float(np.count_nonzero(ink)) / ink.size
    none = TextStats(ink, empty, 0, 0.0, np.zeros((0, 4), np.int32), share, (0, 0, 0, 0))
    if n <= 1:
        return none
    hh, ww = gray.shape
    x, y, w, h, area = st[1:, 0], st[1:, 1], st[1:, 2], st[1:, 3], st[1:, 4]
    size = np.maximum(w, h)
    cuts = ((x <= 1), (y <= 1), (x + w >= ww - 1), (y + h >= hh - 1))
    touching = cuts[0] | cuts[1] | cuts[2] | cuts[3]
    ok = (area >= 4) & (size >= 3)
    inner = ok & ~touching
    if not inner.any():
        return none
    # median weighted by sqrt(area): specks are many but light, photos and titles few but heavy
    order = np.argsort(size[inner])
    cum = np.cumsum(np.sqrt(area[inner][order]))
    med = float(size[inner][order][np.searchsorted(cum, cum[-1] / 2)])
    fill = area / np.maximum(w * h, 1)
    sized = ok & (size <= 4 * med + 4) & (size >= 0.25 * med) & (fill < 0.95)
    keep = sized & ~touching
    lut = np.zeros(n, np.uint8)
    lut[1:][keep] = 255
    text = lut[labels]
    lines = line_blobs(text, med, horizontal=True)
    # marks cut by an edge: character-like across the edge and along it, away from the corners
    # (rounded card corners and the page's own edge shading leave slivers there)
    corner = max(3.0, 0.08 * min(hh, ww))
    near_x = (x < corner) | (x + w > ww - corner)
    near_y = (y < corner) | (y + h > hh - corner)
    in_corner = near_x & near_y
    big = sized & ~in_corner & (np.minimum(w, h) >= 0.4 * med) & (np.maximum(w, h) <= 3 * med)
    edges = tuple(int(np.count_nonzero(c & big)) for c in cuts)
    return TextStats(ink, text, int(keep.sum()), med, lines, share, edges)  # type: ignore[arg-type]


def line_blobs(text: np.ndarray, mark_size: float, horizontal: bool = True) -> np.ndarray:
    """Blobs of marks joined along one direction, kept when elongated along it: (n, 4) x, y, w, h."""
    k = max(3, int(round(0.8 * mark_size)))
    kernel = np.ones((1, k) if horizontal else (k, 1), np.uint8)
    closed = cv2.morphologyEx(text, cv2.MORPH_CLOSE, kernel)
    n, _, st, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    if n <= 1:
        return np.zeros((0, 4), np.int32)
    b = st[1:, :4]
    w, h = b[:, 2], b[:, 3]
    along, across = (w, h) if horizontal else (h, w)
    keep = (along >= 2.0 * across) & (across >= 0.4 * mark_size) & (across >= 4)
    return b[keep]


def _peakiness(coord: np.ndarray) -> float:
    """How concentrated a projection is: 1 for a flat profile, larger when marks sit on few lines."""
    c = np.floor(coord).astype(np.int64)
    c -= c.min()
    counts = np.bincount(c).astype(np.float64)
    n = coord.size
    return len(counts) * float((counts**2).sum()) / (n * n)


@dataclass(frozen=True)
class TextAxis:
    angle: float  # skew of the text lines, degrees, clockwise-positive as displayed
    vertical: bool  # text lines run top-to-bottom (the page lies on its side)
    confidence: float  # 0.5 (no idea) .. 1 that `vertical` is right
    evidence: int  # number of text marks used


def text_axis(stats: TextStats, max_degrees: float = 20.0) -> TextAxis:
    """Direction and skew of text lines from projection profiles of the character marks (the profile
    across lines is peaky, along lines flat), checked against the elongation of joined marks."""
    ys, xs = np.nonzero(stats.text)
    n = xs.size
    if n < 100 or stats.components < 3:
        return TextAxis(0.0, False, 0.5, int(stats.components))
    if n > 8000:
        idx = np.linspace(0, n - 1, 8000).astype(np.int64)
        xs, ys = xs[idx], ys[idx]
    x = xs - xs.mean()
    y = ys - ys.mean()

    def score(deg: float) -> tuple[float, float]:
        t = math.radians(deg)
        c, s = math.cos(t), math.sin(t)
        return _peakiness(y * c - x * s), _peakiness(x * c + y * s)

    best = [(-1.0, 0.0), (-1.0, 0.0)]  # (peakiness, angle) for horizontal, vertical lines
    for deg in np.arange(-max_degrees, max_degrees + 1e-6, 2.0):
        for i, p in enumerate(score(float(deg))):
            if p > best[i][0]:
                best[i] = (p, float(deg))
    proj = math.log(best[0][0] / max(best[1][0], 1e-9))
    along_h = line_blobs(stats.text, stats.mark_size, True)
    along_v = line_blobs(stats.text, stats.mark_size, False)
    blob = math.log((float(along_h[:, 2].sum()) + 1) / (float(along_v[:, 3].sum()) + 1))
    z = proj + 0.5 * max(-3.0, min(3.0, blob))
    vertical = z < 0
    i = 1 if vertical else 0
    peak, angle = best[i]
    for step, reach in ((0.5, 1.5), (0.1, 0.4)):
        centre = angle
        for deg in np.arange(centre - reach, centre + reach + 1e-6, step):
            p = score(float(deg))[i]
            if p > peak:
                peak, angle = p, float(deg)
    # with one or two lines the profile hardly changes with the angle: trust the lines' own shape
    coarse = np.array([score(float(d))[i] for d in np.arange(-max_degrees, max_degrees + 1e-6, 4.0)])
    if peak / max(float(np.median(coarse)), 1e-9) < 1.4:
        shape = _blob_angle(stats.text, stats.mark_size, vertical)
        if shape is not None and abs(shape - angle) > 1.0:
            angle = shape
    confidence = 1.0 / (1.0 + math.exp(-4.0 * abs(z)))
    return TextAxis(round(angle, 2), bool(vertical), confidence, int(stats.components))


def _blob_angle(text: np.ndarray, mark_size: float, vertical: bool) -> float | None:
    """Tilt (clockwise-positive) of the longest joined text lines, from their minimum-area rectangles."""
    k = max(3, int(round(0.8 * mark_size)))
    closed = cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((k, 1) if vertical else (1, k), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for c in contours:
        if len(c) < 5:
            continue
        (_, _), (w, h), a = cv2.minAreaRect(c)
        long_side, short_side = max(w, h), min(w, h)
        if short_side < 0.4 * mark_size or long_side < 3 * short_side:
            continue
        # direction of the long side, folded into (-90, 90]
        direction = a if w >= h else a + 90.0
        direction = (direction + 90.0) % 180.0 - 90.0
        if vertical:
            direction = (direction - 90.0 + 90.0) % 180.0 - 90.0
        angles.append(direction)
        weights.append(long_side)
    if not angles:
        return None
    order = np.argsort(angles)
    cum = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(angles)[order][np.searchsorted(cum, cum[-1] / 2)])


# --- quality gate ----------------------------------------------------------------------------

MESSAGES = {
    ("blur", "error"): "图像模糊，请重拍",
    ("blur", "warning"): "图像略模糊，请核对识别结果",
    ("glare", "error"): "图像反光严重，请调整角度或光线后重拍",
    ("glare", "warning"): "图像局部反光，请核对反光处内容",
    ("too_dark", "error"): "图像过暗，请补光后重拍",
    ("too_dark", "warning"): "图像偏暗，请核对识别结果",
    ("low_resolution", "error"): "图像分辨率过低，请靠近拍摄或提高扫描分辨率后重拍",
    ("low_resolution", "warning"): "图像分辨率偏低，请核对识别结果",
    ("cropped", "error"): "材料未完整拍入画面，请重拍",
    ("cropped", "warning"): "材料边缘可能被裁切，请确认内容完整",
    ("not_a_document", "error"): "未检测到文字内容，请确认放置的材料后重拍",
}

EXPECTED_TEXT_SHARE = {"id_card": 0.035, "a4": 0.0118, "unknown": 0.02}  # text height / long side
TEXTURE_INK_SHARE = 0.1  # ink over this share of a frame with faint marks only is a texture: print covers 2-5 %
CARD_TEXT_SHARE_MAX = 0.037  # the tallest text lines a sharp ID-1 card shows, as a share of its long side
EDGE_SPREAD_FLOOR = 0.96  # px: edge_spread of a perfectly sharp edge on the pixel grid


SIDES = ("top", "right", "bottom", "left")  # of the upright page; quad side i runs from corner i to i + 1
SIDE_NAMES = {"top": "上", "right": "右", "bottom": "下", "left": "左"}
CROPPED_MESSAGES = {
    "error": "材料{sides}侧未完整拍入画面，请重拍",
    "warning": "材料{sides}侧边缘可能被裁切，请确认内容完整",
    "info": "材料{sides}侧紧贴画面边缘，各项内容均已识别",
}


def _issue(code: str, severity: str) -> QualityIssue:
    return QualityIssue(code=code, severity=severity, message=MESSAGES[(code, severity)])  # type: ignore[arg-type]


def cropped_issue(severity: str, sides: tuple[str, ...] | set[str] = ()) -> QualityIssue:
    """A `cropped` issue naming the side(s) of the upright page that are cut (or touch the frame)."""
    ordered = tuple(s for s in SIDES if s in set(sides))
    names = "、".join(SIDE_NAMES[s] for s in ordered)
    message = CROPPED_MESSAGES[severity].format(sides=names) if ordered else \
        MESSAGES.get(("cropped", severity), "材料紧贴画面边缘，各项内容均已识别")
    return QualityIssue(code="cropped", severity=severity, message=message, sides=ordered)  # type: ignore[arg-type]


def _grade(value: float, warning: float, error: float) -> tuple[str | None, float]:
    """Severity and a 0..1 sub-score for a measure: 1 when fine, 0.8 at the warning threshold, 0.5 at the
    error threshold, falling towards 0.1 beyond. Larger is worse when error > warning, else smaller is."""
    if error < warning:  # smaller is worse: mirror
        value, warning, error = -value, -warning, -error
    if value < warning:
        return None, 1.0
    if value < error:
        return "warning", 0.8 - 0.3 * (value - warning) / max(error - warning, 1e-9)
    return "error", max(0.1, 0.5 - 0.4 * (value - error) / max(abs(error - warning) * 2, 1e-9))


def edge_spread(gray: np.ndarray, text: np.ndarray, mark_size: float) -> float | None:
    """Gaussian sigma (px) of the sharpest text edges: for a blurred step of contrast C the steepest
    slope is C / (sigma * sqrt(2 pi)), so sigma = C / (2.5 * slope), independent of contrast."""
    g = cv2.GaussianBlur(gray, (3, 3), 0.6).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    mag = cv2.magnitude(gx, gy)
    k = max(5, int(round(0.9 * mark_size)) | 1)
    ker = np.ones((k, k), np.uint8)
    contrast = cv2.dilate(g, ker) - cv2.erode(g, ker)
    near_text = cv2.dilate(text, np.ones((5, 5), np.uint8)) > 0
    peak = mag >= cv2.dilate(mag, np.ones((3, 3), np.uint8))
    sel = near_text & peak & (contrast >= 40) & (mag > 0.5)
    if np.count_nonzero(sel) < 30:
        return None
    sigma = contrast[sel] / (2.5 * mag[sel])
    # the sharpest quarter of edges: blur affects all of them, shading and halftones only some. Motion
    # blur spreads only the edges across the motion, so the spread is taken per edge direction (four
    # bins of the gradient's angle) and the worst direction counts; text has edges in every direction.
    angle = (np.degrees(np.arctan2(gy[sel], gx[sel])) + 202.5) % 180.0
    bins = (angle // 45.0).astype(np.int64)
    spreads = [float(np.percentile(sigma[bins == b], 25)) for b in range(4)
               if np.count_nonzero(bins == b) >= max(30, 0.05 * sigma.size)]
    return max(spreads) if spreads else float(np.percentile(sigma, 25))


def glare_share(gray: np.ndarray, mark_size: float, level: int, spot: float = 0.2, halo: float = 0.8) -> float:
    """Share of the document washed out by highlights: clipped areas (at `level` or above) wide enough
    to hold a disc `spot` x the short side across, i.e. with the print inside them gone. Clipped paper
    between lines of print, under a bright but even light, is narrower than that and does not count.

    What is left is a highlight only if it looks like one: light spills around a highlight, so most of
    a ring just outside it is nearly as bright (`halo`), where a white panel or a page's paper ends at
    a crisp step; a region running along three edges is the paper itself; and on a scan, or white paper
    in strong light, the clipped paper is one region covering most of the page, unless the rest of the
    page is clearly darker and it does not run along the page's edges like a scan's paper does."""
    small, _ = resize_long(gray, 400)
    sh, sw = small.shape
    k = max(3, int(round(mark_size * sw / max(gray.shape[1], 1) * 1.2)) | 1)
    paper = cv2.dilate(small, np.ones((k, k), np.uint8))  # text removed
    if float(np.count_nonzero(paper >= level)) > 0.9 * paper.size:
        return 0.0
    r = max(1, int(round(spot * min(sh, sw) / 2)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    flat = cv2.morphologyEx((small >= level).astype(np.uint8), cv2.MORPH_OPEN, disc)
    n, labels, st, _ = cv2.connectedComponentsWithStats(flat, connectivity=8)
    rest = paper[paper < level]
    darker_rest = rest.size > 0 and float(np.percentile(rest, 25)) < level - 15
    short = min(sh, sw)
    washed = 0
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in st[i])
        edges = (x <= 1) + (y <= 1) + (x + w >= sw - 1) + (y + h >= sh - 1)
        if edges >= 3 or (area > 0.4 * flat.size and not (darker_rest and edges <= 2)):
            continue  # the paper
        outside = cv2.distanceTransform((labels != i).astype(np.uint8), cv2.DIST_L2, 3)
        ring = (outside > 0.01 * short) & (outside <= 0.05 * short)
        if ring.any() and float(np.mean(paper[ring] >= level - 12)) < halo:
            continue  # a crisp edge: a white panel or the paper, not a highlight
        washed += area
    return washed / flat.size


def optical_spread(spread: float, grid: float = 1.0) -> float:
    """`edge_spread` less what the measurement itself gives a perfectly sharp edge on the pixel grid
    (pre-filter, Sobel), in quadrature: small print is not blurred for being small. `grid` is the size
    of the source's pixels in pixels of the measured image (> 1 when a small source was enlarged: a
    sharp edge of the source is then as wide as its own pixels, and that is the resolution's doing)."""
    return math.sqrt(max(spread**2 - (EDGE_SPREAD_FLOOR * max(grid, 1.0))**2, 0.0))


def mark_contrast(gray: np.ndarray, stats: TextStats) -> float:
    """How much darker the strongest marks are than what surrounds them (grey levels, 90th percentile
    over the text marks' pixels of the local range across ~1.5 marks). Print: 90-250 even when
    blurred; a desk's grain, a cloth's weave or a mat's mottle: 25-65."""
    if not stats.text.any():
        return 0.0
    k = max(3, int(round(1.5 * max(stats.mark_size, 2.0))) | 1)
    kernel = np.ones((k, k), np.uint8)
    local = cv2.subtract(cv2.dilate(gray, kernel), cv2.erode(gray, kernel))
    return float(np.percentile(local[stats.text > 0], 90))


def outline_sides(quad: np.ndarray, shape: tuple[int, ...], margin: float) -> tuple[str, ...]:
    """Sides of the upright page (quad corners clockwise from its top-left) whose outline lies on the
    frame border: a side with both corners there; else, for corners touching alone, their two sides."""
    h, w = shape[:2]
    m = max(2.0, margin * max(h, w))
    x, y = quad[:, 0], quad[:, 1]
    touch = (x <= m) | (y <= m) | (x >= w - 1 - m) | (y >= h - 1 - m)
    sides = [SIDES[i] for i in range(4) if touch[i] and touch[(i + 1) % 4]]
    if not sides:
        sides = [SIDES[i] for i in range(4) if touch[i] or touch[(i + 1) % 4]]
    return tuple(sides)


def text_cut_sides(stats: TextStats) -> tuple[str, ...]:
    """Sides of the image where print runs off the edge: several character-sized marks cut by it, or a
    text line reaching it with ink touching the edge across the line (a number or an address cut in
    the middle). A whole document keeps a margin of blank paper around its print."""
    if stats.components < 6:
        return ()
    hh, ww = stats.ink.shape
    cut = {("left", "top", "right", "bottom")[i] for i in range(4) if stats.edge_marks[i] >= 3}
    reach = 1.2 * max(stats.mark_size, 2.0)
    for x, y, w, h in stats.lines:
        if w < 1.5 * h:
            continue
        band = stats.ink[y + h // 4:y + h - h // 4]
        if band.size == 0:
            continue
        if x <= reach and np.count_nonzero(band[:, :2]) >= max(2, 0.2 * band.shape[0]):
            cut.add("left")
        if ww - (x + w) <= reach and np.count_nonzero(band[:, -2:]) >= max(2, 0.2 * band.shape[0]):
            cut.add("right")
    return tuple(s for s in SIDES if s in cut)


def is_whole_image(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    """The quad is the frame's own corners (in any order: a turned page starts elsewhere)."""
    h, w = shape[:2]
    q = np.asarray(quad, np.float32).reshape(4, 2)
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    return all(float(np.min(np.abs(q - c).max(axis=1))) <= 1.5 for c in corners)



def ratio_long(quad: np.ndarray) -> float:
    """Long side over short side of a quadrilateral (mean of opposite sides)."""
    q = np.asarray(quad, np.float64)
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return max(w, h) / max(min(w, h), 1e-6)


ANALYSIS_PIXELS = 640 * 480  # size of the grey copy on which text geometry is measured


def analysis_copy(image: np.ndarray) -> tuple[np.ndarray, TextStats]:
    """The small grey copy (~0.3 MP) on which text geometry is measured, and its text statistics."""
    gray, _ = resize_area(to_gray(image), ANALYSIS_PIXELS)
    return gray, text_stats(gray)


def turned(analysis: tuple[np.ndarray, TextStats], degrees_clockwise: int) -> tuple[np.ndarray, TextStats]:
    """`analysis_copy` of the image turned by a quarter turn, from that of the image (no new pass)."""
    k = (degrees_clockwise // 90) % 4
    gray, st = analysis
    if k == 0:
        return analysis
    g, ink, text = (np.ascontiguousarray(np.rot90(a, -k)) for a in (gray, st.ink, st.text))
    edges = tuple(st.edge_marks[(i - k) % 4] for i in range(4))  # left, top, right, bottom
    return g, TextStats(ink, text, st.components, st.mark_size, line_blobs(text, st.mark_size), st.ink_share,
                        edges)  # type: ignore[arg-type]


def assess_quality(image: np.ndarray, region_kind: str = "unknown", settings: CaptureSettings | None = None,
                   original_shape: tuple[int, ...] | None = None,
                   quad: tuple[tuple[float, float], ...] | np.ndarray | None = None,
                   analysis: tuple[np.ndarray, TextStats] | None = None,
                   text_cut: tuple[str, ...] | None = None, scale: float | None = None) -> Quality:
    """Quality of one straightened region. `original_shape` and `quad` (the region's corners in the
    original frame) let it judge the source resolution and whether the outline reaches the frame edge;
    `analysis` (`analysis_copy(image)`, when the caller has it) saves a pass; `text_cut` (sides where print
    runs off the edge, measured before a deskew padded the image) replaces that measure here; `scale` (image
    pixels per source pixel as the straightening made them, before a deskew widened the canvas) replaces
    the estimate from the areas of `image` and `quad`. Called by
    `pipeline.capture.capture`; never raises on odd images (blank, 1x1, noise)."""
    settings = settings or CaptureSettings()
    img = as_bgr(image)
    if img is None or min(img.shape[:2]) < 8:
        return Quality(score=0.0, issues=(_issue("not_a_document", "error"), _issue("low_resolution", "error")))
    q = None if quad is None else np.asarray(quad, np.float32).reshape(4, 2)
    gray, stats, a = _measured_copy(img, analysis)
    # source pixels per pixel of `gray`
    src_area = float(cv2.contourArea(q)) if q is not None else float(img.shape[0] * img.shape[1])
    per_px = math.sqrt(max(src_area, 1.0) / (gray.shape[0] * gray.shape[1]))
    grades = _Grades()

    _p10, _p50, p90 = levels(gray, (10, 50, 90))
    p1 = levels(gray, (1,))[0]
    noisy = (stats.ink_share > 0.3 or noise_sigma(gray) > 0.15 * max(p90 - p1, 1.0)
             or (len(stats.lines) == 0 and stats.components > 400))
    lo, hi = levels(gray, (0.5, 99.5))
    blank = (hi - lo) < 20 or float(gray.std()) < 3
    text_like = stats.components >= settings.min_text_components and len(stats.lines) >= 1
    if p90 < settings.dark_error:  # too dark to tell what is there: that is the problem to fix
        grades.add("too_dark", "error", max(0.05, 0.5 * p90 / settings.dark_error))
        return grades.quality()
    # no outline was found and the marks are faint: a desk's grain or a cloth's weave, not print (even
    # smeared print keeps its ink several times darker than the paper)
    whole = q is None or original_shape is None or is_whole_image(q, original_shape)
    faint = whole and region_kind == "unknown" and mark_contrast(gray, stats) < settings.min_mark_contrast
    if blank or noisy or not text_like:
        grades.add(_no_text_code(gray, region_kind, blank or noisy or faint, settings), "error", 0.2)
        return grades.quality()
    if faint and (stats.ink_share >= TEXTURE_INK_SHARE or len(text_cut_sides(stats)) >= 3):
        # faint marks all over the frame, running through its edges: a texture (cloth, grain, carpet),
        # not a page, whose print keeps margins and covers a few per cent of it
        grades.add("not_a_document", "error", 0.2)
        return grades.quality()

    # text height: median height of text-line blobs, in pixels of `gray`
    heights = stats.lines[:, 3].astype(np.float64)
    text_h = float(np.median(heights)) if heights.size else EXPECTED_TEXT_SHARE.get(region_kind, 0.02) * max(gray.shape)

    # darkness: the paper level (bright part of the document)
    grades.add("too_dark", *_grade(p90, settings.dark_warning, settings.dark_error))

    # blur, relative to text height (scale-invariant)
    spread = edge_spread(gray, stats.text, stats.mark_size)
    if spread is not None:
        if scale is None:
            scale = math.sqrt(img.shape[0] * img.shape[1] / max(src_area, 1.0)) if q is not None else 1.0
        code, severity, sub = _blur_grade(spread, gray, text_h, a * scale, per_px, region_kind, faint, settings)
        grades.add(code, severity, sub)
        if code == "not_a_document":  # soft, faint marks over the whole frame: no print at all
            return grades.quality()

    # glare
    grades.add("glare", *_grade(glare_share(gray, stats.mark_size, settings.glare_level, settings.glare_spot,
                                            settings.glare_halo),
                                settings.glare_warning, settings.glare_error))

    # resolution: text height in source pixels (larger is better)
    src_text_h = text_h * per_px
    grades.add("low_resolution", *_grade(src_text_h, settings.text_height_warning, settings.text_height_error))

    cropped = _cropped(img, q, original_shape, text_cut_sides(stats) if text_cut is None else text_cut,
                       region_kind, settings)
    if cropped is not None:
        grades.scores.append(cropped[0])
        grades.issues.append(cropped[1])
    score = float(np.clip(np.prod(grades.scores), 0.0, 1.0))
    return Quality(score=round(score, 3), issues=tuple(grades.issues))


@dataclass
class _Grades:
    """The sub-scores of one region (their product is the score) and the issues found so far."""

    scores: list[float] = field(default_factory=list)
    issues: list[QualityIssue] = field(default_factory=list)

    def add(self, code: str, severity: str | None, sub: float) -> None:
        self.scores.append(sub)
        if severity is not None:
            self.issues.append(_issue(code, severity))

    def quality(self) -> Quality:
        return Quality(score=round(float(np.prod(self.scores)), 3), issues=tuple(self.issues))


def _measured_copy(img: np.ndarray, analysis: tuple[np.ndarray, TextStats] | None
                   ) -> tuple[np.ndarray, TextStats, float]:
    """The grey copy to measure, where text is ~24 px high (enough for the edge-spread estimate, cheap on big
    pages), its text structure, and its scale relative to `img`."""
    gray_full = to_gray(img)
    gray, stats = analysis if analysis is not None else analysis_copy(img)
    a = gray.shape[1] / gray_full.shape[1]
    if len(stats.lines):
        want = 24.0 / float(np.median(stats.lines[:, 3]))
        if want > 1.15:
            gray, a = resize_long(gray_full, int(max(gray_full.shape) * min(1.0, a * want)))
            stats = text_stats(gray)
    return gray, stats, a


def _no_text_code(gray: np.ndarray, region_kind: str, no_print: bool, settings: CaptureSettings) -> str:
    """Why a region without text-like structure fails: text smeared beyond recognition is a blurred document
    ("blur"), anything else (blank, noise, faint grain: `no_print`) is "not_a_document"."""
    expected = EXPECTED_TEXT_SHARE.get(region_kind, 0.02) * max(gray.shape)
    spread = None if no_print else edge_spread(gray, np.full_like(gray, 255), expected)
    if spread is not None and optical_spread(spread) / expected >= settings.blur_error:
        return "blur"
    return "not_a_document"


def _blur_grade(spread: float, gray: np.ndarray, text_h: float, grid: float, per_px: float, region_kind: str,
                faint: bool, settings: CaptureSettings) -> tuple[str, str | None, float]:
    """The blur grade from the edge spread; ("not_a_document", "error", 0.2) for soft, faint marks over the
    whole frame. `grid`: source pixels per pixel of `gray`, as the straightening made them."""
    # blur smears text lines taller; a card's print has a known size, so its lines cannot be taller
    # than that (straight cards measure 0.026-0.036 of the long side, smeared ones up to 0.05)
    sharp_h = min(text_h, CARD_TEXT_SHARE_MAX * max(gray.shape)) if region_kind == "id_card" else text_h
    # judged on the source's pixel grid where that is coarser than the measured copy's (an enlarged
    # small card)
    optical = optical_spread(spread, grid)
    rel = optical / max(sharp_h, 1.0)
    if faint and rel >= settings.blur_error:
        return "not_a_document", "error", 0.2
    severity, sub = _grade(rel, settings.blur_warning, settings.blur_error)
    if severity == "error" and optical_spread(spread) * per_px < settings.blur_min_px:
        # small print that is sharp at its own pixel size: the resolution limits it, not the focus
        severity, sub = "warning", 0.6
    return "blur", severity, sub


def _cropped(img: np.ndarray, q: np.ndarray | None, original_shape: tuple[int, ...] | None,
             text_cut: tuple[str, ...], region_kind: str, settings: CaptureSettings
             ) -> tuple[float, QualityIssue] | None:
    """Cropped: the outline on the frame border (an error the extraction may lift when every expected field
    was read: pipeline.capture_review), print running off an edge, or the wrong shape. Sub-score and issue."""
    sides: tuple[str, ...] = ()
    if q is not None and original_shape is not None and not is_whole_image(q, original_shape):
        sides = outline_sides(q, original_shape, settings.border_margin)
    if sides:
        return 0.4, cropped_issue("error", set(sides) | set(text_cut))
    wrong_shape = False
    expected = {"id_card": ID1_RATIO, "a4": A4_RATIO}.get(region_kind)
    if expected is not None:
        r = ratio_long(q) if q is not None and not (original_shape and is_whole_image(q, original_shape)) \
            else max(img.shape[:2]) / min(img.shape[:2])
        wrong_shape = abs(r / expected - 1) > 2 * settings.ratio_tolerance
    if wrong_shape or text_cut:
        return 0.75, cropped_issue("warning", text_cut)
    return None

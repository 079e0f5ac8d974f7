"""Red seals (印章) on a page: find them, unwrap their curved text and read the organisation they name.

Who calls it: pipeline/stages.under_seals and stages.marks, only for document types whose checks judge a seal
(DocumentType.seals), so a page of another type never pays for it. Pure: it reads the page image and calls the OCR
engine it is given; it returns `Seal` values (docs/architecture.md "seals").

    page (BGR) ─> red-ink mask (HSV: hue near 0/180, saturated, clearly redder than green and blue)
      ─> closed blobs ─> every contour, largest first (a red frame or desk must not hide what is inside)
      ─> shape of the convex hull: filling its rectangle (square) or an ellipse (round / oval)
      ─> a seal only if its border is inked almost all the way round (red text and marks are not)
      ─> read: the seal's strokes from brightness, chosen by colour (black print off the seal drops out);
               round and oval: the ellipse made a circle, the line under the star cut out and read apart,
               cv2.warpPolar, the rim band as one straight line (the run of characters round the top);
               square (name seals, 2 × 2 characters read right column first): the four cells in reading order;
               each line cut to its characters and read by recognition alone (`OcrEngine.recognize`: its place
               is known, so no detection pass)
      ─> organisation = the rim text without suffixes such as 公章 / 合同专用章 / 登记专用章

`read_under` reads again, without the red ink, print under a seal that the page's OCR missed (a certificate's
date is stamped over); `merge_lines` adds it to the page's lines before extraction.

`seal_like_ink` tells a page with no seal-like red ink (certainly no seal) from one whose red ink looked like a
seal but was not recognised as one.
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

    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    # hue <= 10 or >= 165 (of 0-179), saturation and value >= 70
    reddish = cv2.bitwise_or(cv2.inRange(hsv, (0, 70, 70), (10, 255, 255)),
                             cv2.inRange(hsv, (165, 70, 70), (179, 255, 255)))
    b, g, r = cv2.split(image)
    # red clearly above both other channels (by 45 or more): pink print (样本) and brown wood are weaker or not red
    margin = cv2.threshold(cv2.subtract(r, cv2.max(g, b)), 44, 255, cv2.THRESH_BINARY)[1]
    return cv2.bitwise_and(reddish, margin)


def seal_like_ink(image: "np.ndarray") -> bool:
    """Red ink in a blob the size and proportions of a seal (that `find_seals` may still have refused): enough
    for a person to look. Red print — a title, a 样本 mark, a frame — is long and thin or small, and is not."""
    import cv2

    mask = red_mask(image)
    short = min(mask.shape)
    k = max(3, round(short * 0.006)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for contour in contours:
        _x, _y, w, h = cv2.boundingRect(contour)
        if MIN_SIZE * short <= max(w, h) <= MAX_SIZE * short and min(w, h) >= 0.6 * max(w, h) \
                and cv2.contourArea(cv2.convexHull(contour)) >= 0.3 * w * h:
            return True
    return False


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
    # every contour, not only outer ones: a red page frame or a red desk would enclose the seals
    contours, _ = cv2.findContours(closed, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    found: list[Found] = []
    for contour in sorted(contours, key=lambda c: -cv2.contourArea(c)):
        x, y, cw, ch = cv2.boundingRect(contour)
        if max(cw, ch) < MIN_SIZE * short or max(cw, ch) > MAX_SIZE * short or len(contour) < 20:
            continue
        if any(f.box[0] <= x + cw / 2 <= f.box[2] and f.box[1] <= y + ch / 2 <= f.box[3] for f in found):
            continue  # the inside of a seal already found (its ring's inner edge, its characters)
        if min(cw, ch) < 0.45 * max(cw, ch):
            continue  # a line of red text, a stroke
        shape = _shape(contour)
        if shape is None:
            continue
        kind, center, axes, angle = shape
        if kind == "square":
            # a name seal is at least 12 mm wide, and its border is a ruled line: the thin raw ink must run
            # round it (a red character, such as the 样本 mark's, fills its box but has no border)
            if max(axes) < 0.05 * short:
                continue
            coverage = _border_coverage(mask, kind, center, axes, angle, bands=(0.93, 0.955, 0.98))
        else:
            coverage = _border_coverage(near, kind, center, axes, angle)
        if coverage < RING_COVERAGE:
            continue
        found.append(Found(kind=kind, center=center, axes=axes, angle=angle,
                           box=(float(x), float(y), float(x + cw), float(y + ch)), coverage=round(coverage, 3)))
    return sorted(found, key=lambda f: -(f.axes[0] * f.axes[1]))


def _shape(contour) -> tuple[Kind, tuple[float, float], tuple[float, float], float] | None:
    """Round, oval or square from the blob's convex hull (print over the border breaks the ring, and the
    contour then runs inside through the gap; the hull does not)."""
    import cv2

    hull = cv2.convexHull(contour)
    area = cv2.contourArea(hull)
    (rx, ry), (rw, rh), rangle = cv2.minAreaRect(hull)
    if rw * rh <= 0 or area <= 0 or len(hull) < 5:
        return None
    if area / (rw * rh) > 0.9:  # fills its rectangle: a square seal (an ellipse fills π/4 of it)
        if min(rw, rh) < 0.75 * max(rw, rh):
            return None
        return "square", (rx, ry), (rw, rh), rangle
    (ex, ey), (ew, eh), eangle = cv2.fitEllipse(hull)
    if ew * eh <= 0:
        return None
    if not 0.9 < area / (math.pi * ew * eh / 4) < 1.1:
        return None  # not an ellipse (a block of text, a blot)
    ratio = min(ew, eh) / max(ew, eh)
    if ratio < 0.45:
        return None
    return ("round" if ratio >= 0.88 else "oval"), (ex, ey), (ew, eh), eangle


def _border_coverage(near: "np.ndarray", kind: Kind, center, axes, angle,
                     bands: tuple[float, ...] = (0.86, 0.9, 0.94, 0.98)) -> float:
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
        for f in bands:
            x = cx + f * (px * math.cos(t) - py * math.sin(t))
            y = cy + f * (px * math.sin(t) + py * math.cos(t))
            if 0 <= int(y) < h and 0 <= int(x) < w and near[int(y), int(x)]:
                hit = True
                break
        hits += hit
    return hits / steps


# --- reading --------------------------------------------------------------------------------------------


def ink_image(image: "np.ndarray", box: tuple[float, float, float, float] | None = None) -> "np.ndarray":
    """Red ink as dark grey on white (BGR); black print, which is not red, turns white.

    The strokes come from the brightness (sharp), the choice of pixels from the colour: JPEG keeps colour at
    half resolution, so colour alone gives blurred characters on camera shots. Where the seal lies over black
    print the pixel is dark but still red in hue, and stays ink. With `box`, the contrast is stretched so that
    the seal's strong ink is black (a faded or dim photographed seal reads as well)."""
    import cv2
    import numpy as np

    b, g, r = (image[..., i].astype(np.float32) for i in range(3))
    redness = np.clip(r - np.maximum(g, b), 0, 255)
    darkness = 255 - cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    red_weight = np.clip((cv2.GaussianBlur(redness, (0, 0), 1.0) - 12) / 30, 0, 1)
    share = (r - np.maximum(g, b)) / np.maximum(r, 1)
    over_print = (r < 120) & (r >= 12) & (share > 0.35)
    weight = np.maximum(red_weight, over_print.astype(np.float32))
    ink = darkness * weight
    gain = 1.0
    if box is not None:
        x0, y0, x1, y1 = (int(v) for v in box)
        inside = ink[max(0, y0):y1, max(0, x0):x1]
        if np.count_nonzero(inside > 30) > 50:
            strong = np.percentile(inside[inside > 30], 90)
            gain = 230 / strong if strong > 20 else 1.0
    ink = np.clip(ink * gain, 0, 255).astype(np.uint8)
    return cv2.cvtColor(255 - ink, cv2.COLOR_GRAY2BGR)


def _circle(ink: "np.ndarray", found: Found, radius: int) -> tuple["np.ndarray", float]:
    """The seal's ellipse mapped onto an upright circle of `radius` pixels (a square image 2·radius wide), and
    the vertical stretch that took (1 for a round seal)."""
    import cv2
    import numpy as np

    cx, cy = found.center
    a, b = found.axes[0] / 2, found.axes[1] / 2
    t = math.radians(found.angle)
    if found.kind == "round":  # a circle's fitted angle means nothing: keep the page's axes
        u, v = np.array([(a + b) / 2, 0.0]), np.array([0.0, (a + b) / 2])
    else:
        u = np.array([math.cos(t), math.sin(t)]) * a
        v = np.array([-math.sin(t), math.cos(t)]) * b
        if np.linalg.norm(v) > np.linalg.norm(u):
            u, v = v, -u
        if u[0] < 0:
            u = -u
        if v[1] < 0:
            v = -v
    src = np.float32([[cx, cy], [cx + u[0], cy + u[1]], [cx + v[0], cy + v[1]]])
    dst = np.float32([[radius, radius], [2 * radius, radius], [radius, 2 * radius]])
    matrix = cv2.getAffineTransform(src, dst)
    circle = cv2.warpAffine(ink, matrix, (2 * radius, 2 * radius), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    return circle, float(np.linalg.norm(u) / max(np.linalg.norm(v), 1e-6))


def unwrap(circle: "np.ndarray", band: tuple[float, float] = (0.5, 0.93), stretch: float = 1.0) -> "np.ndarray":
    """The rim text of a circular seal as one straight line: polar unwarp from the bottom of the seal round
    through the top, rim up, reading left to right; wide gaps between characters closed up. An oval made round
    (`stretch`, its width over its height) is unwrapped along its own rim instead (`_unwrap_oval`)."""
    import cv2
    import numpy as np

    if stretch > 1.05:
        return _close_gaps(_main_run(_unwrap_oval(circle, band, stretch)))
    radius = circle.shape[0] // 2
    rows = max(64, round(2 * math.pi * radius * 0.74))  # angular samples: glyphs keep their width at the text
    polar = cv2.warpPolar(circle, (radius, rows), (radius, radius), radius, cv2.WARP_POLAR_LINEAR | cv2.INTER_LINEAR)
    polar = np.roll(polar, -rows // 4, axis=0)  # start at the bottom (90°), the top of the seal in the middle
    strip = cv2.transpose(polar)[::-1]  # rows: radius (rim first); columns: angle (clockwise = reading order)
    top, bottom = round((1 - band[1]) * radius), round((1 - band[0]) * radius)
    # the rim text never reaches the bottom of the seal: leave out 25° each side of it (text printed there)
    cut = round(rows * 25 / 360)
    strip = np.ascontiguousarray(strip[top:bottom, cut:rows - cut])
    return _close_gaps(_main_run(strip))


def _unwrap_oval(circle: "np.ndarray", band: tuple[float, float], stretch: float) -> "np.ndarray":
    """An oval seal's name runs at a constant distance inside its rim, so once the oval is made round it no longer
    follows a circle: it lies closer to the rim at the ends of the long axis. Unwrap along the curves at a constant
    distance d inside the printed rim instead — in the round image, ellipses with half-axes r·(1 - d/a) across and
    r·(1 - d/b) down, d counted in the short half-axis b as `band` counts it in the radius — sampled at equal
    lengths along the text, from the bottom round through the top, skipping 25° each side of the bottom."""
    import cv2
    import numpy as np

    radius = circle.shape[0] // 2
    insets = np.linspace(1 - band[1], 1 - band[0], max(8, round((band[1] - band[0]) * radius)))  # rim first
    theta = np.radians(np.linspace(90 + 25, 450 - 25, 4000))  # angle in the round image, clockwise on screen
    middle = insets[len(insets) // 2]
    # lengths along the text as printed (across, the round image is 1/stretch narrower than the seal), so that
    # the glyphs keep their printed proportions, at the round unwrap's sampling
    xs, ys = (stretch - middle) * np.cos(theta), (1 - middle) * np.sin(theta)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))]) * radius
    columns = max(64, round(arc[-1] * 0.74))
    at = np.interp(np.linspace(0, arc[-1], columns), arc, theta)[None, :]
    inset = insets[:, None]
    map_x = (radius + radius * (1 - inset / stretch) * np.cos(at)).astype(np.float32)
    map_y = (radius + radius * (1 - inset) * np.sin(at)).astype(np.float32)
    return np.ascontiguousarray(cv2.remap(circle, map_x, map_y, cv2.INTER_LINEAR, borderValue=(255, 255, 255)))


def _take_centre_line(circle: "np.ndarray", y0: int, y1: int, x0: int, x1: int) -> tuple["np.ndarray", "np.ndarray"]:
    """The line under the star, cut out: the run of ink columns round the seal's vertical axis inside the band
    y0..y1 (rim characters further out are not part of it). Returns the circle without it — its ends would
    otherwise reach the rim's band near the bottom — and the line."""
    import numpy as np

    band = circle[y0:y1, x0:x1]
    used = ((band.min(axis=2) if band.ndim == 3 else band) < 160).any(axis=0)
    columns = np.flatnonzero(used)
    if len(columns) == 0:
        return circle, band
    middle = band.shape[1] / 2
    near = columns[np.abs(columns - middle) < band.shape[1] * 0.2]
    if len(near) == 0:
        return circle, band
    left, right = _grow(columns, int(near.min()), int(near.max()), band.shape[0] * 0.45)
    line = band[:, max(0, left - 4):right + 5].copy()
    cleared = circle.copy()
    cleared[y0:y1, x0 + max(0, left - 2):x0 + right + 3] = 255
    return cleared, line


def _grow(columns, left: int, right: int, gap: float) -> tuple[int, int]:
    """Widen [left, right] over the inked `columns` on each side while no blank run exceeds `gap`."""
    for x in reversed(columns[columns < left]):
        if left - x > gap:
            break
        left = int(x)
    for x in columns[columns > right]:
        if x - right > gap:
            break
        right = int(x)
    return left, right


def _main_run(strip: "np.ndarray") -> "np.ndarray":
    """The rim text is one run of characters round the top of the seal: the columns of ink reached from the
    middle of the strip without crossing a gap wider than the band is high. Ends of the line under the star,
    which can reach the band near the bottom, lie beyond such a gap and are dropped."""
    import numpy as np

    used = ((strip.min(axis=2) if strip.ndim == 3 else strip) < 160).any(axis=0)
    columns = np.flatnonzero(used)
    if len(columns) == 0:
        return strip
    middle = strip.shape[1] / 2
    seed = int(columns[np.argmin(np.abs(columns - middle))])
    left, right = _grow(columns, seed, seed, strip.shape[0] * 1.1)
    out = np.full_like(strip, 255)
    out[:, left:right + 1] = strip[:, left:right + 1]
    return out


def _close_gaps(strip: "np.ndarray") -> "np.ndarray":
    """Blank runs of columns wider than a third of the strip's height shrink to that: widely spaced seal
    characters become one line for the text detector."""
    import numpy as np

    ink = (strip.min(axis=2) if strip.ndim == 3 else strip) < 160
    used = ink.any(axis=0)
    keep = np.ones(strip.shape[1], bool)
    gap = max(4, strip.shape[0] // 3)
    run = 0
    for x in range(strip.shape[1]):
        run = 0 if used[x] else run + 1
        keep[x] = run <= gap
    return np.ascontiguousarray(strip[:, keep])


def _read_lines(engine: "OcrEngine", parts: list["np.ndarray"]) -> list[tuple[str, float]]:
    """The text of each one-line image and its score, by recognition alone: each part is already one line at a
    known place (an unrolled rim, the line under the star), so it is cut to its ink and read without looking for
    lines first, which costs a detector run over a 736-px canvas per seal."""
    crops = [_to_ink(p) for p in parts]
    inked = [i for i, crop in enumerate(crops) if crop is not None]
    read = engine.recognize([crops[i] for i in inked])
    out = [("", 0.0)] * len(parts)
    for i, (text, score) in zip(inked, read):
        kept = _cjk(text)
        out[i] = (kept, score if kept else 0.0)
    return out


def _to_ink(part: "np.ndarray") -> "np.ndarray | None":
    """The part cut to its line of characters, with a margin a tenth of the line's height, as a 3-channel image;
    None when it holds no ink. Straight rules longer than the part is high (an oval's inner border running along
    its name) are whited out first, and the rows kept are the run of inked rows holding the most ink: recognition
    reads whatever it is given, and a rule reads as 一 or 二."""
    import cv2
    import numpy as np

    part = part if part.ndim == 3 else cv2.cvtColor(part, cv2.COLOR_GRAY2BGR)
    ink = (part.min(axis=2) < 160).astype(np.uint8)
    rule = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(24, part.shape[0]), 1)))
    if rule.any():
        part = part.copy()
        part[cv2.dilate(rule, np.ones((3, 3), np.uint8)) > 0] = 255
        ink = (part.min(axis=2) < 160).astype(np.uint8)
    per_row = ink.sum(axis=1)
    rows = _richest_run(per_row > 0, per_row, gap=max(2, part.shape[0] // 20))
    if rows is None or rows[1] - rows[0] < 4:
        return None
    cols = np.flatnonzero(ink[rows[0]:rows[1]].any(axis=0))
    if len(cols) < 4:
        return None
    crop = part[rows[0]:rows[1], cols[0]:cols[-1] + 1]
    margin = max(4, round(crop.shape[0] / 10))
    crop = cv2.copyMakeBorder(crop, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    return np.ascontiguousarray(crop)


def _richest_run(used: "np.ndarray", weight: "np.ndarray", gap: int) -> tuple[int, int] | None:
    """[start, end) of the run of `used` entries, bridging blanks up to `gap` long, with the most `weight`."""
    best, best_weight, start, last = None, 0, None, None
    for i in [*map(int, used.nonzero()[0]), None]:
        if start is not None and (i is None or i - last > gap + 1):
            total = int(weight[start:last + 1].sum())
            if total > best_weight:
                best, best_weight = (start, last + 1), total
            start = None
        if i is not None:
            start, last = (i if start is None else start), i
    return best


def _name(text: str) -> str:
    """An organisation's name on a rim: Chinese characters and brackets (stray Latin letters are the star's
    points or specks read as text)."""
    return re.sub(r"[A-Za-z0-9]", "", text).replace("(", "（").replace(")", "）")


def _cjk(text: str) -> str:
    """Characters and digits only (the star reads as ★, ☆ or nothing; spaces between glyphs drop out)."""
    return re.sub(r"[^\u4e00-\u9fff0-9A-Za-z（）()]", "", text)


@dataclass(frozen=True)
class SealText:
    text: str  # all of it: the rim, then the line under the star
    organisation: str  # the name on the rim without the kind of seal
    confidence: float  # the OCR's lowest score


def read_seal(image: "np.ndarray", found: Found, engine: "OcrEngine") -> SealText:
    """What the seal says: the rim text names the organisation; the line under the star (合同专用章 …), read apart,
    only adds to `text`, so a misread kind of seal never spoils the organisation."""
    import cv2

    image, found = _around(image, found)
    ink = ink_image(image, found.box)
    if found.kind == "square":
        text, score = _read_square(ink, found, engine)
        return SealText(text, organisation_of(text), score)
    radius = 170
    circle, stretch = _circle(ink, found, radius)
    # the line under the star (round) or across the middle (oval, no star)
    y0, y1, x0, x1 = round(radius * (1.22 if found.kind == "round" else 1.04)), round(radius * 1.64), \
        round(radius * 0.36), round(radius * 1.64)
    circle, below = _take_centre_line(circle, y0, y1, x0, x1)
    if stretch > 1.05:  # an oval made round: its middle line back to its printed proportions
        below = cv2.resize(below, (below.shape[1], max(8, round(below.shape[0] / stretch))))
    strip = unwrap(circle, stretch=stretch)
    (rim, rim_score), (centre, centre_score) = _read_lines(engine, [strip, below])
    if centre and centre_score >= 0.6 and len(centre) >= 2:
        return SealText(rim + centre, organisation_of(_name(rim)), min(rim_score, centre_score) if rim else centre_score)
    return SealText(rim, organisation_of(_name(rim)), rim_score)


def _around(image: "np.ndarray", found: Found) -> tuple["np.ndarray", Found]:
    """The part of the page round the seal, with the seal in its coordinates: its ink is made from that part only
    (making it from the whole page costs about 100 ms a seal). The margin, an eighth of the seal's size, keeps the
    blur at the part's edges away from the seal, and a turned square's corners inside."""
    from dataclasses import replace

    h, w = image.shape[:2]
    margin = max(16.0, 0.125 * max(found.box[2] - found.box[0], found.box[3] - found.box[1]))
    x0, y0 = max(0, int(found.box[0] - margin)), max(0, int(found.box[1] - margin))
    x1, y1 = min(w, int(found.box[2] + margin) + 1), min(h, int(found.box[3] + margin) + 1)
    box = (found.box[0] - x0, found.box[1] - y0, found.box[2] - x0, found.box[3] - y0)
    return image[y0:y1, x0:x1], replace(found, center=(found.center[0] - x0, found.center[1] - y0), box=box)


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
    text, score = _read_lines(engine, [line])[0]
    return text, score


def organisation_of(text: str) -> str:
    """The organisation a seal names: its text without the kind of seal (公章, 合同专用章, …)."""
    value = text
    for _ in range(2):
        for suffix in SUFFIXES:
            if value.endswith(suffix) and len(value) > len(suffix) + 1:
                value = value[: -len(suffix)]
                break
    return value


def seals_on_page(image: "np.ndarray", page: int, engine: "OcrEngine | None",
                  found_seals: list[Found] | None = None) -> list[Seal]:
    """Every seal of a page as the result reports it (`found_seals`: find_seals already run on the page). Without an
    engine the seals are found but not read."""
    out = []
    for found in find_seals(image) if found_seals is None else found_seals:
        read = read_seal(image, found, engine) if engine is not None else SealText("", "", 0.0)
        out.append(Seal(text=read.text, organisation=read.organisation, kind=found.kind, page=page,
                        box=found.box, confidence=round(float(read.confidence), 4)))
    return out


# --- print under a seal ---------------------------------------------------------------------------------
# A seal is stamped over the print beside 单位（盖章）: the date of a certificate, the line it is signed on. The
# page's OCR often misses those lines or misreads them (the ring and the star cut through the characters); without
# the red ink they read plainly.

READ = 0.8  # a line read with less certainty is taken for the seal's own strokes read as text, not as print
DOUBTFUL = 0.95  # a line crossing a seal read with less certainty than this is read again


def without_red(image: "np.ndarray") -> "np.ndarray":
    """Black print on white with the red ink gone (BGR): the red channel, in which red ink is as light as the
    paper and black print stays dark (also where the seal lies over it), stretched so the paper is white."""
    import cv2
    import numpy as np

    red = image[..., 2].astype(np.float32)
    paper = float(np.percentile(red, 90)) if red.size else 255.0
    out = np.clip(red * 255 / max(0.8 * paper, 1), 0, 255).astype(np.uint8)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2BGR)


def _print_mask(image: "np.ndarray") -> "np.ndarray":
    """255 where the pixel is dark print that is not red (black or blue ink), else 0."""
    import cv2
    import numpy as np

    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    b, g, r = (image[..., i].astype(np.int16) for i in range(3))
    paper = float(np.percentile(gray, 90)) if gray.size else 255.0
    return (((gray < 0.55 * paper) & (r - np.maximum(g, b) < 40)) * 255).astype(np.uint8)


def _intersection(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _area(box) -> float:
    return max((box[2] - box[0]) * (box[3] - box[1]), 1e-6)


def print_missed_under(image: "np.ndarray", found: Found, lines, text_height: float
                       ) -> list[tuple[float, float, float, float]]:
    """Boxes of lines of black print crossing the seal that none of the OCR's `lines` read (empty when the OCR
    read everything under it). Characters are joined along their line by closing gaps narrower than a character;
    a blob must be about a line high and a few characters long."""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in found.box)
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    mask = _print_mask(image[y0:y1, x0:x1])
    for ln in lines:  # what the OCR read needs no second reading
        if ln.score >= READ:
            lx0, ly0, lx1, ly1 = (int(round(v)) for v in ln.box)
            mask[max(0, ly0 - y0):max(0, ly1 - y0), max(0, lx0 - x0):max(0, lx1 - x0)] = 0
    k = max(3, round(text_height * 0.6))
    joined = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, max(3, k // 3))))
    count, _labels, stats, _c = cv2.connectedComponentsWithStats(joined)
    out = []
    for i in range(1, count):
        bx, by, bw, bh, _pixels = stats[i]
        ink = int(np.count_nonzero(mask[by:by + bh, bx:bx + bw]))
        if 0.4 * text_height <= bh <= 2.0 * text_height and bw >= 2.5 * text_height and ink >= 0.08 * bh * bw:
            out.append((float(x0 + bx), float(y0 + by), float(x0 + bx + bw), float(y0 + by + bh)))
    return out


def doubtful_under(found: Found, lines) -> list:
    """Lines of print the seal crosses that the OCR read with some doubt (the ring or the star cut through them)."""
    return [ln for ln in lines
            if READ <= ln.score < DOUBTFUL and _intersection(ln.box, found.box) >= 0.3 * _area(ln.box)]


def cut_short_under(image: "np.ndarray", found: Found, lines, text_height: float) -> list:
    """Lines the OCR read with certainty under the seal but short: unread black print stands right against one of
    their ends inside the seal (the ring hid a character: `025-12-20` for 2025-12-20). Read again, whole."""
    h, w = image.shape[:2]
    reach = max(2, int(round(1.2 * text_height)))
    out = []
    for ln in lines:
        if ln.score < READ or _intersection(ln.box, found.box) < 0.3 * _area(ln.box):
            continue
        lx0, ly0, lx1, ly1 = (int(round(v)) for v in ln.box)
        inset = max(1, (ly1 - ly0) // 6)  # the middle of the line's height: not the rows above or below it
        for sx0, sx1 in ((lx0 - reach, lx0), (lx1, lx1 + reach)):
            x0, x1 = max(0, sx0, int(found.box[0])), min(w, sx1, int(found.box[2]))
            y0, y1 = max(0, ly0 + inset), min(h, ly1 - inset)
            if x1 - x0 < 2 or y1 - y0 < 2 or any(_intersection(o.box, (x0, y0, x1, y1)) > 0 for o in lines if o is not ln):
                continue
            mask = _print_mask(image[y0:y1, x0:x1])
            if int(mask.astype(bool).sum()) >= 0.08 * (x1 - x0) * (y1 - y0):
                out.append(ln)
                break
    return out


def read_under(image: "np.ndarray", found: Found, lines, engine: "OcrEngine") -> list:
    """Lines of print under the seal that the page's OCR `lines` missed or read with doubt, read again without the
    red ink (TextLine values in page pixels). Nothing is read when the OCR read everything there with certainty."""
    import cv2

    from pipeline.models import TextLine

    heights = sorted(ln.box[3] - ln.box[1] for ln in lines if len(ln.text.strip()) >= 2 and ln.score >= READ)
    text_height = heights[len(heights) // 2] if heights else 0.06 * found.axes[1]
    missed = print_missed_under(image, found, lines, text_height)
    doubtful = doubtful_under(found, lines) + cut_short_under(image, found, lines, text_height)
    if not missed and not doubtful:
        return []
    h, w = image.shape[:2]
    # the seal, what is to be read again, and whole lines read there (one may have been cut short at the ring);
    # wider than high: a line of print the seal hides runs on past its edge (a date's 日)
    boxes = [found.box, *missed, *(ln.box for ln in lines if ln.score >= READ and _intersection(ln.box, found.box) > 0)]
    margin, run_on = text_height * 0.6, text_height * 3
    x0, y0 = max(0, int(min(b[0] for b in boxes) - run_on)), max(0, int(min(b[1] for b in boxes) - margin))
    x1, y1 = min(w, int(max(b[2] for b in boxes) + run_on)), min(h, int(max(b[3] for b in boxes) + margin))
    # on a white margin, read at its own scale: the print is already at the page's reading size
    framed = cv2.copyMakeBorder(without_red(image[y0:y1, x0:x1]), 20, 20, 20, 20, cv2.BORDER_CONSTANT,
                                value=(255, 255, 255))
    out = []
    for ln in engine.read_as_is(framed):
        bx0, by0, bx1, by1 = ln.box
        box = (bx0 - 20 + x0, by0 - 20 + y0, bx1 - 20 + x0, by1 - 20 + y0)
        out.append(TextLine(text=ln.text, score=ln.score, box=box, angle=ln.angle))
    return out


def merge_lines(lines, again) -> list:
    """The page's lines with the lines read `again` under a seal. A line read again is added where the page's OCR
    read nothing; it takes the place of the lines it overlaps when each of them is the same line (or a part of it)
    or the seal's strokes read as text (score below READ), and it reads them better: more characters or with more
    certainty.
    Elsewhere the page's reading stands."""
    kept = list(lines)
    for new in sorted(again, key=lambda ln: -ln.score):
        chars = len(new.text.strip())
        if new.score < 0.6 or chars < 2:
            continue
        # padded boxes of neighbouring lines overlap a little: only a line sharing half its box is the same text
        touching = [ln for ln in kept if _intersection(ln.box, new.box) > 0.5 * min(_area(new.box), _area(ln.box))]
        # the same line (read short, or with the seal's strokes in its box), or a part of it
        same = [ln for ln in touching if _intersection(ln.box, new.box) >= 0.7 * min(_area(new.box), _area(ln.box))]
        if any(ln.score >= READ and not any(ln is s for s in same) for ln in touching):
            continue
        better = new.score > max((ln.score for ln in touching), default=0.0) \
            or (new.score >= 0.9 and chars > sum(len(ln.text.strip()) for ln in same if ln.score >= READ))
        if touching and not better:
            continue
        kept = [ln for ln in kept if not any(ln is t for t in touching)] + [new]
    return kept

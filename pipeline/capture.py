"""Capture: turn a document-camera photo, phone photo or scan into clean, upright, cropped page images.

Called by the preprocess stage on every decoded page image, before OCR. For each frame:

1. `find_documents` finds the outline of every document on the desk (any background), corrects the
   perspective to the document's true aspect ratio (ID-1 card 85.6 x 54 mm, A4, else as measured), and
   cuts cards photocopied on one page (ID front above back) into one region each. A frame that is
   already tight to a document (a flatbed scan, a cropped upload) is one region: the whole image.
2. `coarse_orientation` decides the quarter turn: the text axis from the geometry of text marks
   (horizontal or on its side), then upright or upside down from PP-OCR's text-direction classifier
   on a few text-line crops (`OcrEngine.orientation`).
3. `deskew` straightens the remaining small angle from text-line projection profiles.
4. `assess_quality` (pipeline.capture_quality) grades blur, glare, darkness, resolution, cropping and
   whether there is a document at all.

`capture` runs all four. Everything is a pure function over numpy BGR uint8 arrays; thresholds come
in `CaptureSettings`; problems come back as quality issues, never as exceptions.

Conventions: `rotation` and `deskew_degrees` are degrees *clockwise* applied to make the page upright
(negative deskew = turned counter-clockwise); quadrilaterals are in pixels of the input image,
clockwise from the top-left corner of the image they produce.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import cv2
import numpy as np

from pipeline.capture_quality import (
    A4_RATIO,
    ID1_RATIO,
    CaptureSettings,
    TextStats,
    analysis_copy,
    as_bgr,
    assess_quality,
    is_whole_image,
    line_blobs,
    ratio_long,
    resize_long,
    text_axis,
    text_cut_sides,
    text_stats,
    to_gray,
    turned,
)
from pipeline.capture_split import card_quads
from pipeline.models import Capture, Quality

if TYPE_CHECKING:
    from pipeline.interfaces import OcrEngine

__all__ = [
    "CaptureSettings",
    "Region",
    "assess_quality",
    "capture",
    "coarse_orientation",
    "deskew",
    "find_documents",
    "rotate_quarter",
    "whole_frame",
]

logger = logging.getLogger(__name__)

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(frozen=True, eq=False)
class Region:
    """One document found in a frame."""

    quad: Quad  # its corners in the input image, clockwise from the corner that became image[0, 0]
    image: np.ndarray  # perspective-corrected crop at the document's true aspect ratio (BGR uint8)
    kind: str  # "id_card" (ID-1, 85.6 x 54 mm), "a4" (ISO 216 ratio) or "unknown"
    deskew_degrees: float  # in-plane turn (clockwise) the perspective correction removed


# --- small geometry helpers ------------------------------------------------------------------


def _order(pts: np.ndarray) -> np.ndarray:
    """4 points clockwise (as displayed) starting with the one nearest the image's top-left."""
    pts = np.asarray(pts, np.float32).reshape(4, 2)
    c = pts.mean(axis=0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))]
    return np.roll(pts, -int(np.argmin(pts.sum(axis=1))), axis=0)


def _as_quad(q: np.ndarray) -> Quad:
    return tuple((round(float(x), 2), round(float(y), 2)) for x, y in np.asarray(q).reshape(4, 2))  # type: ignore[return-value]


def _corners(w: float, h: float) -> np.ndarray:
    return np.float32([[0, 0], [w, 0], [w, h], [0, h]])


def _rescale(q: np.ndarray, factor: float) -> np.ndarray:
    """Points in pixel-centre coordinates of an image resized by `factor`."""
    return ((np.asarray(q, np.float64) + 0.5) * factor - 0.5).astype(np.float32)


def _pixel_box(w: float, h: float) -> np.ndarray:
    """The outline of a w x h image in pixel-centre coordinates (what warps map corners to)."""
    return np.float32([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def _intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    (p, r), (q, s) = l1, l2
    den = r[0] * s[1] - r[1] * s[0]
    if abs(den) < 1e-9:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / den
    return p + t * r


def _angles_ok(q: np.ndarray, lo: float = 35.0, hi: float = 145.0, max_aspect: float = 3.5) -> bool:
    """Convex, no extreme corner angles, and not a thin strip (documents are not 1:4 slivers)."""
    p = [(float(x), float(y)) for x, y in np.asarray(q).reshape(4, 2)]
    sides = [math.hypot(p[(i + 1) % 4][0] - p[i][0], p[(i + 1) % 4][1] - p[i][1]) for i in range(4)]
    if min(sides) < 1e-6 or max(sides[0] + sides[2], sides[1] + sides[3]) > max_aspect * min(sides[0] + sides[2],
                                                                                            sides[1] + sides[3]):
        return False
    cos_lo, cos_hi = math.cos(math.radians(lo)), math.cos(math.radians(hi))
    turn = 0
    for i in range(4):
        (ax, ay), (bx, by), (cx, cy) = p[i - 1], p[i], p[(i + 1) % 4]
        v1x, v1y, v2x, v2y = ax - bx, ay - by, cx - bx, cy - by
        cos = (v1x * v2x + v1y * v2y) / (sides[i - 1] * sides[i])
        if not cos_hi <= cos <= cos_lo:
            return False
        cross = v1x * v2y - v1y * v2x
        turn += 1 if cross > 0 else -1
    return abs(turn) == 4  # every corner turns the same way: convex


def _contour_quad(cnt: np.ndarray) -> np.ndarray | None:
    """A quadrilateral for a contour: its convex hull simplified to 4 corners (or, when that fails,
    the hull's four longest sides), then each side re-fitted to the contour points along its middle,
    so rounded card corners do not pull the corners inwards."""
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.02, 0.035, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = _order(approx.reshape(4, 2))
            break
    if quad is None:
        approx = cv2.approxPolyDP(hull, 0.008 * peri, True).reshape(-1, 2).astype(np.float64)
        if len(approx) < 4 or len(approx) > 16:
            return None
        sides = [(approx[i], approx[(i + 1) % len(approx)]) for i in range(len(approx))]
        longest = sorted(np.argsort([-np.linalg.norm(b - a) for a, b in sides])[:4])
        lines = [(sides[i][0], sides[i][1] - sides[i][0]) for i in longest]
        pts = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
        if any(p is None for p in pts):
            return None
        quad = _order(np.array(pts))
    pts = cnt.reshape(-1, 2).astype(np.float64)
    lines = []
    for i in range(4):
        p0, d, length, nrm = _side_geometry(quad, i)
        rel = pts - p0
        along = rel @ (d / max(length, 1e-9))
        dist = np.abs(rel @ nrm)
        near = (along > 0.15 * length) & (along < 0.85 * length) & (dist <= max(3.0, 0.04 * length))
        if near.sum() >= 6:
            vx, vy, x0, y0 = cv2.fitLine(pts[near].astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            lines.append((np.array([x0, y0]), np.array([vx, vy])))
        else:
            lines.append((p0, d))
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    fitted = np.array(corners, np.float32)
    if np.abs(fitted - quad).max() > 0.1 * max(float(np.linalg.norm(quad[2] - quad[0])), 1.0):
        return quad
    return _order(fitted)


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Bilinear samples of `img` at float points (..., 2); NaN outside the image."""
    shape = pts.shape[:-1]
    flat = pts.reshape(-1, 2).astype(np.float32)
    mx = np.ascontiguousarray(flat[:, 0].reshape(-1, 1))
    my = np.ascontiguousarray(flat[:, 1].reshape(-1, 1))
    out = cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    out = out.reshape(shape + img.shape[2:]).astype(np.float32)
    h, w = img.shape[:2]
    inside = (flat[:, 0] >= 0) & (flat[:, 0] <= w - 1) & (flat[:, 1] >= 0) & (flat[:, 1] <= h - 1)
    out[~inside.reshape(shape)] = np.nan
    return out


@dataclass(eq=False)
class _Candidate:
    quad: np.ndarray  # at working scale
    area: float  # share of the working image
    support: np.ndarray  # per side, 0..1
    border: np.ndarray  # per side: lies on the frame border
    score: float = 0.0
    steps: np.ndarray = field(default_factory=lambda: np.zeros(4))  # per side: share showing a colour step


def _side_geometry(quad: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    p0, p1 = quad[i].astype(np.float64), quad[(i + 1) % 4].astype(np.float64)
    d = p1 - p0
    length = float(np.linalg.norm(d))
    t = d / max(length, 1e-9)
    nrm = np.array([-t[1], t[0]])
    if np.dot(quad.mean(axis=0) - p0, nrm) < 0:
        nrm = -nrm  # points inwards
    return p0, d, length, nrm


def _darkest(samples: np.ndarray) -> np.ndarray:
    """Row-wise minimum ignoring samples outside the image (NaN); NaN where a row has none."""
    filled = np.where(np.isnan(samples), np.inf, samples).min(axis=1)
    return np.where(np.isinf(filled), np.nan, filled)


def _edge_support(lab: np.ndarray, quad: np.ndarray, contrast: float, n: int = 24,
                  ridge: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per side: the share of samples with a colour step across the side (document vs desk), the
    share with a step or a thin dark line along it (a shadow line, a copier's outline), and whether
    the side lies on the frame border. With `ridge` (cards on a page, outlined by a copier's thin line)
    the line is looked for a pixel further either side and judged against the paper beyond it: a quad
    traced from the edges of a thin line lies beside the line, not on it, and the line's own blur
    darkens the nearer samples."""
    h, w = lab.shape[:2]
    steps = np.zeros(4)
    either = np.zeros(4)
    border = np.zeros(4, bool)
    s = np.linspace(0.12, 0.88, n)
    offs = np.array([2.5, 4.0, 5.5])
    for i in range(4):
        p0, d, length, nrm = _side_geometry(quad, i)
        ends = np.array([p0, p0 + d])
        tol = max(3.0, 0.01 * max(h, w))
        if any(((ends[:, k] <= tol).all() or (ends[:, k] >= lim - 1 - tol).all()) for k, lim in ((0, w), (1, h))):
            border[i] = True
            continue
        if length < 8:
            continue
        pts = p0 + s[:, None] * d
        inner = _sample(lab, pts[:, None, :] + offs[None, :, None] * nrm).mean(axis=1)
        outer = _sample(lab, pts[:, None, :] - offs[None, :, None] * nrm).mean(axis=1)
        step = np.linalg.norm(inner - outer, axis=1)
        ok = step >= contrast
        # a real edge keeps its sense (document lighter, or darker, than the desk) all along;
        # a checked cloth or wood grain flips it
        sense = np.sign(inner[:, 0] - outer[:, 0])
        major = 1.0 if np.nansum(sense[ok] > 0) >= np.nansum(sense[ok] < 0) else -1.0
        ok &= (sense == major) | (np.abs(inner[:, 0] - outer[:, 0]) < 0.5 * contrast)
        reach = 3.0 if ridge else 2.0
        centre = _darkest(_sample(lab[..., 0], pts[:, None, :] + np.arange(-reach, reach + 0.5, 1.0)[None, :, None] * nrm))
        if ridge:
            far = [_sample(lab[..., 0], pts + sign * (offs[-1] + 1.0) * nrm) for sign in (1.0, -1.0)]
            line = centre < np.minimum(*far) - 0.6 * contrast
        else:
            line = centre < np.minimum(inner[:, 0], outer[:, 0]) - 0.6 * contrast
        steps[i] = float(np.nan_to_num(ok.astype(float)).mean())
        either[i] = float(np.nan_to_num((ok | line).astype(float)).mean())
    return steps, either, border


def _masks(blur: np.ndarray, lab8: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Binary images whose contours may outline documents: edges (two sensitivities), distance
    from the border colour (the desk), and bright-versus-dark (Otsu)."""
    gray = cv2.cvtColor(blur, cv2.COLOR_BGR2GRAY)
    out: list[tuple[np.ndarray, int]] = []
    k3 = np.ones((3, 3), np.uint8)
    for lo, hi in ((40, 120), (15, 45)):
        out.append((cv2.dilate(cv2.Canny(gray, lo, hi), k3), cv2.RETR_LIST))
    h, w = gray.shape
    b = max(2, int(0.03 * min(h, w)))
    ring = np.concatenate([lab8[:b].reshape(-1, 3), lab8[-b:].reshape(-1, 3),
                           lab8[:, :b].reshape(-1, 3), lab8[:, -b:].reshape(-1, 3)])
    ref = np.median(ring, axis=0)
    diff = cv2.absdiff(lab8, np.full_like(lab8, 0) + ref.astype(np.uint8))
    c0, c1, c2 = cv2.split(diff)
    dist = cv2.add(cv2.add(c0, c1), c2)  # L1 colour distance to the desk, saturating
    t, _ = cv2.threshold(dist, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, seg = cv2.threshold(dist, max(t, 16), 255, cv2.THRESH_BINARY)
    k5 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    k9 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    seg = cv2.morphologyEx(cv2.morphologyEx(seg, cv2.MORPH_OPEN, k5), cv2.MORPH_CLOSE, k9)
    out.append((seg, cv2.RETR_EXTERNAL))
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(cv2.morphologyEx(bright, cv2.MORPH_OPEN, k5), cv2.MORPH_CLOSE, k9)
    out.append((bright, cv2.RETR_EXTERNAL))
    return out


@dataclass(eq=False)
class _Line:
    """An infinite line n . p = rho (|n| = 1) with, for lines found in the image, a profile of
    edge evidence sampled along it (cumulative counts, for O(1) support of any stretch)."""

    n: np.ndarray
    rho: float
    border: bool = False
    origin: np.ndarray | None = None  # point of parameter t = 0; direction is (-n[1], n[0])
    t: np.ndarray | None = None  # sample parameters
    cum: np.ndarray | None = None  # (len(t) + 1, 4) cumulative: step with L up, step with L down, step with L flat, line


def _hough_lines(edges: np.ndarray, limit: int = 10) -> list[_Line]:
    """Long straight edges: probabilistic Hough segments merged into lines (by angle and offset),
    strongest first."""
    h, w = edges.shape
    segs = cv2.HoughLinesP(edges, 1, np.pi / 360, threshold=30, minLineLength=max(10, int(0.1 * min(h, w))),
                           maxLineGap=max(3, int(0.02 * max(h, w))))
    if segs is None:
        return []
    segs = segs.reshape(-1, 4).astype(np.float64)
    lengths = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    clusters: list[list[float]] = []  # theta, rho, total length
    for k in np.argsort(-lengths)[:300]:
        x0, y0, x1, y1 = segs[k]
        n = np.array([-(y1 - y0), x1 - x0]) / max(lengths[k], 1e-9)
        rho = float(n @ np.array([x0, y0]))
        theta = math.atan2(n[1], n[0])
        if theta < 0:
            theta, rho = theta + math.pi, -rho
        for c in clusters:
            dt = theta - c[0]
            r = rho
            if dt > math.pi / 2:
                dt, r = dt - math.pi, -rho
            elif dt < -math.pi / 2:
                dt, r = dt + math.pi, -rho
            if abs(dt) < math.radians(2.5) and abs(r - c[1]) < 4.0:
                c[2] += lengths[k]
                break
        else:
            clusters.append([theta, rho, float(lengths[k])])
    clusters.sort(key=lambda c: -c[2])
    return [_Line(np.array([math.cos(t), math.sin(t)]), r) for t, r, _ in clusters[:limit]]


def _profile(line: _Line, lab: np.ndarray, contrast: float, step_px: float = 3.0) -> None:
    """Sample edge evidence along a line inside the image (see `_edge_support`)."""
    h, w = lab.shape[:2]
    d = np.array([-line.n[1], line.n[0]])
    origin = line.n * line.rho
    # parameters where the line crosses the frame
    ts = []
    for k, lim in ((0, w - 1), (1, h - 1)):
        if abs(d[k]) > 1e-9:
            ts += [(0 - origin[k]) / d[k], (lim - origin[k]) / d[k]]
    pts_t = sorted(t for t in ts if -1 <= (origin + t * d)[0] <= w and -1 <= (origin + t * d)[1] <= h)
    line.origin = origin
    if len(pts_t) < 2:
        line.t, line.cum = np.zeros(0), np.zeros((1, 4))
        return
    t = np.arange(pts_t[0], pts_t[-1], step_px)
    pts = origin + t[:, None] * d
    offs = np.array([2.5, 4.0, 5.5])
    a = _sample(lab, pts[:, None, :] + offs[None, :, None] * line.n).mean(axis=1)
    b = _sample(lab, pts[:, None, :] - offs[None, :, None] * line.n).mean(axis=1)
    ok = np.nan_to_num(np.linalg.norm(a - b, axis=1)) >= contrast
    diff = np.nan_to_num(a[:, 0] - b[:, 0])
    flat = np.abs(diff) < 0.5 * contrast
    centre = _darkest(_sample(lab[..., 0], pts[:, None, :] + np.arange(-2.0, 2.5, 1.0)[None, :, None] * line.n))
    dark = np.nan_to_num(centre < np.minimum(a[:, 0], b[:, 0]) - 0.6 * contrast)
    ev = np.stack([ok & ~flat & (diff > 0), ok & ~flat & (diff < 0), ok & flat, dark.astype(bool)], axis=1)
    line.t = t
    line.cum = np.vstack([np.zeros((1, 4)), np.cumsum(ev, axis=0)])


def _stretch_support(line: _Line, ta: float, tb: float, open_a: bool = False, open_b: bool = False
                     ) -> tuple[float, float]:
    """(step support, step-or-line support) along the stretch [ta, tb] of a line. A corner end is
    trimmed by 12 % (rounded card corners); an end on the frame border (`open_*`, the document runs
    out of the frame there) is not, and its last 15 % must show the edge too."""
    assert line.t is not None and line.cum is not None
    if ta > tb:
        ta, tb, open_a, open_b = tb, ta, open_b, open_a
    span = tb - ta

    def count(lo: float, hi: float) -> tuple[int, np.ndarray]:
        i0, i1 = np.searchsorted(line.t, [lo, hi])
        return int(i1 - i0), line.cum[i1] - line.cum[i0]

    def rates(c: np.ndarray, n: int) -> tuple[float, float]:
        steps = (max(c[0], c[1]) + c[2]) / max(n, 1)
        return float(min(1.0, steps)), float(min(1.0, steps + c[3] / max(n, 1)))

    n, c = count(ta + (0 if open_a else 0.12) * span, tb - (0 if open_b else 0.12) * span)
    if n < 4:
        return 0.0, 0.0
    result = rates(c, n)
    for is_open, lo, hi in ((open_a, ta, ta + 0.15 * span), (open_b, tb - 0.15 * span, tb)):
        if is_open:
            m, ce = count(lo, hi)
            if m < 2 or rates(ce, m)[1] < 0.5:
                return 0.0, 0.0
    return result


def _line_quads(edges: np.ndarray, lab: np.ndarray, settings: CaptureSettings, min_area: float,
                max_area: float, keep: int = 8, scale: float = 1.0) -> list[np.ndarray]:
    """Quadrilaterals made of two roughly parallel pairs of long edges (or frame borders, for a
    document partly outside the frame), ranked by the edge evidence along their sides. `edges` may
    be smaller than `lab` by `scale`."""
    h, w = lab.shape[:2]
    lines = _hough_lines(edges)
    if len(lines) < 2:
        return []
    for ln in lines:
        ln.rho = ln.rho * scale + 0.5 * (scale - 1) * float(ln.n.sum())  # pixel-centre coordinates
    for ln in lines:
        _profile(ln, lab, settings.edge_contrast)
    lines += [_Line(np.array([1.0, 0.0]), 0.0, True), _Line(np.array([1.0, 0.0]), w - 1.0, True),
              _Line(np.array([0.0, 1.0]), 0.0, True), _Line(np.array([0.0, 1.0]), h - 1.0, True)]
    centre = np.array([w / 2, h / 2])
    total = float(h * w)
    pairs = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            a, b = lines[i], lines[j]
            if a.border and b.border:
                continue
            cos = abs(float(a.n @ b.n))
            if cos < math.cos(math.radians(20)):
                continue
            gap = abs(float(a.n @ centre - a.rho) - float(np.sign(a.n @ b.n)) * float(b.n @ centre - b.rho))
            if gap >= 0.08 * min(h, w):
                pairs.append((a, b, gap))
    scored: list[tuple[float, np.ndarray]] = []
    for pi in range(len(pairs)):
        for pj in range(pi + 1, len(pairs)):
            (a1, a2, gap_a), (b1, b2, gap_b) = pairs[pi], pairs[pj]
            if len({id(a1), id(a2), id(b1), id(b2)}) < 4 or sum(x.border for x in (a1, a2, b1, b2)) > 2:
                continue
            sin = math.sqrt(max(0.0, 1.0 - float(a1.n @ b1.n) ** 2))
            if sin < math.sin(math.radians(45)):
                continue
            # cheap shape checks before any corner is computed
            rough = gap_a * gap_b / sin / total
            if not (0.6 * min_area <= rough <= 1.5 * max_area) or max(gap_a, gap_b) > 3.6 * min(gap_a, gap_b):
                continue
            ring = [a1, b1, a2, b2]
            corners = []
            for k in range(4):
                p = _intersect_lines(ring[k - 1], ring[k])
                if p is None:
                    break
                corners.append(p)
            if len(corners) < 4:
                continue
            q = np.array(corners)
            if (q[:, 0] < -2 - 0.01 * w).any() or (q[:, 0] > w + 1 + 0.01 * w).any() \
                    or (q[:, 1] < -2 - 0.01 * h).any() or (q[:, 1] > h + 1 + 0.01 * h).any():
                continue
            area = abs(cv2.contourArea(q.astype(np.float32))) / total
            if not (min_area <= area <= max_area) or not _angles_ok(q.astype(np.float32)):
                continue
            sup = []
            for k in range(4):
                ln = ring[k]
                if ln.border:
                    continue
                d = np.array([-ln.n[1], ln.n[0]])
                ta = float((corners[k] - ln.origin) @ d)
                tb = float((corners[(k + 1) % 4] - ln.origin) @ d)
                # corner k is where side k-1 meets side k; side k runs from corner k to corner k+1
                sup.append(_stretch_support(ln, ta, tb, ring[k - 1].border, ring[(k + 1) % 4].border))
            arr = np.array(sup)
            if arr[:, 1].min() < 0.5 or arr[:, 1].mean() < settings.min_edge_support \
                    or np.count_nonzero(arr[:, 0] >= 0.6) < 2:
                continue
            n_border = sum(x.border for x in ring)
            scored.append((area * (0.5 + float(arr[:, 1].mean())) * 0.8**n_border, _order(q.astype(np.float32))))
    scored.sort(key=lambda x: -x[0])
    return [q for _, q in scored[:keep]]


def _intersect_lines(a: _Line, b: _Line) -> np.ndarray | None:
    det = a.n[0] * b.n[1] - a.n[1] * b.n[0]
    if abs(det) < 1e-6:
        return None
    return np.array([(a.rho * b.n[1] - a.n[1] * b.rho) / det, (a.n[0] * b.rho - a.rho * b.n[0]) / det])


def _candidates(small: np.ndarray, settings: CaptureSettings, min_area: float, max_area: float = 1.0,
                ridge: bool = False) -> list[_Candidate]:
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    lab8 = cv2.cvtColor(blur, cv2.COLOR_BGR2LAB)
    lab = lab8.astype(np.float32)
    h, w = small.shape[:2]
    total = float(h * w)
    quads: list[np.ndarray] = []
    for mask, mode in _masks(blur, lab8):
        contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_NONE)
        for cnt in contours:
            a = cv2.contourArea(cnt)
            if a < min_area * total * 0.6 or len(cnt) < 4:
                continue
            q = _contour_quad(cnt)
            if q is None:
                continue
            qa = cv2.contourArea(q) / total
            if not (min_area <= qa <= max_area) or not _angles_ok(q):
                continue
            if any(np.abs(q - o).max() < 0.5 for o in quads):
                continue
            quads.append(q)
    found = _validate(quads, lab, settings, ridge)
    clean = sum(c.support[~c.border].min() >= 0.9 and not c.border.any() for c in found)
    # on a page, cards usually come in pairs: with one found, look harder for the second
    if (not ridge and clean == 0) or (ridge and clean == 1):
        # long straight edges catch outlines the masks miss (low contrast, a gap, glare across an
        # edge, a document running out of the frame); found on a half-size copy to keep it cheap
        half = cv2.resize(blur, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
        edges = cv2.Canny(cv2.cvtColor(half, cv2.COLOR_BGR2GRAY), 15, 45)
        found += _validate(_line_quads(edges, lab, settings, min_area, max_area, scale=2.0), lab, settings, ridge)
    found.sort(key=lambda c: -c.score)
    unique: list[_Candidate] = []
    for c in found:  # near-duplicates: keep the one whose sides are steps (a shadow line is not the edge)
        twin = next((u for u in unique if np.abs(c.quad - u.quad).max() < 0.015 * max(h, w)), None)
        if twin is None:
            unique.append(c)
        elif (c.steps[~c.border].mean(), c.support[~c.border].mean()) > (twin.steps[~twin.border].mean(),
                                                                         twin.support[~twin.border].mean()):
            unique[unique.index(twin)] = c
    return unique


def _validate(quads: list[np.ndarray], lab: np.ndarray, settings: CaptureSettings, ridge: bool) -> list[_Candidate]:
    """Candidates whose sides show the document's edge: enough colour steps (or, with `ridge`, also
    copier lines) all round, at most two sides on the frame border."""
    h, w = lab.shape[:2]
    total = float(h * w)
    found: list[_Candidate] = []
    for q in quads:
        steps, support, border = _edge_support(lab, q, settings.edge_contrast, ridge=ridge)
        inner = support[~border]
        if inner.size < 2 or border.sum() > 2:
            continue
        if inner.min() < 0.5 or inner.mean() < settings.min_edge_support:
            continue
        # a document differs from what it lies on: lines alone (a ruled box on a page) are not enough
        if not ridge and np.count_nonzero(steps[~border] >= 0.6) < 2:
            continue
        c = _Candidate(q, cv2.contourArea(q) / total, support, border, steps=steps)
        c.score = c.area * (0.5 + float(inner.mean()))
        found.append(c)
    return found


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    return float(inter) / max(min(cv2.contourArea(a), cv2.contourArea(b)), 1e-9)


def _select(cands: list[_Candidate], max_count: int = 6) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    for c in cands:
        if any(_overlap(c.quad, o.quad) > 0.15 for o in chosen):
            continue
        if chosen and (c.area < 0.25 * chosen[0].area or c.support[~c.border].mean() < 0.75):
            continue
        chosen.append(c)
        if len(chosen) >= max_count:
            break
    return chosen


def _refine(gray: np.ndarray, quad: np.ndarray, border: np.ndarray, reach: float) -> np.ndarray:
    """Sub-pixel corners: fit a line to the strongest step along each side's normal, intersect."""
    lines: list[tuple[np.ndarray, np.ndarray]] = []
    g = gray.astype(np.float32)
    s = np.linspace(0.1, 0.9, 40)
    offs = np.arange(-reach, reach + 0.5, 1.0)
    for i in range(4):
        p0, d, length, nrm = _side_geometry(quad, i)
        if border[i] or length < 10:
            lines.append((p0, d))
            continue
        pts = p0 + s[:, None] * d
        prof = _sample(g, pts[:, None, :] + offs[None, :, None] * nrm)
        outside = np.isnan(prof)
        if outside.all():
            lines.append((p0, d))
            continue
        counts = np.maximum((~outside).sum(axis=1, keepdims=True), 1)
        row_mean = np.where(outside, 0.0, prof).sum(axis=1, keepdims=True) / counts
        prof = np.where(outside, row_mean, prof)
        der = np.gradient(cv2.GaussianBlur(prof, (3, 1), 0), axis=1)
        pol = np.sign(der[np.arange(len(s)), np.abs(der).argmax(axis=1)].sum()) or 1.0
        der = der * pol
        j = der.argmax(axis=1)
        peak = der[np.arange(len(s)), j]
        ok = (j > 0) & (j < len(offs) - 1) & (peak > 0.35 * max(np.median(peak), 1e-6)) & (peak > 1.0)
        if ok.sum() < 8:
            lines.append((p0, d))
            continue
        jj = j[ok]
        a, b, c = der[ok, jj - 1], der[ok, jj], der[ok, jj + 1]
        den = a - 2 * b + c
        sub = np.where(np.abs(den) > 1e-6, 0.5 * (a - c) / np.where(np.abs(den) > 1e-6, den, 1), 0.0)
        off = offs[jj] + np.clip(sub, -0.5, 0.5)
        edge = pts[ok] + off[:, None] * nrm
        vx, vy, x0, y0 = cv2.fitLine(edge.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    out = quad.astype(np.float64).copy()
    limit = max(2.5 * reach, 0.02 * float(np.linalg.norm(quad[2] - quad[0])))
    for i in range(4):
        p = _intersect(lines[i - 1], lines[i])
        if p is not None and np.linalg.norm(p - quad[i]) <= limit:
            out[i] = p
    return out.astype(np.float32)


ASSUMED_FOCAL = 0.8  # focal length of a phone's main camera, as a share of the frame diagonal


def _camera_ratio(quad: np.ndarray, shape: tuple[int, ...]) -> float:
    """Width/height of the rectangle a camera saw as `quad` (Zhang & He, "Whiteboard scanning", 2007:
    focal length from the vanishing points, principal point at the image centre); the mean side ratio
    when the view is too close to affine for that."""
    q = np.asarray(quad, np.float64)
    w_avg = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h_avg = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    simple = w_avg / max(h_avg, 1e-9)
    u0, v0 = shape[1] / 2.0, shape[0] / 2.0
    m1, m2, m3, m4 = (np.array([p[0], p[1], 1.0]) for p in (q[0], q[1], q[3], q[2]))
    den2 = np.dot(np.cross(m2, m4), m3)
    den3 = np.dot(np.cross(m3, m4), m2)
    if abs(den2) < 1e-9 or abs(den3) < 1e-9:
        return simple
    k2 = np.dot(np.cross(m1, m4), m3) / den2
    k3 = np.dot(np.cross(m1, m4), m2) / den3
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    diag = math.hypot(shape[0], shape[1])
    f2 = -1.0
    # both vanishing points within ~10 frame diagonals: the focal length they give is well conditioned
    if all(abs(n[2]) * 10 * diag >= np.linalg.norm(n[:2]) for n in (n2, n3)):
        f2 = -((n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0 * u0)
               + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0 * v0)) / (n2[2] * n3[2])
    if not (f2 > 0 and 0.3 * diag <= math.sqrt(f2) <= 6 * diag):
        # one vanishing point only (a page seen square-on from its bottom edge: a symmetric trapezoid)
        # leaves the focal length open: take a phone's main camera (about 0.8 x the frame diagonal).
        # A view without perspective gives the plain side ratio whatever the focal length.
        f2 = (ASSUMED_FOCAL * diag) ** 2
    a_inv = np.linalg.inv(np.array([[math.sqrt(f2), 0, u0], [0, math.sqrt(f2), v0], [0, 0, 1]]))
    b = a_inv.T @ a_inv
    r2 = (n2 @ b @ n2) / (n3 @ b @ n3)
    if not r2 > 0:
        return simple
    r = math.sqrt(r2)
    # a wild estimate (noisy corners, off-centre crops) is worse than the plain one
    return r if 0.7 <= r / simple <= 1.4 else simple


def _kind(ratio_long: float, tol: float) -> str:
    errs = {"id_card": abs(ratio_long / ID1_RATIO - 1), "a4": abs(ratio_long / A4_RATIO - 1)}
    kind = min(errs, key=errs.__getitem__)
    return kind if errs[kind] <= tol else "unknown"


def _preview(frame: np.ndarray, q: np.ndarray, side: int = 600) -> TextStats:
    """Text statistics of an outlined document straightened onto a small copy (long side `side`)."""
    r = _camera_ratio(q, frame.shape)
    w, h = (side, max(8, round(side / r))) if r >= 1 else (max(8, round(side * r)), side)
    return text_stats(to_gray(_warp_image(frame, q, w, h)))


def _decide_kind(frame: np.ndarray, q: np.ndarray, settings: CaptureSettings, preview: TextStats
                 ) -> tuple[str, float]:
    """Kind and width/height of an outlined document. The shape is measured two ways (mean sides; a
    pinhole-camera estimate); when it fits ID-1 and A4 about equally, the size of its print decides
    (`preview`: its text statistics on a copy 600 px long)."""
    simple = _ratio_in_quad(q)
    camera = _camera_ratio(q, frame.shape)
    tol = settings.ratio_tolerance

    def err(target: float) -> float:
        return min(abs(max(r, 1 / r) / target - 1) for r in (simple, camera))

    e_card, e_a4 = err(ID1_RATIO), err(A4_RATIO)
    landscape = camera >= 1
    if e_card <= tol and e_a4 > 2 * tol:
        kind = "id_card"
    elif e_a4 <= tol and e_card > 2 * tol:
        kind = "a4"
    elif min(e_card, e_a4) > 2 * tol:
        return "unknown", camera
    else:  # the two shapes are 11 % apart: with perspective both may fit, let the print decide
        short = min(preview.text.shape)
        share = float(np.median(preview.lines[:, 3])) / short if len(preview.lines) else 0.0
        # a card holds a few lines of large print; a page many lines of small print
        kind = "id_card" if share >= settings.card_text_share and len(preview.lines) <= 14 else "a4"
        if (e_card if kind == "id_card" else e_a4) > 2 * tol:
            return "unknown", camera
    target = ID1_RATIO if kind == "id_card" else A4_RATIO
    return kind, target if landscape else 1 / target


def _ratio_in_quad(q: np.ndarray) -> float:
    q = np.asarray(q, np.float64)
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(w / max(h, 1e-9))


def _output_size(kind: str, ratio: float, src_w: float, src_h: float, settings: CaptureSettings) -> tuple[int, int]:
    """Pixel size of the straightened crop; `ratio` is width/height as seen (portrait when < 1)."""
    landscape = ratio >= 1
    if kind == "id_card":
        long_side, short_side = settings.card_width_px, settings.card_width_px / ID1_RATIO
    elif kind == "a4":
        long_side, short_side = settings.a4_width_px * A4_RATIO, settings.a4_width_px
    else:
        r = max(ratio, 1 / ratio)
        long_side = min(float(settings.max_side_px), max(src_w, src_h, 16.0))
        short_side = long_side / r
    w, h = (long_side, short_side) if landscape else (short_side, long_side)
    return max(1, round(w)), max(1, round(h))


def _warp_image(frame: np.ndarray, quad: np.ndarray, w: int, h: int) -> np.ndarray:
    """Map `quad` (pixel-centre coordinates of `frame`) onto a w x h image."""
    q = np.asarray(quad, np.float32)
    src_w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    src_h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    # shrink the frame first when the document is much larger than its crop (avoids aliasing): halve
    # (2 x 2 means) while that stays above the size wanted, then area-resample the rest, which costs a
    # quarter as much on the halved copy as on the frame
    f = min(1.0, 1.25 * max(w / max(src_w, 1), h / max(src_h, 1)))
    src = frame
    while f <= 0.5 and min(src.shape[:2]) >= 4:
        src = cv2.resize(src, (src.shape[1] // 2, src.shape[0] // 2), interpolation=cv2.INTER_LINEAR)
        q = _rescale(q, 0.5)
        f *= 2
    if f < 0.67:
        src = cv2.resize(src, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        q = _rescale(q, f)
    m = cv2.getPerspectiveTransform(q, _pixel_box(w, h))
    return cv2.warpPerspective(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _warp(frame: np.ndarray, quad: np.ndarray, kind: str, ratio: float, settings: CaptureSettings) -> Region:
    q = np.asarray(quad, np.float32)
    src_w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    src_h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    w, h = _output_size(kind, ratio, src_w, src_h, settings)
    top = q[1] - q[0]
    turned = -math.degrees(math.atan2(float(top[1]), float(top[0])))
    return Region(_as_quad(q), _warp_image(frame, q, w, h), kind, round(turned, 2))


def _whole(frame: np.ndarray, settings: CaptureSettings) -> Region:
    h, w = frame.shape[:2]
    # a whole image is measured exactly: snap to a kind only when its shape fits closely
    kind = _kind(max(w, h) / max(min(w, h), 1), settings.ratio_tolerance / 2) if min(w, h) >= 16 else "unknown"
    if kind in ("id_card", "a4"):  # the standard size (a stretch of at most half the tolerance)
        size = _output_size(kind, w / h, w, h, settings)
    else:
        s = min(1.0, settings.max_side_px / max(w, h))
        size = (max(1, round(w * s)), max(1, round(h * s)))
    img = frame
    if size != (w, h):
        shrink = size[0] * size[1] < w * h
        img = cv2.resize(frame, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
    return Region(_as_quad(_corners(w, h)), img, kind, 0.0)


class _Frame:
    """The input frame with lazily built helpers shared by the search steps."""

    def __init__(self, image: np.ndarray) -> None:
        self.image = image
        self._ref: tuple[np.ndarray, float] | None = None

    @property
    def ref(self) -> tuple[np.ndarray, float]:
        """Grey copy (long side <= 2000) for sub-pixel edge fitting, and its scale (made grey first: half the time
        of shrinking the colour frame, 15 against 29 ms on a 2788 x 1859 photo)."""
        if self._ref is None:
            self._ref = resize_long(to_gray(self.image), 2000)
        return self._ref

    def refine(self, quad: np.ndarray, border: np.ndarray, error_px: float) -> np.ndarray:
        """Refine a quad given in frame pixels whose corners may be off by about `error_px`."""
        gray, rs = self.ref
        reach = max(4.0, 2.0 * error_px * rs)
        return _rescale(_refine(gray, _rescale(quad, rs), border, reach), 1 / rs)


def _ruled(image: np.ndarray, quad: np.ndarray) -> bool:
    """Whether a card-shaped box is a ruled table (rules running across it inside), not a card."""
    w, h = 300, max(8, round(300 / max(_ratio_in_quad(quad), 1e-3)))
    box = cv2.warpPerspective(to_gray(image), cv2.getPerspectiveTransform(quad.astype(np.float32), _pixel_box(w, h)),
                              (w, h))
    rules = cv2.morphologyEx(text_stats(box).ink, cv2.MORPH_OPEN, np.ones((1, int(0.6 * w)), np.uint8))
    rows = np.flatnonzero(rules[int(0.08 * h):int(0.92 * h)].any(axis=1))
    # count separate rules (runs of rows), not the rows of one thick rule
    return int(np.count_nonzero(np.diff(rows) > 2)) + (1 if rows.size else 0) >= 2


def _split_cards(frame: _Frame, quad: np.ndarray, ratio: float, settings: CaptureSettings) -> list[Region]:
    """Cards photocopied or laid on a page: card-shaped outlines (ID-1 ratio, a colour step or a copier
    line all round) that together hold nearly all of the page's text. `quad` is the page in the frame
    (pixel-centre coordinates)."""
    long_side = settings.detect_side
    w, h = (long_side, round(long_side / ratio)) if ratio >= 1 else (round(long_side * ratio), long_side)
    if min(w, h) < 100:
        return []
    small = _warp_image(frame.image, quad, w, h)
    cands = [c for c in _candidates(small, settings, 0.03, 0.5, ridge=True)
             if not c.border.any() and c.support.min() >= 0.8
             and abs(ratio_long(c.quad) / ID1_RATIO - 1) <= settings.ratio_tolerance]
    chosen: list[_Candidate] = []
    for c in cands:
        if not any(_overlap(c.quad, o.quad) > 0.1 for o in chosen) and not _ruled(small, c.quad):
            chosen.append(c)
    if not chosen:
        return []
    stats = text_stats(to_gray(small))
    inside = np.zeros(small.shape[:2], np.uint8)
    for c in chosen:
        cv2.fillConvexPoly(inside, np.round(c.quad).astype(np.int32), 255)
    total = np.count_nonzero(stats.text)
    outside = np.count_nonzero(stats.text & ~inside)
    if total == 0 or outside > settings.max_outside_ink * total:
        return []
    to_frame = cv2.getPerspectiveTransform(_pixel_box(w, h), np.asarray(quad, np.float32))
    page_px = math.sqrt(abs(cv2.contourArea(np.asarray(quad, np.float32))) / (w * h))  # frame px per page px
    out = []
    for c in sorted(chosen, key=lambda c: (c.quad[:, 1].mean(), c.quad[:, 0].mean())):
        q = cv2.perspectiveTransform(c.quad.reshape(1, 4, 2).astype(np.float64), to_frame).reshape(4, 2)
        q = frame.refine(q.astype(np.float32), c.border, 1.5 * page_px)
        out.append(_warp(frame.image, q, "id_card", _ratio_in_quad(c.quad), settings))
    return out


def _a4_shaped(quad: np.ndarray, settings: CaptureSettings) -> bool:
    return abs(ratio_long(quad) / A4_RATIO - 1) <= settings.ratio_tolerance


def _split_by_text(frame: _Frame, quad: np.ndarray, ratio: float, settings: CaptureSettings, a4: bool
                   ) -> list[Region]:
    """Cards whose outlines are too faint to trace, found by their blocks of text (pipeline.capture_split)
    on the page `quad` of the frame; [] when the page's text is not laid out as two or more cards."""
    long_side = 7 * settings.detect_side // 4  # a copied card's print is ~1 % of the page: keep it legible
    w, h = (long_side, round(long_side / ratio)) if ratio >= 1 else (round(long_side * ratio), long_side)
    if min(w, h) < 100:
        return []
    gray = to_gray(_warp_image(frame.image, quad, w, h))
    quads = card_quads(gray, text_stats(gray), settings.max_outside_ink, a4)
    if len(quads) < 2:
        return []
    to_frame = cv2.getPerspectiveTransform(_pixel_box(w, h), np.asarray(quad, np.float32))
    out = []
    for c in _reading_order([_order(c) for c in quads]):
        q = cv2.perspectiveTransform(c.reshape(1, 4, 2).astype(np.float64), to_frame).reshape(4, 2).astype(np.float32)
        out.append(_warp(frame.image, q, "id_card", _ratio_in_quad(c), settings))
    return out


def _reading_order(quads: list[np.ndarray]) -> list[np.ndarray]:
    """Top to bottom; cards side by side (their heights overlapping by a third or more) left to right."""
    rows: list[list[np.ndarray]] = []
    for c in sorted(quads, key=lambda c: c[:, 1].mean()):
        first = rows[-1][0] if rows else None
        overlap = 0.0 if first is None else min(c[:, 1].max(), first[:, 1].max()) - max(c[:, 1].min(), first[:, 1].min())
        if first is not None and overlap > 0.33 * min(np.ptp(c[:, 1]), np.ptp(first[:, 1])):
            rows[-1].append(c)
        else:
            rows.append([c])
    return [c for row in rows for c in sorted(row, key=lambda c: c[:, 0].mean())]


def _text_outside(small: np.ndarray, chosen: list[_Candidate]) -> bool:
    """Whether lines of text printed on the same paper lie outside every outline: then the outlines
    are boxes inside a larger document (a ruled table on a certificate, a photo on a form), not
    documents on a desk. (Rows of a checked cloth look like text, but not on paper like the inside.)"""
    gray = to_gray(small)
    stats = text_stats(gray)
    if len(stats.lines) < 2:
        return False
    inside = np.zeros(small.shape[:2], np.uint8)
    for c in chosen:
        cv2.fillConvexPoly(inside, np.round(c.quad).astype(np.int32), 255)
    blank = stats.text == 0
    paper_in = gray[(inside > 0) & blank]
    if paper_in.size == 0:
        return False
    paper = float(np.median(paper_in))
    for x, y, w, h in stats.lines:
        if w >= 2 * h and not inside[y:y + h, x:x + w].any():
            around = gray[y:y + h, x:x + w][blank[y:y + h, x:x + w]]
            if around.size and abs(float(np.median(around)) - paper) <= 25:
                return True
    return False


MIN_DOCUMENT_MARKS, MIN_DOCUMENT_LINES = 30, 3  # silhouettes on generated camera cards: <= 19 marks, <= 2 lines


def find_documents(image: np.ndarray, settings: CaptureSettings | None = None) -> list[Region]:
    """Every document in the frame as a straightened Region, largest first (cards split from a page
    top to bottom). Never fails: without a clear outline the whole image is one region."""
    settings = settings or CaptureSettings()
    img = as_bgr(image)
    if img is None:
        return [Region(_as_quad(_corners(0, 0)), np.zeros((1, 1, 3), np.uint8), "unknown", 0.0)]
    h, w = img.shape[:2]
    if min(h, w) < 32:
        return [_whole(img, settings)]
    frame = _Frame(img)
    small, s = resize_long(img, settings.detect_side)
    try:
        chosen = _select(_candidates(small, settings, settings.min_document_area))
        if chosen and _text_outside(small, chosen):
            chosen = []  # boxes inside a larger document: keep the whole frame, which loses nothing
    except cv2.error:  # defensive: odd inputs must fall back, not fail
        logger.debug("outline search failed", exc_info=True)
        chosen = []
    plans: list[tuple[np.ndarray | None, str, float]] = []  # (quad or None for the whole image, kind, w/h)
    for c in chosen:
        q = frame.refine(_rescale(c.quad, 1 / s), c.border, 1.5 / s)
        preview = _preview(img, q)
        # an outline with (almost) no text in it (a photo, a phone, the silhouette on a card whose own
        # edge was missed: a few marks, at most a line cut by its edge) is not a document; without any,
        # the whole frame is read. A real card side holds dozens of characters on several lines.
        if preview.components < MIN_DOCUMENT_MARKS and len(preview.lines) < MIN_DOCUMENT_LINES:
            continue
        kind, ratio = _decide_kind(img, q, settings, preview)
        plans.append((q, kind, ratio))
    if not plans:
        # no outline: the whole frame is the page. A frame of a card's exact shape is a card (a phone app's
        # or a kiosk's tight card image): two documents cannot share it, so no split is searched for
        whole = _kind(max(w, h) / min(w, h), settings.ratio_tolerance / 2) == "id_card"
        plans.append((None, "id_card" if whole else "", w / h))
    regions: list[Region] = []
    for q, kind, ratio in plans:
        cards: list[Region] = []
        page = q if q is not None else _pixel_box(w, h)
        if settings.split_cards and kind != "id_card":
            cards = _split_cards(frame, page, ratio, settings) or \
                _split_by_text(frame, page, ratio, settings, kind == "a4" or _a4_shaped(page, settings))
        elif settings.split_cards and _a4_shaped(page, settings):
            # an A4-shaped outline taken for a card by its large print: a copy of cards, if its text says so
            cards = _split_by_text(frame, page, 1 / A4_RATIO if ratio < 1 else A4_RATIO, settings, True)
        if cards:
            regions.extend(cards)
            continue
        regions.append(_whole(img, settings) if q is None else _warp(img, q, kind, ratio, settings))
    return regions


# --- orientation and skew --------------------------------------------------------------------


def rotate_quarter(image: np.ndarray, degrees_clockwise: int) -> np.ndarray:
    """Turn by a multiple of 90 degrees clockwise (lossless)."""
    d = int(degrees_clockwise) % 360
    if d % 90:
        raise ValueError(f"not a quarter turn: {degrees_clockwise}")
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if d == 0 else cv2.rotate(image, codes[d])




def _rotation(w: int, h: int, degrees_clockwise: float) -> tuple[np.ndarray, int, int]:
    """Affine map turning a w x h image clockwise about its centre onto a canvas that holds it all."""
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees_clockwise, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(math.ceil(h * s + w * c - 1e-6)), int(math.ceil(h * c + w * s - 1e-6))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return m, max(nw, 1), max(nh, 1)


def _rotate_small(image: np.ndarray, degrees_clockwise: float) -> np.ndarray:
    """Rotate about the centre on an enlarged canvas filled with the image's border colour."""
    h, w = image.shape[:2]
    m, nw, nh = _rotation(w, h, degrees_clockwise)
    edge = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]).reshape(-1, *image.shape[2:])
    fill = tuple(float(v) for v in np.median(edge, axis=0).ravel()) if image.ndim == 3 else float(np.median(edge))
    return cv2.warpAffine(image, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def deskew(image: np.ndarray, max_degrees: float = 20.0, min_degrees: float = 0.2) -> tuple[np.ndarray, float]:
    """Straighten a small tilt (|angle| <= `max_degrees`) measured from text-line projection profiles
    (works for pages on their side too). Returns the image and the degrees turned clockwise (0 when
    the tilt is under `min_degrees` or there is no text to measure)."""
    img = as_bgr(image)
    if img is None or min(img.shape[:2]) < 16:
        return image, 0.0
    axis = text_axis(analysis_copy(img)[1], max_degrees)
    turn = -axis.angle
    if abs(turn) < min_degrees or axis.evidence < 6:
        return image, 0.0
    return _rotate_small(image, turn), round(turn, 2)


@dataclass(frozen=True)
class _Orientation:
    rotation: int
    confidence: float
    skew: float  # tilt of the text lines (degrees, clockwise-positive); quarter turns keep it
    analysis: tuple[np.ndarray, TextStats] | None = None  # of the image before turning


CROP_TEXT_HEIGHT = 40  # px: the direction classifier looks at 48-px-high crops


def _line_crops(image: np.ndarray, gray: np.ndarray, text: np.ndarray, mark_size: float, turn: float,
                limit: int = 12) -> list[np.ndarray]:
    """Upright crops of the longest text lines, for the direction classifier. `gray`/`text` are the
    analysis copy of `image`; `turn` (degrees clockwise) makes its lines horizontal. Each crop is
    cut straight from `image` by one affine map, at about CROP_TEXT_HEIGHT px per line, and at most
    ~6 line heights long so the classifier does not squeeze it."""
    ah, aw = gray.shape
    m, uw, uh = _rotation(aw, ah, turn)
    upright = cv2.warpAffine(text, m, (uw, uh), flags=cv2.INTER_NEAREST)
    lines = line_blobs(upright, mark_size)
    lines = lines[(lines[:, 3] >= 4) & (lines[:, 3] <= 0.25 * max(uh, uw))]
    if len(lines) == 0:
        return []
    lines = lines[np.argsort(-lines[:, 2])][:limit]
    k = CROP_TEXT_HEIGHT / float(np.median(lines[:, 3]))  # crop px per analysis px
    a = aw / image.shape[1]  # analysis px per image px
    src = image
    if k * a < 0.5:  # the image is much sharper than the crops need: shrink it once
        src, f = resize_long(image, int(max(image.shape[:2]) * k * a * 1.5) + 1)
        a = aw / src.shape[1]
    inv = cv2.invertAffineTransform(m)  # upright analysis -> analysis
    crops: list[np.ndarray] = []
    for x, y, w, h in lines:
        pad = 0.25 * h
        x0, y0, x1, y1 = x - pad, y - pad, x + w + pad, y + h + pad
        piece = 6 * h
        start = x0
        while start < x1 - 0.5 * h and len(crops) < limit:
            end = min(x1, start + piece)
            cw, ch = max(2, int(round((end - start) * k))), max(2, int(round((y1 - y0) * k)))
            # crop px -> upright analysis px -> analysis px -> src px
            to_up = np.array([[1 / k, 0, start], [0, 1 / k, y0], [0, 0, 1]])
            full = np.vstack([inv, [0, 0, 1]]) @ to_up
            full[:2] /= a
            crops.append(cv2.warpAffine(src, full[:2], (cw, ch), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                        borderMode=cv2.BORDER_REPLICATE))
            start = end
        if len(crops) >= limit:
            break
    return crops


def _orient(image: np.ndarray, engine: OcrEngine | None, max_degrees: float = 20.0) -> _Orientation:
    gray, stats = analysis = analysis_copy(image)
    axis = text_axis(stats, max_degrees)
    base = 90 if axis.vertical else 0
    if engine is None or axis.evidence < 3:
        return _Orientation(base, round(axis.confidence * 0.5, 3), axis.angle, analysis)
    crops = _line_crops(image, gray, stats.text, stats.mark_size, base - axis.angle)
    # one classifier batch (6 crops, ~1 ms each); a second only when the first is split
    votes: list[tuple[int, float]] = []
    p = 0.5
    for batch in (crops[:6], crops[6:12]):
        if not batch:
            break
        votes += list(engine.orientation(batch))[: len(batch)]
        used = crops[: len(votes)]
        weights = np.array([c.shape[1] / max(c.shape[0], 1) for c in used], np.float64)
        p180 = np.array([s if a == 180 else 1 - s for a, s in votes], np.float64)
        p = float((weights * p180).sum() / max(weights.sum(), 1e-9))
        if abs(p - 0.5) >= 0.25:
            break
    if not votes:
        return _Orientation(base, round(axis.confidence * 0.5, 3), axis.angle, analysis)
    flip = p > 0.5
    confidence = axis.confidence * max(p, 1 - p)
    return _Orientation((base + (180 if flip else 0)) % 360, round(confidence, 3), axis.angle, analysis)


def coarse_orientation(image: np.ndarray, engine_or_none: OcrEngine | None = None) -> tuple[int, float]:
    """Degrees clockwise (0, 90, 180, 270) that make the page upright, with a confidence in 0.5..1.
    Text lines running vertically mean a quarter turn; whether the page is then upside down comes
    from the engine's text-direction classifier on a dozen line crops (width-weighted vote). Without
    an engine only the axis is decided (0 or 90) and the confidence is halved."""
    img = as_bgr(image)
    if img is None or min(img.shape[:2]) < 16:
        return 0, 0.0
    o = _orient(img, engine_or_none)
    return o.rotation, o.confidence


# --- the stage -------------------------------------------------------------------------------


def capture(image: np.ndarray, engine_or_none: OcrEngine | None = None, settings: CaptureSettings | None = None
            ) -> list[tuple[np.ndarray, Capture, Quality, Region]]:
    """The capture stage for one decoded frame: every document in it, straightened, upright and
    graded. Returns (page image, Capture, Quality, Region) per document; `Capture.crop` lists the
    document's corners in the frame clockwise from the top-left of the upright page."""
    settings = settings or CaptureSettings()
    frame = as_bgr(image)
    shape = frame.shape if frame is not None else (0, 0, 3)
    return [_finish(region, engine_or_none, settings, shape, frame is not None)
            for region in find_documents(image, settings)]


def whole_frame(image: np.ndarray, engine_or_none: OcrEngine | None = None, settings: CaptureSettings | None = None
                ) -> tuple[np.ndarray, Capture, Quality, Region]:
    """The whole frame as one document, turned upright, straightened and graded (no outline search).
    Called by pipeline.capture_review when a crop lacks what the frame holds."""
    settings = settings or CaptureSettings()
    frame = as_bgr(image)
    if frame is None or min(frame.shape[:2]) < 32:
        return capture(image, engine_or_none, settings)[0]
    return _finish(_whole(frame, settings), engine_or_none, settings, frame.shape, True)


def _finish(region: Region, engine: OcrEngine | None, settings: CaptureSettings, shape: tuple[int, ...],
            has_frame: bool) -> tuple[np.ndarray, Capture, Quality, Region]:
    """Turn, straighten and grade one region of a frame of `shape`."""
    img = region.image
    rotation, skew = 0, 0.0
    analysis = None
    cut: tuple[str, ...] | None = None
    if min(img.shape[:2]) >= 16:
        o = _orient(img, engine, settings.max_deskew_degrees)
        rotation = o.rotation
        img = rotate_quarter(img, rotation)
        analysis = turned(o.analysis, rotation) if o.analysis is not None else None
        cut = text_cut_sides(analysis[1]) if analysis is not None else None  # before a deskew pads the edges
        # quarter turns keep the text lines' tilt: straighten it after turning. A document
        # straightened by its own outline is as straight as that outline, barring a crooked print
        outlined = not is_whole_image(np.asarray(region.quad, np.float32), shape)
        limit = settings.min_deskew_outlined if outlined else settings.min_deskew_degrees
        if abs(o.skew) >= limit:
            skew = -o.skew
            img = _rotate_small(img, skew)
            analysis = None
    quad = np.roll(np.asarray(region.quad, np.float32), rotation // 90, axis=0)
    # the straightening's enlargement of the source (a deskew after it widens the canvas, not the pixels)
    quad_area = abs(float(cv2.contourArea(np.asarray(region.quad, np.float32))))
    scale = math.sqrt(region.image.shape[0] * region.image.shape[1] / quad_area) if has_frame and quad_area > 1 else 1.0
    quality = assess_quality(img, region.kind, settings, shape, quad, analysis, cut, scale)
    cap = Capture(rotation=rotation, deskew_degrees=round(float(skew), 2), crop=_as_quad(quad) if has_frame else None)
    return img, cap, quality, region

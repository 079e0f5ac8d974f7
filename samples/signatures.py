"""Signatures drawn the ways people sign paper forms, for the sample generators and the handwriting tests.

    draw_signature(image_or_draw, box, kind, name, rng) -> dict

`box` is the signature area in pixels of the image ([x0, y0, x1, y1]: the space right of or below a signature
label, or a signature box). Kinds that sign:
- `scribble`: pen strokes, a random Bezier path with loops and a flourish (an illegible signature);
- `brush_name`: the name in a brush face (AR PL UKai) with each character turned, scaled and shifted, the line
  sheared, in pen or brush ink (a handwritten-looking name; sometimes tight and slanted like a cursive hand);
- `name_fingerprint`: the name and a red fingerprint (按手印) over its end;
- `seal_over_signature`: the name and a red square name seal (王伟之印) stamped over it.
Kinds that do not sign (the area's printed furniture only): `empty_box` (a ruled box), `blank_underline` (a line
to write on), `blank_space` (nothing). A signed kind can be drawn in a box or over a line with `frame`.

`signature_picture(kind, name, rng)` gives the ink alone as a transparent RGBA picture for `_sheet.Sheet.picture`
(so a born-digital PDF carries it as an image, as real files do). Nothing here uses global random state: the same
`rng` state draws the same signature.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fonts  # noqa: E402
import _seals  # noqa: E402

SIGNED_KINDS = ("scribble", "brush_name", "name_fingerprint", "seal_over_signature")
UNSIGNED_KINDS = ("empty_box", "blank_underline", "blank_space")
KINDS = SIGNED_KINDS + UNSIGNED_KINDS
FRAMES = (None, "box", "underline")
PEN_INKS = ((25, 35, 95), (20, 20, 30), (30, 45, 140), (15, 25, 70), (35, 35, 40))
PRINT_INK = (30, 30, 30)


def is_signed(kind: str) -> bool:
    """True for the kinds that put a signature on the page."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    return kind in SIGNED_KINDS


def signature_picture(kind: str, name: str, rng: random.Random, *, px_height: int = 160) -> Image.Image | None:
    """The signature's ink as an RGBA picture about `px_height` pixels tall (transparent paper); None for
    unsigned kinds."""
    if not is_signed(kind):
        return None
    if kind == "scribble":
        return _scribble(rng, px_height)
    pic = _brush_name(name, rng, px_height)
    if kind == "name_fingerprint":
        return _overlay(pic, _fingerprint(rng, round(px_height * rng.uniform(0.85, 1.15))), rng, at=rng.uniform(0.55, 1.0))
    if kind == "seal_over_signature":
        seal = _seals.square_seal(_seals.name_seal_text(name), rng, px=round(px_height * rng.uniform(0.75, 1.0)))
        return _overlay(pic, seal.rotate(rng.uniform(-6, 6), resample=Image.BICUBIC, expand=True), rng,
                        at=rng.uniform(0.3, 0.8))
    return pic


def draw_signature(image_or_draw, box, kind: str, name: str, rng: random.Random, *, frame: str | None = None) -> dict:
    """Draw a signature of `kind` (see the module's docstring) into `box` of a PIL image (or an ImageDraw of
    one), with the area's furniture: a box for `empty_box` or frame="box", a line for `blank_underline` or
    frame="underline". Returns the truth: kind, signed, the area's box and the ink's box (None when unsigned)."""
    image = image_or_draw if isinstance(image_or_draw, Image.Image) else image_or_draw._image
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}")
    x0, y0, x1, y1 = (round(v) for v in box)
    if x1 - x0 < 8 or y1 - y0 < 8:
        raise ValueError("signature box too small")
    signed = is_signed(kind)
    frame = {"empty_box": "box", "blank_underline": "underline", "blank_space": None}.get(kind, frame)
    line_w = max(1, round((y1 - y0) * rng.uniform(0.018, 0.03)))
    draw = ImageDraw.Draw(image)
    colour = PRINT_INK if image.mode == "RGB" else PRINT_INK[0]
    if frame == "box":
        draw.rectangle([x0, y0, x1, y1], outline=colour, width=line_w)
    elif frame == "underline":
        yl = y1 - line_w
        draw.line([(x0, yl), (x1, yl)], fill=colour, width=line_w)
    truth = {"kind": kind, "signed": signed, "box": [x0, y0, x1, y1], "ink_box": None}
    if not signed:
        return truth
    pad = 0.08 if frame == "box" else 0.03
    aw, ah = (x1 - x0) * (1 - 2 * pad), (y1 - y0) * (1 - 2 * pad)
    pic = signature_picture(kind, name, rng, px_height=max(40, round(ah * 1.5)))
    scale = min(ah * rng.uniform(0.6, 0.92) / pic.height, aw * rng.uniform(0.5, 0.95) / pic.width)
    size = (max(1, round(pic.width * scale)), max(1, round(pic.height * scale)))
    pic = pic.resize(size, Image.LANCZOS)
    px = round(x0 + (x1 - x0) * pad + rng.uniform(0, max(0.0, aw - size[0]) * 0.6))
    py = round(y0 + (y1 - y0) * pad + rng.uniform(0.2, 0.8) * max(0.0, ah - size[1]))
    _multiply(image, pic, (px, py))
    bbox = pic.getchannel("A").point(lambda v: 255 if v > 40 else 0).getbbox() or (0, 0, *size)
    truth["ink_box"] = [px + bbox[0], py + bbox[1], px + bbox[2], py + bbox[3]]
    return truth


# --- ink ---------------------------------------------------------------------------------------------


def _rgba(mask: np.ndarray, ink: tuple[int, int, int], opacity: float = 0.95) -> Image.Image:
    rgba = np.zeros((*mask.shape, 4), np.uint8)
    rgba[..., :3] = ink
    rgba[..., 3] = np.clip(mask.astype(np.float32) * opacity, 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def _bezier(p0, p1, p2, p3, n: int) -> np.ndarray:
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3


def _stroke(draw: ImageDraw.ImageDraw, points: np.ndarray, width: float, rng: random.Random) -> None:
    """A pen line along `points` whose width follows the pen's pressure (thin at both ends)."""
    n = len(points)
    phase = rng.uniform(0, math.pi)
    for i in range(n - 1):
        t = i / max(1, n - 2)
        pressure = 0.45 + 0.55 * math.sin(math.pi * t) ** 0.6 * (0.85 + 0.15 * math.sin(7 * t + phase))
        w = max(1, round(width * pressure))
        (ax, ay), (bx, by) = points[i], points[i + 1]
        draw.line([(ax, ay), (bx, by)], fill=255, width=w)
        if w > 2:
            draw.ellipse([bx - w / 2, by - w / 2, bx + w / 2, by + w / 2], fill=255)


def _scribble(rng: random.Random, px_height: int) -> Image.Image:
    """Illegible pen strokes: one or two runs of loops moving right (a prolate cycloid bent by random Bezier
    drift, as a quick hand writes), sometimes a flourish under them."""
    sup = 3  # drawn large, then shrunk: smooth edges
    h = px_height * sup
    w = round(h * rng.uniform(1.8, 3.2))
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    width = h * rng.uniform(0.03, 0.06)
    runs = rng.choice((1, 1, 2))
    for part in range(runs):
        left, right = w * (0.04 + 0.5 * part / runs), w * (0.96 - 0.5 * (runs - 1 - part) / runs)
        t = np.linspace(0, 1, 400)
        loops = rng.randint(2, 6)
        radius = h * rng.uniform(0.18, 0.32)
        drift = _bezier(np.array([0.0, rng.uniform(-0.15, 0.15)]), np.array([0.33, rng.uniform(-0.25, 0.25)]),
                        np.array([0.66, rng.uniform(-0.25, 0.25)]), np.array([1.0, rng.uniform(-0.15, 0.15)]), 400)
        phase = 2 * math.pi * loops * t + rng.uniform(0, math.pi)
        amp = radius * (0.6 + 0.4 * np.sin(2 * math.pi * t * rng.uniform(0.5, 2) + rng.uniform(0, 6)))
        xs = left + (right - left) * t - amp * rng.uniform(0.6, 1.2) * np.sin(phase)
        ys = h / 2 + drift[:, 1] * h - amp * np.cos(phase)
        points = np.stack([xs, ys], axis=1)
        _stroke(draw, np.clip(points, [2, 2], [w - 3, h - 3]), width, rng)
    if rng.random() < 0.6:  # the flourish under or through the name
        y = h * rng.uniform(0.6, 0.9)
        p0 = np.array([w * rng.uniform(0.05, 0.3), y])
        p3 = np.array([w * rng.uniform(0.75, 0.98), y + rng.uniform(-0.15, 0.1) * h])
        curve = _bezier(p0, p0 + [w * 0.2, rng.uniform(-0.2, 0.2) * h], p3 - [w * 0.2, rng.uniform(-0.2, 0.2) * h], p3, 60)
        _stroke(draw, np.clip(curve, [2, 2], [w - 3, h - 3]), width * 0.8, rng)
    mask = mask.resize((w // sup, h // sup), Image.LANCZOS)
    bbox = mask.getbbox() or (0, 0, 1, 1)
    return _rgba(np.asarray(mask.crop(bbox)), rng.choice(PEN_INKS))


def _brush_name(name: str, rng: random.Random, px_height: int) -> Image.Image:
    """The name in a brush face, each character turned, scaled, shifted; tight and slanted like a quick hand
    one time in three; the line sheared; brush-thick or pen-thin."""
    face = _fonts.covering(rng.choice(_fonts.available(("ukai", "ukai", "uming")) or ["noto_serif"]), name or "签")
    text = name or "签"
    size = round(px_height * 0.8)
    cursive = rng.random() < 0.35
    layer = Image.new("L", (round(size * (len(text) * 1.3 + 1)), px_height * 2), 0)
    x = size * 0.4
    for ch in text:
        s = round(size * rng.uniform(0.82, 1.18))
        font = _fonts.load(face, s)
        glyph = Image.new("L", (s * 2, s * 2), 0)
        ImageDraw.Draw(glyph).text((s, s), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(rng.uniform(-12, 12) if cursive else rng.uniform(-7, 7), resample=Image.BICUBIC)
        layer.paste(255, (round(x - s / 2), round(px_height - s + rng.uniform(-0.1, 0.1) * s)), glyph)
        x += font.getlength(ch) * (rng.uniform(0.72, 0.9) if cursive else rng.uniform(0.92, 1.12))
    bold = rng.choice((1, 3, 3, 5))
    if bold > 1:
        layer = layer.filter(ImageFilter.MaxFilter(bold))
    shear = rng.uniform(-0.45, -0.15) if cursive else rng.uniform(-0.25, 0.05)
    layer = layer.transform(layer.size, Image.AFFINE, (1, shear, -shear * px_height, 0, 1, 0), resample=Image.BICUBIC)
    layer = layer.filter(ImageFilter.GaussianBlur(0.6))
    layer = layer.crop(layer.getbbox() or (0, 0, 1, 1))
    return _rgba(np.asarray(layer), rng.choice(PEN_INKS))


def _fingerprint(rng: random.Random, px: int) -> Image.Image:
    """A red fingerprint in 印泥: an oval of whorled ridges, patchy, with a soft edge."""
    g = np.random.default_rng(rng.getrandbits(32))
    h, w = px, round(px * rng.uniform(0.68, 0.8))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.42, 0.58), h * rng.uniform(0.4, 0.55)
    nx, ny = (xx - cx) / (w / 2), (yy - cy) / (h / 2)
    radius = np.sqrt(nx ** 2 + ny ** 2)
    angle = np.arctan2(ny, nx)
    ridges = 0.5 + 0.5 * np.sin(radius * rng.uniform(28, 40) + angle * rng.choice((0.0, 1.0, 2.0))
                                + 0.6 * np.sin(angle * 3 + rng.uniform(0, 6)))
    edge = np.clip((1.05 - radius) / 0.2, 0, 1)
    patches = cv2.GaussianBlur(g.normal(0, 1, (h, w)).astype(np.float32), (0, 0), px / 10)
    patches /= np.abs(patches).max() + 1e-6
    density = np.clip(0.75 + 0.35 * patches, 0.2, 1.0)
    alpha = (ridges > 0.45).astype(np.float32) * edge * density
    alpha = cv2.GaussianBlur(alpha, (0, 0), 0.7)
    red = (rng.randint(195, 230), rng.randint(20, 55), rng.randint(30, 60))
    return _rgba((alpha * 255).astype(np.uint8), red, opacity=rng.uniform(0.75, 0.92))


def _overlay(base: Image.Image, top: Image.Image, rng: random.Random, at: float) -> Image.Image:
    """`top` laid over `base` (multiplied, like ink over ink), centred at fraction `at` of base's width."""
    w = max(base.width, round(base.width * at + top.width / 2) + 2)
    h = max(base.height, top.height) + 4
    canvas = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    by = (h - base.height) // 2
    canvas.alpha_composite(base, (0, by))
    tx = max(0, round(base.width * at - top.width / 2))
    ty = max(0, min(h - top.height, round(h / 2 - top.height / 2 + rng.uniform(-0.15, 0.15) * top.height)))
    out = np.asarray(canvas, np.float32)
    pic = np.asarray(top, np.float32)
    region = out[ty:ty + pic.shape[0], tx:tx + pic.shape[1]]
    a_top = pic[..., 3:4] / 255
    a_base = region[..., 3:4] / 255
    colour = np.where(a_base > 0, region[..., :3] * (1 - a_top) + region[..., :3] * pic[..., :3] / 255 * a_top,
                      pic[..., :3])
    region[..., :3] = colour
    region[..., 3:4] = 255 * (1 - (1 - a_base) * (1 - a_top))
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGBA")


def _multiply(base: Image.Image, rgba: Image.Image, at: tuple[int, int]) -> None:
    """Ink laid on paper: the picture's colour multiplies what is under it, weighted by its alpha."""
    x, y = at
    pw, ph = rgba.size
    x0, y0, x1, y1 = max(0, x), max(0, y), min(base.width, x + pw), min(base.height, y + ph)
    if x1 <= x0 or y1 <= y0:
        return
    mode = base.mode
    region = np.asarray(base.crop((x0, y0, x1, y1)).convert("RGB"), np.float32)
    pic = np.asarray(rgba, np.float32)[y0 - y:y1 - y, x0 - x:x1 - x]
    a = pic[..., 3:4] / 255
    mixed = region * (1 - a) + region * (pic[..., :3] / 255) * a
    patch = Image.fromarray(np.clip(mixed, 0, 255).round().astype(np.uint8), "RGB")
    base.paste(patch.convert(mode) if mode != "RGB" else patch, (x0, y0))

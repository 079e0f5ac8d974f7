"""Red seals and QR codes for the generated documents (used by generate_more_documents.py and
generate_documents.py).

Seals as organisations stamp them: round (the organisation's name along the upper rim, a five-pointed star in
the middle, sometimes 合同专用章 below it), oval (name along an elliptical rim, the kind of seal across the
middle) and square name seals (法定代表人名章: four characters in two columns, read right column first). Uneven
ink, slightly faded. No emblem. Each stamp records its truth (organisation, text, kind, box in mm) on the sheet.
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fonts  # noqa: E402

SEAL_FACES = ("noto_sans_bold", "noto_serif_bold", "noto_sans_bold")


def _ink(rng: random.Random):
    return (rng.randint(200, 235), rng.randint(20, 50), rng.randint(30, 60))


def _glyph_layer(img: Image.Image, ch: str, font, cx: float, cy: float, rotate: float, stretch: float = 1.0) -> None:
    size = int(font.size)
    glyph = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(glyph).text((size, size), ch, font=font, fill=255, anchor="mm")
    if stretch != 1.0:  # seal characters are often drawn narrow and tall
        glyph = glyph.resize((max(1, round(size * 2 * stretch)), size * 2), Image.BICUBIC)
    glyph = glyph.rotate(rotate, resample=Image.BICUBIC, expand=True)
    img.paste(255, (round(cx - glyph.width / 2), round(cy - glyph.height / 2)), glyph)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        ang = math.radians(-90 + 36 * i)
        points.append((cx + radius * math.cos(ang), cy + radius * math.sin(ang)))
    draw.polygon(points, fill=255)


def _finish(mask: Image.Image, rng: random.Random) -> Image.Image:
    """Uneven ink: patchy density, a soft edge, the seal's red."""
    g = np.random.default_rng(rng.getrandbits(32))
    alpha = np.asarray(mask, np.float32) / 255
    patches = cv2.GaussianBlur(g.normal(0.0, 1.0, alpha.shape).astype(np.float32), (0, 0), alpha.shape[0] / 25)
    patches = patches / (np.abs(patches).max() + 1e-6)
    alpha *= np.clip(0.88 + 0.18 * patches + g.normal(0, 0.08, alpha.shape), 0.4, 1.0)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 0.8)
    rgba = np.zeros((*alpha.shape, 4), np.uint8)
    rgba[..., :3] = _ink(rng)
    rgba[..., 3] = np.clip(alpha * 255 * rng.uniform(0.78, 0.93), 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def round_seal(text: str, rng: random.Random, *, px: int = 440, below: str = "") -> Image.Image:
    """The organisation's name along the upper rim (clockwise), a star, optional text below the star."""
    img = Image.new("L", (px, px), 0)
    d = ImageDraw.Draw(img)
    r = px / 2 - 4
    ring = max(5, round(px * rng.uniform(0.026, 0.034)))
    d.ellipse([px / 2 - r, px / 2 - r, px / 2 + r, px / 2 + r], outline=255, width=ring)
    face = _fonts.covering(rng.choice(_fonts.available(SEAL_FACES)), text)
    n = len(text)
    size = round(px * (0.12 if n <= 14 else 0.1))
    font = _fonts.load(face, size)
    span = min(rng.uniform(230, 260), 21.0 * n + 30)
    radius = r - ring - size * 0.64
    for i, ch in enumerate(text):
        ang = -90 - span / 2 + span * (i + 0.5) / n
        cx = px / 2 + radius * math.cos(math.radians(ang))
        cy = px / 2 + radius * math.sin(math.radians(ang))
        _glyph_layer(img, ch, font, cx, cy, -(ang + 90), stretch=0.82)
    _star(d, px / 2, px / 2, px * rng.uniform(0.13, 0.16))
    if below:
        f2 = _fonts.load(_fonts.covering(face, below), round(px * 0.085))
        d.text((px / 2, px * 0.73), below, font=f2, fill=255, anchor="mm")
    return _finish(img, rng)


def oval_seal(text: str, rng: random.Random, *, px: int = 480, middle: str = "") -> Image.Image:
    """An oval seal 3:2: the name along the upper part of the rim, the kind of seal across the middle."""
    w, h = px, round(px * rng.uniform(0.64, 0.7))
    img = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(img)
    ring = max(5, round(h * 0.035))
    d.ellipse([4, 4, w - 4, h - 4], outline=255, width=ring)
    d.ellipse([4 + ring * 2.2, 4 + ring * 2.2, w - 4 - ring * 2.2, h - 4 - ring * 2.2], outline=255, width=max(2, ring // 3))
    face = _fonts.covering(rng.choice(_fonts.available(SEAL_FACES)), text)
    n = len(text)
    size = round(h * (0.15 if n <= 12 else 0.13))
    font = _fonts.load(face, size)
    a, b = w / 2 - 4 - ring * 2.6 - size * 0.6, h / 2 - 4 - ring * 2.6 - size * 0.6
    span = min(220.0, 18.0 * n + 40)
    # equal steps of arc length along the upper part of the ellipse
    params = np.linspace(math.radians(-90 - span / 2), math.radians(-90 + span / 2), 2000)
    xs, ys = a * np.cos(params), b * np.sin(params)
    arc = np.concatenate([[0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    for i, ch in enumerate(text):
        t = params[np.searchsorted(arc, arc[-1] * (i + 0.5) / n)]
        cx, cy = w / 2 + a * math.cos(t), h / 2 + b * math.sin(t)
        normal = math.degrees(math.atan2(a * math.sin(t), b * math.cos(t)))  # outward normal direction
        _glyph_layer(img, ch, font, cx, cy, -(normal + 90), stretch=0.8)
    if middle:
        f2 = _fonts.load(_fonts.covering(face, middle), round(h * 0.13))
        d.text((w / 2, h * 0.62), middle, font=f2, fill=255, anchor="mm")
    return _finish(img, rng)


def square_seal(chars: str, rng: random.Random, *, px: int = 300) -> Image.Image:
    """A square name seal: four characters in a 2 × 2 grid, right column first (王伟之印)."""
    img = Image.new("L", (px, px), 0)
    d = ImageDraw.Draw(img)
    border = max(5, round(px * 0.05))
    d.rectangle([3, 3, px - 3, px - 3], outline=255, width=border)
    face = _fonts.covering(rng.choice(_fonts.available(SEAL_FACES)), chars)
    font = _fonts.load(face, round(px * 0.36))
    cells = ((0.73, 0.29), (0.73, 0.71), (0.27, 0.29), (0.27, 0.71))
    for ch, (fx, fy) in zip(chars, cells):
        _glyph_layer(img, ch, font, px * fx, px * fy, 0)
    return _finish(img, rng)


def name_seal_text(name: str) -> str:
    """四字名章: 王伟之印, 欧阳明印, 司马相如."""
    return {2: name + "之印", 3: name + "印"}.get(len(name), name[:4])


def stamp(sheet, rng: random.Random, cx: float, cy: float, organisation: str, kind: str = "round",
          size: float = 42.0, extra: str = "") -> None:
    """Stamp a seal centred at (cx, cy) mm; `size` is the width in mm. Records the truth on the sheet."""
    if kind == "round":
        pic, text = round_seal(organisation, rng, below=extra), organisation + extra
    elif kind == "oval":
        pic, text = oval_seal(organisation, rng, middle=extra), organisation + extra
    else:
        chars = name_seal_text(organisation)
        pic, text = square_seal(chars, rng), chars
    turn = rng.uniform(-12, 12) if kind != "square" else rng.uniform(-4, 4)
    scale = size / pic.width  # mm per pixel of the upright seal
    pic = pic.rotate(turn, resample=Image.BICUBIC, expand=True)
    pw, ph = pic.width * scale, pic.height * scale
    box = [cx - pw / 2, cy - ph / 2, cx + pw / 2, cy + ph / 2]
    sheet.picture(*box, pic)
    sheet.seals.append({"organisation": organisation, "text": text, "kind": kind, "box": box})


def qr_picture(text: str, rng: random.Random, px: int = 250) -> Image.Image:
    """A real, decodable QR code (zxing-cpp writes it). Draws one random number like _sheet.code_picture, so a
    page's other random choices stay as they were."""
    import zxingcpp

    rng.getrandbits(32)
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    modules = np.array(code.to_image(scale=1, add_quiet_zones=False))
    dark = (modules < 128).astype(np.uint8) * 255
    img = Image.fromarray(dark, "L").resize((px, px), Image.NEAREST)
    rgba = Image.new("RGBA", (px, px), (10, 10, 10, 0))
    rgba.putalpha(img)
    return rgba

"""A page drawn once as a list of operations, played back as an image (PIL) or a born-digital PDF (fpdf2).

Used by generate_documents.py. Positions are millimetres from the page's top-left corner, text sizes are
points, text is placed by its baseline. Seals and handwriting are pictures: drawn into the image, and
embedded as images in the PDF (so a PDF's text layer holds only the printed text, as in real files).
Field boxes are recorded in millimetres and converted to pixels of the output by the caller.
"""

from __future__ import annotations

import functools
import io
import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fonts  # noqa: E402

PT_MM = 25.4 / 72
A4_MM = (210.0, 297.0)
Box = list  # [x0, y0, x1, y1] in millimetres


@functools.lru_cache(maxsize=64)
def _measure_font(key: str):
    return _fonts.load(key, 200)  # 200 px em: widths measured at this size, scaled


def text_width(text: str, face: str, pt: float, spacing: float = 0.0) -> float:
    """Width in mm of `text` in `face` at `pt` points, with `spacing` mm between characters."""
    face = _fonts.covering(face, text)
    font = _measure_font(face)
    em_mm = pt * PT_MM
    return sum(font.getlength(ch) for ch in text) / 200 * em_mm + spacing * max(0, len(text) - 1)


def wrap(text: str, face: str, pt: float, width: float) -> list[str]:
    """Break `text` into lines no wider than `width` mm (character by character, as Chinese text wraps)."""
    lines, line = [], ""
    for ch in text:
        if line and text_width(line + ch, face, pt) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


@dataclass
class Sheet:
    """One page: operations to draw and the boxes of the field values (mm)."""

    width: float = A4_MM[0]
    height: float = A4_MM[1]
    paper: tuple[int, int, int] = (255, 255, 255)
    ops: list[tuple] = field(default_factory=list)
    boxes: dict[str, Box] = field(default_factory=dict)
    handwritten: set[str] = field(default_factory=set)  # fields whose value is only in handwriting
    seals: list[dict] = field(default_factory=list)  # seals stamped: organisation, text, kind, box (mm)
    codes: list[str] = field(default_factory=list)  # texts of the QR codes printed

    def text(self, x: float, y: float, text: str, face: str, pt: float, color=(20, 20, 20), spacing: float = 0.0,
             key: str | None = None) -> Box:
        """Draw `text` with its baseline at y, starting at x; returns its box. `key` records it as a field box."""
        face = _fonts.covering(face, text)
        width = text_width(text, face, pt, spacing)
        em = pt * PT_MM
        box = [x, y - 0.88 * em, x + width, y + 0.14 * em]
        self.ops.append(("text", x, y, text, face, pt, tuple(color), spacing))
        if key:
            self.add_box(key, box)
        return box

    def add_box(self, key: str, box: Box) -> None:
        old = self.boxes.get(key)
        self.boxes[key] = box if old is None else [min(old[0], box[0]), min(old[1], box[1]),
                                                   max(old[2], box[2]), max(old[3], box[3])]

    def line(self, x0, y0, x1, y1, width: float = 0.3, color=(30, 30, 30)) -> None:
        self.ops.append(("line", x0, y0, x1, y1, width, tuple(color)))

    def rect(self, x0, y0, x1, y1, width: float = 0.3, color=(30, 30, 30), fill=None) -> None:
        self.ops.append(("rect", x0, y0, x1, y1, width, tuple(color), fill))

    def picture(self, x0, y0, x1, y1, rgba: Image.Image) -> None:
        """A transparent picture (seal, handwriting, QR-like mark) stretched over the box."""
        self.ops.append(("picture", x0, y0, x1, y1, rgba))


# --- pictures ----------------------------------------------------------------------------------


def seal_picture(text: str, rng: random.Random, *, px: int = 420, center_text: str = "", color=None) -> Image.Image:
    """A plain red round seal: a ring, the organisation's name along the upper arc, optional text below
    the centre. No emblem or star. Slightly uneven ink."""
    color = color or (rng.randint(200, 235), rng.randint(20, 50), rng.randint(30, 60))
    img = Image.new("L", (px, px), 0)
    d = ImageDraw.Draw(img)
    r = px / 2 - 4
    ring = max(4, round(px * 0.028))
    d.ellipse([px / 2 - r, px / 2 - r, px / 2 + r, px / 2 + r], outline=255, width=ring)
    face = _fonts.covering("noto_sans_bold", text)
    size = round(px * 0.115)
    font = _fonts.load(face, size)
    n = len(text)
    span = min(250.0, 22.0 * n)
    radius = r - ring - size * 0.62
    for i, ch in enumerate(text):
        ang = -90 - span / 2 + span * (i + 0.5) / n  # degrees, 0 = east, clockwise positive (image y down)
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-(ang + 90), resample=Image.BICUBIC)
        cx = px / 2 + radius * math.cos(math.radians(ang))
        cy = px / 2 + radius * math.sin(math.radians(ang))
        img.paste(255, (round(cx - size), round(cy - size)), glyph)
    if center_text:
        f2 = _fonts.load(_fonts.covering("noto_sans_bold", center_text), round(px * 0.085))
        d.text((px / 2, px * 0.72), center_text, font=f2, fill=255, anchor="mm")
    g = np.random.default_rng(rng.getrandbits(32))
    alpha = np.asarray(img, np.float32) / 255
    alpha *= np.clip(g.normal(0.85, 0.12, alpha.shape), 0.35, 1.0)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 0.8)
    rgba = np.zeros((px, px, 4), np.uint8)
    rgba[..., :3] = color
    rgba[..., 3] = np.clip(alpha * 255 * rng.uniform(0.75, 0.92), 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def hand_picture(text: str, rng: random.Random, *, px_height: int = 120) -> Image.Image:
    """Handwriting-like ink: a brush-script face, each character turned, scaled and shifted a little,
    the whole sheared, in blue-black or black ink."""
    face = rng.choice(_fonts.available(("ukai", "ukai", "uming")) or ["noto_serif"])
    face = _fonts.covering(face, text)
    size = round(px_height * 0.8)
    font = _fonts.load(face, size)
    w = round(sum(font.getlength(ch) for ch in text) * 1.15 + size)
    layer = Image.new("L", (w, px_height * 2), 0)
    x = size * 0.4
    for ch in text:
        s = round(size * rng.uniform(0.85, 1.15))
        f = _fonts.load(face, s)
        glyph = Image.new("L", (s * 2, s * 2), 0)
        ImageDraw.Draw(glyph).text((s, s), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(rng.uniform(-9, 9), resample=Image.BICUBIC)
        glyph = glyph.filter(ImageFilter.MaxFilter(3)) if rng.random() < 0.5 else glyph
        layer.paste(255, (round(x - s / 2), round(px_height - s + rng.uniform(-0.08, 0.08) * s)), glyph)
        x += f.getlength(ch) * rng.uniform(0.92, 1.12)
    shear = rng.uniform(-0.25, 0.05)
    layer = layer.transform(layer.size, Image.AFFINE, (1, shear, -shear * px_height, 0, 1, 0), resample=Image.BICUBIC)
    bbox = layer.getbbox() or (0, 0, 1, 1)
    layer = layer.crop(bbox)
    ink = rng.choice(((25, 35, 95), (20, 20, 30), (30, 45, 120)))
    rgba = Image.new("RGBA", layer.size, ink + (0,))
    rgba.putalpha(layer.point(lambda v: round(v * 0.95)))
    return rgba


def code_picture(rng: random.Random, modules: int = 25, px: int = 250) -> Image.Image:
    """A QR-like square of modules (not decodable) where licences print their QR code."""
    g = np.random.default_rng(rng.getrandbits(32))
    grid = g.random((modules, modules)) < 0.5
    for ox, oy in ((0, 0), (modules - 7, 0), (0, modules - 7)):
        grid[oy:oy + 7, ox:ox + 7] = False
        grid[oy, ox:ox + 7] = grid[oy + 6, ox:ox + 7] = grid[oy:oy + 7, ox] = grid[oy:oy + 7, ox + 6] = True
        grid[oy + 2:oy + 5, ox + 2:ox + 5] = True
    img = Image.fromarray((grid * 255).astype(np.uint8), "L").resize((px, px), Image.NEAREST)
    rgba = Image.new("RGBA", (px, px), (10, 10, 10, 0))
    rgba.putalpha(img)
    return rgba


# --- playback ----------------------------------------------------------------------------------


def to_image(sheet: Sheet, dpi: float = 200) -> Image.Image:
    """The page as an RGB image at `dpi`."""
    k = dpi / 25.4
    w, h = round(sheet.width * k), round(sheet.height * k)
    img = Image.new("RGB", (w, h), sheet.paper)
    draw = ImageDraw.Draw(img)
    for op in sheet.ops:
        kind = op[0]
        if kind == "text":
            _, x, y, text, face, pt, color, spacing = op
            font = _fonts.load(face, max(6, round(pt * dpi / 72)))
            if spacing:
                cx = x * k
                for ch in text:
                    draw.text((cx, y * k), ch, font=font, fill=color, anchor="ls")
                    cx += font.getlength(ch) + spacing * k
            else:
                draw.text((x * k, y * k), text, font=font, fill=color, anchor="ls")
        elif kind == "line":
            _, x0, y0, x1, y1, width, color = op
            draw.line([(x0 * k, y0 * k), (x1 * k, y1 * k)], fill=color, width=max(1, round(width * k)))
        elif kind == "rect":
            _, x0, y0, x1, y1, width, color, fill = op
            draw.rectangle([x0 * k, y0 * k, x1 * k, y1 * k], outline=color, width=max(1, round(width * k)), fill=fill)
        elif kind == "picture":
            _, x0, y0, x1, y1, rgba = op
            size = (max(1, round((x1 - x0) * k)), max(1, round((y1 - y0) * k)))
            pic = rgba.resize(size, Image.LANCZOS)
            _multiply(img, pic, (round(x0 * k), round(y0 * k)))
            draw = ImageDraw.Draw(img)
    return img


def _multiply(base: Image.Image, rgba: Image.Image, at: tuple[int, int]) -> None:
    """Ink laid on paper: the picture's colour multiplies what is under it, weighted by its alpha."""
    x, y = at
    pw, ph = rgba.size
    x0, y0, x1, y1 = max(0, x), max(0, y), min(base.width, x + pw), min(base.height, y + ph)
    if x1 <= x0 or y1 <= y0:
        return
    region = np.asarray(base.crop((x0, y0, x1, y1)), np.float32)
    pic = np.asarray(rgba, np.float32)[y0 - y:y1 - y, x0 - x:x1 - x]
    a = pic[..., 3:4] / 255
    mixed = region * (1 - a) + region * (pic[..., :3] / 255) * a
    base.paste(Image.fromarray(np.clip(mixed, 0, 255).round().astype(np.uint8), "RGB"), (x0, y0))


# fpdf2 embeds the CFF-based Noto CJK faces without a usable text layer: TrueType faces stand in for them.
PDF_FACES = {"noto_sans": "wqy", "noto_sans_bold": "wqy", "noto_serif": "uming", "noto_serif_bold": "uming",
             "noto_sans_mono": "wqy_mono"}


def to_pdf(sheets: list[Sheet]) -> bytes:
    """The pages as one born-digital PDF: printed text in the text layer, pictures as images."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(sheets[0].width, sheets[0].height))
    pdf.set_auto_page_break(False)
    pdf.set_compression(True)
    loaded: set[str] = set()
    for sheet in sheets:
        pdf.add_page(format=(sheet.width, sheet.height))
        if sheet.paper != (255, 255, 255):
            pdf.set_fill_color(*sheet.paper)
            pdf.rect(0, 0, sheet.width, sheet.height, style="F")
        for op in sheet.ops:
            kind = op[0]
            if kind == "text":
                _, x, y, text, face, pt, color, spacing = op
                face = PDF_FACES.get(face, face)
                if not _fonts.has_glyphs(face, text):
                    face = next(f for f in ("wqy", "uming", "ukai") if _fonts.has_glyphs(f, text))
                if face not in loaded:
                    f = _fonts.FACES[face]
                    pdf.add_font(face, fname=str(f.path), collection_font_number=f.index)
                    loaded.add(face)
                pdf.set_font(face, size=pt)
                pdf.set_text_color(*color)
                pdf.set_char_spacing(spacing / PT_MM if spacing else 0)
                pdf.text(x, y, text)
            elif kind == "line":
                _, x0, y0, x1, y1, width, color = op
                pdf.set_draw_color(*color)
                pdf.set_line_width(width)
                pdf.line(x0, y0, x1, y1)
            elif kind == "rect":
                _, x0, y0, x1, y1, width, color, fill = op
                pdf.set_draw_color(*color)
                pdf.set_line_width(width)
                if fill:
                    pdf.set_fill_color(*fill)
                pdf.rect(x0, y0, x1 - x0, y1 - y0, style="DF" if fill else "D")
            elif kind == "picture":
                _, x0, y0, x1, y1, rgba = op
                buf = io.BytesIO()
                rgba.save(buf, "PNG")
                buf.seek(0)
                pdf.image(buf, x=x0, y=y0, w=x1 - x0, h=y1 - y0)
    return bytes(pdf.output())


def image_pdf(images: list[np.ndarray], jpeg_quality: int = 75, dpi: float = 200) -> bytes:
    """A scanned PDF: one JPEG per page, no text layer (the OCR path reads it)."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm")
    for image in images:
        h, w = image.shape[:2]
        size = (w / dpi * 25.4, h / dpi * 25.4)
        pdf.add_page(format=size)
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, "JPEG", quality=jpeg_quality)
        buf.seek(0)
        pdf.image(buf, x=0, y=0, w=size[0], h=size[1])
    return bytes(pdf.output())


# --- camera-like shots of a page ---------------------------------------------------------------


def _transform(points, matrix) -> np.ndarray:
    pts = np.asarray(points, np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, np.asarray(matrix, np.float64)).reshape(-1, 2)


def camera_shot(page: Image.Image, boxes_px: dict[str, list[float]], rng: random.Random, desk) -> dict:
    """Photograph a page on a desk with a document camera or phone: keystone, a turn of up to ±8°,
    uneven light, a soft shadow, mild blur, sensor noise. `desk(w, h, rng, g)` paints the background.
    Returns the image (RGB array), the page corners and each field box as a quadrilateral."""
    g = np.random.default_rng(rng.getrandbits(64))
    pw, ph = page.size
    fh = rng.randint(1700, 2000)  # frame height; the page fills 82-95 % of it
    fw = round(fh * rng.choice((4 / 3, 4 / 3, 3 / 2)))
    if pw > ph:  # landscape page: landscape frame wide enough for it
        fw = round(fh * rng.uniform(1.55, 1.7))
    fill = rng.uniform(0.82, 0.95)
    scale = min(fill * fh / ph, fill * fw / pw)
    tw, th = pw * scale, ph * scale
    pts = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]])
    i, j = ((0, 1), (1, 2), (2, 3), (3, 0))[rng.randrange(4)]
    shrink = rng.uniform(0.0, 0.07)
    mid = (pts[i] + pts[j]) / 2
    pts[i], pts[j] = mid + (pts[i] - mid) * (1 - shrink), mid + (pts[j] - mid) * (1 - shrink)
    pts += g.uniform(-0.008, 0.008, (4, 2)) * tw
    angle = rng.uniform(-8, 8) if rng.random() < 0.5 else rng.uniform(-2.5, 2.5)
    t = math.radians(angle)
    pts = pts @ np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    span = pts.max(axis=0) - pts.min(axis=0)
    pts *= min(1.0, 0.97 * fw / span[0], 0.97 * fh / span[1])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    margin = 0.015 * np.array([fw, fh])
    offset = np.array([rng.uniform(margin[0] - lo[0], max(margin[0] - lo[0], fw - margin[0] - hi[0])),
                       rng.uniform(margin[1] - lo[1], max(margin[1] - lo[1], fh - margin[1] - hi[1]))])
    quad = pts + offset

    k = min(1.0, 1.1 * max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])) / pw)
    small = page.resize((round(pw * k), round(ph * k)), Image.LANCZOS)
    cw, ch = small.size
    src = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(np.asarray(small, np.float32), matrix, (fw, fh), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REPLICATE)
    a = cv2.warpPerspective(np.ones((ch, cw), np.float32), matrix, (fw, fh), flags=cv2.INTER_LINEAR)[..., None]
    img = desk(fw, fh, rng, g)
    shadow = cv2.GaussianBlur(a[..., 0], (0, 0), max(1.0, 0.015 * tw))
    shift = np.float32([[1, 0, rng.uniform(-0.01, 0.01) * tw], [0, 1, rng.uniform(0.0, 0.012) * tw]])
    img *= 1 - rng.uniform(0.2, 0.4) * cv2.warpAffine(shadow, shift, (fw, fh))[..., None]
    img = img * (1 - a) + warped * a
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    nx, ny = xx / fw - 0.5, yy / fh - 0.5
    light = rng.uniform(0.86, 1.02) * (1 + rng.uniform(-0.2, 0.2) * nx + rng.uniform(-0.2, 0.2) * ny) \
        * (1 - rng.uniform(0, 0.25) * (nx ** 2 + ny ** 2))
    img *= light[..., None]
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 0.9))
    img += g.normal(0, rng.uniform(1.0, 2.5), img.shape).astype(np.float32)

    def quad_of(box):
        x0, y0, x1, y1 = (v * k for v in box)
        return _transform([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], matrix).round(1).tolist()

    return {"image": np.clip(img, 0, 255).round().astype(np.uint8), "corners": quad.round(1).tolist(),
            "boxes": {n: quad_of(b) for n, b in boxes_px.items()}, "rotation": round(angle, 2),
            "distortions": ["perspective", "rotation", "shadow", "uneven_light", "blur", "noise", "jpeg"]}

"""The content of an OFD file (GB/T 33190): its pages' text objects as text lines, and a rendered image of each page.

An e-licence's OFD page carries its values as text objects (TextObject > TextCode, with DeltaX/DeltaY spacing,
the object's Boundary and CTM, a Font and a Size, all in millimetres) and very often its labels in a template's
image (the printed blank form). So each page is:

- read into the same structure as a PDF's text layer (`TextLine`s in the rendered page's pixel space);
- rendered (Pillow): template and page images at their places, then the text objects in a CJK font;
- read from its text alone when the text carries the labels (no image covers the page: the fast path), or
  else OCR'd, its text objects replacing what OCR read in their boxes (`overlay_lines`): labels from the
  pixels, values exactly as the file states them.

Rotated or skewed text objects (watermarks such as 事由…) are left out of the lines and the image. Path objects
(vector lines, outlined glyphs) are not drawn. Who calls it: pipeline/decode.py (`decode_ofd`) and
pipeline/stages.read (`overlay_lines`). Reads the package through pipeline/ofd_package.py (zip caps,
defusedxml); raises OfdMalformed for a package without readable pages.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from pipeline.errors import OfdMalformed, TooManyPages, TooManyPixels
from pipeline.models import TextLine
from pipeline.ofd_package import OfdPackage, child, children_named, local_name, text_of
from pipeline.settings import Limits

logger = logging.getLogger(__name__)

RENDER_DPI = 200.0
IMAGE_SHARE = 0.3  # an image covering this share of a page carries its printed form: OCR the rendering
MIN_TEXT_CHARS = 10
FONT_PATHS = (  # Debian packages of scripts/setup; (path, face index)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


@dataclass(frozen=True)
class Matrix:
    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    @classmethod
    def parse(cls, text: str | None) -> "Matrix":
        values = _numbers(text)
        return cls(*values[:6]) if len(values) >= 6 else cls()

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f

    @property
    def axis_aligned(self) -> bool:
        return abs(self.b) < 1e-6 and abs(self.c) < 1e-6 and self.a > 0 and self.d > 0


@dataclass(frozen=True)
class Glyphs:
    """A run of characters of one TextCode on one baseline: text, left x, baseline y, right x, size (mm)."""

    text: str
    x0: float
    baseline: float
    x1: float
    size: float


@dataclass
class OfdPage:
    """One page: size (mm), images to draw [(box mm, image bytes)], text runs. Who fills it: `read_pages`."""

    number: int
    width: float
    height: float
    images: list[tuple[tuple[float, float, float, float], bytes]] = field(default_factory=list)
    runs: list[Glyphs] = field(default_factory=list)


def _numbers(text: str | None) -> list[float]:
    out = []
    for token in (text or "").split():
        try:
            out.append(float(token))
        except ValueError:
            return []
    return out


def deltas(spec: str | None, count: int) -> list[float]:
    """DeltaX / DeltaY of a TextCode expanded ("g 3 2.1" = three times 2.1), `count` values (0 where absent)."""
    tokens = (spec or "").split()
    out: list[float] = []
    i = 0
    while i < len(tokens) and len(out) < count:
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                out += [float(tokens[i + 2])] * int(tokens[i + 1])
            except ValueError:
                break
            i += 3
            continue
        try:
            out.append(float(tokens[i]))
        except ValueError:
            break
        i += 1
    return (out + [0.0] * count)[:count]


# --- the package's structure -------------------------------------------------------------------


@dataclass
class _Doc:
    pkg: OfdPackage
    path: str  # Document.xml
    media: dict[str, str] = field(default_factory=dict)  # resource ID -> image path
    templates: dict[str, str] = field(default_factory=dict)  # template ID -> Content.xml path
    area: tuple[float, float] = (210.0, 297.0)


def _load_res(doc: _Doc, res_path: str) -> None:
    try:
        root = doc.pkg.xml(res_path)
    except OfdMalformed:
        return
    base = root.get("BaseLoc") or ""
    folder = doc.pkg.resolve(res_path, base + "/x") if base else res_path
    for item in root.iter():
        if local_name(item.tag) == "MultiMedia" and (item.get("Type") or "Image").lower() == "image":
            media = text_of(child(item, "MediaFile"))
            if media and item.get("ID"):
                doc.media[item.get("ID")] = doc.pkg.resolve(folder, media)


def _document(pkg: OfdPackage, path: str) -> tuple[_Doc, list[str]]:
    root = pkg.xml(path)
    doc = _Doc(pkg=pkg, path=path)
    common = child(root, "CommonData")
    if common is not None:
        area = child(common, "PageArea")
        box = _numbers(text_of(child(area, "PhysicalBox"))) if area is not None else []
        if len(box) == 4 and box[2] > 0 and box[3] > 0:
            doc.area = (box[2], box[3])
        for name in ("PublicRes", "DocumentRes"):
            for res in children_named(common, name):
                if text_of(res):
                    _load_res(doc, pkg.resolve(path, text_of(res)))
        for tpl in children_named(common, "TemplatePage"):
            if tpl.get("ID") and tpl.get("BaseLoc"):
                doc.templates[tpl.get("ID")] = pkg.resolve(path, tpl.get("BaseLoc"))
    pages_el = child(root, "Pages")
    pages = [pkg.resolve(path, p.get("BaseLoc")) for p in children_named(pages_el, "Page")] if pages_el is not None else []
    return doc, [p for p in pages if p]


def read_pages(data: bytes, limits: Limits) -> list[OfdPage]:
    """Every page of every document in the package, in order. OfdMalformed when there is none to read."""
    pkg = OfdPackage(data)
    pages: list[OfdPage] = []
    for doc_path in pkg.doc_roots():
        doc, page_paths = _document(pkg, doc_path)
        if len(pages) + len(page_paths) > limits.max_pages:
            raise TooManyPages(detail=f"ofd with more than {limits.max_pages} pages")
        for path in page_paths:
            pages.append(_page(doc, path, len(pages) + 1))
    if not pages:
        raise OfdMalformed(detail="no pages")
    return pages


def _page(doc: _Doc, path: str, number: int) -> OfdPage:
    root = doc.pkg.xml(path)
    width, height = doc.area
    area = child(root, "Area")
    box = _numbers(text_of(child(area, "PhysicalBox"))) if area is not None else []
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        width, height = box[2], box[3]
    page = OfdPage(number=number, width=width, height=height)
    for res in children_named(root, "PageRes"):
        if text_of(res):
            _load_res(doc, doc.pkg.resolve(path, text_of(res)))
    templates = [t.get("TemplateID") for t in children_named(root, "Template")]
    front = [t.get("TemplateID") for t in children_named(root, "Template") if (t.get("ZOrder") or "").lower() == "foreground"]
    for tid in [t for t in templates if t not in front]:
        _template(doc, tid, page)
    content = child(root, "Content")
    if content is not None:
        _objects(doc, content, page)
    for tid in front:
        _template(doc, tid, page)
    return page


def _template(doc: _Doc, template_id: str | None, page: OfdPage) -> None:
    path = doc.templates.get(template_id or "")
    if not path:
        return
    try:
        content = child(doc.pkg.xml(path), "Content")
    except OfdMalformed:
        return
    if content is not None:
        _objects(doc, content, page)


def _objects(doc: _Doc, content: Element, page: OfdPage) -> None:
    for item in content.iter():
        name = local_name(item.tag)
        if name == "ImageObject":
            _image(doc, item, page)
        elif name == "TextObject":
            page.runs += text_runs(item)


def _image(doc: _Doc, item: Element, page: OfdPage) -> None:
    boundary = _numbers(item.get("Boundary"))
    ctm = Matrix.parse(item.get("CTM"))
    path = doc.media.get(item.get("ResourceID") or "")
    if len(boundary) != 4 or not path or not ctm.axis_aligned:
        return
    try:
        data = doc.pkg.read(path)
    except (KeyError, OfdMalformed):
        return  # a missing image (it happens in real files): the rest of the page still reads
    x0, y0 = boundary[0] + ctm.e, boundary[1] + ctm.f
    page.images.append(((x0, y0, x0 + ctm.a, y0 + ctm.d), data))


def text_runs(item: Element) -> list[Glyphs]:
    """The runs of a TextObject in page millimetres: each TextCode split where DeltaY moves to another line or DeltaX
    jumps back or leaves a gap of more than two characters."""
    boundary = _numbers(item.get("Boundary"))
    ctm = Matrix.parse(item.get("CTM"))
    if len(boundary) != 4 or not ctm.axis_aligned:
        return []
    scale = (ctm.a * ctm.d) ** 0.5
    try:
        size = float(item.get("Size") or 0) * scale
    except ValueError:
        return []
    if size <= 0:
        return []
    bx, by = boundary[0], boundary[1]
    runs: list[Glyphs] = []
    x = y = 0.0
    for code in children_named(item, "TextCode"):
        text = code.text or ""
        if not text:
            continue
        x = float(code.get("X")) if _numbers(code.get("X")) else x
        y = float(code.get("Y")) if _numbers(code.get("Y")) else y
        dx, dy = deltas(code.get("DeltaX"), len(text) - 1), deltas(code.get("DeltaY"), len(text) - 1)
        runs += _split(text, x, y, dx, dy, size, ctm, scale, (bx, by))
        x, y = x + sum(dx), y + sum(dy)
    return runs


def _split(text: str, x: float, y: float, dx: list[float], dy: list[float], size: float, ctm: Matrix, scale: float,
           origin: tuple[float, float]) -> list[Glyphs]:
    runs: list[Glyphs] = []
    start, start_x, start_y = 0, x, y
    for i in range(len(text)):
        last = i == len(text) - 1
        step_x, step_y = (0.0, 0.0) if last else (dx[i], dy[i])
        breaks = last or step_y != 0 or step_x < 0 or step_x * scale > 2.5 * size
        if breaks:
            piece = text[start:i + 1]
            end_x = x + (size if not piece[-1].isascii() else size * 0.55) / scale
            px0, py = ctm.apply(start_x, start_y)
            px1, _ = ctm.apply(end_x, start_y)
            if piece.strip():
                runs.append(Glyphs(piece.strip(), origin[0] + px0, origin[1] + py, origin[0] + px1, size))
            start, start_x, start_y = i + 1, x + step_x, y + step_y
        x, y = x + step_x, y + step_y
    return runs


# --- lines, rendering -----------------------------------------------------------------------


def lines_of(page: OfdPage, px_per_mm: float) -> list[TextLine]:
    """Runs as text lines in the rendered page's pixels; single characters placed side by side on one baseline
    (templates often set each character as its own object) are joined into one line."""
    runs = sorted(page.runs, key=lambda r: (round(r.baseline, 1), r.x0))
    merged: list[Glyphs] = []
    for run in runs:
        prev = merged[-1] if merged else None
        if (prev is not None and abs(prev.baseline - run.baseline) < 0.2 * run.size and abs(prev.size - run.size) < 0.2 * run.size
                and 0 <= run.x0 - prev.x1 < 0.6 * run.size):
            merged[-1] = Glyphs(prev.text + run.text, prev.x0, prev.baseline, run.x1, prev.size)
        else:
            merged.append(run)
    return [TextLine(text=r.text, score=1.0,
                     box=(r.x0 * px_per_mm, (r.baseline - 0.88 * r.size) * px_per_mm, r.x1 * px_per_mm,
                          (r.baseline + 0.2 * r.size) * px_per_mm))
            for r in merged]


@functools.lru_cache(maxsize=64)
def _font(size_px: int):
    from PIL import ImageFont

    for path, index in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, max(6, size_px), index=index)
    return None


def render(page: OfdPage, px_per_mm: float):
    """The page as a BGR array: white paper, its images at their boxes, its text in a CJK font."""
    import numpy as np
    from PIL import Image, ImageDraw

    size = (max(1, round(page.width * px_per_mm)), max(1, round(page.height * px_per_mm)))
    canvas = Image.new("RGB", size, "white")
    for (x0, y0, x1, y1), data in page.images:
        try:
            with Image.open(io.BytesIO(data)) as im:
                w, h = max(1, round((x1 - x0) * px_per_mm)), max(1, round((y1 - y0) * px_per_mm))
                if im.width * im.height > 64_000_000:
                    continue
                picture = im.convert("RGBA").resize((w, h), Image.BILINEAR)
        except Exception as exc:  # noqa: BLE001 - a broken image is left out; the text still reads
            logger.info("ofd image unreadable: %s", type(exc).__name__)
            continue
        canvas.paste(picture, (round(x0 * px_per_mm), round(y0 * px_per_mm)), picture)
    draw = ImageDraw.Draw(canvas)
    for run in page.runs:
        font = _font(round(run.size * px_per_mm))
        if font is None:
            break
        draw.text((run.x0 * px_per_mm, run.baseline * px_per_mm), run.text, fill=(0, 0, 0), font=font, anchor="ls")
    return np.ascontiguousarray(np.asarray(canvas)[:, :, ::-1])


def needs_ocr(page: OfdPage) -> bool:
    """The page's printed form is an image (a template's picture), or its text objects say too little."""
    area = max(page.width * page.height, 1e-6)
    covered = sum((x1 - x0) * (y1 - y0) for (x0, y0, x1, y1), _ in page.images) / area
    chars = sum(len(r.text) for r in page.runs)
    return covered >= IMAGE_SHARE or chars < MIN_TEXT_CHARS


def overlay_lines(ocr: list[TextLine], overlay: list[TextLine]) -> list[TextLine]:
    """OCR lines of a rendered page with its text objects laid over: an OCR line mostly inside a text object's box
    is replaced by the text object (the file's exact text); the rest of the OCR (the template's labels) stays."""
    def inside(line: TextLine) -> bool:
        x0, y0, x1, y1 = line.box
        area = max((x1 - x0) * (y1 - y0), 1e-6)
        for other in overlay:
            ox0, oy0, ox1, oy1 = other.box
            w, h = min(x1, ox1) - max(x0, ox0), min(y1, oy1) - max(y0, oy0)
            if w > 0 and h > 0 and w * h > 0.5 * area:
                return True
        return False

    merged = [line for line in ocr if not inside(line)] + list(overlay)
    return sorted(merged, key=lambda ln: (ln.box[1], ln.box[0]))


def pixel_check(page: OfdPage, px_per_mm: float, limits: Limits) -> None:
    if page.width * page.height * px_per_mm ** 2 > limits.max_pixels:
        raise TooManyPixels(detail=f"ofd page {page.number} {page.width:.0f}x{page.height:.0f}mm")


"""Decode an original file into page images (or born-digital text pages), within the limits.

Who calls it: the preprocess stage (pipeline/stages.py). It never changes the stored original. The file
type is decided by content, never by name. Raises InputError subclasses for files that cannot be used.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Literal

from pipeline.errors import FileEmpty, FileEncrypted, FileTruncated, TooManyPages, TooManyPixels, UnsupportedType
from pipeline.models import TextLine
from pipeline.settings import Limits
from pipeline.text_layer import TextLayer, unusable_reason

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

MediaKind = Literal["jpeg", "png", "tiff", "bmp", "webp", "pdf", "ofd"]
IMAGE_KINDS = {"jpeg", "png", "tiff", "bmp", "webp"}
MEDIA_TYPES = {
    "jpeg": "image/jpeg", "png": "image/png", "tiff": "image/tiff", "bmp": "image/bmp",
    "webp": "image/webp", "pdf": "application/pdf", "ofd": "application/ofd",
}


def sniff(data: bytes) -> MediaKind:
    """The file's kind from its leading bytes. Raises FileEmpty / UnsupportedType."""
    if not data:
        raise FileEmpty()
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        if b"PK\x03\x04" in data[-65536:] and _jpeg_has_trailing_zip(data):
            # A JPEG with an archive appended (a polyglot) is refused: it is not just a picture.
            raise UnsupportedType("文件在图像数据之后附带了其他内容（如压缩包），请上传原始图像", detail="jpeg+zip polyglot")
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM") and len(data) > 26:
        return "bmp"
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") and _is_ofd(data):
        return "ofd"
    raise UnsupportedType(detail=f"unrecognised leading bytes {head[:8]!r}")


def _jpeg_has_trailing_zip(data: bytes) -> bool:
    end = data.rfind(b"\xff\xd9")
    return end != -1 and b"PK\x03\x04" in data[end + 2 :]


def _is_ofd(data: bytes) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n.lower() == "ofd.xml" for n in zf.namelist()[:10_000])
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


@dataclass
class RawPage:
    """One decoded page: an image (BGR uint8), plus born-digital text lines in its pixel space.

    `text_lines` is set only for pages read from their text (born-digital, no images, a usable visible layer);
    a page that carries a text layer but is read by OCR keeps it in `layer`, as evidence (pipeline/text_layer.py).
    `source_dpi`: the resolution of the page's own images (None without images); `dpi`: what it was rendered at.
    `digital`: rendered from a digital file (an OFD page): straight already, no capture needed; `overlay`: its text
    objects, exact text that replaces what OCR read in their boxes. `encoded`: the file's own bytes when they
    decode to exactly `image` (a one-frame 8-bit colour, grey or palette PNG without transparency, not turned by
    EXIF), so that a page capture leaves as it is can be stored without encoding it again.

    A PDF page on the fast text path is not rendered while decoding (`image` is None): `pixels()` renders it on
    demand through `render`, for a stage that needs its pixels (seals, codes). `width`/`height` are its rendered
    size either way."""

    page: int
    image: "np.ndarray | None" = None
    exif_rotation: int = 0
    text_lines: list[TextLine] = field(default_factory=list)
    layer: TextLayer | None = None
    source_dpi: float | None = None
    dpi: float | None = None
    digital: bool = False
    overlay: list[TextLine] = field(default_factory=list)
    encoded: bytes | None = field(default=None, repr=False)
    width: int = 0
    height: int = 0
    render: "Callable[[], np.ndarray] | None" = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.image is not None:
            self.height, self.width = self.image.shape[:2]

    @property
    def rendered(self) -> bool:
        return self.image is not None

    def pixels(self) -> "np.ndarray":
        """The page image, rendered on first use for a page decoding left unrendered."""
        if self.image is None:
            if self.render is None:
                raise ValueError(f"page {self.page} has neither an image nor a renderer")
            self.image = self.render()
        return self.image


def decode(data: bytes, limits: Limits, *, only: int | None = None) -> tuple[MediaKind, list[RawPage]]:
    """The file's pages; `only`: just that page (1-based) of a PDF or a multi-frame image, for a worker reading
    one page of a file (pipeline/page_reading.py)."""
    kind = sniff(data)
    if len(data) > limits.max_upload_bytes:
        from pipeline.errors import FileTooLarge

        raise FileTooLarge()
    if kind in IMAGE_KINDS:
        pages = _decode_image(data, limits)
        return kind, [p for p in pages if only is None or p.page == only]
    if kind == "pdf":
        return kind, _decode_pdf(data, limits, only)
    return kind, _decode_ofd(data, limits)


def page_count(data: bytes, limits: Limits) -> tuple[MediaKind, int]:
    """The file's kind and number of pages, with every check decoding makes before it renders (size, page count,
    pixels per page), and no rendering. Raises the InputError that `decode` would."""
    kind = sniff(data)
    if len(data) > limits.max_upload_bytes:
        from pipeline.errors import FileTooLarge

        raise FileTooLarge()
    if kind in IMAGE_KINDS:
        frames = image_size(data, limits)[2]
        if frames > limits.max_pages:
            raise TooManyPages(detail=f"{frames} frames")
        return kind, frames
    if kind != "pdf":
        return kind, 1  # an OFD is read whole
    import pypdfium2.raw as pdfium_c

    count = _pdf_page_count(data, limits)
    doc = _open_pdfium(data)
    try:
        for i in range(count):
            page_dpi(_page_info(doc[i], pdfium_c), limits)
    finally:
        doc.close()
    return kind, count


def _decode_ofd(data: bytes, limits: Limits) -> list[RawPage]:
    """OFD pages rendered from their images and text objects (pipeline/ofd.py). A page whose form is printed in a
    template image is OCR'd with its text objects laid over (`overlay`); one whose text says it all is read from
    its text (`text_lines`), like a born-digital PDF page."""
    from pipeline import ofd

    px_per_mm = ofd.RENDER_DPI / 25.4
    pages = []
    for page in ofd.read_pages(data, limits):
        ofd.pixel_check(page, px_per_mm, limits)
        image = ofd.render(page, px_per_mm)
        lines = ofd.lines_of(page, px_per_mm)
        ocr = ofd.needs_ocr(page)
        pages.append(RawPage(page=page.number, image=image, text_lines=[] if ocr else lines, overlay=lines if ocr else [],
                             digital=True, dpi=ofd.RENDER_DPI))
    return pages


# --- images ---------------------------------------------------------------------------------


def image_size(data: bytes, limits: Limits) -> tuple[int, int, int]:
    """Width, height and frame count from the header, without decoding pixels. Raises on bombs."""
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                width, height = im.size
                frames = getattr(im, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels(detail=str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise FileTruncated(detail="image header unreadable") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise FileTruncated(detail=type(exc).__name__) from exc
    if width * height > limits.max_pixels:
        raise TooManyPixels(detail=f"{width}x{height}")
    return width, height, frames


def _decode_image(data: bytes, limits: Limits) -> list[RawPage]:
    import numpy as np
    from PIL import Image, ImageOps

    _w, _h, frames = image_size(data, limits)
    if frames > limits.max_pages:
        raise TooManyPages(detail=f"{frames} frames")
    pages: list[RawPage] = []
    try:
        with Image.open(io.BytesIO(data)) as im:
            is_animation = getattr(im, "is_animated", False) and im.format in {"WEBP", "PNG"}
            for index in range(1 if is_animation else frames):
                im.seek(index)
                frame = im.copy()
                frame.load()
                if frame.width * frame.height > limits.max_pixels:
                    raise TooManyPixels()
                rotation = _exif_rotation(frame)
                as_is = frames == 1 and im.format == "PNG" and data[24:25] == b"\x08" and frame.mode in ("RGB", "L", "P") \
                    and rotation == 0 and "transparency" not in frame.info  # byte 24: the PNG's bits per sample
                frame = ImageOps.exif_transpose(frame)
                pages.append(RawPage(page=index + 1, image=_to_bgr(frame, np), exif_rotation=rotation,
                                     encoded=data if as_is else None))
    except (TooManyPixels, TooManyPages):
        raise
    except Image.DecompressionBombError as exc:
        raise TooManyPixels(detail=str(exc)) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # PIL raises OSError("image file is truncated") and friends for damaged data.
        raise FileTruncated(detail=f"{type(exc).__name__}") from exc
    return pages


def _exif_rotation(img) -> int:
    try:
        orientation = img.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - broken EXIF is ignored, the pixels still count
        return 0
    return {3: 180, 6: 90, 8: 270}.get(orientation, 0)


def _to_bgr(img, np) -> "np.ndarray":
    """Any PIL mode (16-bit, CMYK, palette, transparent, 1-bit) to 8-bit BGR on white."""
    from PIL import Image

    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        top = float(arr.max())
        scale = 255.0 / top if top > 255 else 1.0  # 16-bit data stretched to 8 bits; 8-bit-range data kept
        img = Image.fromarray((arr * scale).clip(0, 255).astype(np.uint8))
    elif img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        img = Image.fromarray(((arr - lo) * (255.0 / ((hi - lo) or 1.0))).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    import cv2

    # one pass (a reversed-stride copy of the channels takes four times as long)
    return cv2.cvtColor(np.asarray(img if img.mode == "RGB" else img.convert("RGB")), cv2.COLOR_RGB2BGR)


# --- PDF ------------------------------------------------------------------------------------

IMAGE_SHARE = 0.05  # images covering at least this share of a page make it a page to be seen (OCR), not just read
INVISIBLE_SHARE = 0.0  # any text object not painted (render modes 3 and 7): the layer is evidence only
MIN_DPI = 72.0


@dataclass(frozen=True)
class PdfPageInfo:
    """What pdfium sees on a page before rendering: its size in points, how much of it images cover, their
    resolution, and the share of text objects that are not painted (render mode 3 invisible, 7 clip only)."""

    width_pt: float
    height_pt: float
    image_share: float = 0.0
    source_dpi: float | None = None
    invisible_share: float = 0.0


def _decode_pdf(data: bytes, limits: Limits, only: int | None = None) -> list[RawPage]:
    """Pages of a PDF. The file is parsed once (pikepdf for the page count, pdfium for what each page holds,
    pdfplumber for the text layers), and a page is rendered with pdfium at the resolution of its own images
    (`limits.pdf_dpi` for pages without images) within the pixel cap only when it is to be seen: a page keeps the
    fast text path (pdfplumber, no OCR, no rendering until a stage asks for its pixels) only when it has no images
    worth reading, its text is painted and the layer is usable; otherwise its layer is kept as evidence.
    JavaScript is never run."""
    count = _pdf_page_count(data, limits)
    import pypdfium2.raw as pdfium_c

    if only is not None and not 1 <= only <= count:
        raise FileTruncated(detail=f"no page {only} of {count}")
    indices = range(count) if only is None else [only - 1]
    doc = _open_pdfium(data)
    try:
        handles = {i: doc[i] for i in indices}
        infos = {i: _page_info(page, pdfium_c) for i, page in handles.items()}
        dpis = {i: page_dpi(info, limits) for i, info in infos.items()}  # a poster is refused before any rendering
        sizes = {i: _rendered_size(infos[i], dpis[i]) for i in indices}
        layers = _pdf_text_layers(data, {i: (dpis[i], *sizes[i]) for i in indices})
        pages = []
        for i in indices:
            info, dpi, (width, height) = infos[i], dpis[i], sizes[i]
            layer = layers.get(i)
            if layer is not None and info.invisible_share > INVISIBLE_SHARE:
                layer = TextLayer(lines=layer.lines, invisible=True, problem=layer.problem, width=layer.width,
                                  height=layer.height)
            fast = layer is not None and layer.problem is None and not layer.invisible and info.image_share < IMAGE_SHARE
            image = None if fast else render_pdf_page(handles[i], dpi)
            pages.append(RawPage(page=i + 1, image=image, text_lines=list(layer.lines) if fast else [],
                                 layer=None if fast else layer, source_dpi=info.source_dpi, dpi=dpi,
                                 width=width, height=height, render=renderer(data, i + 1, dpi) if fast else None))
    finally:
        doc.close()
    return pages


def _pdf_page_count(data: bytes, limits: Limits) -> int:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise FileEncrypted() from exc
    except pikepdf.PdfError as exc:
        raise FileTruncated(detail="pdf unreadable") from exc
    if count == 0:
        raise FileTruncated(detail="pdf without pages")
    if count > limits.max_pages:
        raise TooManyPages(detail=f"{count} pages")
    return count


def _open_pdfium(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise FileEncrypted() from exc
        raise FileTruncated(detail="pdfium cannot open") from exc


def _rendered_size(info: "PdfPageInfo", dpi: float) -> tuple[int, int]:
    """The bitmap size pdfium renders the page at (pypdfium2 rounds each side up)."""
    import math

    scale = dpi / 72.0
    return math.ceil(info.width_pt * scale), math.ceil(info.height_pt * scale)


def render_page_image(data: bytes, number: int, limits: Limits) -> bytes:
    """Page `number` (1-based) of a PDF as a JPEG at the resolution decoding uses: the page image of a fast text
    page, which processing never stored, rendered when a person asks for it (api/pages/images.py)."""
    import cv2
    import pypdfium2.raw as pdfium_c

    doc = _open_pdfium(data)
    try:
        if not 1 <= number <= len(doc):
            raise FileTruncated(detail=f"no page {number}")
        page = doc[number - 1]
        image = render_pdf_page(page, page_dpi(_page_info(page, pdfium_c), limits))
    finally:
        doc.close()
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return encoded.tobytes()


def renderer(data: bytes, number: int, dpi: float) -> "Callable[[], np.ndarray]":
    """Renders page `number` (1-based) of a PDF at `dpi` when called: the `render` of a page read elsewhere."""
    return partial(_render_later, data, number - 1, dpi)


def _render_later(data: bytes, index: int, dpi: float) -> "np.ndarray":
    """A fast page's image, when a stage asks for it after decoding (the file is opened again: cheap next to
    rendering)."""
    doc = _open_pdfium(data)
    try:
        return render_pdf_page(doc[index], dpi)
    finally:
        doc.close()


def page_dpi(info: PdfPageInfo, limits: Limits) -> float:
    """The resolution to render a page at: its images' own (so that quality judges the source, and nothing is
    thrown away or invented), `limits.pdf_dpi` without images; never more pixels than the cap allows.
    A page too large at `limits.pdf_dpi` is refused (a poster, not a document)."""
    area_in = (info.width_pt / 72.0) * (info.height_pt / 72.0)
    if area_in * limits.pdf_dpi ** 2 > limits.max_pixels:
        raise TooManyPixels(detail=f"{info.width_pt:.0f}x{info.height_pt:.0f}pt")
    dpi = float(limits.pdf_dpi) if info.source_dpi is None else max(MIN_DPI, info.source_dpi)
    cap = (limits.max_pixels / max(area_in, 1e-6)) ** 0.5
    return min(dpi, cap * 0.999)


def _page_info(page, pdfium_c) -> PdfPageInfo:
    width_pt, height_pt = page.get_size()
    page_area = max(width_pt * height_pt, 1e-6)
    covered, dpis, modes = 0.0, [], []
    for obj in page.get_objects(max_depth=4):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            bw, bh = max(right - left, 1e-6), max(top - bottom, 1e-6)
            share = min(1.0, bw * bh / page_area)
            covered += share
            if share >= IMAGE_SHARE:
                px_w, px_h = obj.get_px_size()
                # rotated placements swap the sides: match long with long and short with short
                dpis.append(max(max(px_w, px_h) / (max(bw, bh) / 72.0), min(px_w, px_h) / (min(bw, bh) / 72.0)))
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
            modes.append(pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw))
    invisible = sum(1 for m in modes if m in (3, 7)) / len(modes) if modes else 0.0
    return PdfPageInfo(width_pt=width_pt, height_pt=height_pt, image_share=min(1.0, covered),
                       source_dpi=max(dpis) if dpis else None, invisible_share=invisible)


def render_pdf_page(page, dpi: float) -> "np.ndarray":
    """One pdfium page as a BGR image at `dpi` (the only place a PDF page is rendered; tests count the calls)."""
    import numpy as np

    bitmap = page.render(scale=dpi / 72.0, may_draw_forms=True)
    pixels = bitmap.to_numpy()
    if pixels.ndim == 2 or bitmap.mode == "L":
        return np.ascontiguousarray(np.stack([pixels.reshape(pixels.shape[:2])] * 3, axis=-1))
    if bitmap.mode.startswith("BGR"):  # pdfium's native order is what OpenCV uses
        return np.ascontiguousarray(pixels[:, :, :3])
    return np.ascontiguousarray(pixels[:, :, 2::-1])


def _pdf_text_layers(data: bytes, rendered: dict[int, tuple[float, int, int]]) -> dict[int, TextLayer]:
    """The text layer per page index (pages with some text), as lines in the pixel space of the rendered page,
    judged for usability (pipeline/text_layer.py). `rendered`: page index -> (dpi, width, height)."""
    import pdfplumber

    out: dict[int, TextLayer] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index in sorted(rendered):
                page = pdf.pages[index]
                if len(page.chars) < 10:
                    continue  # a scan, or nearly empty: OCR will read it
                dpi, width, height = rendered[index]
                scale = dpi / 72.0
                words = page.extract_words(keep_blank_chars=True, x_tolerance=2, y_tolerance=2, use_text_flow=False)
                lines = tuple(
                    TextLine(text=w["text"].strip(), score=1.0,
                             box=(w["x0"] * scale, w["top"] * scale, w["x1"] * scale, w["bottom"] * scale))
                    for w in words if w["text"].strip()
                )
                if lines:
                    problem = unusable_reason("".join(c["text"] for c in page.chars))
                    out[index] = TextLayer(lines=lines, problem=problem, width=width, height=height)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types; the OCR path still reads the page
        logger.warning("pdf text layer unreadable: %s", type(exc).__name__)
    return out

"""Decode an original file into page images (or born-digital text pages), within the limits.

Who calls it: the preprocess stage (pipeline/stages.py). It never changes the stored original. The file
type is decided by content, never by name. Raises InputError subclasses for files that cannot be used.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pipeline.errors import FileEmpty, FileEncrypted, FileTruncated, TooManyPages, TooManyPixels, UnsupportedType
from pipeline.models import TextLine
from pipeline.settings import Limits

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
    """One decoded page: an image (BGR uint8), plus born-digital text lines in its pixel space."""

    page: int
    image: "np.ndarray"
    exif_rotation: int = 0
    text_lines: list[TextLine] = field(default_factory=list)


def decode(data: bytes, limits: Limits) -> tuple[MediaKind, list[RawPage]]:
    kind = sniff(data)
    if len(data) > limits.max_upload_bytes:
        from pipeline.errors import FileTooLarge

        raise FileTooLarge()
    if kind in IMAGE_KINDS:
        return kind, _decode_image(data, limits)
    if kind == "pdf":
        return kind, _decode_pdf(data, limits)
    # OFD files carry no page image we can render; their content is read from the package.
    return kind, []


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
                frame = ImageOps.exif_transpose(frame)
                pages.append(RawPage(page=index + 1, image=_to_bgr(frame, np), exif_rotation=rotation))
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
    rgb = np.asarray(img.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


# --- PDF ------------------------------------------------------------------------------------


def _decode_pdf(data: bytes, limits: Limits) -> list[RawPage]:
    """Pages of a PDF. Pages with a text layer are read with pdfplumber (no OCR); all pages are
    rendered with pypdfium2 at `limits.pdf_dpi` within the pixel cap. JavaScript is never run."""
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
    text_pages = _pdf_text_lines(data, limits.pdf_dpi)
    return [
        RawPage(page=i + 1, image=image, text_lines=text_pages.get(i, []))
        for i, image in enumerate(_render_pdf(data, count, limits))
    ]


def _render_pdf(data: bytes, count: int, limits: Limits):
    import numpy as np
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise FileEncrypted() from exc
        raise FileTruncated(detail="pdfium cannot open") from exc
    try:
        for index in range(count):
            page = doc[index]
            width_pt, height_pt = page.get_size()
            scale = limits.pdf_dpi / 72.0
            if width_pt * scale * height_pt * scale > limits.max_pixels:
                raise TooManyPixels(detail=f"page {index + 1} {width_pt:.0f}x{height_pt:.0f}pt")
            bitmap = page.render(scale=scale, may_draw_forms=True)
            pixels = bitmap.to_numpy()
            if pixels.ndim == 2 or bitmap.mode == "L":
                yield np.ascontiguousarray(np.stack([pixels.reshape(pixels.shape[:2])] * 3, axis=-1))
            elif bitmap.mode.startswith("BGR"):  # pdfium's native order is what OpenCV uses
                yield np.ascontiguousarray(pixels[:, :, :3])
            else:
                yield np.ascontiguousarray(pixels[:, :, 2::-1])
    finally:
        doc.close()


def _pdf_text_lines(data: bytes, dpi: int) -> dict[int, list[TextLine]]:
    """Born-digital text per page index, as lines in the pixel space of the rendered page."""
    import pdfplumber

    scale = dpi / 72.0
    out: dict[int, list[TextLine]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index, page in enumerate(pdf.pages):
                if len(page.chars) < 10:
                    continue  # a scan, or nearly empty: OCR will read it
                words = page.extract_words(keep_blank_chars=True, x_tolerance=2, y_tolerance=2, use_text_flow=False)
                lines = [
                    TextLine(
                        text=w["text"].strip(),
                        score=1.0,
                        box=(w["x0"] * scale, w["top"] * scale, w["x1"] * scale, w["bottom"] * scale),
                    )
                    for w in words
                    if w["text"].strip()
                ]
                if lines:
                    out[index] = lines
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types; the OCR path still reads the page
        logger.warning("pdf text layer unreadable: %s", type(exc).__name__)
    return out

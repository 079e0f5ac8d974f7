"""Bad and odd input: each gets its docs/architecture.md code or is decoded safely (type decided by content)."""

import io
import zlib

import numpy as np
import pikepdf
import pytest
from PIL import Image

from pipeline import decode as d
from pipeline.errors import (FileEmpty, FileEncrypted, FileTooLarge, FileTruncated, TooManyPages, TooManyPixels,
                             UnsupportedType)
from pipeline.settings import Limits
from tests.pipeline.helpers import pdf_bytes

LIMITS = Limits()


def png(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **kw)
    return buf.getvalue()


def jpeg(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()


def test_empty_file():
    with pytest.raises(FileEmpty):
        d.decode(b"", LIMITS)


@pytest.mark.parametrize("data", [
    b"just some text named scan.jpg\n",
    b"<!DOCTYPE html><html><body>not a png</body></html>",
    b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
    b"MZ\x90\x00" + b"\x00" * 100,
    b"GIF89a" + b"\x00" * 100,
])
def test_type_is_decided_by_content(data):
    with pytest.raises(UnsupportedType) as info:
        d.decode(data, LIMITS)
    assert info.value.code == "file.unsupported_type" and info.value.message


def test_jpeg_with_a_zip_appended_is_refused():
    zipped = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("payload.exe", b"MZ" + b"\x00" * 64)
    data = jpeg(Image.new("RGB", (64, 64), "white")) + zipped.getvalue()
    with pytest.raises(UnsupportedType):
        d.decode(data, LIMITS)


def test_truncated_jpeg():
    data = jpeg(Image.effect_noise((800, 600), 60).convert("RGB"), quality=90)
    with pytest.raises(FileTruncated):
        d.decode(data[: len(data) // 2], LIMITS)


def test_damaged_png():
    data = bytearray(png(Image.effect_noise((200, 200), 60)))
    data[100:140] = b"\x00" * 40
    with pytest.raises(FileTruncated):
        d.decode(bytes(data), LIMITS)


def test_decompression_bomb_is_refused_from_the_header():
    # 10000 x 10000 zero pixels compress to ~100 KB but would decode to 300 MB.
    bomb = png(Image.new("L", (10000, 10000), 0))
    assert len(bomb) < 1_000_000
    with pytest.raises(TooManyPixels):
        d.decode(bomb, Limits(max_pixels=40_000_000))


def test_forged_png_header_claiming_huge_size():
    ihdr = b"IHDR" + (60000).to_bytes(4, "big") + (60000).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + len(ihdr[4:]).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
    data += b"\x00\x00\x00\x00IEND\xaeB`\x82"
    with pytest.raises(TooManyPixels):
        d.decode(data, LIMITS)


def test_oversized_file():
    data = jpeg(Image.new("RGB", (10, 10))) + b"\x00" * 2048
    with pytest.raises(FileTooLarge):
        d.decode(data, Limits(max_upload_bytes=1024))


@pytest.mark.parametrize("make", [
    lambda: png(Image.fromarray((np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16))),  # 16-bit grey
    lambda: jpeg(Image.new("CMYK", (64, 48), (0, 255, 0, 0))),
    lambda: png(Image.new("RGBA", (64, 48), (0, 0, 0, 0))),
    lambda: png(Image.new("P", (64, 48))),
    lambda: png(Image.new("1", (64, 48), 1)),
    lambda: png(Image.new("RGB", (1, 1), "white")),
])
def test_odd_but_valid_images_decode_to_8bit_bgr(make):
    kind, pages = d.decode(make(), LIMITS)
    assert len(pages) == 1
    image = pages[0].image
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3


@pytest.mark.parametrize("mode", ["RGB", "L", "P"])
def test_a_plain_png_keeps_its_own_bytes_which_decode_to_its_pixels(mode):
    """A flat scan that capture leaves as it is is stored as uploaded, not encoded again (pipeline/stages.Images)."""
    import cv2

    rng = np.random.default_rng(3)
    shape = (48, 64, 3) if mode == "RGB" else (48, 64)
    image = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), "RGB" if mode == "RGB" else "L")
    if mode == "P":
        image = image.convert("RGB").quantize(40)
    data = png(image)
    _, [page] = d.decode(data, LIMITS)
    assert page.encoded == data
    assert np.array_equal(cv2.imdecode(np.frombuffer(page.encoded, np.uint8), cv2.IMREAD_COLOR), page.image)
    assert "encoded" not in repr(page)


def _exif_turned_png() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 3
    return png(Image.new("RGB", (64, 48), "white"), exif=exif)


def _sixteen_bit_colour_png() -> bytes:
    """48-bit colour, which PIL opens as 8-bit "RGB": only the PNG header tells."""
    import cv2

    return cv2.imencode(".png", np.full((48, 64, 3), 40000, np.uint16))[1].tobytes()


def _two_frame_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buf, "PNG", save_all=True, append_images=[Image.new("RGB", (64, 48))])
    return buf.getvalue()


@pytest.mark.parametrize("make", [
    lambda: png(Image.fromarray((np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16))),  # 16-bit grey
    lambda: png(Image.new("RGBA", (64, 48), (0, 0, 0, 0))),
    lambda: png(Image.new("LA", (64, 48), (0, 255))),
    lambda: png(Image.new("P", (64, 48)), transparency=0),
    lambda: png(Image.new("1", (64, 48), 1)),
    lambda: png(Image.new("L", (64, 48), 0), transparency=0),
    lambda: jpeg(Image.new("RGB", (64, 48), "white")),
    _exif_turned_png,
    _two_frame_png,
    _sixteen_bit_colour_png,
], ids=["16-bit", "rgba", "la", "transparent-palette", "1-bit", "grey-transparent", "jpeg", "exif-turned", "animated", "48-bit"])
def test_a_file_whose_pixels_were_converted_keeps_no_bytes_of_its_own(make):
    _, pages = d.decode(make(), LIMITS)
    assert pages[0].encoded is None


def test_transparent_png_is_composited_on_white():
    _, pages = d.decode(png(Image.new("RGBA", (8, 8), (0, 0, 0, 0))), LIMITS)
    assert pages[0].image.min() == 255


def test_sixteen_bit_keeps_contrast():
    arr = np.zeros((32, 32), dtype=np.uint16)
    arr[:, 16:] = 65535
    _, pages = d.decode(png(Image.fromarray(arr)), LIMITS)
    assert pages[0].image[:, :16].max() == 0 and pages[0].image[:, 16:].min() == 255


def test_multipage_tiff_gives_every_page_and_respects_the_cap():
    frames = [Image.new("RGB", (40, 30), c) for c in ("red", "green", "blue")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    _, pages = d.decode(buf.getvalue(), LIMITS)
    assert [p.page for p in pages] == [1, 2, 3]
    assert tuple(pages[2].image[0, 0]) == (255, 0, 0)  # blue in BGR
    with pytest.raises(TooManyPages):
        d.decode(buf.getvalue(), Limits(max_pages=2))


def test_exif_orientation_is_honoured(shared_data):
    data = (shared_data / "cn_doc_images/rapidocr_edgecases/img_exif_orientation.jpg").read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        raw = np.asarray(im.convert("RGB"))[:, :, ::-1]
    _, pages = d.decode(data, LIMITS)
    assert pages[0].exif_rotation == 180  # EXIF orientation 3 (lower-right)
    assert np.array_equal(pages[0].image, raw[::-1, ::-1])


def test_pdf_with_user_password_is_encrypted():
    data = pdf_bytes(encryption=pikepdf.Encryption(user="secret", owner="owner"))
    with pytest.raises(FileEncrypted) as info:
        d.decode(data, LIMITS)
    assert info.value.code == "file.encrypted"


def test_pdf_with_owner_password_only_is_read():
    data = pdf_bytes(encryption=pikepdf.Encryption(user="", owner="owner", allow=pikepdf.Permissions(extract=False)))
    kind, pages = d.decode(data, LIMITS)
    assert kind == "pdf" and len(pages) == 1


def test_real_encrypted_pdfs(shared_data):
    for name in ("scanned_pdfs/pikepdf/graph-encrypted.pdf", "scanned_pdfs/pdfplumber/password-example.pdf"):
        with pytest.raises(FileEncrypted):
            d.decode((shared_data / name).read_bytes(), LIMITS)


def test_real_invalid_pdf_is_truncated(shared_data):
    with pytest.raises(FileTruncated):
        d.decode((shared_data / "scanned_pdfs/ocrmypdf/invalid.pdf").read_bytes(), LIMITS)


def test_pdf_page_cap():
    with pytest.raises(TooManyPages):
        d.decode(pdf_bytes(pages=5), Limits(max_pages=4))


def test_huge_pdf_page_is_refused_before_rendering(shared_data):
    with pytest.raises(TooManyPixels):
        d.decode((shared_data / "scanned_pdfs/ocrmypdf/poster.pdf").read_bytes(), LIMITS)


def test_pdf_with_javascript_is_processed_as_pages_and_never_run():
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('x'); this.exportDataObject();"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    buf = io.BytesIO()
    pdf.save(buf)
    kind, pages = d.decode(buf.getvalue(), LIMITS)
    assert kind == "pdf" and len(pages) == 1 and pages[0].image.shape[2] == 3


def test_born_digital_pdf_page_carries_text_lines():
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(text="Born digital text line for pdfplumber")
    kind, pages = d.decode(bytes(doc.output()), LIMITS)
    assert pages[0].text_lines and "Born digital" in " ".join(line.text for line in pages[0].text_lines)


def test_rendered_pdf_pages_keep_their_colours_in_opencv_order():
    """A red seal stays red: pdfium renders BGR, which is OpenCV's order (no channel swap)."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_fill_color(220, 20, 30)  # seal red
    doc.rect(10, 10, 60, 60, "F")
    kind, pages = d.decode(bytes(doc.output()), Limits())
    b, g, r = (int(v) for v in pages[0].image[200, 200])
    assert kind == "pdf" and r > 200 and g < 60 and b < 60, (b, g, r)

"""QR codes (and other 2-D codes) printed on a page, decoded with zxing-cpp.

Who calls it: pipeline/stages.marks, for document types that carry a code (business licences and their
e-licence printouts print one that links to the national enterprise credit system). Reading a whole A4 page
takes about 50 ms, small beside OCR. Pure: it reads the image and returns values; nothing is fetched from the
URL a code holds (no network at run time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.models import Code

if TYPE_CHECKING:
    import numpy as np

# What paper documents carry: QR codes mostly, Data Matrix on some certificates.
FORMATS = ("QRCode", "MicroQRCode", "DataMatrix")


def read_codes(image: "np.ndarray", page: int) -> list[Code]:
    """Every decodable code on a BGR page image, with its box in page pixels. A page with none gives []."""
    import zxingcpp

    formats = zxingcpp.BarcodeFormats([getattr(zxingcpp.BarcodeFormat, name) for name in FORMATS])
    out: list[Code] = []
    for found in zxingcpp.read_barcodes(image, formats=formats):
        if not found.valid or not found.text:
            continue
        pos = found.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_right.x, pos.bottom_left.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_right.y, pos.bottom_left.y]
        out.append(Code(format=_format_name(found.format), text=found.text, page=page,
                        box=(float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))))
    return out


def _format_name(fmt) -> str:
    """zxing-cpp prints "QR Code"; the result uses the enum's name ("QRCode")."""
    name = getattr(fmt, "name", None) or str(fmt)
    return name.split(".")[-1].replace(" ", "")

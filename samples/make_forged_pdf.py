"""Forged PDFs for the text-layer tests and benchmark: a page that shows a card image, with an invisible text
layer (render mode 3, like an OCR "sandwich") that states another name and ID number at the places of the card's
fields. A reader that trusts the layer reads the forgery; a person sees the card.

    .venv/bin/python samples/make_forged_pdf.py CARD.png|jpg CARD.json OUT.pdf --name 王二 --id 110105199003071239

Also `sandwich_pdf`: the same page with an honest invisible layer (the card's own fields), the control case.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SOURCE_DPI = 300.0


# Where a card's fields sit, as shares of the card's width and height (x, y of the value, line height); labels
# stand to the left. The layer is laid out like a straight card filling the page, whatever the picture shows.
LAYOUT = {"name": ("姓名", 0.185, 0.176, 0.057), "sex": ("性别", 0.185, 0.289, 0.058),
          "ethnicity": ("民族", 0.44, 0.292, 0.055), "birth_date": ("出生", 0.185, 0.409, 0.051),
          "address": ("住址", 0.185, 0.521, 0.057), "id_number": ("公民身份号码", 0.355, 0.833, 0.053)}


def _layer_lines(fields: dict[str, str], size: tuple[int, int]) -> list[tuple[str, float, float, float]]:
    """(text, x, y, height) in image pixels: each label left of its value, as printed on the card."""
    width, height = size
    out = []
    for key, (label, fx, fy, fh) in LAYOUT.items():
        if key not in fields:
            continue
        x0, y0, h = fx * width, fy * height, fh * height
        value = fields[key]
        if key == "birth_date":
            y, m, d = value.split("-")
            value = f"{y}年{int(m)}月{int(d)}日"
        label_x = x0 - 1.1 * h * len(label) - 0.02 * width if key == "id_number" else x0 - 0.11 * width
        out.append((label, max(5.0, label_x), y0, h))
        out.append((value, x0, y0, h))
    return out


def layered_pdf(card_png: bytes, size: tuple[int, int], fields: dict[str, str]) -> bytes:
    """One page the size of the image at 300 dpi: the image, and an invisible text layer with `fields`."""
    from fpdf import FPDF
    from fpdf.enums import TextMode

    width_px, height_px = size
    k = 72.0 / SOURCE_DPI
    pdf = FPDF(unit="pt", format=(width_px * k, height_px * k))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(io.BytesIO(card_png), x=0, y=0, w=width_px * k, h=height_px * k)
    pdf.add_font("wqy", "", str(CJK_FONT), collection_font_number=0)
    pdf.text_mode = TextMode.INVISIBLE
    for text, x, y, h in _layer_lines(fields, size):
        pdf.set_font("wqy", size=h * k * 0.9)
        pdf.text(x * k, (y + h * 0.85) * k, text)
    return bytes(pdf.output())


def forged_pdf(card_png: bytes, truth: dict, name: str, id_number: str) -> bytes:
    fields = dict(truth["fields"], name=name, id_number=id_number)
    return layered_pdf(card_png, _size(card_png), fields)


def sandwich_pdf(card_png: bytes, truth: dict) -> bytes:
    return layered_pdf(card_png, _size(card_png), truth["fields"])


def _size(image: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(image)) as im:
        return im.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("card")
    parser.add_argument("truth")
    parser.add_argument("out")
    parser.add_argument("--name", required=True)
    parser.add_argument("--id", required=True)
    args = parser.parse_args()
    truth = json.loads(Path(args.truth).read_text(encoding="utf-8"))
    Path(args.out).write_bytes(forged_pdf(Path(args.card).read_bytes(), truth, args.name, args.id))


if __name__ == "__main__":
    main()

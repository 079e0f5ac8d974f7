"""Pages with a signature area signed (or left blank) in every way samples/signatures.py draws, for the handwriting
tests and samples/bench_handwriting.py.

Layouts:
- `application_form`, `power_of_attorney`: the signature page of generate_documents.py's form, its own handwriting
  taken off and the area signed again by `draw_signature`;
- `inline_date`, `cell`, `below`, `two_parties`: simple application pages drawn here, not by the generators — the
  label followed by space and a date on the same row; a ruled table whose right cell is the signature box; a label
  at the end of its row with the signature under it; a letter signed by principal and agent on two rows (the
  operator's area is judged; the other party signs in half the pages).

Variants: `clean` (PNG at 200 dpi) and `camera` (the page photographed on a desk, generate_documents' camera shot).

    page(layout, kind, seed, variant) -> (image bytes, truth)

truth: layout, kind, signed (what a person sees), doc_type, and for clean pages `label_box` (pixels) and `lines`
(the printed text as (text, box), what OCR would read), so the ink judgement can be tested without OCR.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _sheet  # noqa: E402
import generate_documents as gd  # noqa: E402
import generate_idcards as idg  # noqa: E402
import signatures  # noqa: E402
from _sheet import Sheet, text_width  # noqa: E402

GENERATOR_LAYOUTS = ("application_form", "power_of_attorney")
HAND_LAYOUTS = ("inline_date", "cell", "below", "two_parties")
LAYOUTS = GENERATOR_LAYOUTS + HAND_LAYOUTS
DPI = 200
K = DPI / 25.4
NAMES = ("陆雨甦", "段燕", "张頔雪", "欧阳明辉", "王伟", "黄海鑫", "丁德静", "任珺辉")
FRAMES = (None, None, "underline", "box")


def page(layout: str, kind: str, seed: int, variant: str = "clean") -> tuple[bytes, dict]:
    """One page of `layout` whose signature area holds `kind` (signatures.KINDS)."""
    rng = random.Random(f"{layout}/{kind}/{seed}")
    name = rng.choice(NAMES)
    if layout in GENERATOR_LAYOUTS:
        sheet, label_box, doc_type = _generator_sheet(layout, seed)
    else:
        sheet, label_box, doc_type, name = _hand_sheet(layout, rng)
    image = _sheet.to_image(sheet, DPI)
    area, frame = _area(layout, label_box, sheet, rng)
    truth = signatures.draw_signature(image, [v * K for v in area], kind, name, rng,
                                      frame=frame if signatures.is_signed(kind) else None)
    if layout == "two_parties" and rng.random() < 0.5:  # the agent signs the row below
        below = [area[0], area[1] + 16, area[2], area[3] + 16]
        signatures.draw_signature(image, [v * K for v in below], "brush_name", rng.choice(NAMES), rng)
    out = {"layout": layout, "kind": kind, "signed": truth["signed"], "doc_type": doc_type, "variant": variant,
           "area": truth["box"], "ink_box": truth["ink_box"]}
    if variant == "clean":
        out["label_box"] = [v * K for v in label_box]
        out["lines"] = _printed_lines(sheet)
        buf = io.BytesIO()
        image.save(buf, "PNG")
        return buf.getvalue(), out
    shot = _sheet.camera_shot(image, {}, random.Random(f"camera/{layout}/{kind}/{seed}"), idg._desk)
    buf = io.BytesIO()
    Image.fromarray(shot["image"]).save(buf, "JPEG", quality=rng.randint(60, 80))
    return buf.getvalue(), out


def _area(layout: str, label: list[float], sheet: Sheet, rng: random.Random) -> tuple[list[float], str | None]:
    """The signature area (mm) the layout gives the label, and the furniture drawn there for signed kinds."""
    x0, y0, x1, y1 = label
    h = y1 - y0
    if layout == "cell":
        return [x1 + 6, y0 - 5, 188, y1 + 5], None  # the cell's rules are already printed
    if layout == "below":
        return [x0 - 2, y1 + 2, x0 + 48, y1 + 16], rng.choice((None, "underline"))
    return [x1 + 2, y0 - 1.6 * h, min(x1 + 62, 196), y1 + 0.8 * h], rng.choice(FRAMES)


def _generator_sheet(doc_type: str, seed: int) -> tuple[Sheet, list[float], str]:
    """The generator's signature page with its handwritten signature removed."""
    sheets, _fields, _case = gd.render_document(seed, seed % 50, doc_type)
    for sheet in sheets:
        labels = [op for op in sheet.ops if op[0] == "text" and ("签字" in op[3] or "签名" in op[3]) and len(op[3]) <= 9]
        if not labels:
            continue
        _, x, y, text, face, pt, _color, spacing = labels[-1]
        width = text_width(text, face, pt, spacing)
        em = pt * _sheet.PT_MM
        label_box = [x, y - 0.88 * em, x + width, y + 0.14 * em]
        signed = sheet.boxes.get("signed")
        if signed:
            sheet.ops = [op for op in sheet.ops if not (op[0] == "picture" and [round(v, 3) for v in op[1:5]]
                                                          == [round(v, 3) for v in signed])]
        sheet.seals.clear()
        return sheet, label_box, doc_type
    raise LookupError(f"no signature label on {doc_type} of seed {seed}")


def _hand_sheet(layout: str, rng: random.Random) -> tuple[Sheet, list[float], str, str]:
    """A short application page of another design: title, three labelled rows, the pledge, the signature block."""
    s = gd.make_style(rng)
    case = gd.make_case(rng.randint(1, 10_000), rng.randint(0, 99))
    op = case["operator"]
    sheet = Sheet()
    gd.mark(sheet, 165, 18)
    gd.title(sheet, s, "个体工商户登记（备案）申请书", 32, pt=19)
    y = 52
    for label, value in (("经营者姓名", op["name"]), ("身份证件号码", op["id_number"]), ("经营场所", case["premises"][:22])):
        sheet.text(24, y, f"{label}{s.colon}", s.label, s.pt, color=s.ink)
        sheet.text(64, y, value, s.value, s.pt, color=s.ink)
        y += 11
    y = gd.paragraph(sheet, s, 22, y + 6, "本人承诺：所提交的申请材料真实、合法、有效，本人对所填报信息和提交材料的真实性负责。", 166)
    y += 16
    if layout == "inline_date":
        box = sheet.text(24, y, f"经营者签字{s.colon}", s.label, s.pt, color=s.ink)
        sheet.text(130, y, "日期：      年    月    日", s.label, s.pt, color=s.ink)
    elif layout == "cell":
        top = y - 9
        for yy in (top, top + 14, top + 28):
            sheet.line(22, yy, 188, yy, 0.35)
        for xx in (22, 62, 188):
            sheet.line(xx, top, xx, top + 28, 0.35)
        box = sheet.text(26, top + 9, "经营者签字", s.label, s.pt, color=s.ink)
        sheet.text(26, top + 23, "日    期", s.label, s.pt, color=s.ink)
        sheet.text(120, top + 23, "年    月    日", s.label, s.pt, color=s.ink)
    elif layout == "below":
        label = "经营者（签字）："
        box = sheet.text(190 - text_width(label, s.label, s.pt), y, label, s.label, s.pt, color=s.ink)
        sheet.text(140, y + 24, "年    月    日", s.label, s.pt, color=s.ink)
    else:
        box = sheet.text(90, y, f"经营者签字{s.colon}", s.label, s.pt, color=s.ink)
        sheet.text(90, y + 16, f"受托人签字{s.colon}", s.label, s.pt, color=s.ink)
    return sheet, box, "application_form", op["name"]


def _printed_lines(sheet: Sheet) -> list[tuple[str, list[float]]]:
    """The printed text as OCR reads it: one box per text operation, in pixels (with PP-OCR's padding)."""
    out = []
    for op in sheet.ops:
        if op[0] != "text":
            continue
        _, x, y, text, face, pt, _color, spacing = op
        em = pt * _sheet.PT_MM
        box = [x - 0.3, y - 0.95 * em, x + text_width(text, face, pt, spacing) + 0.3, y + 0.2 * em]
        out.append((text, [round(v * K, 1) for v in box]))
    return out


def decode(data: bytes) -> np.ndarray:
    """The page as a BGR array (what pipeline stages hold)."""
    import cv2

    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)

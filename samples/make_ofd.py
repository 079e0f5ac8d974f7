"""OFD e-licences for tests and the benchmark: 不动产登记证明, 不动产权证书 and 营业执照 as GB/T 33190 packages, with
fictional data (samples/generate_documents.make_case) and the 样本 mark.

Two layouts, as issuers make them: `template` — the printed form (title, labels, table rules) is a template page's
image and the values are text objects, like the real 不动产登记证明 in the shared data; `text` — labels and values
are all text objects (no image). Unsigned: signatures are tested with real files elsewhere.

    .venv/bin/python samples/make_ofd.py OUT_DIR [--seed 17] [--count 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_documents as gd  # noqa: E402

FONT = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2)
NS = "http://www.ofdspec.org/2016"
PX_PER_MM = 8.0
TYPES = ("real_estate_registration_certificate", "property_certificate", "business_licence")
LAYOUTS = ("template", "text")


# --- what each licence says ----------------------------------------------------------------------


def _registration(case: dict, rng: random.Random) -> tuple[str, str, list[tuple[str, str, str]], dict]:
    place = case["premises_place"]
    city = place.city or place.county or place.province
    year = rng.randint(2016, gd.REFERENCE_DATE.year - 1)
    number = f"{gd.PROVINCE_ABBR[place.code[:2]]}（{year}）{city}不动产证明第{rng.randint(1, 9999999):07d}号"
    bank = f"{rng.choice(('中国建设银行', '中国工商银行', '中国农业银行', '中国银行'))}股份有限公司{city.removesuffix('市')}分行"
    matter = rng.choice(("抵押权", "预告登记", "抵押权预告登记"))
    unit = gd.unit_number(rng, place.code)
    registered = gd._day(rng, dt.date(year, 1, 1), dt.date(year, 12, 28))
    rows = [("证明权利或事项", "right_or_matter", matter), ("权利人（申请人）", "holder", bank),
            ("义务人", "obligor", case["owner"]["name"]), ("坐落", "location", case["premises"]),
            ("不动产单元号", "unit_number", unit)]
    truth = {"certificate_number": number, "right_or_matter": matter, "holder": bank, "obligor": case["owner"]["name"],
             "location": case["premises"], "unit_number": unit, "registered_on": registered.isoformat()}
    return "不动产登记证明", number, rows, truth


def _property(case: dict, rng: random.Random) -> tuple[str, str, list[tuple[str, str, str]], dict]:
    place = case["premises_place"]
    city = place.city or place.county or place.province
    number = f"{gd.PROVINCE_ABBR[place.code[:2]]}（{rng.randint(2016, 2025)}）{city}不动产权第{rng.randint(1, 9999999):07d}号"
    unit = gd.unit_number(rng, place.code)
    area = f"房屋建筑面积{rng.randint(4000, 25000) / 100:.2f}㎡"
    rows = [("权利人", "holder", case["owner"]["name"]), ("共有情况", "co_ownership", "单独所有"),
            ("坐落", "location", case["premises"]), ("不动产单元号", "unit_number", unit),
            ("权利类型", "right_type", "国有建设用地使用权/房屋所有权"), ("用途", "usage", "城镇住宅用地/住宅"), ("面积", "area", area)]
    truth = {"certificate_number": number, **{key: value for _, key, value in rows}}
    return "不动产权证书", number, rows, truth


def _business(case: dict, rng: random.Random) -> tuple[str, str, list[tuple[str, str, str]], dict]:
    rows = [("名称", "name", case["business_name"]), ("类型", "entity_type", case["entity_type"]),
            (case["rep_label"], "legal_representative", case["operator"]["name"]),
            ("成立日期", "established_on", f"{case['established']:%Y年%m月%d日}"), ("住所", "address", case["premises"])]
    truth = {"credit_code": case["credit_code"], **{key: value for _, key, value in rows},
             "established_on": case["established"].isoformat()}
    return "营业执照", f"统一社会信用代码 {case['credit_code']}", rows, truth


MAKERS = {"real_estate_registration_certificate": _registration, "property_certificate": _property,
          "business_licence": _business}


# --- the package ---------------------------------------------------------------------------------


def _text_object(oid: int, x: float, y: float, text: str, size: float) -> str:
    advances = [size if ord(c) > 0x2E7F else size * 0.55 for c in text]
    width = sum(advances)
    delta = " ".join(f"{a:.3f}" for a in advances[:-1])
    return (f'<ofd:TextObject ID="{oid}" Boundary="{x:.3f} {y:.3f} {width + 1:.3f} {size * 1.3:.3f}" Font="2" '
            f'Size="{size:.3f}"><ofd:TextCode X="0" Y="{size * 0.95:.3f}"'
            + (f' DeltaX="{delta}"' if delta else "") + f">{escape(text)}</ofd:TextCode></ofd:TextObject>")


def _layout(title: str, number: str, rows: list[tuple[str, str, str]], registered: str | None):
    """(labels, values): each a list of (x mm, y mm, text, size mm) on a 283 x 196 mm page."""
    labels = [(40, 22, title, 8.0), (20, 186, "样本", 6.0)]
    values = [(150, 34, number, 4.6)]
    y = 46.0
    for label, _, value in rows:
        labels.append((150, y, label, 4.2))
        lines = [value[i:i + 17] for i in range(0, len(value), 17)]
        for j, line in enumerate(lines):
            values.append((190, y + j * 5.5, line, 4.2))
        y += max(13.0, 5.5 * len(lines) + 6)
    if registered:
        year, month, day = registered.split("-")
        labels += [(60, 150, "登记机构（章）", 4.6), (66, 162, "年", 4.6), (82, 162, "月", 4.6), (98, 162, "日", 4.6)]
        values += [(55, 161, year, 4.2), (74, 161, month, 4.2), (90, 161, day, 4.2)]
    return labels, values


def _template_png(labels, size_mm: tuple[float, float]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    w, h = round(size_mm[0] * PX_PER_MM), round(size_mm[1] * PX_PER_MM)
    image = Image.new("RGB", (w, h), (252, 240, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, w - 60, h - 60), outline=(200, 150, 150), width=6)
    for x, y, text, size in labels:
        font = ImageFont.truetype(FONT[0], round(size * PX_PER_MM), index=FONT[1])
        draw.text((x * PX_PER_MM, (y + size) * PX_PER_MM), text, fill=(40, 30, 30), font=font, anchor="ls")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def ofd_bytes(title: str, number: str, rows, layout: str, registered: str | None = None) -> bytes:
    size = (283.0, 196.0)
    labels, values = _layout(title, number, rows, registered)
    texts = values if layout == "template" else labels + values
    objects = "".join(_text_object(10 + i, x, y, text, s) for i, (x, y, text, s) in enumerate(texts))
    files = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" Version="1.1" DocType="OFD"><ofd:DocBody>'
                   "<ofd:DocInfo><ofd:DocID>yichuang-sample</ofd:DocID><ofd:Author>yichuang 样本</ofd:Author></ofd:DocInfo>"
                   "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/PublicRes.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res"><ofd:Fonts>'
                               '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        "Doc_0/Pages/Page_0/Content.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}">'
                                          f'<ofd:Area><ofd:PhysicalBox>0 0 {size[0]} {size[1]}</ofd:PhysicalBox></ofd:Area>'
                                          + ('<ofd:Template TemplateID="3" ZOrder="Background"/>' if layout == "template" else "")
                                          + f'<ofd:Content><ofd:Layer ID="4">{objects}</ofd:Layer></ofd:Content></ofd:Page>',
    }
    template = ""
    if layout == "template":
        template = '<ofd:TemplatePage ID="3" BaseLoc="Tpls/Tpl_0/Content.xml"/>'
        files["Doc_0/DocumentRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">'
                                          '<ofd:MultiMedias><ofd:MultiMedia ID="5" Type="Image"><ofd:MediaFile>template.png'
                                          "</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias></ofd:Res>")
        files["Doc_0/Tpls/Tpl_0/Content.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                                                 f'<ofd:Layer ID="6"><ofd:ImageObject ID="7" CTM="{size[0]} 0 0 {size[1]} 0 0" '
                                                 f'Boundary="0 0 {size[0]} {size[1]}" ResourceID="5"/></ofd:Layer></ofd:Content></ofd:Page>')
    files["Doc_0/Document.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{NS}"><ofd:CommonData>'
                                   f'<ofd:MaxUnitID>200</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {size[0]} {size[1]}'
                                   '</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>'
                                   + ('<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>' if layout == "template" else "")
                                   + template + '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                                   "</ofd:Pages></ofd:Document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
        if layout == "template":
            zf.writestr("Doc_0/Res/template.png", _template_png(labels, size))
    return buf.getvalue()


def make(type_code: str, layout: str, seed: int, index: int) -> tuple[bytes, dict]:
    """One OFD e-licence and its truth: {"type", "layout", "fields"}."""
    case = gd.make_case(seed, index)
    rng = random.Random(f"{seed}-{index}-{type_code}-{layout}")
    title, number, rows, truth = MAKERS[type_code](case, rng)
    data = ofd_bytes(title, number, rows, layout, truth.get("registered_on"))
    return data, {"type": type_code, "layout": layout, "fields": truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for type_code in TYPES:
        for layout in LAYOUTS:
            for index in range(args.count):
                data, truth = make(type_code, layout, args.seed, index)
                stem = f"ofd_{type_code}_{layout}_s{args.seed}-{index:04d}"
                (args.out / f"{stem}.ofd").write_bytes(data)
                (args.out / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Seeded generator of civil records and other identity documents, with ground truth: 居民户口簿 pages (户主页 and
常住人口登记卡), 结婚证, 法定代表人身份证明书 (with the organisation's red seal), and 临时居民身份证, 港澳台居民居住证,
港澳/台湾居民来往通行证 and 护照 (recognised, fields not judged yet).

Built on generate_documents.py: the same people and businesses (make_case), page furniture, variants (`clean`
PNG at 200 dpi, `camera` JPEG of the page on a desk) and truth format, plus `seals` — every seal stamped, with
its organisation, text, kind (round / oval / square) and box — drawn by _seals.py. Everyone is fictional, every
page is marked 样本, identity documents show a silhouette and no emblem.

About one legal-representative certificate in eight carries no seal, and one in ten the seal of another
organisation (the checks must say so); the benchmark (samples/bench_seals.py) uses both.

    python samples/generate_more_documents.py --seed 7 --count 2 --variant clean --out samples --by-type
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _seals  # noqa: E402
import _sheet  # noqa: E402
import generate_documents as gd  # noqa: E402
import generate_idcards as idg  # noqa: E402
from _sheet import Sheet, text_width, wrap  # noqa: E402

RECORDS = ("household_register", "marriage_certificate", "legal_rep_certificate")
IDENTITY = ("temporary_id_card", "residence_permit", "travel_permit_hkmo", "travel_permit_tw", "passport")
TYPES = RECORDS + IDENTITY
REFERENCE_DATE = gd.REFERENCE_DATE
POSTS = ("执行董事", "董事长", "总经理", "执行董事兼总经理", "经理")


def _cell_table(sheet: Sheet, s: gd.Style, x0: float, y: float, widths: list[float], rows: list[list[tuple]],
                h: float = 12.0) -> float:
    """A ruled table; each row is a list of (label, key, value) pairs filling label and value cells in turn."""
    em = s.pt * _sheet.PT_MM
    right = x0 + sum(widths)
    sheet.line(x0, y, right, y, 0.35)
    for row in rows:
        x = x0
        cells = [c for pair in row for c in ((pair[0], None), (pair[2], pair[1]))]
        for (text, key), w in zip(cells, widths):
            sheet.line(x, y, x, y + h, 0.35)
            if text:
                pt = s.pt
                while text_width(text, s.value, pt) > w - 3 and pt > 7:
                    pt *= 0.94
                face = s.label if key is None else s.value
                # what is still too long wraps inside its cell, as a register prints it, never over the next cell
                parts = wrap(text, s.value, pt, w - 3)
                step = pt * _sheet.PT_MM * 1.2
                for j, part in enumerate(parts):
                    sheet.text(x + 1.5, y + h / 2 + em * 0.35 + (j - (len(parts) - 1) / 2) * step, part, face, pt,
                               color=s.ink, key=key)
            x += w
        sheet.line(right, y, right, y + h, 0.35)
        y += h
        sheet.line(x0, y, right, y, 0.35)
    return y


# --- 居民户口簿 ----------------------------------------------------------------------------------------


def household_register(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = gd.make_style(rng)
    head = case["operator"]
    sheet = Sheet()
    gd.mark(sheet, 168, 16)
    if rng.random() < 0.45:  # 户主页
        htype = rng.choice(("家庭户", "非农业家庭户口", "农业家庭户口", "集体户", "居民家庭户"))
        number = f"{rng.randint(1, 9)}{rng.randint(0, 99999999):08d}"
        gd.title(sheet, s, "居民户口簿", 34, pt=rng.uniform(20, 24), spacing=3)
        fields = {"page_kind": "head", "household_type": htype, "head_name": head["name"], "household_number": number,
                  "address": head["address"]}
        y = _cell_table(sheet, s, 20, 50, [24, 56, 26, 64], [
            [("户别", "household_type", htype), ("户主姓名", "head_name", head["name"])],
            [("户号", "household_number", number), ("", None, "")]], h=13)
        lines = wrap(head["address"], s.value, s.pt, 140)
        h = max(13.0, 5 + len(lines) * 7)
        sheet.line(20, y, 20, y + h, 0.35)
        sheet.line(44, y, 44, y + h, 0.35)
        sheet.line(190, y, 190, y + h, 0.35)
        em = s.pt * _sheet.PT_MM
        sheet.text(21.5, y + h / 2 + em * 0.35, "住址", s.label, s.pt, color=s.ink)
        for j, line in enumerate(lines):
            sheet.text(46, y + h / 2 - (len(lines) - 1) * 3.5 + j * 7 + em * 0.35, line, s.value, s.pt, color=s.ink,
                       key="address")
        y += h
        sheet.line(20, y, 190, y, 0.35)
        police = f"{head['place'].county}公安局{rng.choice(idg.TOWNS)}派出所"
        sheet.text(110, y + 40, "户口专用章", s.label, s.pt, color=s.ink)
        sheet.text(110, y + 52, f"签发日期：{gd.fmt_date(gd._day(rng, dt.date(2012, 1, 1), REFERENCE_DATE), 'zh0')}", s.value,
                   s.pt, color=s.ink)
        _seals.stamp(sheet, rng, 125, y + 38, police, "round", size=38, extra="户口专用章" if rng.random() < 0.5 else "")
        return [sheet], [fields]
    # 常住人口登记卡
    spouse = case["agent"]
    person, relation = rng.choice(((head, "户主"), (spouse, "妻" if spouse["sex"] == "女" else "夫"),
                                   (case["owner"], "长子" if case["owner"]["sex"] == "男" else "长女")))
    gd.title(sheet, s, "常住人口登记卡", 30, pt=rng.uniform(18, 22), spacing=2)
    birth = dt.date.fromisoformat(person["birth_date"])
    fields = {"page_kind": "member", "name": person["name"], "relationship": relation, "sex": person["sex"],
              "ethnicity": person["ethnicity"], "birth_date": person["birth_date"], "id_number": person["id_number"]}
    origin = person["place"].province + (person["place"].city or "")
    _cell_table(sheet, s, 14, 42, [22, 40, 34, 86], [
        [("姓名", "name", person["name"]), ("户主或与户主关系", "relationship", relation)],
        [("曾用名", None, ""), ("性别", "sex", person["sex"])],
        [("出生地", None, origin), ("民族", "ethnicity", person["ethnicity"])],
        [("籍贯", None, origin), ("出生日期", "birth_date", gd.fmt_date(birth, "zh0"))],
        [("宗教信仰", None, "无"), ("公民身份证件编号", "id_number", person["id_number"])],
        [("文化程度", None, rng.choice(("大学本科", "高中", "初中", "大学专科"))), ("婚姻状况", None, rng.choice(("已婚", "未婚")))],
        [("服务处所", None, case["business_name"][:12]), ("职业", None, rng.choice(("职员", "个体经营", "自由职业")))],
    ], h=12.5)
    return [sheet], [fields]


# --- 结婚证 ---------------------------------------------------------------------------------------------


def marriage_certificate(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = gd.make_style(rng)
    a, b = case["operator"], case["agent"]
    if a["sex"] == b["sex"]:  # two people of the case as a couple: the second one's sex as printed
        b = {**b, "sex": "女" if a["sex"] == "男" else "男"}
    registered = gd._day(rng, dt.date(2008, 1, 1), REFERENCE_DATE - dt.timedelta(days=30))
    place = a["place"]
    number = f"J{place.code}-{registered.year}-{rng.randint(1, 999999):06d}"
    holder = rng.choice((a, b))["name"]
    fields = {"holder": holder, "registered_on": registered.isoformat(), "certificate_number": number,
              "party1_name": a["name"], "party1_id_number": a["id_number"], "party2_name": b["name"],
              "party2_id_number": b["id_number"]}
    sheet = Sheet(297, 210)
    sheet.paper = (rng.randint(248, 255), rng.randint(240, 248), rng.randint(236, 244))
    gd.mark(sheet, 20, 20)
    em = s.pt * _sheet.PT_MM
    gd.title(sheet, s, "结  婚  证", 30, pt=rng.uniform(22, 26))
    gd.paragraph(sheet, s, 22, 60, "结婚申请人自愿结婚，经审查符合《中华人民共和国民法典》关于结婚的规定，予以登记，发给此证。", 110)
    authority = f"{place.county}民政局"
    sheet.text(40, 120, f"登记机关：{authority}", s.value, s.pt, color=s.ink)
    _seals.stamp(sheet, rng, 70, 118, authority, "round", size=40, extra="婚姻登记专用章")
    x, y, c = 160, 52, s.colon
    for label, key, value in (("持证人", "holder", holder), ("登记日期", "registered_on", gd.fmt_date(registered, "zh0")),
                              ("结婚证字号", "certificate_number", number), ("备注", None, "")):
        box = sheet.text(x, y, label + c, s.label, s.pt, color=s.ink)
        if value:
            sheet.text(box[2] + 2, y, value, s.value, s.pt, color=s.ink, key=key)
        y += em * 2.0
    y += 4
    for prefix, p in (("party1", a), ("party2", b)):
        box = sheet.text(x, y, "姓名" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, p["name"], s.value, s.pt, color=s.ink, key=f"{prefix}_name")
        box = sheet.text(x + 55, y, "性别" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, p["sex"], s.value, s.pt, color=s.ink)
        y += em * 1.9
        box = sheet.text(x, y, "国籍" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, "中国", s.value, s.pt, color=s.ink)
        box = sheet.text(x + 55, y, "出生日期" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, gd.fmt_date(dt.date.fromisoformat(p["birth_date"]), "zh0"), s.value, s.pt * 0.95, color=s.ink)
        y += em * 1.9
        box = sheet.text(x, y, "身份证件号" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, p["id_number"], s.value, s.pt, color=s.ink, key=f"{prefix}_id_number")
        y += em * 2.6
    return [sheet], [fields]


# --- 法定代表人身份证明书 -------------------------------------------------------------------------------


def legal_rep_certificate(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = gd.make_style(rng)
    rep = case["operator"]
    org = case["business_name"]
    signed_on = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=60), REFERENCE_DATE - dt.timedelta(days=1))
    fields = {"organisation_name": org, "credit_code": case["credit_code"], "representative_name": rep["name"],
              "representative_id_number": rep["id_number"], "signed_on": signed_on.isoformat()}
    sheet = Sheet()
    gd.mark(sheet, 168, 16)
    c = s.colon
    em = s.pt * _sheet.PT_MM
    gd.title(sheet, s, "法定代表人身份证明书", 40, pt=rng.uniform(19, 23), spacing=1.5)
    post = rng.choice(POSTS)
    if rng.random() < 0.5:  # labelled lines
        y = 62
        for label, key, value in (("单位名称", "organisation_name", org), ("统一社会信用代码", "credit_code", case["credit_code"]),
                                  ("住所", None, case["premises"]), ("姓名", "representative_name", rep["name"]),
                                  ("性别", None, rep["sex"]), ("职务", None, post),
                                  ("身份证号码", "representative_id_number", rep["id_number"])):
            box = sheet.text(26, y, label + c, s.label, s.pt, color=s.ink)
            lines = wrap(value, s.value, s.pt, 184 - box[2] - 2)
            for j, line in enumerate(lines):
                sheet.text(box[2] + 2, y + j * em * 1.6, line, s.value, s.pt, color=s.ink, key=key)
            y += em * (2.1 + 1.6 * (len(lines) - 1))
        y = gd.paragraph(sheet, s, 26, y + 4, f"系{org}的法定代表人。", 158)
        y = gd.paragraph(sheet, s, 26, y, "特此证明。", 158)
    else:  # a letter
        y = gd.paragraph(sheet, s, 24, 64, f"兹证明{rep['name']}同志（身份证号码：{rep['id_number']}）现任我单位{post}职务，"
                         f"为我单位法定代表人。", 162,
                         keys={rep["name"]: "representative_name", rep["id_number"]: "representative_id_number"})
        y = gd.paragraph(sheet, s, 24, y, "特此证明。", 162)
        y += 6
        for label, key, value in (("单位名称", "organisation_name", org), ("统一社会信用代码", "credit_code", case["credit_code"])):
            box = sheet.text(24, y, label + c, s.label, s.pt, color=s.ink)
            sheet.text(box[2] + 2, y, value, s.value, s.pt, color=s.ink, key=key)
            y += em * 2.1
    y += 10
    sheet.text(24, y, "附：法定代表人身份证复印件", s.value, s.pt, color=s.ink)
    y += 26
    sheet.text(110, y, "单位（盖章）：", s.label, s.pt, color=s.ink)
    date_text = gd.fmt_date(signed_on, rng.choice(("zh0", "zh")))
    sheet.text(118, y + 14, date_text, s.value, s.pt, color=s.ink, key="signed_on")
    roll = rng.random()
    if roll >= 0.125:  # one in eight forgot the seal
        sealed_by = org
        if roll < 0.225:  # one in ten stamped another organisation's seal
            other = gd.make_case(rng.getrandbits(16), 1)["business_name"]
            sealed_by = other if other != org else other + "分公司"
        kind = "oval" if rng.random() < 0.25 else "round"
        _seals.stamp(sheet, rng, 140 + rng.uniform(-6, 6), y + 6 + rng.uniform(-5, 5), sealed_by, kind,
                     size=42 if kind == "round" else 48, extra="合同专用章" if kind == "oval" else "")
    if rng.random() < 0.35:  # the representative's name seal
        _seals.stamp(sheet, rng, 60, y + 8, rep["name"], "square", size=18)
    return [sheet], [fields]


# --- other identity documents ---------------------------------------------------------------------------


def _card(rng: random.Random) -> tuple[Sheet, gd.Style, float]:
    """A card photographed flat, at 1.6 × its size (137 × 86 mm)."""
    s = gd.make_style(rng)
    s.pt = rng.uniform(10.5, 12)
    sheet = Sheet(137, 86.4)
    sheet.paper = (rng.randint(232, 248), rng.randint(236, 250), rng.randint(240, 252))
    sheet.rect(1, 1, 136, 85.4, width=0.5, color=(150, 150, 160))
    return sheet, s, s.pt * _sheet.PT_MM


def _silhouette(sheet: Sheet, x0: float, y0: float, x1: float, y1: float) -> None:
    sheet.rect(x0, y0, x1, y1, width=0.3, color=(170, 170, 175), fill=(214, 216, 222))
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    sheet.rect(cx - w * 0.18, y0 + h * 0.18, cx + w * 0.18, y0 + h * 0.48, width=0.1, color=(160, 162, 170), fill=(160, 162, 170))
    sheet.rect(x0 + w * 0.15, y0 + h * 0.55, x1 - w * 0.15, y1, width=0.1, color=(160, 162, 170), fill=(160, 162, 170))


def _lines(sheet: Sheet, s: gd.Style, em: float, x: float, y: float, rows) -> None:
    for label, key, value in rows:
        box = sheet.text(x, y, label, s.label, s.pt * 0.9, color=(60, 70, 90))
        sheet.text(box[2] + 2.5, y, value, s.value, s.pt, color=s.ink, key=key)
        y += em * 2.0


def _valid(rng: random.Random, years: int) -> tuple[dt.date, dt.date]:
    start = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=365 * (years - 1)), REFERENCE_DATE - dt.timedelta(days=30))
    try:
        return start, start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start, dt.date(start.year + years, 3, 1)


def identity_document(doc_type: str):
    def render(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
        sheet, s, em = _card(rng)
        p = case["operator"]
        gd.mark(sheet, 112, 80, pt=12)
        _silhouette(sheet, 98, 22, 128, 60)
        if doc_type == "temporary_id_card":
            start, until = _valid(rng, 1) if rng.random() < 0.5 else (REFERENCE_DATE - dt.timedelta(days=20), REFERENCE_DATE + dt.timedelta(days=70))
            gd.title(sheet, s, "中华人民共和国临时居民身份证", 12, pt=s.pt * 1.25)
            fields = {"name": p["name"], "id_number": p["id_number"], "valid_from": start.isoformat(), "valid_until": until.isoformat()}
            _lines(sheet, s, em, 8, 24, (("姓名", "name", p["name"]), ("性别", None, f"{p['sex']}    民族  {p['ethnicity']}"),
                                         ("出生", None, gd.fmt_date(dt.date.fromisoformat(p["birth_date"]), "zh")),
                                         ("有效期限", None, f"{start:%Y.%m.%d}-{until:%Y.%m.%d}")))
            sheet.text(8, 76, "公民身份号码", s.label, s.pt * 0.9, color=(60, 70, 90))
            sheet.text(34, 76, p["id_number"], "dejavu_mono", s.pt, color=s.ink, key="id_number")
        elif doc_type == "residence_permit":
            region = rng.choice(("810000", "820000", "830000"))
            birth = p["birth_date"].replace("-", "")
            first17 = f"{region}{birth}{p['id_number'][14:17]}"
            number = first17 + idg.id_check_char(first17)
            start, until = _valid(rng, 5)
            who = "台湾居民居住证" if region == "830000" else "港澳居民居住证"
            gd.title(sheet, s, f"中华人民共和国{who}", 12, pt=s.pt * 1.25)
            fields = {"name": p["name"], "id_number": number, "valid_from": start.isoformat(), "valid_until": until.isoformat()}
            _lines(sheet, s, em, 8, 24, (("姓名", "name", p["name"]), ("性别", None, p["sex"]),
                                         ("签发机关", None, f"{p['place'].city or p['place'].province}公安局"),
                                         ("有效期限", None, f"{start:%Y.%m.%d}-{until:%Y.%m.%d}")))
            sheet.text(8, 76, "公民身份号码", s.label, s.pt * 0.9, color=(60, 70, 90))
            sheet.text(34, 76, number, "dejavu_mono", s.pt, color=s.ink, key="id_number")
        else:
            start, until = _valid(rng, 10 if doc_type == "passport" else 5)
            if doc_type == "passport":
                number = "E" + rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") + f"{rng.randint(0, 9999999):07d}"
                title, english, key = "中华人民共和国护照", "PEOPLE'S REPUBLIC OF CHINA  PASSPORT", "passport_number"
                label = "护照号码"
            elif doc_type == "travel_permit_hkmo":
                number = rng.choice("HM") + f"{rng.randint(0, 99999999):08d}"
                title, english, key = "港澳居民来往内地通行证", "MAINLAND TRAVEL PERMIT FOR HONG KONG AND MACAO RESIDENTS", "permit_number"
                label = "证件号码"
            else:
                number = f"{rng.randint(0, 99999999):08d}"
                title, english, key = "台湾居民来往大陆通行证", "MAINLAND TRAVEL PERMIT FOR TAIWAN RESIDENTS", "permit_number"
                label = "证件号码"
            gd.title(sheet, s, title, 11, pt=s.pt * 1.25)
            sheet.text(8, 17, english, "dejavu_sans", 6.5, color=(70, 80, 110))
            fields = {"name": p["name"], key: number, "valid_from": start.isoformat(), "valid_until": until.isoformat()}
            _lines(sheet, s, em, 8, 26, (("姓名", "name", p["name"]), ("性别", None, p["sex"]),
                                         ("出生日期", None, p["birth_date"].replace("-", ".")),
                                         ("有效期限", None, f"{start:%Y.%m.%d}-{until:%Y.%m.%d}"),
                                         (label, key, number)))
            if doc_type == "passport":
                mrz = f"P<CHN{'ZHANG':<<10}<<SAN".ljust(44, "<")[:44]
                sheet.text(6, 82, mrz, "dejavu_mono", 7.5, color=s.ink)
        return [sheet], [fields]

    return render


RENDERERS = {"household_register": household_register, "marriage_certificate": marriage_certificate,
             "legal_rep_certificate": legal_rep_certificate, **{t: identity_document(t) for t in IDENTITY}}
gd.RENDERERS.update(RENDERERS)  # generate_documents.page_images renders any registered type


def generate(seed: int, count: int, variant: str = "clean", types: tuple[str, ...] = TYPES) -> list[tuple[bytes, dict]]:
    """`count` documents per type, one image per page (clean PNG or camera JPEG), with truth."""
    if variant not in ("clean", "camera"):
        raise ValueError("variant must be clean or camera")
    return [item for doc_type in types for index in range(count) for item in gd.page_images(seed, index, doc_type, variant)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=2, help="documents per type")
    parser.add_argument("--variant", choices=("clean", "camera"), default="clean")
    parser.add_argument("--types", default=",".join(TYPES), help=f"comma-separated, from {','.join(TYPES)}")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--by-type", action="store_true", help="write into OUT/<type>/")
    args = parser.parse_args(argv)
    types = tuple(t for t in args.types.split(",") if t)
    if set(types) - set(TYPES):
        parser.error(f"unknown types {sorted(set(types) - set(TYPES))}")
    items = generate(args.seed, args.count, args.variant, types)
    for data, truth in items:
        folder = args.out / (truth["type"] if args.by_type else "")
        folder.mkdir(parents=True, exist_ok=True)
        stem = gd.file_stem(truth)
        (folder / f"{stem}{gd.extension(truth)}").write_bytes(data)
        (folder / f"{stem}.json").write_text(gd.truth_json(truth), encoding="utf-8")
    print(f"wrote {len(items)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

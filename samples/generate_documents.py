"""Seeded generator of the documents of the reference item, with ground truth: business licences (营业执照),
个体工商户登记（备案）申请书, 授权委托书, 不动产权证书, 房屋租赁合同, and pages of other kinds (`unknown`).

Everyone and every business is fictional; every page is marked 样本 outside the field areas; seals are plain
red circles with text (no emblem, no star). People come from generate_idcards.make_person (real GB/T 2260
place names and address codes, valid ID numbers), so a document's ID numbers and addresses look real.

Variants:
- `clean`: each page rendered at 200 dpi (PNG);
- `camera`: each page photographed on a desk (keystone, turn up to ±8°, uneven light, blur, noise; JPEG);
- `pdf_text`: a born-digital PDF bundle of several documents (text layer; seals and signatures as images);
- `pdf_scan`: the same bundle as a scanned PDF (page images only, read by OCR).

Page i of document n of a seed is the same in every variant. No global random state is used.

    python samples/generate_documents.py --seed 7 --count 4 --variant clean --out samples --by-type

Called by tests/extractors/ and samples/bench_documents.py; it writes only where --out points.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _fonts  # noqa: E402
import _seals  # noqa: E402
import _sheet  # noqa: E402
import generate_idcards as idg  # noqa: E402
from _sheet import Sheet, hand_picture, seal_picture, text_width, wrap  # noqa: E402

REFERENCE_DATE = idg.REFERENCE_DATE
TYPES = ("business_licence", "application_form", "power_of_attorney", "property_certificate", "lease_contract")
OTHER = "unknown"
VARIANTS = ("clean", "camera", "pdf_text", "pdf_scan")
MARK = "样本"

LABEL_FACES = ("noto_sans", "noto_sans_bold", "noto_serif", "wqy", "uming")
VALUE_FACES = ("noto_sans", "noto_serif", "wqy", "uming", "ukai", "noto_sans")
TITLE_FACES = ("noto_sans_bold", "noto_serif_bold", "noto_serif_bold")

# --- content ----------------------------------------------------------------------------------------

BRANDS = ("博远", "恒泰", "鑫源", "华盛", "德顺", "永兴", "宏达", "福瑞", "嘉禾", "明辉", "金诚", "天瑞", "顺达", "佳和",
          "益民", "润丰", "盛和", "悦来", "聚鑫", "新程", "广源", "瑞祥", "东升", "锦程", "兴业", "汇通", "众联", "乐家")
INDUSTRIES = ("商贸", "科技", "餐饮管理", "建材", "文化传媒", "物流", "食品", "电子", "服装", "家政服务", "农业开发", "信息技术")
SHOPS = ("便利店", "小吃店", "五金店", "理发店", "水果店", "服装店", "烟酒店", "日用品店", "早餐店", "超市", "面馆", "维修部")
COMPANY_TYPES = (
    ("有限责任公司（自然人投资或控股）", "法定代表人"), ("有限责任公司（自然人独资）", "法定代表人"),
    ("股份有限公司（非上市、自然人投资或控股）", "法定代表人"), ("个人独资企业", "投资人"), ("普通合伙企业", "执行事务合伙人"),
)
SCOPE_ITEMS = (
    "日用百货销售", "五金产品零售", "食品销售（仅销售预包装食品）", "餐饮服务", "服装服饰零售", "家用电器销售",
    "办公用品销售", "计算机软硬件及辅助设备零售", "信息技术咨询服务", "技术服务、技术开发、技术咨询、技术交流",
    "建筑材料销售", "农副产品销售", "烟草制品零售", "家政服务", "理发及美容服务", "日用电器修理", "水果批发零售",
    "广告设计、代理", "企业管理咨询", "普通货物仓储服务（不含危险化学品等需许可审批的项目）", "道路货物运输（不含危险货物）",
    "文具用品零售", "化妆品零售", "通讯设备销售", "摄影扩印服务", "会议及展览服务", "洗染服务", "小餐饮",
)
SCOPE_TAIL = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"
CAPITALS = (10, 30, 50, 100, 200, 300, 500, 1000, 150, 250, 800, 2000)  # 万元
PROVINCE_ABBR = {"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
                 "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
                 "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔", "53": "云", "54": "藏", "61": "陕",
                 "62": "甘", "63": "青", "64": "宁", "65": "新"}
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
CN_DIGITS = "〇一二三四五六七八九"


def _rng(seed: int, index: int, *tags: str) -> random.Random:
    state = np.random.SeedSequence([seed, index, *(zlib.crc32(t.encode()) for t in tags)]).generate_state(2)
    return random.Random(int(state[0]) << 32 | int(state[1]))


def credit_code(rng: random.Random, region: str, category: str) -> str:
    """A valid 统一社会信用代码: department 9 (工商), category, region, GB 11714 code and both checks."""
    if rng.random() < 0.7:
        body = "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS))
    inner = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = "9" + category + region + body + inner
    outer = USCC_ALPHABET[(31 - sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS)) % 31) % 31]
    return first17 + outer


def capital_upper(wan: int) -> str:
    """10 -> 壹拾万元整, 250 -> 贰佰伍拾万元整, 1000 -> 壹仟万元整 (wan = 万元)."""
    units = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
    out, zero = "", False
    for value, unit in units:
        digit = wan // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += DIGITS_UPPER[digit] + unit
            zero = False
        elif out:
            zero = True
    return out + "万元整"


def cn_date(day: dt.date) -> str:
    """二〇二三年五月六日 (dates written in Chinese numerals on seals and certificates)."""
    def num(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
    return "".join(CN_DIGITS[int(c)] for c in str(day.year)) + f"年{num(day.month)}月{num(day.day)}日"


def fmt_date(day: dt.date, style: str) -> str:
    if style == "zh0":
        return f"{day:%Y年%m月%d日}"
    if style == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    if style == "dot":
        return f"{day:%Y.%m.%d}"
    if style == "cn":
        return cn_date(day)
    return day.isoformat()


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, min(day.day, 28))


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return rng.choice(("13", "15", "18", "17", "19")) + "".join(rng.choice("0123456789") for _ in range(9))
    return f"0{rng.randint(10, 999):03d}-{rng.randint(2000000, 8999999)}"


def _scope(rng: random.Random, short: bool = False) -> str:
    items = rng.sample(SCOPE_ITEMS, rng.randint(2, 4) if short else rng.randint(3, 8))
    text = "；".join(items)
    return text + ("。" if rng.random() < 0.5 else "") + (SCOPE_TAIL if rng.random() < 0.6 else "")


def make_case(seed: int, index: int) -> dict:
    """Everyone and everything one application involves (operator, agent, business, premises)."""
    rng = _rng(seed, index, "case")
    operator = idg.make_person(rng)
    agent = idg.make_person(rng)
    owner = idg.make_person(rng) if rng.random() < 0.7 else operator
    place = operator["place"]
    premises_place = place if rng.random() < 0.7 else idg.places()[rng.randrange(len(idg.places()))]
    premises = idg._make_address(rng, premises_place)
    city = (premises_place.city or premises_place.province).removesuffix("市")
    county = premises_place.county
    individual = rng.random() < 0.5
    brand = rng.choice(BRANDS)
    if individual:
        name = f"{county}{brand}{rng.choice(SHOPS)}"
        etype, rep_label = "个体工商户", "经营者"
    else:
        name = f"{city}{brand}{rng.choice(INDUSTRIES)}有限公司"
        etype, rep_label = rng.choice(COMPANY_TYPES)
        if "合伙" in etype:
            name = name.replace("有限公司", "中心（普通合伙）")
        elif "独资企业" in etype:
            name = name.replace("有限公司", "经营部")
    established = _day(rng, dt.date(2012, 1, 1), REFERENCE_DATE - dt.timedelta(days=30))
    issued = established if rng.random() < 0.6 else _day(rng, established, REFERENCE_DATE - dt.timedelta(days=3))
    return {
        "rng_seed": rng.getrandbits(32), "operator": operator, "agent": agent, "owner": owner,
        "premises": premises, "premises_place": premises_place, "business_name": name, "entity_type": etype,
        "rep_label": rep_label, "individual": individual, "established": established, "issued": issued,
        "scope": _scope(rng, short=individual), "phone": _phone(rng), "capital": rng.choice(CAPITALS),
        "credit_code": credit_code(rng, premises_place.code, "2" if individual else "1"),
        "authority": f"{premises_place.city or premises_place.province}{county}市场监督管理局"
        if not county.endswith("市") else f"{county}市场监督管理局",
    }


# --- page furniture ---------------------------------------------------------------------------------


@dataclass
class Style:
    label: str
    value: str
    title: str
    pt: float
    colon: str
    spaced: bool
    ink: tuple[int, int, int]


def make_style(rng: random.Random) -> Style:
    return Style(
        label=rng.choice(_fonts.available(LABEL_FACES)), value=rng.choice(_fonts.available(VALUE_FACES)),
        title=rng.choice(_fonts.available(TITLE_FACES)), pt=rng.uniform(11.5, 13.5),
        colon=rng.choice(("：", "：", ":")), spaced=rng.random() < 0.5,
        ink=(rng.randint(5, 35),) * 3,
    )


def mark(sheet: Sheet, x: float, y: float, pt: float = 22) -> None:
    sheet.text(x, y, MARK, "noto_sans_bold", pt, color=(226, 150, 150), spacing=pt * 0.15)


def title(sheet: Sheet, s: Style, text: str, y: float, pt: float = 22, spacing: float = 0.0) -> Box:
    width = text_width(text, s.title, pt, spacing)
    return sheet.text((sheet.width - width) / 2, y, text, s.title, pt, color=s.ink, spacing=spacing)


def hand(sheet: Sheet, rng: random.Random, x: float, y: float, text: str, height: float, key: str | None = None) -> Box:
    """Handwriting whose baseline sits at y (mm): a picture, so only OCR can see it."""
    pic = hand_picture(text, rng)
    w = height * pic.width / pic.height
    box = [x, y - height * 0.95, x + w, y + height * 0.05]
    sheet.picture(*box, pic)
    if key:
        sheet.add_box(key, box)
        sheet.handwritten.add(key)
    return box


def seal(sheet: Sheet, rng: random.Random, cx: float, cy: float, text: str, diameter: float = 42, center: str = "") -> None:
    pic = seal_picture(text, rng, center_text=center)
    r = diameter / 2
    sheet.picture(cx - r, cy - r, cx + r, cy + r, pic)
    sheet.seals.append({"organisation": text, "text": text + center, "kind": "round", "box": [cx - r, cy - r, cx + r, cy + r]})


def paragraph(sheet: Sheet, s: Style, x: float, y: float, text: str, width: float, pt: float | None = None,
              indent: bool = True, leading: float = 1.75, key: str | None = None, keys: dict | None = None) -> float:
    """Wrapped prose from baseline y; returns the next baseline. `keys` maps a substring to a field key whose
    box is recorded where that substring lands (across lines)."""
    pt = pt or s.pt
    lead = pt * _sheet.PT_MM * leading
    body = ("　　" if indent else "") + text
    lines = wrap(body, s.value, pt, width)
    spans = {}
    for sub, field_key in (keys or {}).items():
        at = body.find(sub)
        if at >= 0:
            spans[field_key] = (at, at + len(sub))
    pos = 0
    for line in lines:
        box = sheet.text(x, y, line, s.value, pt, color=s.ink, key=key)
        for field_key, (a, b) in spans.items():
            lo, hi = max(a, pos), min(b, pos + len(line))
            if lo < hi:
                x0 = x + text_width(line[:lo - pos], s.value, pt)
                x1 = x + text_width(line[:hi - pos], s.value, pt)
                sheet.add_box(field_key, [x0, box[1], x1, box[3]])
        pos += len(line)
        y += lead
    return y


def spaced_label(s: Style, label: str, width_chars: int = 4) -> tuple[str, float]:
    """A label spread over `width_chars` characters like 名    称 on licences, or kept tight."""
    if not s.spaced or len(label) >= width_chars:
        return label, 0.0
    em = s.pt * _sheet.PT_MM
    return label, em * (width_chars - len(label)) / max(1, len(label) - 1)


# --- business licence -------------------------------------------------------------------------------


def business_licence(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = make_style(rng)
    landscape = rng.random() < 0.5
    sheet = Sheet(297, 210) if landscape else Sheet(210, 297)
    sheet.paper = (rng.randint(248, 255), rng.randint(246, 252), rng.randint(238, 248))
    frame = (rng.randint(150, 190), rng.randint(90, 120), rng.randint(40, 70))
    sheet.rect(8, 8, sheet.width - 8, sheet.height - 8, width=2.2, color=frame)
    sheet.rect(12, 12, sheet.width - 12, sheet.height - 12, width=0.6, color=frame)
    mark(sheet, 22, sheet.height - 22)
    individual = case["individual"]
    issued_style = rng.choice(("zh0", "zh0", "zh", "cn"))
    fields = {
        "credit_code": case["credit_code"], "name": case["business_name"], "entity_type": case["entity_type"],
        "legal_representative": case["operator"]["name"], "established_on": case["established"].isoformat(),
        "address": case["premises"], "business_scope": case["scope"], "issued_on": case["issued"].isoformat(),
    }
    # 统一社会信用代码 at the top left, QR-like mark at the top right, title in the middle
    code_pt = s.pt * 1.05
    y = 30 if landscape else 34
    sheet.text(22, y, "统一社会信用代码", s.label, s.pt, color=s.ink)
    sheet.text(22, y + code_pt * 0.55, case["credit_code"], rng.choice(_fonts.available(("dejavu_mono", "noto_sans", "noto_sans_mono"))),
               code_pt, color=s.ink, key="credit_code")
    qr = 30 if landscape else 32
    code_text = f"https://gsxt.example/verify?uscc={case['credit_code']}&sample=1"  # fictional address
    sheet.picture(sheet.width - 22 - qr, 20, sheet.width - 22, 20 + qr, _seals.qr_picture(code_text, rng))
    sheet.codes.append(code_text)
    tpt = rng.uniform(34, 42)
    title(sheet, s, "营业执照", (50 if landscape else 62), pt=tpt, spacing=tpt * _sheet.PT_MM * 0.5)
    if rng.random() < 0.6:
        sub = "（副本）" if not landscape else "（正本）"
        title(sheet, s, sub, (60 if landscape else 73), pt=s.pt * 1.1)
    rep_label = case["rep_label"]
    rows = [("名称", "name", case["business_name"]), ("类型", "entity_type", case["entity_type"]),
            (rep_label, "legal_representative", case["operator"]["name"])]
    if individual:
        rows.append(("组成形式", None, rng.choice(("个人经营", "家庭经营"))))
        rows.append(("注册日期", "established_on", fmt_date(case["established"], "zh0")))
        address_label = "经营场所"
    else:
        capital = capital_upper(case["capital"])
        if rng.random() < 0.2:
            capital = "人民币" + capital
        fields["registered_capital"] = str(case["capital"] * 10000)
        rows.append(("注册资本", "registered_capital", capital))
        rows.append(("成立日期", "established_on", fmt_date(case["established"], "zh0")))
        end = None if rng.random() < 0.5 else case["established"].replace(year=case["established"].year + rng.choice((10, 20, 30)))
        term = f"{fmt_date(case['established'], 'zh0')}至{'长期' if end is None else fmt_date(end, 'zh0')}"
        if end is None and rng.random() < 0.4:
            term = "长期"
            fields["business_term"] = "长期"
        else:
            fields["business_term"] = f"{case['established'].isoformat()}/{'长期' if end is None else end.isoformat()}"
        rows.append(("营业期限", "business_term", term))
        address_label = "住所" if rng.random() < 0.8 else "主要经营场所"
    rows.append((address_label, "address", case["premises"]))
    rows.append(("经营范围", "business_scope", case["scope"]))
    lead = s.pt * _sheet.PT_MM * 2.3
    em = s.pt * _sheet.PT_MM
    if landscape:
        width = max(6, max(len(r[0]) for r in rows) + 1) * em  # the value starts after the longest label
        columns = ((28, 28 + width, 150), (158, 158 + width, 282))
        left = [r for r in rows if r[1] in ("name", "entity_type", "legal_representative", "business_scope")] \
            + [r for r in rows if r[1] is None]
        right = [r for r in rows if r not in left]
        for (lx, vx, right_edge), column in zip(columns, (left, right)):
            y = 82
            for label, key, value in column:
                y = _labelled(sheet, s, lx, vx, y, label, value, right_edge - vx, key, lead)
    else:
        lx, vx = 26, 26 + max(6.2, max(len(r[0]) for r in rows) + 1.2) * em
        y = 92
        for label, key, value in rows:
            y = _labelled(sheet, s, lx, vx, y, label, value, 184 - vx, key, lead)
    # 登记机关 with its seal over the date, bottom right
    bx = sheet.width - (95 if landscape else 88)
    by = sheet.height - (42 if landscape else 52)
    sheet.text(bx, by, "登记机关", s.label, s.pt * 1.05, color=s.ink)
    if rng.random() < 0.4:
        sheet.text(bx + 4.5 * em, by, case["authority"], s.value, s.pt * 0.95, color=s.ink, key="registration_authority")
        fields["registration_authority"] = case["authority"]
    sheet.text(bx + 8, by + 16, fmt_date(case["issued"], issued_style), s.value, s.pt, color=s.ink, key="issued_on")
    # the seal is stamped over the label and the top of the date, as on real licences
    seal(sheet, rng, bx + rng.uniform(18, 30), by + rng.uniform(-7, 0), case["authority"], diameter=40,
         center="登记专用章" if rng.random() < 0.5 else "")
    return [sheet], [fields]


def _labelled(sheet: Sheet, s: Style, lx: float, vx: float, y: float, label: str, value: str, width: float,
              key: str | None, lead: float) -> float:
    text, spacing = spaced_label(s, label)
    sheet.text(lx, y, text, s.label, s.pt, color=s.ink, spacing=spacing)
    lines = wrap(value, s.value, s.pt, width)
    for i, line in enumerate(lines):
        sheet.text(vx, y + i * lead * 0.72, line, s.value, s.pt, color=s.ink, key=key)
    return y + lead + (len(lines) - 1) * lead * 0.72


# --- 个体工商户登记（备案）申请书 ----------------------------------------------------------------------


def application_form(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = make_style(rng)
    op = case["operator"]
    signed = rng.random() < 0.85
    signed_on = _day(rng, REFERENCE_DATE - dt.timedelta(days=40), REFERENCE_DATE - dt.timedelta(days=1))
    page1 = Sheet()
    mark(page1, 165, 18)
    title(page1, s, "个体工商户登记（备案）申请书", 32, pt=rng.uniform(18, 21))
    page1.text(30, 44, "□设立登记  □变更登记  □备案", s.label, s.pt * 0.95, color=s.ink)
    em = s.pt * _sheet.PT_MM
    x0, x1, x2, x3, x4 = 22, 22 + 7 * em, 105, 105 + 7 * em, 188
    y = 52
    pairs = rng.random() < 0.5
    rows: list[list[tuple[str, str | None, str]]] = [
        [("名称", None, case["business_name"])],
        [("经营者姓名", "operator_name", op["name"]), ("联系电话", "phone", case["phone"])] if pairs else
        [("经营者姓名", "operator_name", op["name"])],
        [("身份证件类型", None, "居民身份证"), ("身份证件号码", "operator_id_number", op["id_number"])] if pairs else
        [("身份证件号码", "operator_id_number", op["id_number"])],
    ]
    if not pairs:
        rows.append([("联系电话", "phone", case["phone"])])
    rows += [
        [("经营场所", "premises_address", case["premises"])],
        [("组成形式", None, rng.choice(("■个人经营  □家庭经营", "□个人经营  ■家庭经营")))],
        [("经营范围", "business_scope", case["scope"])],
        [("从业人数", None, f"{rng.randint(1, 9)}人"), ("资金数额", None, f"{rng.choice((2, 5, 10, 20, 30))}万元")],
    ]
    fields1 = {"operator_name": op["name"], "operator_id_number": op["id_number"], "premises_address": case["premises"],
               "business_scope": case["scope"], "phone": case["phone"]}
    line_w = 0.35
    page1.line(x0, y, x4, y, line_w)
    lead = em * 1.55
    for row in rows:
        height_lines = 1
        for i, (label, key, value) in enumerate(row):
            right = x4 if i == len(row) - 1 else x2
            vx = x1 if i == 0 else x3
            if key not in ("operator_id_number", "phone"):
                height_lines = max(height_lines, len(wrap(value, s.value, s.pt, right - vx - 4)))
        h = max(11.0, 5 + height_lines * lead)
        for i, (label, key, value) in enumerate(row):
            lx, vx = (x0, x1) if i == 0 else (x2, x3)
            right = x4 if i == len(row) - 1 else x2
            cy = y + h / 2
            page1.text(lx + 2, cy + em * 0.35, label, s.label, s.pt * 0.95, color=s.ink)
            pt = s.pt
            if key in ("operator_id_number", "phone"):  # numbers are never wrapped: printed smaller to fit
                while text_width(value, s.value, pt) > right - vx - 4:
                    pt *= 0.95
            lines = wrap(value, s.value, pt, right - vx - 4)
            top = cy - (len(lines) - 1) * lead / 2
            for j, line in enumerate(lines):
                page1.text(vx + 2, top + j * lead + em * 0.35, line, s.value, pt, color=s.ink, key=key)
            page1.line(vx, y, vx, y + h, line_w)
            if i:
                page1.line(lx, y, lx, y + h, line_w)
        page1.line(x0, y, x0, y + h, line_w)
        page1.line(x4, y, x4, y + h, line_w)
        y += h
        page1.line(x0, y, x4, y, line_w)
    pledge = ("本人承诺：所提交的申请材料真实、合法、有效，复印件与原件一致，经营场所符合有关规定；"
              "本人对所填报信息和提交材料的真实性负责，并承担相应的法律责任。")
    one_page = rng.random() < 0.4
    if one_page:
        sig_sheet, y = page1, y + 12
    else:
        sig_sheet = Sheet()
        mark(sig_sheet, 165, 18)
        sig_sheet.text(22, 30, "个体工商户登记（备案）申请书（续）" if rng.random() < 0.5 else "经营者承诺", s.title, s.pt * 1.3, color=s.ink)
        y = 46
        y = paragraph(sig_sheet, s, 22, y, "经营者应当如实填写本申请书，并对申请材料的真实性负责。委托代理人办理的，"
                      "应当同时提交授权委托书及受托人身份证明。", 166)
    y = paragraph(sig_sheet, s, 22, y + 4, pledge, 166)
    fields2 = {"signed": signed}
    y += 12
    label = rng.choice(("经营者签字：", "经营者签字", "经营者（签字）："))
    box = sig_sheet.text(100, y, label, s.label, s.pt, color=s.ink)
    if signed:
        hand(sig_sheet, rng, box[2] + 3, y + 1, op["name"], rng.uniform(9, 12), key="signed")
        fields2["signed_on"] = signed_on.isoformat()
    y += 14
    if signed and rng.random() < 0.5:
        text = fmt_date(signed_on, rng.choice(("zh", "zh0")))
        sig_sheet.text(118, y, text, s.value, s.pt, color=s.ink, key="signed_on")
    elif signed:
        # the form prints 年 月 日; the numbers are written in by hand
        yb = sig_sheet.text(118, y, "年", s.label, s.pt, color=s.ink)
        mb = sig_sheet.text(118 + 4 * em, y, "月", s.label, s.pt, color=s.ink)
        db = sig_sheet.text(118 + 8 * em, y, "日", s.label, s.pt, color=s.ink)
        for text, anchor, key in ((str(signed_on.year), yb, "signed_on"), (str(signed_on.month), mb, "signed_on"),
                                  (str(signed_on.day), db, "signed_on")):
            pic_h = em * 1.25
            pic = hand_picture(text, rng, px_height=90)
            w = pic_h * pic.width / pic.height
            bx = anchor[0] - w - 0.6
            sig_sheet.picture(bx, y - pic_h * 0.9, anchor[0] - 0.6, y + pic_h * 0.1, pic)
            sig_sheet.add_box(key, [bx, y - pic_h * 0.9, anchor[0], y + pic_h * 0.1])
            sig_sheet.handwritten.add(key)
    else:
        sig_sheet.text(130, y, "年    月    日", s.label, s.pt, color=s.ink)
    if one_page:
        fields1.update(fields2)
        return [page1], [fields1]
    return [page1, sig_sheet], [fields1, fields2]


# --- 授权委托书 ----------------------------------------------------------------------------------------


def power_of_attorney(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = make_style(rng)
    principal, agent = case["operator"], case["agent"]
    signed = rng.random() < 0.85
    start = _day(rng, REFERENCE_DATE - dt.timedelta(days=60), REFERENCE_DATE - dt.timedelta(days=2))
    until = _add_months(start, rng.choice((1, 3, 6, 12))) if rng.random() < 0.9 else start - dt.timedelta(days=5)
    matter = rng.choice(("个体工商户设立登记", f"{case['business_name']}的设立登记", "个体工商户设立登记及领取营业执照"))
    fields = {"principal_name": principal["name"], "principal_id_number": principal["id_number"], "agent_name": agent["name"],
              "agent_id_number": agent["id_number"], "matter": matter, "valid_until": until.isoformat(), "signed": signed}
    sheet = Sheet()
    mark(sheet, 165, 18)
    em = s.pt * _sheet.PT_MM
    c = s.colon
    date_style = rng.choice(("zh0", "zh"))
    if rng.random() < 0.5:  # letter with labelled lines
        title(sheet, s, "授权委托书", 40, pt=rng.uniform(20, 24), spacing=3)
        y = 62
        for label, key, value in (("委托人", "principal_name", principal["name"]), ("身份证号码", "principal_id_number", principal["id_number"]),
                                  ("受托人", "agent_name", agent["name"]), ("身份证号码", "agent_id_number", agent["id_number"])):
            box = sheet.text(26, y, label + c, s.label, s.pt, color=s.ink)
            sheet.text(box[2] + 2, y, value, s.value, s.pt, color=s.ink, key=key)
            y += em * 2.1
        y += 4
        y = paragraph(sheet, s, 26, y, f"现委托受托人代为办理{matter}事宜，受托人在办理过程中所签署的有关文件，我均予以承认，"
                      "并承担相应的法律责任。", 158, keys={matter: "matter"})
        y = paragraph(sheet, s, 26, y + 2, f"委托期限{c}自{fmt_date(start, date_style)}至{fmt_date(until, date_style)}。", 158,
                      keys={fmt_date(until, date_style): "valid_until"})
    else:  # table like the market regulator's form
        title(sheet, s, rng.choice(("授权委托书", "指定代表或者共同委托代理人授权委托书")), 36, pt=rng.uniform(17, 20))
        y = 52
        box = sheet.text(22, y, "委托人" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, principal["name"], s.value, s.pt, color=s.ink, key="principal_name")
        box = sheet.text(90, y, "身份证件号码" + c, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 2, y, principal["id_number"], s.value, s.pt, color=s.ink, key="principal_id_number")
        y += 8
        x0, x1, x4 = 22, 22 + 8 * em, 188
        rows = (("受托人姓名", "agent_name", agent["name"]), ("身份证件号码", "agent_id_number", agent["id_number"]),
                ("联系电话", None, _phone(rng)), ("委托事项", "matter", matter),
                ("委托有效期限", "valid_until", f"自{fmt_date(start, date_style)}至{fmt_date(until, date_style)}"))
        sheet.line(x0, y, x4, y)
        for label, key, value in rows:
            lines = wrap(value, s.value, s.pt, x4 - x1 - 4)
            h = max(11.0, 5 + len(lines) * em * 1.55)
            sheet.text(x0 + 2, y + h / 2 + em * 0.35, label, s.label, s.pt * 0.95, color=s.ink)
            for j, line in enumerate(lines):
                ly = y + h / 2 - (len(lines) - 1) * em * 0.78 + j * em * 1.55 + em * 0.35
                if key == "valid_until":
                    sheet.text(x1 + 2, ly, line, s.value, s.pt, color=s.ink)
                    until_text = fmt_date(until, date_style)
                    at = line.find(until_text)
                    if at >= 0:
                        ux = x1 + 2 + text_width(line[:at], s.value, s.pt)
                        sheet.add_box("valid_until", [ux, ly - 0.88 * em, ux + text_width(until_text, s.value, s.pt), ly + 0.14 * em])
                else:
                    sheet.text(x1 + 2, ly, line, s.value, s.pt, color=s.ink, key=key)
            for x in (x0, x1, x4):
                sheet.line(x, y, x, y + h)
            y += h
            sheet.line(x0, y, x4, y)
        y += 10
        y = paragraph(sheet, s, 22, y, "委托人承诺：受托人在委托权限内办理的事项，委托人均予以认可。", 166)
    y += 14
    box = sheet.text(100, y, rng.choice(("委托人签字：", "委托人（签字）：", "委托人签名：")), s.label, s.pt, color=s.ink)
    if signed:
        hand(sheet, rng, box[2] + 3, y + 1, principal["name"], rng.uniform(9, 12), key="signed")
    y += 14
    sheet.text(118, y, fmt_date(start, date_style) if signed else "年    月    日", s.value, s.pt, color=s.ink)
    return [sheet], [fields]


# --- 不动产权证书 --------------------------------------------------------------------------------------


def unit_number(rng: random.Random, region: str) -> str:
    """不动产单元号, 28 characters: county code, 街道 + 街坊, 宗地特征码, 宗地顺序号, 定着物 kind, 幢 + 户."""
    return (f"{region}{rng.randint(1, 20):03d}{rng.randint(1, 40):03d}" + rng.choice(("GB", "GB", "GB", "JC"))
            + f"{rng.randint(1, 9999):05d}F{rng.randint(1, 40):04d}{rng.randint(1, 3000):04d}")


def property_certificate(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = make_style(rng)
    place = case["premises_place"]
    owner = case["owner"]
    year = rng.randint(2016, REFERENCE_DATE.year - 1)
    city = (place.city or place.county or place.province)
    number = f"{PROVINCE_ABBR[place.code[:2]]}（{year}）{city}不动产权第{rng.randint(1, 9999999):07d}号"
    co = rng.choice(("单独所有", "单独所有", "共同共有", "按份共有"))
    holder = owner["name"]
    if co != "单独所有":
        holder = f"{owner['name']}、{case['agent']['name'] if owner is not case['agent'] else case['operator']['name']}"
    usage_pairs = (("城镇住宅用地/住宅", "国有建设用地使用权/房屋所有权"), ("商服用地/商业", "国有建设用地使用权/房屋所有权"),
                   ("城镇住宅用地/商业服务", "国有建设用地使用权/房屋（构筑物）所有权"))
    usage, right_type = rng.choice(usage_pairs)
    area = f"共有宗地面积{rng.randint(2000, 60000) / 100:.2f}㎡/房屋建筑面积{rng.randint(4000, 25000) / 100:.2f}㎡"
    unit = unit_number(rng, place.code)
    spaced_unit = rng.random() < 0.5
    unit_printed = f"{unit[:6]} {unit[6:12]} {unit[12:19]} {unit[19:]}" if spaced_unit else unit
    fields = {"certificate_number": number.replace("（", "(").replace("）", ")"), "holder": holder, "co_ownership": co,
              "location": case["premises"], "unit_number": unit, "right_type": right_type, "usage": usage, "area": area}
    if rng.random() < 0.5:
        number = number.replace("（", "(").replace("）", ")")
    sheet = Sheet()
    sheet.paper = (rng.randint(244, 252), rng.randint(246, 252), rng.randint(236, 246))
    mark(sheet, 172, 14)
    em = s.pt * _sheet.PT_MM
    if rng.random() < 0.6:
        title(sheet, s, "不动产权证书", 26, pt=rng.uniform(18, 22), spacing=2)
    sheet.text(rng.uniform(70, 95), 40, number, s.value, s.pt * 1.05, color=s.ink, key="certificate_number")
    x0, x1, x4 = 20, 20 + 7.5 * em, 190
    period = f"国有建设用地使用权 {rng.randint(2000, 2015)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日起{rng.randint(2050, 2085)}年止"
    rows = (("权利人", "holder", holder), ("共有情况", "co_ownership", co), ("坐落", "location", case["premises"]),
            ("不动产单元号", "unit_number", unit_printed), ("权利类型", "right_type", right_type),
            ("权利性质", None, "出让/市场化商品房"), ("用途", "usage", usage), ("面积", "area", area),
            ("使用期限", None, period), ("权利其他状况", None, f"专有建筑面积{rng.randint(40, 200)}.{rng.randint(10, 99)}㎡\n房屋结构：钢筋混凝土结构"))
    y = 48
    line = (90, 60, 40)
    sheet.line(x0, y, x4, y, 0.4, line)
    for label, key, value in rows:
        lines = [ln for part in value.split("\n") for ln in wrap(part, s.value, s.pt, x4 - x1 - 5)]
        h = max(13.0, 6 + len(lines) * em * 1.6)
        text, spacing = spaced_label(s, label, 4)
        sheet.text(x0 + 3, y + h / 2 + em * 0.35, text, s.label, s.pt * 0.95, color=s.ink, spacing=spacing)
        for j, ln in enumerate(lines):
            sheet.text(x1 + 3, y + h / 2 - (len(lines) - 1) * em * 0.8 + j * em * 1.6 + em * 0.35, ln, s.value, s.pt,
                       color=s.ink, key=key)
        for x in (x0, x1, x4):
            sheet.line(x, y, x, y + h, 0.4, line)
        y += h
        sheet.line(x0, y, x4, y, 0.4, line)
    return [sheet], [fields]


# --- 房屋租赁合同 --------------------------------------------------------------------------------------

CLAUSES = (
    "租金按季度支付，乙方应于每季度开始前五日内将租金支付给甲方，甲方收到租金后应出具收据。",
    "租赁期间，乙方应合理使用房屋及其附属设施，因乙方使用不当造成损坏的，由乙方负责修复或者赔偿。",
    "租赁期间，房屋及其附属设施的自然损耗和正常维修由甲方负责，乙方应当予以配合。",
    "未经甲方书面同意，乙方不得将房屋转租、转借他人，也不得擅自改变房屋结构和用途。",
    "租赁期间产生的水费、电费、燃气费、物业管理费等由乙方按时缴纳。",
    "租赁期满，乙方需继续租用的，应于期满前一个月书面通知甲方，在同等条件下乙方享有优先承租权。",
    "任何一方违反本合同约定的，应向对方支付相当于一个月租金的违约金；给对方造成损失的，还应赔偿损失。",
    "甲方保证对出租房屋享有合法的出租权利，并保证该房屋可以用于工商登记的经营场所。",
    "因不可抗力导致本合同无法继续履行的，本合同自然终止，双方互不承担责任。",
    "本合同未尽事宜，由双方协商解决；协商不成的，可向房屋所在地人民法院提起诉讼。",
    "本合同一式两份，甲乙双方各执一份，自双方签字之日起生效，具有同等法律效力。",
)


def lease_contract(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = make_style(rng)
    lessor_person = case["owner"] if case["owner"] is not case["operator"] else case["agent"]
    lessor, lessee = lessor_person["name"], case["operator"]["name"]
    start = _day(rng, REFERENCE_DATE - dt.timedelta(days=200), REFERENCE_DATE + dt.timedelta(days=20))
    start = start.replace(day=1) if rng.random() < 0.5 else start
    months = rng.choice((12, 24, 36, 60))
    until = _add_months(start, months) - dt.timedelta(days=1)
    date_style = rng.choice(("zh0", "zh", "zh"))
    fields = {"lessor": lessor, "lessee": lessee, "address": case["premises"], "term_from": start.isoformat(),
              "term_until": until.isoformat()}
    c = s.colon
    page = Sheet()
    mark(page, 168, 16)
    em = s.pt * _sheet.PT_MM
    title(page, s, "房屋租赁合同", 32, pt=rng.uniform(19, 23), spacing=2)
    y = 50
    labels = rng.choice(((f"出租方（甲方）{c}", f"承租方（乙方）{c}"), (f"甲方（出租方）{c}", f"乙方（承租方）{c}"),
                         (f"出租人{c}", f"承租人{c}")))
    for label, key, value, person in ((labels[0], "lessor", lessor, lessor_person), (labels[1], "lessee", lessee, case["operator"])):
        box = page.text(24, y, label, s.label, s.pt, color=s.ink)
        page.text(box[2] + 2, y, value, s.value, s.pt, color=s.ink, key=key)
        y += em * 1.9
        page.text(24, y, f"身份证号码{c}{person['id_number']}", s.value, s.pt, color=s.ink)
        y += em * 2.4
    y = paragraph(page, s, 24, y, "根据《中华人民共和国民法典》及有关规定，甲乙双方在平等、自愿、协商一致的基础上，"
                  "就乙方承租甲方房屋事宜订立本合同。", 162)
    area = f"{rng.randint(20, 300)}.{rng.randint(10, 99)}"
    use = rng.choice(("商业经营", "经营" + rng.choice(SHOPS), "办公"))
    from_text, until_text = fmt_date(start, date_style), fmt_date(until, date_style)
    if rng.random() < 0.5:
        y = page.text(24, y + 3, "第一条  房屋基本情况", s.label, s.pt, color=s.ink)[3] + em * 1.3
        y = paragraph(page, s, 24, y, f"甲方将坐落于{case['premises']}的房屋（建筑面积{area}平方米）出租给乙方，用于{use}。", 162,
                      keys={case["premises"]: "address"})
        y = page.text(24, y + 3, "第二条  租赁期限", s.label, s.pt, color=s.ink)[3] + em * 1.3
        y = paragraph(page, s, 24, y, f"租赁期限自{from_text}起至{until_text}止，共计{months}个月。", 162,
                      keys={from_text: "term_from", until_text: "term_until"})
    else:
        box = page.text(24, y + 3, f"一、房屋地址{c}", s.label, s.pt, color=s.ink)
        lines = wrap(case["premises"], s.value, s.pt, 186 - box[2] - 2)
        for j, ln in enumerate(lines):
            page.text(box[2] + 2, y + 3 + j * em * 1.75, ln, s.value, s.pt, color=s.ink, key="address")
        y += 3 + len(lines) * em * 1.75 + em * 0.6
        y = paragraph(page, s, 24, y, f"该房屋建筑面积{area}平方米，乙方租用该房屋用于{use}。", 162)
        box = page.text(24, y + 3, f"二、租赁期限{c}", s.label, s.pt, color=s.ink)
        t = f"{from_text}至{until_text}"
        tb = page.text(box[2] + 2, y + 3, t, s.value, s.pt, color=s.ink)
        x_mid = box[2] + 2 + text_width(from_text, s.value, s.pt)
        page.add_box("term_from", [box[2] + 2, tb[1], x_mid, tb[3]])
        page.add_box("term_until", [x_mid + text_width("至", s.value, s.pt), tb[1], tb[2], tb[3]])
        y += 3 + em * 2.2
    rent = rng.choice((1500, 2000, 2500, 3000, 3500, 4800, 6000))
    y = paragraph(page, s, 24, y + 2, f"{'第三条  ' if '第二条' in str(page.ops) else '三、'}月租金为人民币{rent}元，"
                  f"押金为人民币{rent}元，乙方应于签订本合同时一次性支付押金。", 162, indent=False)
    sheets = [page]
    clauses = list(CLAUSES)
    rng.shuffle(clauses)
    n_pages = rng.choice((2, 2, 3))
    per_page = max(3, len(clauses) // (n_pages - 1))
    clause_no = 4
    for p in range(n_pages - 1):
        sheet = Sheet()
        mark(sheet, 168, 16)
        yy = 30
        if rng.random() < 0.5:
            sheet.text(24, yy, "房屋租赁合同（续）", s.label, s.pt * 1.1, color=s.ink)
            yy += 12
        for clause in clauses[p * per_page:(p + 1) * per_page]:
            yy = paragraph(sheet, s, 24, yy, f"第{'一二三四五六七八九十'[clause_no - 1] if clause_no <= 10 else '十' + '一二三四五六七八九'[clause_no - 11]}条  {clause}", 162,
                           indent=False) + 2
            clause_no += 1
        if p == n_pages - 2:  # the signature block on the last page
            yy += 16
            for label, person in (("甲方（签字）：", lessor), ("乙方（签字）：", lessee)):
                box = sheet.text(30, yy, label, s.label, s.pt, color=s.ink)
                if rng.random() < 0.9:
                    hand(sheet, rng, box[2] + 3, yy + 1, person, rng.uniform(9, 11))
                sheet.text(115, yy, f"签订日期：{fmt_date(_day(rng, start - dt.timedelta(days=20), start), date_style)}", s.value, s.pt, color=s.ink)
                yy += 22
        sheets.append(sheet)
    return sheets, [fields] + [{} for _ in sheets[1:]]


# --- pages of other kinds (must come out `unknown`) ---------------------------------------------------


def other_page(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = make_style(rng)
    sheet = Sheet()
    mark(sheet, 165, 18)
    kind = rng.choice(("legal_rep", "notice", "receipt"))
    op = case["operator"]
    if kind == "legal_rep":  # (a commitment letter since legal_rep_certificate is a type of its own)
        title(sheet, s, "承  诺  书", 40, pt=21)
        y = paragraph(sheet, s, 24, 62, f"本单位承诺：{op['name']}（身份证号码{op['id_number']}）提交的全部材料真实、有效，"
                      f"如有虚假，本单位愿承担相应的法律责任。", 162)
        y = paragraph(sheet, s, 24, y + 6, f"单位名称：{case['business_name']}", 162, indent=False)
        paragraph(sheet, s, 24, y + 2, f"统一社会信用代码：{case['credit_code']}", 162, indent=False)
        seal(sheet, rng, 140, 200, case["business_name"])
        sheet.text(120, 210, fmt_date(case["issued"], "zh"), s.value, s.pt, color=s.ink)
    elif kind == "notice":
        title(sheet, s, "情况说明", 40, pt=21, spacing=4)
        y = 62
        for _ in range(3):
            y = paragraph(sheet, s, 24, y, "因经营需要，本人拟在" + case["premises"] + "开展经营活动。" + rng.choice(CLAUSES), 162) + 3
        sheet.text(120, y + 20, f"说明人：{op['name']}", s.value, s.pt, color=s.ink)
    else:
        title(sheet, s, "收  据", 40, pt=22)
        y = paragraph(sheet, s, 24, 62, f"今收到{op['name']}交来房屋押金人民币{rng.randint(1, 9)}000元整。", 162)
        sheet.text(120, y + 20, f"收款人：{case['agent']['name']}", s.value, s.pt, color=s.ink)
    return [sheet], [{}]


RENDERERS = {"business_licence": business_licence, "application_form": application_form,
             "power_of_attorney": power_of_attorney, "property_certificate": property_certificate,
             "lease_contract": lease_contract, OTHER: other_page}


# --- output ---------------------------------------------------------------------------------------


def render_document(seed: int, index: int, doc_type: str) -> tuple[list[Sheet], list[dict], dict]:
    """The pages of document `index` of `doc_type` for `seed`, each page's fields, and the case behind it."""
    case = make_case(seed, index)
    rng = _rng(seed, index, doc_type, "layout")
    sheets, fields = RENDERERS[doc_type](case, rng)
    return sheets, fields, case


def _px_boxes(sheet: Sheet, dpi: float) -> dict[str, list[float]]:
    k = dpi / 25.4
    return {n: [round(v * k, 1) for v in b] for n, b in sheet.boxes.items()}


def _quad(box) -> list[list[float]]:
    x0, y0, x1, y1 = box
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _encode_png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def page_images(seed: int, index: int, doc_type: str, variant: str, dpi: float = 200, rendered=None) -> list[tuple[bytes, dict]]:
    """One image per page (clean PNG or camera JPEG) with its truth; `rendered` (sheets, fields, case) when the
    pages were drawn elsewhere (generate_layouts.py)."""
    sheets, fields, _case = rendered or render_document(seed, index, doc_type)
    out = []
    for number, (sheet, page_fields) in enumerate(zip(sheets, fields), start=1):
        image = _sheet.to_image(sheet, dpi)
        boxes = _px_boxes(sheet, dpi)
        truth = {"type": doc_type, "variant": variant, "seed": seed, "doc_id": f"s{seed}-{index:04d}",
                 "reference_date": REFERENCE_DATE.isoformat(), "page": number, "page_count": len(sheets),
                 "fields": page_fields, "boxes": {n: _quad(b) for n, b in boxes.items() if n in page_fields},
                 "corners": None, "rotation": 0.0, "distortions": [], "image_size": list(image.size),
                 "seals": [{**{k: v for k, v in seal.items() if k != "box"}, "box": _quad([round(c * dpi / 25.4, 1) for c in seal["box"]])}
                           for seal in sheet.seals], "codes": list(sheet.codes)}
        if variant == "clean":
            data = _encode_png(image)
        else:
            rng = _rng(seed, index, doc_type, "camera", str(number))
            seal_boxes = {f"seal:{i}": [round(c * dpi / 25.4, 1) for c in seal["box"]] for i, seal in enumerate(sheet.seals)}
            shot = _sheet.camera_shot(image, {n: b for n, b in boxes.items() if n in page_fields} | seal_boxes, rng, idg._desk)
            for i, seal in enumerate(truth["seals"]):
                seal["box"] = shot["boxes"].pop(f"seal:{i}")
            quality = rng.randint(50, 70)
            data = _encode_jpeg(shot["image"], quality)
            while len(data) > 190_000 and quality > 35:  # keep sample files small (a busy desk costs bytes)
                quality -= 5
                data = _encode_jpeg(shot["image"], quality)
            truth.update(boxes=shot["boxes"], corners=shot["corners"], rotation=shot["rotation"],
                         distortions=shot["distortions"], jpeg_quality=quality,
                         image_size=[shot["image"].shape[1], shot["image"].shape[0]])
        out.append((data, truth))
    return out


def bundle(seed: int, index: int, variant: str, types: tuple[str, ...] = TYPES) -> tuple[bytes, dict]:
    """Several documents of one case in one PDF, in the order a clerk might scan them."""
    rng = _rng(seed, index, "bundle")
    chosen = [t for t in types if rng.random() < 0.75] or [rng.choice(types)]
    rng.shuffle(chosen)
    sheets, documents = [], []
    for doc_type in chosen:
        doc_sheets, fields, _case = render_document(seed, index, doc_type)
        merged = {k: v for page_fields in fields for k, v in page_fields.items()}
        start = len(sheets) + 1
        sheets.extend(doc_sheets)
        # what a text layer cannot show: handwriting, and so whether a signature area holds any
        hidden = sorted({k for sheet in doc_sheets for k in sheet.handwritten} | ({"signed"} & set(merged)))
        documents.append({"type": doc_type, "pages": list(range(start, len(sheets) + 1)), "fields": merged,
                          "handwritten": hidden})
    if variant == "pdf_text":
        data = _sheet.to_pdf(sheets)
    else:
        scans = [np.asarray(_sheet.to_image(sheet, 200).convert("L").convert("RGB")) for sheet in sheets]
        data = _sheet.image_pdf(scans, jpeg_quality=70)
    truth = {"type": "bundle", "variant": variant, "seed": seed, "doc_id": f"s{seed}-{index:04d}",
             "reference_date": REFERENCE_DATE.isoformat(), "page_count": len(sheets), "documents": documents}
    return data, truth


def generate(seed: int, count: int, variant: str = "clean", types: tuple[str, ...] = TYPES) -> list[tuple[bytes, dict]]:
    """`count` documents per type (clean, camera: one image per page) or `count` PDF bundles."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    if variant in ("pdf_text", "pdf_scan"):
        return [bundle(seed, index, variant, tuple(t for t in types if t != OTHER) or TYPES) for index in range(count)]
    out = []
    for doc_type in types:
        for index in range(count):
            out.extend(page_images(seed, index, doc_type, variant))
    return out


def file_stem(truth: dict) -> str:
    if truth["type"] == "bundle":
        return f"bundle_{truth['doc_id']}_{truth['variant']}"
    page = f"_p{truth['page']}" if truth["page_count"] > 1 else ""
    return f"{truth['type']}_{truth['doc_id']}{page}_{truth['variant']}"


def extension(truth: dict) -> str:
    return {"clean": ".png", "camera": ".jpg"}.get(truth["variant"], ".pdf")


def truth_json(truth: dict) -> str:
    text = json.dumps(truth, ensure_ascii=False, indent=1)
    return re.sub(r"\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]", r"[\1, \2]", text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=4, help="documents per type, or PDF bundles")
    parser.add_argument("--variant", choices=VARIANTS, default="clean")
    parser.add_argument("--types", default=",".join(TYPES), help=f"comma-separated, from {','.join(TYPES)},{OTHER}")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--by-type", action="store_true", help="write into OUT/<type>/ (bundles into OUT/bundles/)")
    args = parser.parse_args(argv)
    types = tuple(t for t in args.types.split(",") if t)
    if set(types) - set(TYPES) - {OTHER}:
        parser.error(f"unknown types {sorted(set(types) - set(TYPES) - {OTHER})}")
    items = generate(args.seed, args.count, args.variant, types)
    for data, truth in items:
        folder = args.out / (("bundles" if truth["type"] == "bundle" else truth["type"]) if args.by_type else "")
        folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(truth)
        (folder / f"{stem}{extension(truth)}").write_bytes(data)
        (folder / f"{stem}.json").write_text(truth_json(truth), encoding="utf-8")
    print(f"wrote {len(items)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

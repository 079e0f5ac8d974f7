"""More layouts of the reference item's paperwork, some held out from tuning, for samples/bench_layouts.py.

    python samples/generate_layouts.py --out /tmp/layouts --count 2 --variant camera

Each document type is drawn in several layouts (LAYOUTS); the ones in HELD_OUT are never used to tune the
readers or fit the calibration (samples/calibrate.py --layouts tuning), and the benchmark reports them apart as
"layouts not tuned on":

- application_form: `table` (generate_documents.py's form: label | value cells, sometimes two pairs per row),
  `pairs` (a grid of two label/value pairs per row with the operator's sex, ethnicity and birth date),
  `labels_above` (labels printed above their value boxes), `lines` (label：value on ruled lines, signature below);
- power_of_attorney: `regulator` (generate_documents.py's letter of labelled lines or the regulator's table),
  `prose` (委托人：X，公民身份号码：Y。受托人：…), `letter` (本人X（公民身份号码：Y），现委托Z（…）为我的代理人);
- legal_rep_certificate: `lines` (generate_more_documents.py: labelled lines, or 兹证明…同志), `table` (a ruled
  table), `prose` (X（公民身份号码：Y）在我单位任…职务，是Z（统一社会信用代码：W）的法定代表人。特此证明。);
- business_licence: `standard` (generate_documents.py: company or 个体工商户, one or two columns), `individual`
  (a 个体工商户 licence of one column: 经营者, 组成形式, 经营场所, dates with dots or Chinese numerals).

Signatures are drawn by samples/signatures.py in every kind it knows (scribble, brush-face name, name with a
fingerprint, name under a seal; unsigned: empty box, blank underline, blank space). Variants: `clean` (PNG at
200 dpi) and `camera` (generate_documents.py's camera shot). Truth as generate_documents.py writes it, plus
`layout` and `held_out`.
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
import generate_more_documents as gm  # noqa: E402
import signatures  # noqa: E402
from _sheet import Sheet, text_width, wrap  # noqa: E402

LAYOUTS = {
    "application_form": ("table", "pairs", "labels_above", "lines"),
    "power_of_attorney": ("regulator", "prose", "letter"),
    "legal_rep_certificate": ("lines", "table", "prose"),
    "business_licence": ("standard", "individual"),
}
# Never tuned on, never used to fit the calibration: the benchmark reports these apart.
HELD_OUT = {
    "application_form": ("labels_above", "lines"),
    "power_of_attorney": ("letter",),
    "legal_rep_certificate": ("prose",),
    "business_licence": ("individual",),
}
TYPES = tuple(LAYOUTS)
VARIANTS = ("clean", "camera")
REFERENCE_DATE = gd.REFERENCE_DATE
DATE_STYLES = ("zh0", "zh", "dot", "iso", "cn")


def is_held_out(doc_type: str, layout: str) -> bool:
    return layout in HELD_OUT.get(doc_type, ())


def layouts(split: str = "all") -> list[tuple[str, str]]:
    """(type, layout) pairs of `split`: all, tuning or held_out."""
    pairs = [(t, layout) for t, ls in LAYOUTS.items() for layout in ls]
    if split == "tuning":
        return [p for p in pairs if not is_held_out(*p)]
    if split == "held_out":
        return [p for p in pairs if is_held_out(*p)]
    return pairs


# --- signatures ------------------------------------------------------------------------------------------


def sign(sheet: Sheet, rng: random.Random, x: float, y: float, name: str, *, signed: bool | None = None,
         key: str | None = "signed") -> bool:
    """A signature area after a label ending at x on baseline y (mm): signed in one of signatures.py's kinds,
    or left as an unsigned area; the ink's box is recorded under `key`. Returns whether it is signed."""
    signed = rng.random() < 0.85 if signed is None else signed
    kind = rng.choice(signatures.SIGNED_KINDS if signed else signatures.UNSIGNED_KINDS)
    if kind == "empty_box":
        sheet.rect(x + 2, y - 9, x + 52, y + 3, 0.3)
    elif kind == "blank_underline":
        sheet.line(x + 2, y + 1.5, x + 50, y + 1.5, 0.3)
    pic = signatures.signature_picture(kind, name, rng, px_height=160)
    if pic is not None:
        height = rng.uniform(9, 13)
        w = min(60.0, height * pic.width / pic.height)
        box = [x + 3, y - height * 0.85, x + 3 + w, y + height * 0.15]
        sheet.picture(*box, pic)
        if key:
            sheet.add_box(key, box)
            sheet.handwritten.add(key)
    return signed


# --- application forms -----------------------------------------------------------------------------------


def _operator_rows(case: dict, rng: random.Random) -> list[tuple[str, str | None, str]]:
    op = case["operator"]
    return [("经营者姓名", "operator_name", op["name"]), ("性别", None, op["sex"]), ("民族", None, op["ethnicity"]),
            ("出生日期", None, gd.fmt_date(dt.date.fromisoformat(op["birth_date"]), "zh0")),
            ("身份证件号码", "operator_id_number", op["id_number"]), ("联系电话", "phone", case["phone"])]


def _app_title(sheet: Sheet, s: gd.Style, rng: random.Random) -> None:
    gd.mark(sheet, 165, 18)
    gd.title(sheet, s, rng.choice(("个体工商户登记（备案）申请书", "个体工商户设立登记申请书", "个体工商户登记申请表")), 32,
             pt=rng.uniform(17, 20))


def _app_truth(case: dict) -> dict:
    op = case["operator"]
    return {"operator_name": op["name"], "operator_id_number": op["id_number"], "phone": case["phone"],
            "premises_address": case["premises"]}


def _signature_block(sheet: Sheet, s: gd.Style, rng: random.Random, y: float, name: str, fields: dict) -> None:
    y = gd.paragraph(sheet, s, 22, y, "本人承诺：所提交的申请材料真实、合法、有效，并对其真实性负责。", 166)
    y += 12
    label = rng.choice(("经营者签字：", "经营者（签字）：", "经营者签名："))
    box = sheet.text(96, y, label, s.label, s.pt, color=s.ink)
    fields["signed"] = sign(sheet, rng, box[2], y, name)
    signed_on = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=30), REFERENCE_DATE - dt.timedelta(days=1))
    if fields["signed"]:
        sheet.text(118, y + 14, gd.fmt_date(signed_on, rng.choice(DATE_STYLES)), s.value, s.pt, color=s.ink, key="signed_on")
        fields["signed_on"] = signed_on.isoformat()


def app_pairs(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    """A ruled grid, two label/value pairs per row."""
    s = gd.make_style(rng)
    sheet = Sheet()
    _app_title(sheet, s, rng)
    em = s.pt * _sheet.PT_MM
    cols = (20, 20 + 6.5 * em, 105, 105 + 6.5 * em, 190)
    cells = [("名称", None, case["business_name"]), *_operator_rows(case, rng)]
    pairs = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    y = 48
    sheet.line(cols[0], y, cols[4], y)
    for pair in pairs:
        h = 12.0
        for i, (label, key, value) in enumerate(pair):
            lx, vx = (cols[0], cols[1]) if i == 0 else (cols[2], cols[3])
            right = cols[2] if i == 0 else cols[4]
            sheet.text(lx + 2, y + h / 2 + em * 0.35, label, s.label, s.pt * 0.95, color=s.ink)
            pt = s.pt
            while text_width(value, s.value, pt) > right - vx - 3:
                pt *= 0.93
            sheet.text(vx + 2, y + h / 2 + em * 0.35, value, s.value, pt, color=s.ink, key=key)
        for x in cols:
            sheet.line(x, y, x, y + h)
        y += h
        sheet.line(cols[0], y, cols[4], y)
    for label, key, value in (("经营场所", "premises_address", case["premises"]), ("经营范围", None, case["scope"])):
        lines = wrap(value, s.value, s.pt, cols[4] - cols[1] - 4)
        h = max(12.0, 4 + len(lines) * em * 1.5)
        sheet.text(cols[0] + 2, y + h / 2 + em * 0.35, label, s.label, s.pt * 0.95, color=s.ink)
        for j, line in enumerate(lines):
            sheet.text(cols[1] + 2, y + h / 2 - (len(lines) - 1) * em * 0.75 + j * em * 1.5 + em * 0.35, line, s.value, s.pt,
                       color=s.ink, key=key)
        for x in (cols[0], cols[1], cols[4]):
            sheet.line(x, y, x, y + h)
        y += h
        sheet.line(cols[0], y, cols[4], y)
    fields = _app_truth(case)
    _signature_block(sheet, s, rng, y + 12, case["operator"]["name"], fields)
    return [sheet], [fields]


def app_labels_above(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    """Boxes with their label printed above them, two or three to a row."""
    s = gd.make_style(rng)
    sheet = Sheet()
    _app_title(sheet, s, rng)
    em = s.pt * _sheet.PT_MM
    rows = [[("名称", None, case["business_name"])],
            [("经营者姓名", "operator_name", case["operator"]["name"]), ("性别", None, case["operator"]["sex"]),
             ("联系电话", "phone", case["phone"])],
            [("身份证件号码", "operator_id_number", case["operator"]["id_number"]), ("民族", None, case["operator"]["ethnicity"])],
            [("经营场所", "premises_address", case["premises"])]]
    y = 52
    for row in rows:
        widths = [170.0] if len(row) == 1 else ([80.0, 35.0, 55.0] if len(row) == 3 else [110.0, 60.0])
        x = 20.0
        for (label, key, value), w in zip(row, widths):
            sheet.text(x, y, label, s.label, s.pt * 0.95, color=s.ink)
            sheet.rect(x, y + 2, x + w - 3, y + 2 + 2 * em, 0.3)
            pt = s.pt
            while text_width(value, s.value, pt) > w - 8:
                pt *= 0.93
            sheet.text(x + 2, y + 2 + 1.35 * em, value, s.value, pt, color=s.ink, key=key)
            x += w
        y += 2 * em + 12
    fields = _app_truth(case)
    _signature_block(sheet, s, rng, y + 8, case["operator"]["name"], fields)
    return [sheet], [fields]


def app_lines(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    """label：value on ruled lines, as a typed letter-size form."""
    s = gd.make_style(rng)
    sheet = Sheet()
    _app_title(sheet, s, rng)
    em = s.pt * _sheet.PT_MM
    y = 56
    for label, key, value in [("个体工商户名称", None, case["business_name"]),
                              *[r for r in _operator_rows(case, rng) if r[0] not in ("民族",)],
                              ("经营场所", "premises_address", case["premises"])]:
        box = sheet.text(24, y, label + s.colon, s.label, s.pt, color=s.ink)
        sheet.text(box[2] + 3, y, value, s.value, s.pt, color=s.ink, key=key)
        sheet.line(box[2] + 1, y + 1.5, 186, y + 1.5, 0.25)
        y += em * 2.4
    fields = _app_truth(case)
    _signature_block(sheet, s, rng, y + 8, case["operator"]["name"], fields)
    return [sheet], [fields]


# --- powers of attorney -----------------------------------------------------------------------------------


def _poa_case(case: dict, rng: random.Random) -> dict:
    start = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=60), REFERENCE_DATE - dt.timedelta(days=2))
    until = gd._add_months(start, rng.choice((1, 3, 6, 12)))
    matter = rng.choice(("个体工商户设立登记", f"{case['business_name']}的设立登记", "个体工商户设立登记及领取营业执照"))
    return {"start": start, "until": until, "matter": matter, "style": rng.choice(DATE_STYLES)}


def _poa_truth(case: dict, p: dict) -> dict:
    return {"principal_name": case["operator"]["name"], "principal_id_number": case["operator"]["id_number"],
            "agent_name": case["agent"]["name"], "agent_id_number": case["agent"]["id_number"], "matter": p["matter"],
            "valid_until": p["until"].isoformat()}


def _poa_end(sheet: Sheet, s: gd.Style, rng: random.Random, y: float, case: dict, p: dict, fields: dict) -> None:
    y += 16
    box = sheet.text(96, y, rng.choice(("委托人签字：", "委托人（签字）：", "委托人签名：")), s.label, s.pt, color=s.ink)
    fields["signed"] = sign(sheet, rng, box[2], y, case["operator"]["name"])
    if rng.random() < 0.5:
        box = sheet.text(96, y + 16, rng.choice(("受托人签字：", "受托人（签字）：")), s.label, s.pt, color=s.ink)
        sign(sheet, rng, box[2], y + 16, case["agent"]["name"], key=None)  # the agent's: not the field judged
        y += 16
    sheet.text(118, y + 16, gd.fmt_date(p["start"], p["style"]), s.value, s.pt, color=s.ink)


def poa_prose(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = gd.make_style(rng)
    p = _poa_case(case, rng)
    pr, ag = case["operator"], case["agent"]
    sheet = Sheet()
    gd.mark(sheet, 165, 18)
    gd.title(sheet, s, "授权委托书", 40, pt=rng.uniform(20, 24), spacing=3)
    until = gd.fmt_date(p["until"], p["style"])
    text = (f"委托人：{pr['name']}，公民身份号码：{pr['id_number']}。受托人：{ag['name']}，公民身份号码：{ag['id_number']}。"
            f"现委托受托人代为办理{p['matter']}事宜，受托人在委托权限内办理的事项，委托人均予以认可。"
            f"委托期限：自{gd.fmt_date(p['start'], p['style'])}至{until}。")
    y = gd.paragraph(sheet, s, 24, 64, text, 162, leading=2.0,
                     keys={pr["name"]: "principal_name", pr["id_number"]: "principal_id_number", ag["name"]: "agent_name",
                           ag["id_number"]: "agent_id_number", p["matter"]: "matter", until: "valid_until"})
    fields = _poa_truth(case, p)
    _poa_end(sheet, s, rng, y, case, p, fields)
    return [sheet], [fields]


def poa_letter(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    s = gd.make_style(rng)
    p = _poa_case(case, rng)
    pr, ag = case["operator"], case["agent"]
    sheet = Sheet()
    gd.mark(sheet, 165, 18)
    gd.title(sheet, s, rng.choice(("授权委托书", "委托书")), 40, pt=rng.uniform(20, 24), spacing=3)
    y = 60
    sheet.text(24, y, rng.choice(("致：市场监督管理局", "致登记机关：", "尊敬的登记机关：")), s.value, s.pt, color=s.ink)
    until = gd.fmt_date(p["until"], p["style"])
    text = (f"本人{pr['name']}（公民身份号码：{pr['id_number']}），现委托{ag['name']}（公民身份号码：{ag['id_number']}）"
            f"为我的合法代理人，代为办理{p['matter']}事宜。代理人在办理过程中所签署的有关文件，我均予以承认。"
            f"委托有效期：自{gd.fmt_date(p['start'], p['style'])}至{until}。")
    y = gd.paragraph(sheet, s, 24, y + 12, text, 162, leading=2.0,
                     keys={pr["name"]: "principal_name", pr["id_number"]: "principal_id_number", ag["name"]: "agent_name",
                           ag["id_number"]: "agent_id_number", p["matter"]: "matter", until: "valid_until"})
    fields = _poa_truth(case, p)
    _poa_end(sheet, s, rng, y, case, p, fields)
    return [sheet], [fields]


def poa_regulator(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    return gd.power_of_attorney(case, rng)


# --- legal representative's certificates ----------------------------------------------------------------


def _lrc_truth(case: dict, signed_on: dt.date) -> dict:
    return {"organisation_name": case["business_name"], "credit_code": case["credit_code"],
            "representative_name": case["operator"]["name"], "representative_id_number": case["operator"]["id_number"],
            "signed_on": signed_on.isoformat()}


def _lrc_end(sheet: Sheet, s: gd.Style, rng: random.Random, y: float, case: dict, signed_on: dt.date) -> None:
    y += 20
    sheet.text(110, y, "单位（盖章）：", s.label, s.pt, color=s.ink)
    sheet.text(118, y + 14, gd.fmt_date(signed_on, rng.choice(DATE_STYLES)), s.value, s.pt, color=s.ink, key="signed_on")
    if rng.random() < 0.85:
        _seals.stamp(sheet, rng, 140 + rng.uniform(-6, 6), y + 6 + rng.uniform(-5, 5), case["business_name"], "round", size=42)


def _company(case: dict) -> dict:
    """A certificate is for a company: the case's business as a company name when it is a shop."""
    if case["individual"]:
        case = {**case, "business_name": case["business_name"][-6:-3] + case["business_name"][:2] + "商贸有限公司"}
    return case


def lrc_prose(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    case = _company(case)
    s = gd.make_style(rng)
    rep = case["operator"]
    signed_on = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=60), REFERENCE_DATE - dt.timedelta(days=1))
    sheet = Sheet()
    gd.mark(sheet, 168, 16)
    gd.title(sheet, s, "法定代表人身份证明书", 40, pt=rng.uniform(19, 23), spacing=1.5)
    post = rng.choice(gm.POSTS)
    text = (f"{rep['name']}（公民身份号码：{rep['id_number']}）在我单位任{post}职务，是{case['business_name']}"
            f"（统一社会信用代码：{case['credit_code']}）的法定代表人。")
    y = gd.paragraph(sheet, s, 24, 66, text, 162, leading=2.0,
                     keys={rep["name"]: "representative_name", rep["id_number"]: "representative_id_number",
                           case["business_name"]: "organisation_name", case["credit_code"]: "credit_code"})
    y = gd.paragraph(sheet, s, 24, y, "特此证明。", 162)
    _lrc_end(sheet, s, rng, y, case, signed_on)
    return [sheet], [_lrc_truth(case, signed_on)]


def lrc_table(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    case = _company(case)
    s = gd.make_style(rng)
    rep = case["operator"]
    signed_on = gd._day(rng, REFERENCE_DATE - dt.timedelta(days=60), REFERENCE_DATE - dt.timedelta(days=1))
    sheet = Sheet()
    gd.mark(sheet, 168, 16)
    gd.title(sheet, s, "法定代表人身份证明书", 40, pt=rng.uniform(19, 23), spacing=1.5)
    em = s.pt * _sheet.PT_MM
    cols = (22, 22 + 7.5 * em, 105, 105 + 5 * em, 188)
    rows = [[("单位名称", "organisation_name", case["business_name"])],
            [("统一社会信用代码", "credit_code", case["credit_code"])],
            [("姓名", "representative_name", rep["name"]), ("性别", None, rep["sex"])],
            [("职务", None, rng.choice(gm.POSTS)), ("民族", None, rep["ethnicity"])],
            [("公民身份号码", "representative_id_number", rep["id_number"])]]
    y = 58
    sheet.line(cols[0], y, cols[4], y)
    for row in rows:
        h = 13.0
        for i, (label, key, value) in enumerate(row):
            lx, vx = (cols[0], cols[1]) if i == 0 else (cols[2], cols[3])
            sheet.text(lx + 2, y + h / 2 + em * 0.35, label, s.label, s.pt * 0.9, color=s.ink)
            sheet.text(vx + 2, y + h / 2 + em * 0.35, value, s.value, s.pt, color=s.ink, key=key)
            sheet.line(vx, y, vx, y + h)
            if i:
                sheet.line(lx, y, lx, y + h)
        sheet.line(cols[0], y, cols[0], y + h)
        sheet.line(cols[4], y, cols[4], y + h)
        y += h
        sheet.line(cols[0], y, cols[4], y)
    y = gd.paragraph(sheet, s, 24, y + 12, "上述人员系我单位法定代表人。特此证明。", 162)
    _lrc_end(sheet, s, rng, y, case, signed_on)
    return [sheet], [_lrc_truth(case, signed_on)]


def lrc_lines(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    return gm.legal_rep_certificate(case, rng)


# --- business licences ------------------------------------------------------------------------------------


def licence_standard(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    return gd.business_licence(case, rng)


def licence_individual(case: dict, rng: random.Random) -> tuple[list[Sheet], list[dict]]:
    """A 个体工商户 licence of one column with labels and colons, 组成形式 printed, no capital."""
    s = gd.make_style(rng)
    name = case["business_name"] if case["individual"] else case["business_name"][-6:-4] + "便利店"
    sheet = Sheet(210, 297)
    sheet.paper = (rng.randint(248, 255), rng.randint(246, 252), rng.randint(238, 248))
    gd.mark(sheet, 168, 16)
    gd.title(sheet, s, "营业执照", 50, pt=rng.uniform(30, 36), spacing=6)
    em = s.pt * _sheet.PT_MM
    sheet.text(24, 70, f"统一社会信用代码{s.colon}{case['credit_code']}", s.label, s.pt, color=s.ink)
    sheet.add_box("credit_code", [24 + text_width(f"统一社会信用代码{s.colon}", s.label, s.pt), 70 - 0.88 * em,
                                  24 + text_width(f"统一社会信用代码{s.colon}{case['credit_code']}", s.label, s.pt), 70 + 0.14 * em])
    established = case["established"]
    style = rng.choice(("zh0", "dot", "cn"))
    fields = {"credit_code": case["credit_code"], "name": name, "entity_type": "个体工商户",
              "legal_representative": case["operator"]["name"], "established_on": established.isoformat(),
              "address": case["premises"]}
    y = 92
    for label, key, value in (("名称", "name", name), ("类型", "entity_type", "个体工商户"),
                              ("经营者", "legal_representative", case["operator"]["name"]),
                              ("组成形式", None, rng.choice(("个人经营", "家庭经营"))),
                              ("注册日期", "established_on", gd.fmt_date(established, style)),
                              ("经营场所", "address", case["premises"]), ("经营范围", None, case["scope"])):
        text, spacing = gd.spaced_label(s, label)
        sheet.text(30, y, text, s.label, s.pt, color=s.ink, spacing=spacing)
        lines = wrap(value, s.value, s.pt, 186 - 70)
        for j, line in enumerate(lines):
            sheet.text(70, y + j * em * 1.6, line, s.value, s.pt, color=s.ink, key=key)
        y += em * (2.4 + 1.6 * (len(lines) - 1))
    y += 16
    sheet.text(130, y, "登记机关", s.label, s.pt, color=s.ink)
    sheet.text(122, y + 12, gd.fmt_date(case["issued"], "cn"), s.value, s.pt, color=s.ink)
    _seals.stamp(sheet, rng, 145, y + 4, case["authority"], "round", size=40, extra="登记专用章")
    return [sheet], [fields]


RENDERERS = {
    ("application_form", "table"): gd.application_form, ("application_form", "pairs"): app_pairs,
    ("application_form", "labels_above"): app_labels_above, ("application_form", "lines"): app_lines,
    ("power_of_attorney", "regulator"): poa_regulator, ("power_of_attorney", "prose"): poa_prose,
    ("power_of_attorney", "letter"): poa_letter,
    ("legal_rep_certificate", "lines"): lrc_lines, ("legal_rep_certificate", "table"): lrc_table,
    ("legal_rep_certificate", "prose"): lrc_prose,
    ("business_licence", "standard"): licence_standard, ("business_licence", "individual"): licence_individual,
}


def render(seed: int, index: int, doc_type: str, layout: str) -> tuple[list[Sheet], list[dict], dict]:
    case = gd.make_case(seed, index)
    rng = gd._rng(seed, index, doc_type, layout)
    sheets, fields = RENDERERS[(doc_type, layout)](case, rng)
    return sheets, fields, case


def generate(seed: int, count: int, variant: str = "clean", split: str = "all") -> list[tuple[bytes, dict]]:
    """`count` documents per (type, layout) of `split`, one image per page."""
    out = []
    for doc_type, layout in layouts(split):
        for index in range(count):
            rendered = render(seed, index, doc_type, layout)
            for data, truth in gd.page_images(seed, index, doc_type, variant, rendered=rendered):
                truth.update(layout=layout, held_out=is_held_out(doc_type, layout), doc_id=f"s{seed}-{layout}-{index:04d}")
                out.append((data, truth))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=2, help="documents per type and layout")
    parser.add_argument("--variant", choices=VARIANTS, default="clean")
    parser.add_argument("--split", choices=("all", "tuning", "held_out"), default="all")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    items = generate(args.seed, args.count, args.variant, args.split)
    for data, truth in items:
        stem = gd.file_stem(truth)
        (args.out / f"{stem}{gd.extension(truth)}").write_bytes(data)
        (args.out / f"{stem}.json").write_text(gd.truth_json(truth), encoding="utf-8")
    print(f"wrote {len(items)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""PDF notices to the applicant (DOMAIN.md §1): 受理通知书, 容缺受理通知书, 补齐补正通知书 (一次性告知),
不予受理决定书, and after review the 不予许可决定书 (`refusal_decision`: reasons, art. 38 para. 2) — with the agency and a place for its seal, the case number, the item, the applicant (ID masked),
the date, the material list, the legal basis, what to supply by when and where, the appeal route, the
applicant's signature line, the clerk's number and a query code.

Who calls it: the API (`GET /api/v1/cases/{id}/notices/{kind}.pdf`). Pure: a function of a `NoticeData`; the
Chinese font (TrueType, embedded as a subset) comes from the Debian packages scripts/setup installs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

from pipeline.errors import ConfigurationError
from pipeline.masking import mask_id_number

# TrueType CJK faces first (their text extracts cleanly); Noto CJK (CFF) as a last resort.
FONT_CANDIDATES: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    (Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
)

TITLES = {
    "acceptance": "受理通知书",
    "tolerance": "容缺受理通知书",
    "correction": "补齐补正材料通知书（一次性告知）",
    "refusal": "不予受理决定书",
    "refusal_decision": "不予行政许可决定书",
}
LAW = "《中华人民共和国行政许可法》"
BASIS = {
    "acceptance": f"{LAW}第三十二条第一款第（五）项",
    "tolerance": f"{LAW}第三十二条第一款第（五）项及本地容缺受理制度",
    "correction": f"{LAW}第三十二条第一款第（四）项",
    "refusal": f"{LAW}第三十二条第一款第（一）、（二）项",
    "refusal_decision": f"{LAW}第三十八条第二款",
}
APPEALABLE = ("refusal", "refusal_decision")  # decisions against the applicant carry the appeal route
APPEAL = ("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
          "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")


@dataclass(frozen=True)
class NoticeMaterial:
    name: str
    status: str  # what the notice says about it (已收取 / 容缺后补 / 需补正 …)
    originals: int = 0  # originals seen, as the clerk attested
    copies: int = 0
    by_hand: bool = False  # checked by hand without a scan


@dataclass(frozen=True)
class NoticeData:
    kind: str  # acceptance | tolerance | correction | refusal | refusal_decision
    agency: str  # 实施主体
    place: str  # the hall / window where supplements are handed in and results collected
    case_number: str
    item_name: str
    situation_name: str
    applicant_name: str
    applicant_id: str | None  # a person's full number: masked here, never printed whole
    issued_on: dt.date
    received_on: dt.date
    clerk_number: str
    query_code: str
    materials: tuple[NoticeMaterial, ...] = ()
    legal_basis: tuple[str, ...] = ()  # the item's own basis
    reasons: str = ""  # the clerk's reasons (不予受理) or opinion
    problems: tuple[str, ...] = ()  # correction: every problem, all at once
    supplement_by: dt.date | None = None  # correction: by when (when the clerk set one)
    tolerance: tuple[tuple[str, dt.date | None], ...] = ()  # (material, due) for 容缺
    promised_days: int | None = None
    promised_unit: str = "工作日"
    decision_due: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    applicant_code: str | None = None  # an organisation's credit code (not personal data: printed whole)
    accepted_on: dt.date | None = None  # refusal_decision: the day of 受理


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day else "（日期需人工确定）"


def _font() -> tuple[Path, int]:
    for path, index in FONT_CANDIDATES:
        if path.exists():
            return path, index
    raise ConfigurationError(detail="no Chinese font for notices: install fonts-wqy-microhei (scripts/setup)")


class _Pdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        path, index = _font()
        self.add_font("cjk", "", str(path), collection_font_number=index)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(20, 18, 20)

    def para(self, text: str, size: float = 11, height: float = 7, align: str = "L") -> None:
        self.set_font("cjk", size=size)
        self.multi_cell(0, height, text, align=align, new_x="LMARGIN", new_y="NEXT")


def render(data: NoticeData) -> bytes:
    if data.kind not in TITLES:
        raise ValueError(f"unknown notice kind {data.kind!r}")
    pdf = _Pdf()
    pdf.set_title(TITLES[data.kind])
    pdf.set_creator("yichuang")
    pdf.add_page()
    pdf.para(data.agency, size=14, height=9, align="C")
    pdf.para(TITLES[data.kind], size=18, height=12, align="C")
    pdf.para(f"办件编号：{data.case_number}", size=10, align="R")
    number = data.applicant_code or (mask_id_number(data.applicant_id) if data.applicant_id else "—")
    pdf.para(f"申请人：{data.applicant_name}　　{'统一社会信用代码' if data.applicant_code else '证件号码'}：{number}")
    pdf.para(f"申请事项：{data.item_name}（{data.situation_name}）")
    pdf.ln(2)
    for line in _body(data):
        pdf.para(line)
    if data.materials:
        pdf.ln(1)
        pdf.para("申请材料清单：")
        for n, m in enumerate(data.materials, 1):
            seen = f"，核验原件{m.originals}份" if m.originals else ""
            kept = f"，收取复印件{m.copies}份" if m.copies else ""
            hand = "，工作人员人工核验" if m.by_hand else ""
            pdf.para(f"{n}. {m.name}：{m.status}{seen}{kept}{hand}", size=10, height=6)
    pdf.ln(1)
    basis = [BASIS[data.kind], *data.legal_basis]
    pdf.para(f"法律依据：{'；'.join(basis)}。", size=10, height=6)
    if data.kind in APPEALABLE:
        pdf.para(f"救济途径：{APPEAL}", size=10, height=6)
    pdf.para(f"进度查询码：{data.query_code}（可凭办件编号和查询码查询办理进度）", size=10, height=6)
    pdf.ln(6)
    y = pdf.get_y()
    pdf.set_draw_color(200, 0, 0)
    pdf.ellipse(130, y, 40, 40)  # where the agency's seal goes
    pdf.set_xy(130, y + 17)
    pdf.set_font("cjk", size=9)
    pdf.cell(40, 6, "（实施机关印章）", align="C")
    pdf.set_xy(20, y + 2)
    staff = "审查人员工号" if data.kind == "refusal_decision" else "受理人员工号"
    pdf.para(f"{staff}：{data.clerk_number}", size=10)
    pdf.para(f"{data.agency}", size=10)
    pdf.para(f"日期：{_date(data.issued_on)}", size=10)
    pdf.set_y(y + 46)
    pdf.para("申请人（或代理人）签收：________________　　签收日期：______年____月____日", size=10)
    return bytes(pdf.output())


def _body(data: NoticeData) -> list[str]:
    lines = [f"{data.applicant_name}："]
    limit = (f"本事项承诺办结时限为{data.promised_days}个{data.promised_unit}，" if data.promised_days is not None else "")
    due = f"预计于{_date(data.decision_due)}前办结（补正、特别程序所需时间不计算在内）。" if data.promised_days is not None else ""
    if data.kind in ("acceptance", "tolerance"):
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请，经审查，申请材料"
                     + ("齐全、符合法定形式，决定予以受理。" if data.kind == "acceptance" else "中的非关键材料暂缺，根据你（单位）签署的《容缺受理信用承诺书》，决定予以容缺受理。"))
        lines.append(limit + due)
    if data.kind == "tolerance":
        lines.append("你（单位）已签署《容缺受理信用承诺书》，承诺在下列期限内补交容缺材料：")
        for n, (name, due_on) in enumerate(data.tolerance, 1):
            lines.append(f"{n}. {name}：请于{_date(due_on)}前补交。")
        lines.append(f"补交地点：{data.place}。逾期未补交的，按承诺书约定及有关规定处理，并记入信用记录。")
    if data.kind == "correction":
        lines.append(f"你（单位）提出的{data.item_name}申请，申请材料不齐全或者不符合法定形式。现一次性告知需补齐补正的全部内容：")
        lines += [f"{n}. {p}" for n, p in enumerate(data.problems or ("（见下列材料清单）",), 1)]
        when = (f"请于{_date(data.supplement_by)}前" if data.supplement_by else "请在补齐补正全部材料后")
        lines.append(f"{when}到{data.place}提交补正材料。补正材料提交前，本申请尚未受理，办理时限不开始计算。")
    if data.kind == "refusal":
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请，经审查，决定不予受理。")
        lines.append(f"理由：{data.reasons or '（未填写）'}")
    elif data.kind == "refusal_decision":
        accepted = f"，本机关于{_date(data.accepted_on)}受理" if data.accepted_on else ""
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请{accepted}。经审查，"
                     "该申请不符合法定条件、标准，决定不予行政许可。")
        lines.append(f"理由：{data.reasons or '（未填写）'}")
    elif data.reasons:
        lines.append(f"说明：{data.reasons}")
    lines += list(data.notes)
    return lines

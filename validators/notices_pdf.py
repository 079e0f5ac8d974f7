"""PDF notices to the applicant (docs/domain.md): 受理通知书, 容缺受理通知书, 补齐补正通知书 (一次性告知),
不予受理决定书, after review the 不予许可决定书 (`refusal_decision`, art. 38 para. 2) or the 准予行政许可决定书
(`approval`; `completion` 办结通知书 where the item is no licence), and the 容缺受理信用承诺书 (`commitment`) the
applicant signs. Each carries the hall's agency (validators/halls.py) and its seal or a place for it, the
document number (文号), the case number, the item, the applicant (ID masked), the date, the material list, the
legal basis (for a refusal: the one that fits the reason), what to supply by when and where, the appeal route
naming the hall's 复议机关 and 人民法院, the signature line, the clerk's number and a query code. A preview is
marked "预览 不作为正式文书" on every page and carries no number and no seal image.

Who calls it: the API (`GET /api/v1/cases/{id}/notices/{kind}.pdf`). Pure: a function of a `NoticeData`; the
Chinese font (TrueType, embedded as a subset) comes from the Debian packages scripts/setup installs. Lines are
broken by pipeline/typeset.py (禁则; item numbers hang).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

from pipeline.errors import ConfigurationError
from pipeline.masking import mask_id_number
from validators.halls import UNSET, Hall
from pipeline.typeset import wrap

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
    "approval": "准予行政许可决定书",
    "completion": "办结通知书",
    "commitment": "容缺受理信用承诺书",
}
LAW = "《中华人民共和国行政许可法》"
# The basis of each kind when no reason says otherwise; a refusal's basis comes from its reason (catalog data).
BASIS = {
    "acceptance": f"{LAW}第三十二条第一款第（五）项",
    "tolerance": f"{LAW}第三十二条第一款第（五）项及本地容缺受理制度",
    "correction": f"{LAW}第三十二条第一款第（四）项",
    "refusal": f"{LAW}第三十二条第一款",
    "refusal_decision": f"{LAW}第三十八条第二款",
    "approval": f"{LAW}第三十八条第一款",
    "completion": "",
    "commitment": "本地容缺受理制度",
}
APPEALABLE = ("refusal", "refusal_decision")  # decisions against the applicant carry the appeal route
NUMBERED = ("acceptance", "tolerance", "correction", "refusal", "refusal_decision", "approval", "completion")
WATERMARK = "预览 不作为正式文书"
SEAL_BLOCK = 52.0  # mm: seal, clerk, agency, date and the signature line


def appeal_route(hall: Hall) -> str:
    """行政复议 within 60 days / 行政诉讼 within 6 months, naming the hall's bodies."""
    return (f"如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议（复议机关：{hall.review_body}），"
            f"或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼（管辖法院：{hall.court}）。")


@dataclass(frozen=True)
class NoticeMaterial:
    name: str
    status: str  # what the notice tells the applicant about it (已收取 / 容缺后补 / 需补正 …): citizen words only
    originals: int = 0  # originals seen, as the clerk attested
    copies: int = 0
    by_hand: bool = False  # checked by hand without a scan


@dataclass(frozen=True)
class NoticeData:
    kind: str  # one of TITLES
    hall: Hall  # the hall's configuration (or validators.halls.placeholder: visibly unset)
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
    basis: tuple[str, ...] = ()  # the reason's basis (refusals); empty: BASIS[kind]
    reasons: str = ""  # the reason as the applicant reads it (refusals only)
    problems: tuple[str, ...] = ()  # correction: every problem, all at once, in citizen words
    supplement_by: dt.date | None = None  # correction: by when (when the clerk set one)
    tolerance: tuple[tuple[str, dt.date | None], ...] = ()  # (material, due) for 容缺
    promised_days: int | None = None
    promised_unit: str = "工作日"
    decision_due: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    applicant_code: str | None = None  # an organisation's credit code (not personal data: printed whole)
    accepted_on: dt.date | None = None  # refusal_decision / approval: the day of 受理
    place: str = ""  # the window; default: the hall's name and address
    document_number: str | None = None  # 文号, allocated when the notice is first issued
    preview: bool = False
    result_name: str = ""  # approval: what the applicant receives (审批结果)
    seal_png: bytes | None = None  # the hall's seal image (never on a preview)


def _date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day else "（日期需人工确定）"


def _font() -> tuple[Path, int]:
    for path, index in FONT_CANDIDATES:
        if path.exists():
            return path, index
    raise ConfigurationError(detail="no Chinese font for notices: install fonts-wqy-microhei (scripts/setup)")


class _Pdf(FPDF):
    def __init__(self, watermark: str | None = None) -> None:
        super().__init__(format="A4")
        path, index = _font()
        self.add_font("cjk", "", str(path), collection_font_number=index)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(20, 18, 20)
        self.watermark = watermark

    def header(self) -> None:  # noqa: D401 - fpdf2 hook: a preview says so on every page
        if not self.watermark:
            return
        self.set_font("cjk", size=44)
        self.set_text_color(225, 200, 200)
        with self.rotation(35, x=105, y=160):
            width = self.get_string_width(self.watermark)
            self.text(105 - width / 2, 160, self.watermark)
        self.set_font("cjk", size=10)
        self.set_text_color(190, 0, 0)
        self.set_xy(20, 8)
        self.cell(0, 6, self.watermark, align="C")
        self.set_text_color(0)
        self.set_xy(self.l_margin, self.t_margin)

    def lines(self, text: str, size: float) -> list:
        self.set_font("cjk", size=size)
        return wrap(text, self.epw, self.get_string_width)

    def para(self, text: str, size: float = 11, height: float = 7, align: str = "L") -> None:
        for line in self.lines(text, size):
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
            self.set_x(self.l_margin + line.indent)
            self.cell(self.epw - line.indent, height, line.text, align=align, new_x="LMARGIN", new_y="NEXT")

    def height(self, texts: list[tuple[str, float, float]]) -> float:
        return sum(len(self.lines(text, size)) * height for text, size, height in texts)


def render(data: NoticeData) -> bytes:
    if data.kind not in TITLES:
        raise ValueError(f"unknown notice kind {data.kind!r}")
    pdf = _Pdf(WATERMARK if data.preview else None)
    pdf.set_title(TITLES[data.kind] + ("（预览）" if data.preview else ""))
    pdf.set_creator("yichuang")
    pdf.add_page()
    hall = data.hall
    pdf.para(hall.agency + ("（示例配置，非真实机关）" if hall.example else ""), size=14, height=9, align="C")
    pdf.para(TITLES[data.kind], size=18, height=12, align="C")
    if data.kind in NUMBERED:
        number = ("（预览，正式出具时编号）" if data.preview else data.document_number or f"{UNSET}（大厅未配置文号）")
        pdf.para(f"文号：{number}", size=10, height=6, align="C")
    pdf.para(f"办件编号：{data.case_number}", size=10, align="R")
    number = data.applicant_code or (mask_id_number(data.applicant_id) if data.applicant_id else "—")
    pdf.para(f"申请人：{data.applicant_name}　　{'统一社会信用代码' if data.applicant_code else '证件号码'}：{number}")
    pdf.para(f"申请事项：{data.item_name}（{data.situation_name}）")
    pdf.ln(2)
    for line in _body(data):
        pdf.para(line)
    if data.materials and data.kind != "commitment":
        pdf.ln(1)
        pdf.para("申请材料清单：")
        for n, m in enumerate(data.materials, 1):
            seen = f"，核验原件{m.originals}份" if m.originals else ""
            kept = f"，收取复印件{m.copies}份" if m.copies else ""
            hand = "，工作人员人工核验" if m.by_hand else ""
            pdf.para(f"{n}. {m.name}：{m.status}{seen}{kept}{hand}", size=10, height=6)
    pdf.ln(1)
    tail = _tail(data)
    # keep the legal basis, appeal route and query code with the seal block: no page of a seal alone
    if pdf.get_y() + pdf.height(tail) + SEAL_BLOCK > pdf.page_break_trigger:
        pdf.add_page()
    for text, size, height in tail:
        pdf.para(text, size=size, height=height)
    _sign_off(pdf, data)
    return bytes(pdf.output())


def _tail(data: NoticeData) -> list[tuple[str, float, float]]:
    basis = list(dict.fromkeys(b for b in (*(data.basis or (BASIS[data.kind],)), *data.legal_basis) if b))
    out = [(f"法律依据：{'；'.join(basis)}。", 10, 6)] if basis else []
    if data.kind in APPEALABLE:
        out.append((f"救济途径：{appeal_route(data.hall)}", 10, 6))
    if data.kind != "commitment":
        out.append((f"进度查询码：{data.query_code}（可凭办件编号和查询码查询办理进度）", 10, 6))
    hall = data.hall
    out.append((f"办理地点：{hall.name}（{hall.address}）　咨询电话：{hall.phone}　办公时间：{hall.hours}", 9, 5.5))
    return out


def _sign_off(pdf: _Pdf, data: NoticeData) -> None:
    pdf.ln(4)
    y = pdf.get_y()
    if data.kind == "commitment":
        pdf.para("承诺人（签字或盖章）：________________　　日期：______年____月____日", size=11, height=9)
        pdf.para("代理人（签字）：________________　　受理人员工号：" + data.clerk_number, size=11, height=9)
        return
    if data.seal_png and not data.preview:
        pdf.image(io.BytesIO(data.seal_png), x=130, y=y, w=40, h=40, keep_aspect_ratio=True)
    else:
        pdf.set_draw_color(200, 0, 0)
        pdf.ellipse(130, y, 40, 40)  # where the agency's seal goes
        pdf.set_xy(130, y + 17)
        pdf.set_font("cjk", size=9)
        pdf.cell(40, 6, "（实施机关印章）", align="C")
    pdf.set_xy(20, y + 2)
    staff = "审查人员工号" if data.kind in ("refusal_decision", "approval", "completion") else "受理人员工号"
    pdf.para(f"{staff}：{data.clerk_number}", size=10)
    pdf.para(f"签发：{data.hall.signoff_role}", size=10)
    pdf.para(f"{data.hall.agency}", size=10)
    pdf.para(f"日期：{_date(data.issued_on)}", size=10)
    pdf.set_y(y + 46)
    pdf.para("申请人（或代理人）签收：________________　　签收日期：______年____月____日", size=10)


def _place(data: NoticeData) -> str:
    return data.place or f"{data.hall.name}（{data.hall.address}）"


def _body(data: NoticeData) -> list[str]:
    lines = [f"致{data.hall.agency}：" if data.kind == "commitment" else f"{data.applicant_name}："]
    if data.kind in ("acceptance", "tolerance"):
        limit = (f"本事项承诺办结时限为{data.promised_days}个{data.promised_unit}，" if data.promised_days is not None else "")
        due = (f"预计于{_date(data.decision_due)}前办结（补正、特别程序所需时间不计算在内）。"
               if data.promised_days is not None else "")
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请，经审查，申请材料"
                     + ("齐全、符合法定形式，决定予以受理。" if data.kind == "acceptance" else
                        "中的非关键材料暂缺，根据你（单位）签署的《容缺受理信用承诺书》，决定予以容缺受理。"))
        lines.append(limit + due)
    if data.kind in ("tolerance", "commitment"):
        lines += _tolerance_lines(data)
    if data.kind == "correction":
        lines.append(f"你（单位）提出的{data.item_name}申请，申请材料不齐全或者不符合法定形式。现一次性告知需补齐补正的全部内容：")
        lines += [f"{n}. {p}" for n, p in enumerate(data.problems or ("（见下列材料清单）",), 1)]
        when = (f"请于{_date(data.supplement_by)}前" if data.supplement_by else "请在补齐补正全部材料后")
        lines.append(f"{when}到{_place(data)}提交补正材料。补正材料提交前，本申请尚未受理，办理时限不开始计算。")
    if data.kind == "refusal":
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请，经审查，决定不予受理。")
        lines.append(f"理由：{data.reasons or '（未填写）'}")
    elif data.kind == "refusal_decision":
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请{_accepted(data)}。经审查，"
                     "该申请不符合法定条件、标准，决定不予行政许可。")
        lines.append(f"理由：{data.reasons or '（未填写）'}")
    elif data.kind in ("approval", "completion"):
        verdict = ("该申请符合法定条件、标准，决定准予行政许可。" if data.kind == "approval" else "该事项已办理完结。")
        lines.append(f"你（单位）于{_date(data.received_on)}提出的{data.item_name}申请{_accepted(data)}。经审查，{verdict}")
        if data.result_name:
            lines.append(f"请凭本{'决定书' if data.kind == 'approval' else '通知书'}及办件编号到{_place(data)}"
                         f"领取{data.result_name}（或按你选择的方式送达）。")
    lines += list(data.notes)
    return lines


def _accepted(data: NoticeData) -> str:
    return f"，本机关于{_date(data.accepted_on)}受理" if data.accepted_on else ""


def _tolerance_lines(data: NoticeData) -> list[str]:
    if data.kind == "commitment":
        lines = [f"本人（单位）申请办理{data.item_name}，对下列暂缺的非关键材料申请容缺受理，并郑重承诺："]
        lines.append("一、所提交的申请材料真实、合法、有效，所作承诺是本人（单位）真实意思表示；")
        lines.append("二、在下列期限内补交容缺材料：")
    else:
        lines = ["你（单位）已签署《容缺受理信用承诺书》，承诺在下列期限内补交容缺材料："]
    for n, (name, due_on) in enumerate(data.tolerance or (("（见申请材料清单）", None),), 1):
        lines.append(f"{n}. {name}：请于{_date(due_on)}前补交。")
    if data.kind == "commitment":
        lines.append(f"三、逾期未补交或补交材料不符合要求的，同意按有关规定处理，并记入信用记录。补交地点：{_place(data)}。")
    else:
        lines.append(f"补交地点：{_place(data)}。逾期未补交的，按承诺书约定及有关规定处理，并记入信用记录。")
    return lines

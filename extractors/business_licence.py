"""营业执照 (business_licence): 统一社会信用代码, 名称, 类型, 法定代表人 (经营者 / 负责人 / 投资人 / 执行事务合伙人),
注册资本, 成立日期 (注册日期), 营业期限, 住所 (经营场所 / 主要经营场所), 经营范围, 登记机关 and the date below it.

Printed one column (副本) or two (正本), labels often spread out (名    称); the business scope and the address run
over several lines. The registration authority's seal covers the issue date, so that date is often unreadable.
docs/domain.md."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form
from extractors._layout import Piece, field
from pipeline.confidence import SEARCHED, support
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

REPRESENTATIVE = ("法定代表人", "经营者", "负责人", "投资人", "执行事务合伙人")
ADDRESS = ("住所", "经营场所", "主要经营场所", "营业场所")
LABELS = ("统一社会信用代码", "名称", "类型", *REPRESENTATIVE, "注册资本", "注册资金", "资金数额", "成立日期", "注册日期",
          "营业期限", "合伙期限", *ADDRESS, "经营范围", "登记机关", "组成形式", "出资额")
# The first character of a spaced-out two-character label is sometimes not read at all.
ALIASES = {"称": "名称", "型": "类型", "所": "住所"}
# Labels that start the rows of a licence: evidence for recognising one.
ANCHORS = ("名称", "类型", "经营范围", "登记机关", *REPRESENTATIVE[:2], "成立日期", "注册日期", "营业期限", "住所", "经营场所",
           "注册资本")
TERM = re.compile(r"(长期|永久|不约定期限)")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(("营业执照",)):
        score += 0.55
    elif ev.has("营业执照"):
        score += 0.2
    if ev.has("统一社会信用代码"):
        score += 0.15
    score += min(0.3, 0.05 * ev.row_starts(ANCHORS))
    if v.credit_code(ev.text):
        score += 0.05
    if ev.other_title("business_licence"):
        score = min(score, 0.3)
    return clamp(score)


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    form = Form(page, LABELS, ALIASES)
    fields: dict[str, FieldValue] = {}

    code = _credit_code(form)
    if code:
        fields["credit_code"] = code
    if f := form.text_field(form.hit("名称"), v.cjk_text, multi=True):
        fields["name"] = f
    # a 个体工商户 licence prints 类型 个体工商户 and 组成形式 个人经营 / 家庭经营; some print only the latter
    if f := form.text_field(form.hit("类型"), v.cjk_text, multi=True) or form.text_field(form.hit("组成形式"), v.cjk_text):
        fields["entity_type"] = f
    if f := form.text_field(form.hit(*REPRESENTATIVE), v.names):
        fields["legal_representative"] = f
    if f := form.text_field(form.hit("注册资本", "注册资金", "出资额", "资金数额"), v.amount):
        fields["registered_capital"] = f
    if f := form.text_field(form.hit("成立日期", "注册日期"), v.date_value):
        fields["established_on"] = f
    if f := form.text_field(form.hit("营业期限", "合伙期限"), _term):
        fields["business_term"] = f
    if f := form.text_field(form.hit(*ADDRESS), v.cjk_text, multi=True):
        fields["address"] = f
    if f := form.text_field(form.hit("经营范围"), v.cjk_text, multi=True):
        fields["business_scope"] = f
    fields.update(_authority(form))
    return fields


def _credit_code(form: Form) -> FieldValue | None:
    """On the 统一社会信用代码 row or just below it; else any 18-character code on the page."""
    hit = form.hit("统一社会信用代码")
    groups: list[list[Piece]] = []
    if hit is not None:
        groups.append(form.inline(hit))
        for row in form.rows[hit.row + 1:hit.row + 3]:
            groups.extend([p] for p in row)
    anchored = len(groups)
    groups.extend([p] for p in form.pieces)
    for i, used in enumerate(groups):
        text = "".join(p.text for p in used)
        if used and (code := v.credit_code(text)):
            found = field(code, used, form.page, raw=text)
            return found if i < anchored else found.model_copy(update={"confidence": support(found.confidence, SEARCHED)})
    return None


def _term(text: str) -> str | None:
    """营业期限 as an ISO interval: 2015-03-12/2045-03-11, 2015-03-12/长期, or 长期 alone."""
    found = v.dates(text)
    open_ended = bool(TERM.search(text))
    if len(found) >= 2:
        return f"{found[0]}/{found[1]}"
    if found and open_ended:
        return f"{found[0]}/长期"
    if open_ended and not found:
        return "长期"
    return None


def _authority(form: Form) -> dict[str, FieldValue]:
    """登记机关: the authority's name when printed beside the label (otherwise it is only in the seal), and the
    issue date printed below it — or, when the seal hides the label, the lowest date in the bottom right."""
    hit = form.hit("登记机关")
    out: dict[str, FieldValue] = {}
    groups: list[list[Piece]] = []
    if hit is not None:
        inline = form.inline(hit, max_gap=6)
        text = "".join(p.text for p in inline)
        name = v.cjk_text(re.sub(r"[^\u4e00-\u9fff]", "", text))
        if name.endswith("局") and len(name) >= 6:
            out["registration_authority"] = field(name, inline, form.page, raw=text)
        groups.append(inline)
        groups.append([p for row in form.rows[hit.row + 1:hit.row + 5] for p in row
                       if p.box[0] > hit.x0 - 6 * form.h and p.cy - hit.cy < 6 * form.h])
    height = form.reading.page.height or max(p.box[3] for p in form.pieces)
    width = form.reading.page.width or max(p.box[2] for p in form.pieces)
    corner = [p for p in form.pieces if p.cy > 0.6 * height and p.box[0] > 0.4 * width]
    groups.extend([p] for p in sorted(corner, key=lambda p: -p.cy))
    for group in groups:
        prose = "".join(p.text for p in group)
        if date := v.date_value(prose):
            out["issued_on"] = field(date, [p for p in group if re.search(r"\d|年|日", p.text)] or group, form.page, raw=prose)
            break
    return out


DOCUMENT_TYPE = DocumentType(
    code="business_licence",
    label="营业执照",
    recognise=recognise,
    anchors=ANCHORS,
    extract=extract,
    fields={
        "credit_code": FieldSpec("统一社会信用代码", "code"),
        "name": FieldSpec("名称", "name"),
        "entity_type": FieldSpec("类型"),
        "legal_representative": FieldSpec("法定代表人（负责人）", "name"),
        "registered_capital": FieldSpec("注册资本"),
        "established_on": FieldSpec("成立日期", "date"),
        "address": FieldSpec("住所（经营场所）"),
        "business_scope": FieldSpec("经营范围"),
        "business_term": FieldSpec("营业期限"),
        "registration_authority": FieldSpec("登记机关"),
        "issued_on": FieldSpec("发证日期", "date"),
    },
    findings={
        "business_licence.established_future": None,
        "business_licence.issued_before_established": None,
        "business_licence.issued_future": None,
        "business_licence.term_ended": "营业执照已超过营业期限，请提交有效的营业执照",
        "business_licence.term_order": None,
        "business_licence.unread": None,
        "credit_code.category": None,
        "credit_code.checksum": "统一社会信用代码有误，请核对后重新填写",
        "credit_code.entity_type": None,
        "credit_code.format": "统一社会信用代码有误，请核对后重新填写",
        "credit_code.missing": "未填写统一社会信用代码，请补填",
        "credit_code.org_checksum": None,
    },
    licence_fields={"number": "credit_code", "holder": "name"},
    titles=("营业执照",),
    codes=True,  # the QR code linking to the enterprise credit system
)

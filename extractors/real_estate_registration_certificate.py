"""不动产登记证明 (real_estate_registration_certificate): the certificate of a registration that is not ownership itself
(a mortgage, an advance notice, an objection). Its number (鲁(2020)泰安市不动产证明第0014777号) and the table —
证明权利或事项, 权利人（申请人）, 义务人, 坐落, 不动产单元号 — plus the registration body (登记机构, often only its seal) and
the date under it (登记时间, 年 月 日 with the figures set over the printed words). Most arrive as OFD e-licences whose
labels are in the template image and whose values are text objects (pipeline/ofd.py)."""

from __future__ import annotations

import re
import unicodedata

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form, rows
from extractors._layout import Piece, field
from extractors._normalise import simplified
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

LABELS = ("证明权利或事项", "权利人(申请人)", "权利人", "义务人", "坐落", "不动产单元号", "其他", "附记", "登记机构", "登记时间")
ALIASES = {"落": "坐落"}
ANCHORS = ("证明权利或事项", "权利人", "义务人", "坐落", "不动产单元号", "登记机构")  # row starts: recognition evidence
NUMBER = re.compile(r"([\u4e00-\u9fff])[(（]?(\d{4})[)）]?([\u4e00-\u9fff]{1,12}?)不动产证明第(\d{5,8})号")


def certificate_number(text: str) -> str | None:
    """The 不动产登记证明 number, canonical with half-width brackets: 鲁(2020)泰安市不动产证明第0014777号."""
    value = simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))
    m = NUMBER.search(value)
    return f"{m.group(1)}({m.group(2)}){m.group(3)}不动产证明第{m.group(4)}号" if m else None


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(("不动产登记证明",)):
        score += 0.45
    if "不动产证明第" in ev.text or certificate_number(ev.text):
        score += 0.35
    score += min(0.4, 0.07 * ev.row_starts(ANCHORS))
    if ev.other_title("real_estate_registration_certificate"):
        score = min(score, 0.3)
    return clamp(score)


def _authority(text: str) -> str | None:
    value = v.cjk_text(text).replace("（章）", "").replace("(章)", "").strip("：:")
    return value if len(value) >= 4 else None


def _date_near(form: Form) -> FieldValue | None:
    """登记时间: a row with 年 and 月 and the figures around it (the figures often sit a little above the printed
    年 月 日), read as one date; else any 登记时间 value."""
    for row in rows(form.pieces):
        text = "".join(p.text for p in row)
        if "年" not in text or "月" not in text:
            continue
        cy = sum(p.cy for p in row) / len(row)
        near: list[Piece] = sorted((p for p in form.pieces if abs(p.cy - cy) <= 0.9 * form.h), key=lambda p: p.box[0])
        joined = "".join(p.text for p in near)
        found = v.find_date(re.sub(r"(?<=[年月])(?=\d)|(?<=\d)(?=[年月日])", "", joined))
        if found:
            return field(found[0], near, form.page, raw=joined)
    return None


def extract(doc: Classified) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for page in doc.pages:
        form = Form(page, LABELS, ALIASES)
        for piece in form.pieces:
            if number := certificate_number(piece.text):
                fields.setdefault("certificate_number", field(number, [piece], form.page, raw=piece.text))
                break
        holder = form.hit("权利人(申请人)", "权利人")
        found = {
            "right_or_matter": form.text_field(form.hit("证明权利或事项"), v.cjk_text, multi=True),
            "holder": form.text_field(holder, v.cjk_text, multi=True),
            "obligor": form.text_field(form.hit("义务人"), v.cjk_text, multi=True),
            "location": form.text_field(form.hit("坐落"), v.cjk_text, multi=True),
            "unit_number": form.text_field(form.hit("不动产单元号"), v.unit_number, multi=True),
            "registration_authority": form.text_field(form.hit("登记机构"), _authority),
            "registered_on": form.text_field(form.hit("登记时间"), v.date_value) or _date_near(form),
        }
        for name, value in found.items():
            if value is not None:
                fields.setdefault(name, value)
    return fields


DOCUMENT_TYPE = DocumentType(
    code="real_estate_registration_certificate",
    label="不动产登记证明",
    recognise=recognise,
    anchors=ANCHORS,
    extract=extract,
    fields={
        "certificate_number": FieldSpec("不动产登记证明号", "code"),
        "right_or_matter": FieldSpec("证明权利或事项"),
        "holder": FieldSpec("权利人（申请人）", "name"),
        "obligor": FieldSpec("义务人", "name"),
        "location": FieldSpec("坐落"),
        "unit_number": FieldSpec("不动产单元号", "code"),
        "registration_authority": FieldSpec("登记机构"),
        "registered_on": FieldSpec("登记时间", "date"),
    },
    licence_fields={"number": "certificate_number", "holder": "holder"},
    titles=("不动产登记证明",),
)

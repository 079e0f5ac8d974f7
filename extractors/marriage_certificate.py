"""结婚证 (marriage_certificate): 持证人, 登记日期, 结婚证字号, and both parties — 姓名 and 身份证件号 of each (the
party printed first is party 1). docs/domain.md.

The inner page prints the holder's block (持证人 / 登记日期 / 结婚证字号 / 备注) and then the two parties, each
with 姓名 性别 / 国籍 出生日期 / 身份证件号; the labels repeat, so a party is the block that starts at its 姓名."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._classify import Clue, PageEvidence, anchor_words, clamp
from extractors._form import Form
from extractors._layout import field
from extractors._records import names_other_type
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLES = ("结婚证",)
# recognition evidence, each clue counted once; DocumentType.anchors are their words
CLUES = (Clue(("结婚证字号",), 0.15), Clue(("持证人",)), Clue(("登记日期",)), Clue(("婚姻",)))
ID_LABELS = ("身份证件号码", "身份证件号", "身份证号码", "公民身份号码")
LABELS = ("持证人", "登记日期", "结婚证字号", "备注", "姓名", "性别", "国籍", "出生日期", *ID_LABELS, "登记机关")
NUMBER = re.compile(r"[JLBjlb]\d{6}-\d{4}-\d{5,7}")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLES):
        score += 0.45
    elif ev.anywhere(TITLES):
        score += 0.3
    score = ev.add_clues(score, CLUES)
    score += 0.1 if NUMBER.search(ev.text) else 0.0
    if names_other_type(ev, "marriage_certificate", TITLES):
        score = min(score, 0.3)
    return clamp(score)


def certificate_number(text: str) -> str | None:
    """结婚证字号 like J370811-2015-001234 (the letter J; dashes as printed)."""
    value = re.sub(r"\s+", "", text).replace("—", "-").replace("－", "-").replace("_", "-")
    m = NUMBER.search(value)
    return m.group(0).upper() if m else None


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    form = Form(page, LABELS)
    fields: dict[str, FieldValue] = {}
    if f := form.text_field(form.hit("持证人"), v.names):
        fields["holder"] = f
    if f := form.text_field(form.hit("登记日期"), v.date_value):
        fields["registered_on"] = f
    if f := form.text_field(form.hit("结婚证字号"), certificate_number):
        fields["certificate_number"] = f
    else:
        for piece in form.pieces:
            if number := certificate_number(piece.text):
                fields["certificate_number"] = field(number, [piece], form.page, raw=piece.text)
                break
    names = sorted((h for h in form.hits if h.label == "姓名"), key=lambda h: (h.row, h.x0))
    numbers = sorted((h for h in form.hits if h.label in ID_LABELS), key=lambda h: (h.row, h.x0))
    for party, hit in enumerate(names[:2], start=1):
        if f := form.text_field(hit, v.names):
            fields[f"party{party}_name"] = f
    for hit in numbers:
        # the number belongs to the party whose 姓名 stands last above it
        owners = [i for i, h in enumerate(names[:2], start=1) if h.row <= hit.row]
        if not owners:
            continue
        key = f"party{owners[-1]}_id_number"
        if key not in fields and (f := form.text_field(hit, v.id_number)):
            fields[key] = f
    return fields


DOCUMENT_TYPE = DocumentType(
    code="marriage_certificate",
    label="结婚证",
    recognise=recognise,
    anchors=anchor_words(CLUES),
    extract=extract,
    fields={
        "holder": FieldSpec("持证人", "name"),
        "registered_on": FieldSpec("登记日期", "date"),
        "certificate_number": FieldSpec("不动产权证书号", "code"),
        "party1_name": FieldSpec("一方姓名", "name"),
        "party1_id_number": FieldSpec("一方身份证件号码", "id_number"),
        "party2_name": FieldSpec("另一方姓名", "name"),
        "party2_id_number": FieldSpec("另一方身份证件号码", "id_number"),
    },
    findings={
        "marriage_certificate.holder_not_party": "结婚证持证人与申请人不符，请提交本人的结婚证",
        "marriage_certificate.registered_future": None,
        "marriage_certificate.unread": None,
        "party1_id_number.birth_date": None,
        "party1_id_number.checksum": None,
        "party1_id_number.format": None,
        "party2_id_number.birth_date": None,
        "party2_id_number.checksum": None,
        "party2_id_number.format": None,
    },
    licence_fields={"number": "certificate_number", "holder": "holder"},
    titles=TITLES,
)

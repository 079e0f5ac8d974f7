"""法定代表人身份证明书 (legal_rep_certificate): the organisation (单位名称), its 统一社会信用代码, the representative's
name and ID number, and the date; the organisation's red seal is judged by validators/seals.py.

Read from labelled lines or a table (单位名称：… 姓名：… 身份证号码：…) by geometry, and from the standard wording by
anchors in reading order (X（公民身份号码：Y）在我单位任…职务，是Z（统一社会信用代码：W）的法定代表人; 兹证明张三同志
（身份证号码：…）系我单位法定代表人). A credit code is taken only after 统一社会信用代码 or, failing that, as a code
of the right shape that is not an ID number; the name never takes the title's last character. docs/domain.md."""

from __future__ import annotations

import re

from extractors import _anchors as anchored
from extractors import _values as v
from extractors._classify import Clue, PageEvidence, anchor_words, clamp
from extractors._form import Form, Prose, page_text as prose_text
from extractors._layout import field
from extractors._records import names_other_type
from pipeline.confidence import SEARCHED, support
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLES = ("法定代表人身份证明书", "法定代表人身份证明")  # the first keeps 证明书 (a paper we do not read) its own
# recognition evidence, each clue counted once; DocumentType.anchors are their words
CLUES = (Clue(("法定代表人",)), Clue(("统一社会信用代码",)), Clue(("单位名称", "我单位")), Clue(("特此证明",)))
ORGANISATION = ("单位名称", "企业名称", "名称")
REPRESENTATIVE = ("法定代表人姓名", "姓名")  # not 法定代表人 alone: the title starts with it
ID_LABELS = ("公民身份号码", "身份证件号码", "身份证号码", "身份证号")
LABELS = (*ORGANISATION, "统一社会信用代码", *REPRESENTATIVE, *ID_LABELS, "性别", "年龄", "职务", "地址", "住所",
          "单位(盖章)", "单位（盖章）", "日期")
# 兹证明张三同志（身份证号码：…）… / 张三，身份证号码…，现任我单位…职务
LETTER = re.compile(r"证明(?P<name>(?:(?!证明)[\u4e00-\u9fff·]){2,6}?)(?:同志|先生|女士)?[,，(（]*"
                    r"(?:公民身份号码|身份证件号码|身份证号码|身份证号)[:：]?(?P<id>[0-9Xx]{17,18})")
OWN_UNIT = re.compile(r"系(?P<org>[\u4e00-\u9fff()（）]{4,40}?)(?:的)?法定代表人")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLES):
        score += 0.6
    elif ev.anywhere(TITLES):
        score += 0.3
    score = ev.add_clues(score, CLUES)
    if names_other_type(ev, "legal_rep_certificate", TITLES):
        score = min(score, 0.3)
    return clamp(score)


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    form = Form(page, LABELS)
    ordered = anchored.Ordered(page)
    fields: dict[str, FieldValue] = {}
    if f := form.text_field(form.hit(*ORGANISATION), _organisation, multi=True):
        fields["organisation_name"] = f
    code_hit = form.hit("统一社会信用代码")
    if code_hit is not None:
        used = form.inline(code_hit) or form.below(code_hit)
        text = "".join(p.text for p in used)
        if used and (code := v.credit_code(text)):
            fields["credit_code"] = field(code, used, form.page, raw=text)
    # the first label that holds a value: the title's 身份证明 can pass for a misread 身份证号
    for key, labels, clean in (("representative_name", REPRESENTATIVE, v.first_name),
                               ("representative_id_number", ID_LABELS, v.id_number)):
        for hit in (h for h in form.hits if h.label in labels):
            if f := form.text_field(hit, clean):
                fields[key] = f
                break
    worded = anchored.representative(ordered) | anchored.organisation(ordered)
    fields = anchored.merge(fields, worded)
    if "credit_code" not in fields:  # a code of the right shape anywhere (never an ID number: see credit_code)
        for piece in form.pieces:
            if code := v.credit_code(piece.text):
                found = field(code, [piece], form.page, raw=piece.text)
                fields["credit_code"] = found.model_copy(update={"confidence": support(found.confidence, SEARCHED)})
                break
    if ("representative_name" not in fields or "representative_id_number" not in fields) and (m := LETTER.search(prose_text(page))):
        prose = Prose(page)
        m = LETTER.search(prose.text)
        name, number = v.person_name_value(m.group("name")), v.id_number(m.group("id"))
        if name and "representative_name" not in fields:
            fields["representative_name"] = field(name, prose.used(*m.span("name")), prose.page, raw=m.group("name"))
        if number and "representative_id_number" not in fields:
            fields["representative_id_number"] = field(number, prose.used(*m.span("id")), prose.page, raw=m.group("id"))
    if "organisation_name" not in fields and (f := Prose(page).field(OWN_UNIT, _organisation, group="org")):
        fields["organisation_name"] = f
    if signed := _last_date(form):
        fields["signed_on"] = signed
    return fields


def _organisation(text: str) -> str | None:
    value = v.cjk_text(re.sub(r"[(（]?盖章[)）]?$", "", text))
    return value if len(value) >= 4 else None


def _last_date(form: Form) -> FieldValue | None:
    """The certificate's date: the lowest date on the page (it stands under the seal, bottom right)."""
    for row in reversed(form.rows):
        text = "".join(p.text for p in row)
        if date := v.date_value(text):
            used = [p for p in row if re.search(r"\d|年|月|日", p.text)] or row
            return field(date, used, form.page, raw=text)
    return None


DOCUMENT_TYPE = DocumentType(
    code="legal_rep_certificate",
    label="法定代表人身份证明书",
    recognise=recognise,
    anchors=anchor_words(CLUES),
    extract=extract,
    fields={
        "organisation_name": FieldSpec("单位名称", "name"),
        "credit_code": FieldSpec("统一社会信用代码", "code"),
        "representative_name": FieldSpec("法定代表人姓名", "name"),
        "representative_id_number": FieldSpec("法定代表人身份证号码", "id_number"),
        "signed_on": FieldSpec("签署日期", "date"),
    },
    findings={
        "credit_code.checksum": "统一社会信用代码有误，请核对后重新填写",
        "credit_code.format": "统一社会信用代码有误，请核对后重新填写",
        "legal_rep_certificate.signed_future": None,
        "legal_rep_certificate.unread": None,
        "representative_id_number.birth_date": None,
        "representative_id_number.checksum": None,
        "representative_id_number.format": None,
    },
    seal_subject="organisation_name",
    seal_default="always",
    titles=TITLES,
    seals=True,
)

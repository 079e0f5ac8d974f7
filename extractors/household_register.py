"""居民户口簿 (household_register): one document per page, `page_kind` telling which page it is.

- `head` (户主页): 户别, 户主姓名, 户号, 住址;
- `member` (常住人口登记卡, one per person): 姓名, 户主或与户主关系, 性别, 民族, 出生日期, 公民身份证件编号.

Both are tables: a label in its cell, the value in the next cell to its right. docs/domain.md."""

from __future__ import annotations

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form
from extractors._normalise import ethnicity
from extractors._records import names_other_type
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLE = ("居民户口簿", "常住人口登记卡", "户口簿")
ANCHORS = ("户别", "户主姓名", "户号", "住址", "户主或与户主关系", "曾用名", "出生地", "籍贯")  # row starts: recognition evidence
HEAD_LABELS = ("户别", "户主姓名", "户号", "住址")
RELATION = ("户主或与户主关系", "与户主关系")
ID_LABELS = ("公民身份证件编号", "公民身份号码", "身份证件编号")
MEMBER_LABELS = ("姓名", *RELATION, "曾用名", "性别", "出生地", "民族", "籍贯", "出生日期", *ID_LABELS, "身高", "血型",
                 "宗教信仰", "文化程度", "婚姻状况", "兵役状况", "服务处所", "职业")
LABELS = (*HEAD_LABELS, *MEMBER_LABELS, "户口专用章", "承办人签章", "签发日期", "登记日期")
HOUSEHOLD_TYPES = ("非农业家庭户口", "农业家庭户口", "家庭户口", "集体户口", "非农业家庭户", "农业家庭户", "家庭户", "集体户",
                   "居民家庭户", "居民集体户")
RELATIONS = ("户主", "配偶", "妻", "夫", "长子", "次子", "三子", "长女", "次女", "三女", "之子", "之女", "子", "女", "父亲", "母亲",
             "父", "母", "孙子", "孙女", "外孙子", "外孙女", "儿媳", "女婿", "兄", "弟", "姐", "妹", "祖父", "祖母", "其他")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLE):
        score += 0.5
    elif ev.has("户口"):
        score += 0.2
    score += min(0.4, 0.1 * ev.row_starts(ANCHORS))
    # a member card's own label: it still tells the page when the title is lost (a capture cropped to the table)
    score += 0.25 if ev.has("与户主关系") else 0.0
    score += 0.1 if ev.has("公民身份证件编号") or ev.has("户口专用章") else 0.0
    if names_other_type(ev, "household_register", TITLE):
        score = min(score, 0.3)
    return clamp(score)


def page_kind(form: Form) -> str:
    """`member` when the page holds a person's registration card, else `head`."""
    member = sum(1 for h in form.hits if h.label in (*RELATION, "曾用名", "出生地", "籍贯", *ID_LABELS, "出生日期"))
    head = sum(1 for h in form.hits if h.label in ("户别", "户主姓名", "户号"))
    return "member" if member > head else "head"


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    form = Form(page, LABELS)
    kind = page_kind(form)
    label_pieces = [p for h in form.hits for p in h.used]
    score = min((p.score for p in label_pieces), default=0.5)
    fields: dict[str, FieldValue] = {
        "page_kind": FieldValue(value=kind, confidence=round(float(score), 4), page=form.page),
    }
    if kind == "head":
        found = {
            "household_type": form.text_field(form.hit("户别"), _household_type),
            "head_name": form.text_field(form.hit("户主姓名"), v.names),
            "household_number": form.text_field(form.hit("户号"), _household_number),
            "address": form.text_field(form.hit("住址"), v.cjk_text, multi=True),
        }
    else:
        found = {
            "name": form.text_field(form.hit("姓名"), v.names),
            "relationship": form.text_field(form.hit(*RELATION), _relation),
            "sex": form.text_field(form.hit("性别"), _sex),
            "ethnicity": form.text_field(form.hit("民族"), ethnicity),
            "birth_date": form.text_field(form.hit("出生日期"), v.date_value),
            "id_number": form.text_field(form.hit(*ID_LABELS), v.id_number),
        }
    fields.update({k: f for k, f in found.items() if f is not None})
    return fields


def _household_type(text: str) -> str | None:
    value = v.cjk_text(text)
    for option in HOUSEHOLD_TYPES:
        if value.startswith(option):
            return option
    return value or None


def _household_number(text: str) -> str | None:
    value = "".join(c for c in v.cjk_text(text) if c.isalnum() and c.isascii())
    return value if len(value) >= 6 else None


def _relation(text: str) -> str | None:
    value = v.cjk_text(text)
    for option in sorted(RELATIONS, key=len, reverse=True):
        if value.startswith(option):
            return option
    return value or None


def _sex(text: str) -> str | None:
    value = v.cjk_text(text)
    return value[0] if value[:1] in ("男", "女") else None


DOCUMENT_TYPE = DocumentType(
    code="household_register",
    label="居民户口簿",
    recognise=recognise,
    anchors=ANCHORS,
    extract=extract,
    fields={
        "page_kind": FieldSpec("页别", "enum"),
        "household_type": FieldSpec("户别", "enum"),
        "head_name": FieldSpec("户主姓名", "name"),
        "household_number": FieldSpec("户号", "code"),
        "address": FieldSpec("住址"),
        "name": FieldSpec("姓名", "name"),
        "relationship": FieldSpec("与户主关系", "enum"),
        "sex": FieldSpec("性别", "enum"),
        "ethnicity": FieldSpec("民族", "enum"),
        "birth_date": FieldSpec("出生日期", "date"),
        "id_number": FieldSpec("公民身份号码", "id_number"),
    },
    findings={
        "household_register.birth_mismatch": None,
        "household_register.sex_mismatch": None,
        "household_register.unread": None,
        "id_number.birth_date": "公民身份号码有误，请核对后重新填写",
        "id_number.checksum": "公民身份号码有误，请核对后重新填写",
        "id_number.format": "公民身份号码有误，请核对后重新填写",
    },
    titles=TITLE,
)

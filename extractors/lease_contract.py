"""房屋租赁合同 (lease_contract): the lessor (出租方 / 甲方 / 出租人), the lessee (承租方 / 乙方 / 承租人), the address of
the premises, and the term (租赁期限 自…起至…止, or …至…).

A contract runs over several pages; they form one document and the fields come from whichever page holds
them. The parties are labelled lines; the address and the term are read from the prose in reading order, so a
sentence broken over two lines is joined before it is matched."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form, Prose
from extractors._layout import field
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLES = ("租赁合同", "租赁协议")
# recognition evidence (DocumentType.anchors are these words): both parties named, as 甲方 and 乙方 or as 出租 and
# 承租, and the rent
PARTIES = (("甲方", "乙方"), ("出租", "承租"))
RENT = "租金"
LESSOR = ("出租方(甲方)", "甲方(出租方)", "出租方", "出租人", "甲方")
LESSEE = ("承租方(乙方)", "乙方(承租方)", "承租方", "承租人", "乙方")
LABELS = (*LESSOR, *LESSEE, "身份证号码", "身份证件号码", "房屋地址", "房屋坐落", "租赁期限", "一、房屋地址", "二、租赁期限")
ADDRESS_SENTENCE = re.compile(r"(?:坐落于|位于|坐落在)(.{6,80}?)(?:的房屋|的房产|房屋[(（,，]|[(（]建筑面积)")
TERM_SENTENCE = re.compile(r"租赁期(?:限)?(?:为|:)?(?:自|从)?(.{6,16}?)(?:起)?(?:至|到|-|—|~)(.{6,16}?)(?:止|。|,|;|共)")
CLAUSE = re.compile(r"第[一二三四五六七八九十]{1,3}条")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLES):
        score += 0.6
    both_parties = any(all(ev.has(word) for word in pair) for pair in PARTIES)
    score += 0.2 if both_parties else 0.0
    score += 0.1 if ev.text.count("租") >= 2 else 0.0
    score += 0.05 if ev.has(RENT) else 0.0
    clauses = len(CLAUSE.findall(ev.text))
    if clauses >= 2 or ev.has("合同(续)") or ev.has("合同（续）"):  # a continuation page of the contract
        score += 0.25 + (0.2 if both_parties else 0.0)
    if ev.other_title("lease_contract"):
        score = min(score, 0.3)
    return clamp(score)


def extract(doc: Classified) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for page in doc.pages:
        for name, value in _page_fields(page).items():
            fields.setdefault(name, value)
    return fields


def _page_fields(page: PageReading) -> dict[str, FieldValue]:
    form = Form(page, LABELS)
    prose = Prose(page)
    fields: dict[str, FieldValue] = {}
    if f := form.text_field(form.hit(*LESSOR), v.names):
        fields["lessor"] = f
    if f := form.text_field(form.hit(*LESSEE), v.names):
        fields["lessee"] = f
    if f := form.text_field(form.hit("房屋地址", "房屋坐落", "一、房屋地址"), v.cjk_text, multi=True):
        fields["address"] = f
    elif f := prose.field(ADDRESS_SENTENCE, v.cjk_text):
        fields["address"] = f
    term = None
    if (hit := form.hit("租赁期限", "二、租赁期限")) is not None and hit.rest is not None or (hit and form.inline(hit)):
        used = form.inline(hit)
        text = "".join(p.text for p in used)
        found = v.dates(text)
        if len(found) >= 2:
            term = (found[0], found[1], used, text)
    if term is None and (m := TERM_SENTENCE.search(prose.text)):
        start, end = v.date_value(m.group(1)), v.date_value(m.group(2))
        if start and end:
            term = (start, end, prose.used(*m.span()), m.group(0))
    if term:
        fields["term_from"] = field(term[0], term[2], form.page, raw=term[3])
        fields["term_until"] = field(term[1], term[2], form.page, raw=term[3])
    return fields


DOCUMENT_TYPE = DocumentType(
    code="lease_contract",
    label="房屋租赁合同",
    recognise=recognise,
    anchors=(*(word for pair in PARTIES for word in pair), RENT),
    extract=extract,
    fields={
        "lessor": FieldSpec("出租方", "name"),
        "lessee": FieldSpec("承租方", "name"),
        "address": FieldSpec("租赁房屋地址"),
        "term_from": FieldSpec("租赁起始日期", "date"),
        "term_until": FieldSpec("租赁截止日期", "date"),
    },
    findings={
        "lease_contract.ended": "租赁合同已到期，请提交在租赁期内的合同或其他场所使用证明",
        "lease_contract.not_started": "租赁合同尚未开始，请提交已生效的合同或其他场所使用证明",
        "lease_contract.term_order": "租赁合同的租赁期限有误，请核对后重新提交",
        "lease_contract.unread": None,
    },
    titles=TITLES,
    shown_as="租赁合同",
    multi_page=True,
)

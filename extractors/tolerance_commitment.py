"""容缺受理信用承诺书 (tolerance_commitment): the commitment an applicant signs for 容缺受理 (the notice kind
`commitment` of validators/notices_pdf.py prints it for signature): who commits (申请人 / 承诺人), their ID number
and the case number (办件编号) when printed whole, whether the 承诺人 signed and when.

`signed` is judged by ink exactly as on the application form (extractors/_signature.py): `signature` reads what OCR
finds after the 承诺人（签字或盖章） label, the `handwriting` stage's `judge` decides from the pixels of that area. The
case layer (workers/cases/flow.py, `_commitment`) accepts a signed scan whose 承诺人 is the case's applicant as the
commitment for 容缺受理."""

from __future__ import annotations

import re
import unicodedata

from extractors import _values as v
from extractors._classify import Clue, PageEvidence, anchor_words, clamp
from extractors._form import Form
from extractors._records import names_other_type
from extractors._signature import judge, signature
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLES = ("容缺受理信用承诺书", "信用承诺书")
# recognition evidence, each clue counted once, and the signature row (its printed forms; the plain one is declared):
# DocumentType.anchors are their words
CLUES = (Clue(("容缺",)), Clue(("郑重承诺", "承诺如下")))
SIGNED_ROW = "承诺人签字"
SIGNED_ROWS = ("承诺人(签字", "承诺人（签字", SIGNED_ROW, "承诺人签名")
SIGNATURE = ("承诺人(签字或盖章)", "承诺人（签字或盖章）", "承诺人(签字)", "承诺人（签字）", "承诺人签字", "承诺人签名",
             "申请人(签字或盖章)", "申请人（签字或盖章）", "申请人签字")
NAME_LABELS = ("申请人", "承诺人姓名", "承诺人", "承诺单位")
ID_LABELS = ("证件号码", "公民身份号码", "身份证号码", "身份证件号码")
LABELS = (*NAME_LABELS, *ID_LABELS, "统一社会信用代码", "办件编号", "申请事项", *SIGNATURE, "日期", "代理人(签字)",
          "代理人（签字）", "受理人员工号")
CASE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{5,40}")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLES):
        score += 0.65
    elif ev.anywhere(TITLES):
        score += 0.3
    score = ev.add_clues(score, CLUES)
    score += 0.15 if ev.row_starts(SIGNED_ROWS) else 0.0
    if names_other_type(ev, "tolerance_commitment", TITLES):
        score = min(score, 0.3)
    return clamp(score)


def extract(doc: Classified) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for page in doc.pages:
        form = Form(page, LABELS)
        for name, value in _page_fields(form).items():
            fields.setdefault(name, value)
    return fields


def _page_fields(form: Form) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for hit in (h for h in form.hits if h.label in NAME_LABELS):
        if f := form.text_field(hit, _applicant):
            fields["applicant_name"] = f
            break
    if f := form.text_field(form.hit(*ID_LABELS), v.id_number):  # a masked number (110105********1239) is not read
        fields["applicant_id_number"] = f
    if f := form.text_field(form.hit("办件编号"), _case_number):
        fields["case_number"] = f
    fields.update(signature(form, form.hit(*SIGNATURE)))
    return fields


def _applicant(text: str) -> str | None:
    """A person's name, or an organisation's (four characters or more, up to its seal's wording)."""
    # OCR often reads the line as one piece: 申请人：张三　证件号码：110105********1239
    head = re.split(r"[,，;；:：(（\s]|统一社会|证件号码|身份证|公民身份", unicodedata.normalize("NFKC", text), maxsplit=1)[0]
    if name := v.first_name(head):
        return name
    value = v.cjk_text(head)
    return value if 4 <= len(value) <= 40 and re.fullmatch(r"[\u4e00-\u9fff()（）]+", value) else None


def _case_number(text: str) -> str | None:
    m = CASE_NUMBER.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return m.group(0) if m else None


DOCUMENT_TYPE = DocumentType(
    code="tolerance_commitment",
    label="容缺受理信用承诺书",
    recognise=recognise,
    anchors=anchor_words(CLUES, SIGNED_ROW),
    extract=extract,
    handwriting=judge,  # `signed` from the ink of the 承诺人 signature area (extractors/_signature.py)
    fields={
        "applicant_name": FieldSpec("承诺人（申请人）", "name"),
        "applicant_id_number": FieldSpec("承诺人证件号码", "id_number"),
        "case_number": FieldSpec("办件编号", "code"),
        "signed": FieldSpec("签名", "enum"),
        "signed_on": FieldSpec("签署日期", "date"),
    },
    titles=TITLES,
    multi_page=True,
)

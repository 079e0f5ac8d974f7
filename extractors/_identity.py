"""Other lawful identity documents (临时居民身份证, 港澳台居民居住证, 港澳/台湾居民来往通行证, passports): recognised by
their titles, with the name, the document's number and its validity read where printed plainly.

Their fields are not checked yet: the assessment makes an identity material holding one `needs_review`
(validators/assess.py, `identity.unreadable_kind`), never missing or invalid. One module per type builds its
DocumentType here."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form, Prose
from extractors._layout import field
from extractors._records import names_other_type
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType

LABELS = ("姓名", "性别", "民族", "出生日期", "出生", "住址", "公民身份号码", "证件号码", "通行证号码", "护照号码", "有效期限",
          "有效期至", "签发机关", "签发地点", "签发日期", "国籍", "签发次数")
# The last parts of the finding codes of an identity document's validity checks (validators/checks/_identity.py
# `validity` and `validity_length`, validators/checks/id_card_back.py), and of the resident card's cross-side check
# of the validity length against the holder's age (validators/id_card.py).
VALIDITY_CODES = ("expired", "not_yet_valid", "validity_dates", "validity_unread")
LENGTH_CODE, AGE_CODE = "validity_length", "validity_age"
VALIDITY = re.compile(r"(\d{4})[.\-年/](\d{1,2})[.\-月/](\d{1,2})日?\s*[-—~至－_]+\s*(\d{4})[.\-年/](\d{1,2})[.\-月/](\d{1,2})日?")


def validity_findings(prefix: str, *, length: bool, age: bool = False,
                      words: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The validity finding codes an identity document's checks report, `<prefix>.expired` …: with `length` when
    its validity has a lawful length they judge, with `age` for the resident card (its length against the holder's
    age). `words`: the applicant's words on a notice by the code's last part (the others: None, see
    pipeline/registry.DocumentType.findings). Every identity type declares its validity codes through here."""
    parts = VALIDITY_CODES + ((LENGTH_CODE,) if length else ()) + ((AGE_CODE,) if age else ())
    unknown = set(words or {}) - set(parts)
    if unknown:
        raise ValueError(f"words for validity codes {prefix} does not report: {sorted(unknown)}")
    return {f"{prefix}.{part}": (words or {}).get(part) for part in sorted(parts)}


def identity_type(*, code: str, label: str, printed_titles: Sequence[str], anchors: Sequence[str], number_field: str,
                  number: re.Pattern[str] | None, length_judged: bool, findings: Mapping[str, str | None],
                  **declared) -> DocumentType:
    """A DocumentType for an identity document recognised by `printed_titles` (with `anchors` as evidence), reading
    the name, `number_field` (an 18-digit ID number when `number` is None) and the validity. `findings`: the
    type's own finding codes besides its validity's, which are added here (validity_findings, `length_judged`:
    its checks judge the validity's length). `declared`: the rest of the type's declaration (fields, titles …,
    see pipeline/registry.DocumentType)."""
    titles, extra = tuple(printed_titles), tuple(anchors)
    all_findings = dict(sorted({**validity_findings(code, length=length_judged), **findings}.items()))

    def recognise(page: PageReading) -> float:
        ev = PageEvidence.of(page)
        score = 0.0
        if ev.title(titles):
            score += 0.7
        elif any(ev.has(t) for t in titles):
            score += 0.5
        score += min(0.3, 0.1 * ev.count(extra))
        if names_other_type(ev, code, titles):
            score = min(score, 0.3)
        return clamp(score)

    def extract(doc: Classified) -> dict[str, FieldValue]:
        page = doc.pages[0]
        form = Form(page, LABELS)
        prose = Prose(page)
        fields: dict[str, FieldValue] = {}
        if f := form.text_field(form.hit("姓名"), _name):
            fields["name"] = f
        if number is None:
            f = form.text_field(form.hit("公民身份号码", "证件号码"), v.id_number)
        else:
            f = form.text_field(form.hit("证件号码", "通行证号码", "护照号码"), lambda t: _match(number, t))
            if f is None and (found := prose.search(re.compile(f"({number.pattern})"))):
                f = field(found[0], found[1], prose.page, raw=found[0])
        if f is not None:
            fields[number_field] = f
        if found := prose.search(re.compile(f"({VALIDITY.pattern})")):
            dates = v.dates(found[0])
            if len(dates) == 2:
                fields["valid_from"] = field(dates[0], found[1], prose.page, raw=found[0])
                fields["valid_until"] = field(dates[1], found[1], prose.page, raw=found[0])
        return fields

    return DocumentType(code=code, label=label, recognise=recognise, extract=extract, anchors=extra, identity=True,
                        findings=all_findings, **declared)


def _name(text: str) -> str | None:
    value = re.split(r"[A-Za-z]", text, maxsplit=1)[0]  # the name in pinyin or English follows
    return v.names(value)


def _match(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(re.sub(r"\s+", "", text).upper())
    return m.group(0) if m else None

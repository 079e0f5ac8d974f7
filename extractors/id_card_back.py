"""居民身份证 国徽面 (id_card_back): 签发机关, 有效期限 "2016.03.01-2036.03.01" or "…-长期"."""

from __future__ import annotations

import datetime as dt
import re

from extractors._identity import validity_findings
from extractors._layout import field, find_label, pieces, row_of
from extractors._normalise import simplified
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

VALIDITY = re.compile(r"(\d{4})[.\-年](\d{1,2})[.\-月](\d{1,2})日?[\-—~至－_]+(?:(\d{4})[.\-年](\d{1,2})[.\-月](\d{1,2})日?|(长期))")


ANCHORS = ("签发机关", "有效期限")  # the back's two labels


def recognise(page: PageReading) -> float:
    text = "".join(p.text for p in pieces(page))
    score = 0.0
    score += 0.4 * sum(anchor in text for anchor in ANCHORS)
    score += 0.2 if "居民身份证" in text else 0.0
    score += 0.1 if VALIDITY.search(text) else 0.0
    if "公民身份" in text or "姓名" in text:
        score -= 0.5
    if "临时居民身份证" in text or "居住证" in text:  # other identity documents with the same labels
        score = min(score, 0.3)
    return max(0.0, min(1.0, score))


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def extract(doc: Classified) -> dict[str, FieldValue]:
    page = doc.pages[0]
    number = page.page.page
    all_pieces = pieces(page)
    fields: dict[str, FieldValue] = {}

    if found := find_label(all_pieces, ("签发机关",)):
        row = [p for p in row_of(found[0], all_pieces) if p.box[0] >= found[0].box[0]]
        text = "".join(p.text for p in row)
        value = simplified(re.sub(r"[^\u4e00-\u9fff]", "", text[text.find("签发机关") + 4:]))
        if value:
            fields["issuing_authority"] = field(value, row, number, raw=text)

    found = find_label(all_pieces, ("有效期限",))
    candidates = [row_of(found[0], all_pieces)] if found else []
    candidates.append(all_pieces)
    for group in candidates:
        text = "".join(p.text for p in sorted(group, key=lambda p: p.box[0]))
        if m := VALIDITY.search(text):
            used = [p for p in group if re.search(r"\d{4}|长期", p.text)] or group
            start = _iso(*m.group(1, 2, 3))
            end = "长期" if m.group(7) else _iso(*m.group(4, 5, 6))
            if start:
                fields["valid_from"] = field(start, used, number, raw=m.group(0))
            if end:
                fields["valid_until"] = field(end, used, number, raw=m.group(0))
            break
    return fields


DOCUMENT_TYPE = DocumentType(
    code="id_card_back",
    label="居民身份证（国徽面）",
    recognise=recognise,
    anchors=ANCHORS,
    extract=extract,
    fields={
        "issuing_authority": FieldSpec("签发机关"),
        "valid_from": FieldSpec("有效期起始日期", "date"),
        "valid_until": FieldSpec("有效期截止日期", "date"),
    },
    findings=validity_findings("id_card", length=True, age=True, words={
        "expired": "居民身份证已过有效期，请提交有效期内的居民身份证",
        "not_yet_valid": "居民身份证尚未生效，请提交有效的居民身份证",
        "validity_dates": "居民身份证有效期有误，请提交有效的居民身份证",
    }),
    licence_fields={"valid_from": "valid_from", "valid_until": "valid_until"},
    deciding=('valid_until',),
    unread_codes={'valid_until': ('id_card.validity_unread',)},
    titles=("居民身份证",),
    shown_as="居民身份证国徽面",
    identity=True,
)

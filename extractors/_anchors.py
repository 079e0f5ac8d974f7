"""Anchored reading over the page's text in reading order: parties (委托人 / 受托人), their ID numbers, and the
wording of certificates (X（公民身份号码：Y）在我单位任…职务，是Z（统一社会信用代码：W）的法定代表人).

Who calls it: the extractors of powers of attorney, legal-representative certificates and application forms,
after (or beside) the geometry of extractors/_form. It works on any layout because it reads what the words
say, not where they stand: labelled lines, a table's rows and a prose sentence all read as "anchor, value".

Each piece of text stays a unit: pieces are joined with a separator and rows with a newline, so the last
character of a title never glues onto the name that starts the next line (`书乔甦`). A value belongs to the
anchor it follows and is looked for only up to the next anchor of any role, so the agent's number is never
taken as the principal's. A value is taken only when its shape fits its field (see extractors/_values): a
printed label is not a name, an ID number is not a credit code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractors import _values as v
from extractors._form import rows
from extractors._layout import Piece, field, pieces
from pipeline.confidence import COMPETING
from pipeline.models import FieldValue, PageReading

SEP = "|"  # between pieces of one row
ID_ANCHORS = ("公民身份号码", "公民身份证号码", "身份证件号码", "身份证号码", "身份证号", "证件号码")
_ID_ANCHOR = "|".join(ID_ANCHORS)
_SIGN_AFTER = re.compile(r"^[|\s]*[(（]?(?:签字|签名|签章|盖章|签字或盖章|签字盖章|\(签|（签|承诺|声明)")
# a name: 2-6 characters of a person's name right after its anchor (姓名 / 名称 and a colon may stand between)
_NAME_AFTER = re.compile(r"^[|\s]*(?:姓名|名称)?[|\s]*[:：]?[|\s]*(?P<name>[\u4e00-\u9fff·]{2,6}?)"
                         r"(?=[|\n,，。;；:：(（、\s]|同志|先生|女士|$|公民身份|身份证|性别|出生|住址|联系|电话)")


@dataclass
class Ordered:
    """The page's text in reading order: rows top to bottom (newline between, none where a paragraph's line
    wraps onto the next), pieces left to right (SEP between), each character traced to its piece (None for a
    separator)."""

    reading: PageReading

    def __post_init__(self) -> None:
        self.page = self.reading.page.page
        self.owner: list[Piece | None] = []
        parts: list[str] = []
        page_rows = rows(pieces(self.reading))
        right = max((row[-1].box[2] for row in page_rows), default=0.0)
        for r, row in enumerate(page_rows):
            if r and not _wraps(page_rows[r - 1], row, right):
                parts.append("\n")
                self.owner.append(None)
            for i, p in enumerate(row):
                if i:
                    parts.append(SEP)
                    self.owner.append(None)
                parts.append(p.text)
                self.owner.extend([p] * len(p.text))
        self.text = "".join(parts)

    def start_of(self, piece: Piece) -> int | None:
        """Where `piece`'s text starts in the ordered text."""
        for i, p in enumerate(self.owner):
            if p is not None and p.box == piece.box and p.text == piece.text:  # the same OCR line, read again
                return i
        return None

    def used(self, start: int, end: int) -> list[Piece]:
        seen: dict[int, Piece] = {}
        for p in self.owner[start:end]:
            if p is not None:
                seen.setdefault(id(p), p)
        return list(seen.values())

    def field(self, value, start: int, end: int, *, support: float = 1.0) -> FieldValue | None:
        used = self.used(start, end)
        if not used or value in (None, ""):
            return None
        f = field(value, used, self.page, raw=self.text[start:end])
        return f if support >= 1.0 else f.model_copy(update={"confidence": round(f.confidence * support, 4)})


def _wraps(prev: list[Piece], row: list[Piece], right: float) -> bool:
    """A paragraph's line runs on into the next: the previous row is one piece of prose that reaches the text's
    right edge, the next starts at or left of where it started, at line spacing."""
    if len(prev) != 1 or len(row) > 2 or len(prev[0].text) < 12:
        return False
    h = prev[0].height
    return (prev[0].box[2] >= right - 2.5 * h and row[0].box[0] <= prev[0].box[0] + 0.5 * h
            and row[0].box[1] - prev[0].box[3] < 1.5 * h)


# --- parties -----------------------------------------------------------------------------------------


def anchors(ordered: Ordered, roles: dict[str, Sequence[str]]) -> list[tuple[int, int, str]]:
    """Every place a role's anchor word stands: (start, end, role), in reading order. A longer anchor wins over
    a shorter one inside it (委托代理人 over 代理人); an anchor followed by 签字 / 盖章 is a signature line, not
    a party."""
    found: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    words = sorted(((w, role) for role, ws in roles.items() for w in ws), key=lambda wr: -len(wr[0]))
    for word, role in words:
        for m in re.finditer(re.escape(word), ordered.text):
            if taken.intersection(range(m.start(), m.end())):
                continue
            taken.update(range(m.start(), m.end()))
            found.append((m.start(), m.end(), role))
    return sorted(found)


def parties(ordered: Ordered, roles: dict[str, Sequence[str]], *, reach: int = 160) -> dict[str, FieldValue]:
    """`<role>_name` and `<role>_id_number` for each role: the first anchor of the role followed by a name
    gives the name; the first ID number after an ID label (or alone) between that anchor and the next anchor
    of any role gives the number. Signature lines (委托人签字：) are not parties."""
    marks = anchors(ordered, roles)
    out: dict[str, FieldValue] = {}
    text = ordered.text
    for i, (start, end, role) in enumerate(marks):
        if _SIGN_AFTER.match(text[end:end + 8]):
            continue
        stop = min(marks[i + 1][0] if i + 1 < len(marks) else len(text), end + reach)
        segment = text[end:stop]
        if f"{role}_name" not in out and (m := _NAME_AFTER.match(segment)):
            name = v.person_name_value(m.group("name"))
            if name:
                out[f"{role}_name"] = ordered.field(name, end + m.start("name"), end + m.end("name"))
        if f"{role}_id_number" not in out and (found := _id_after(segment)):
            a, b, number = found
            out[f"{role}_id_number"] = ordered.field(number, end + a, end + b)
    return {k: f for k, f in out.items() if f is not None}


_ID_RUN = re.compile(r"[0-9Xx×]{6}(?:[|\s]?[0-9Xx×]){9,14}")


def _id_after(segment: str) -> tuple[int, int, str] | None:
    """The first ID number in `segment`: after an ID label when there is one, else the first 18-character run
    (a bare number standing right after the party's name)."""
    label = re.search(_ID_ANCHOR, segment)
    begin = label.end() if label else 0
    if not label and re.search(r"统一社会信用代码|信用代码|电话|手机", segment[:40]):
        return None
    for m in _ID_RUN.finditer(segment, begin):
        number = v.id_number(m.group(0).replace(SEP, "").replace("×", "X"))
        if number:
            return m.start(), m.end(), number
        if not label:
            break
    return None


# --- certificate wording -----------------------------------------------------------------------------

# X（公民身份号码：Y）…  — the name right before the bracketed number, after a boundary (row start, a
# separator, punctuation, 兹证明 …), never gluing on the title above
_REP = re.compile(rf"(?:^|[\n|,，。;；:：]|兹?证明)(?P<name>[\u4e00-\u9fff·]{{2,6}}?)(?:同志|先生|女士)?[|]?[,，(（]*[|]?"
                  rf"(?:{_ID_ANCHOR})[|]?[:：]?[|]?(?P<id>[0-9Xx|]{{17,21}})", re.M)
# 是Z（统一社会信用代码：W）的法定代表人 / 系Z的法定代表人 / 系我单位法定代表人
_ORG = re.compile(r"(?:是|系|为|担任)(?P<org>[\u4e00-\u9fff()（）\n|]{4,60}?)[|\n]?"
                  r"(?:[(（][|\n]?(?:统一社会信用代码|社会信用代码|信用代码)[|\n]?[:：]?[|\n]?(?P<code>[0-9A-Za-z|\n]{18,22})[|\n]?[)）])?"
                  r"[|\n]?(?:的)?[|\n]?法定代表人")
_CODE = re.compile(r"(?:统一社会信用代码|社会信用代码|信用代码)[|\n]?[:：]?[|\n]?(?P<code>[0-9A-Za-z|\n]{18,22})")


def representative(ordered: Ordered) -> dict[str, FieldValue]:
    """The legal representative's name and ID number from the certificate's sentence."""
    out: dict[str, FieldValue] = {}
    for m in _REP.finditer(ordered.text):
        name = v.person_name_value(m.group("name"))
        number = v.id_number(m.group("id").replace(SEP, ""))
        if not (name and number):
            continue
        out["representative_name"] = ordered.field(name, *m.span("name"))
        out["representative_id_number"] = ordered.field(number, *m.span("id"))
        break
    return {k: f for k, f in out.items() if f is not None}


def organisation(ordered: Ordered) -> dict[str, FieldValue]:
    """The organisation the representative represents, and its credit code when the sentence gives it."""
    out: dict[str, FieldValue] = {}
    for m in _ORG.finditer(ordered.text):
        org = re.sub(r"[|\n]", "", m.group("org"))
        if org.startswith("我单位") or org in ("本单位", "我公司", "本公司"):
            continue
        org = v.cjk_text(org)
        if len(org) < 4:
            continue
        out["organisation_name"] = ordered.field(org, *m.span("org"))
        if m.group("code") and (code := v.credit_code(re.sub(r"[|\n]", "", m.group("code")))):
            out["credit_code"] = ordered.field(code, *m.span("code"))
        break
    if "credit_code" not in out:
        out.update(credit_code(ordered))
    return {k: f for k, f in out.items() if f is not None}


def credit_code(ordered: Ordered) -> dict[str, FieldValue]:
    """A credit code only where 统一社会信用代码 says it is one (and of the right shape)."""
    for m in _CODE.finditer(ordered.text):
        if code := v.credit_code(re.sub(r"[|\n]", "", m.group("code"))):
            f = ordered.field(code, *m.span("code"))
            return {"credit_code": f} if f else {}
    return {}


# --- two readings of one page ------------------------------------------------------------------------


def merge(primary: dict[str, FieldValue], secondary: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """The geometry's reading (`primary`) completed by the wording's (`secondary`). Where both read a field
    and disagree, the primary value stays but its raw confidence falls (pipeline.confidence.COMPETING): two
    readings of one page that differ mean one of them is wrong."""
    out = dict(primary)
    for key, f in secondary.items():
        if key not in out:
            out[key] = f
        elif out[key].value != f.value:
            out[key] = out[key].model_copy(update={"confidence": round(out[key].confidence * COMPETING, 4)})
    return out

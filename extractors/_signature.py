"""The signature area of forms and letters: whether it holds writing (`signed`), and the date beside it.

Who calls it: the extractors of application forms and powers of attorney. A signature is whatever OCR finds
after the signature label on its row (or a little above it, where a tall signature rises over the line) that
is not printed furniture of the form (年 月 日, 日期, （盖章）). A born-digital PDF's text layer cannot show
handwriting, so there `signed` is not reported: a person checks it."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._form import Form, Hit
from extractors._layout import field
from pipeline.models import FieldValue


def signature(form: Form, hit: Hit | None) -> dict[str, FieldValue]:
    """`signed` and `signed_on` from the signature area: whatever stands after the label on its row (or just
    above it, where a signature rises over the line) is the signature; the date is the next date below."""
    if hit is None:
        return {}
    out: dict[str, FieldValue] = {}
    ink = [p for p in form.inline(hit, max_gap=12) if not _printed(p.text)]
    if not ink:  # a tall signature can sit a little above the label's row
        ink = [p for p in form.pieces if p.box[0] >= hit.x1 - form.h and p.box[0] < hit.x1 + 12 * form.h
               and hit.cy - 1.6 * form.h < p.cy < hit.cy + 0.6 * form.h and p.cy != hit.cy and not _printed(p.text)
               and id(p) not in {id(q) for q in hit.used}]
    if form.reading.source != "pdf_text":
        label = list(hit.used)
        if ink:
            out["signed"] = field(True, label + ink, form.page, raw="".join(p.text for p in ink))
        else:
            out["signed"] = field(False, label, form.page, raw="", confidence=min(p.score for p in label))
    below = [p for row in form.rows[hit.row + 1:hit.row + 4] for p in row if p.cy - hit.cy < 5 * form.h]
    same_row = [p for p in form.inline(hit, max_gap=30)]
    for group in (same_row, below):
        text = "".join(p.text for p in group)
        if date := v.date_value(text):
            out["signed_on"] = field(date, [p for p in group if re.search(r"\d", p.text)] or group, form.page, raw=text)
            break
    return out


def _printed(text: str) -> bool:
    """Text of the printed form in the signature area rather than a signature: 年 月 日, 日期, (盖章)."""
    bare = re.sub(r"[\s:：()（）_\-—.]", "", text)
    return not bare or bool(re.fullmatch(r"(年|月|日|日期|签字|签名|盖章|签字盖章)+", bare)) or bool(v.find_date(bare) and
                                                                                        len(bare) <= 12)

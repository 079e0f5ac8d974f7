"""The signature area of forms and letters: whether it holds handwriting (`signed`), and the date beside it.

Who calls it: the extractors of application forms and powers of attorney call `signature(form, hit)` with the
signature label they found; the `handwriting` stage (pipeline/stages.py) then calls `judge` with the page pixels,
which decides `signed` from the ink in the area the label owns (pipeline/ink.py): a scribble, a brush-written
name, a fingerprint or a seal over the name are signed; an empty box, a blank line or blank space are not.

`signature` alone reads what OCR finds after the label (a provisional `signed` whose box is the label's, which
`judge` replaces); without pixels that reading stands, and a blank reading is only a warning (validators/
documents.py asks for a `handwriting` record that saw the area blank before it calls a form unsigned). A
born-digital PDF's text layer cannot show handwriting, so there `signed` is not reported: a person checks it."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._form import Form, Hit
from extractors._layout import field
from pipeline.models import Classified, FieldValue, Handwriting


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
        box = (hit.x0, min(p.box[1] for p in label), _label_end(form, hit), max(p.box[3] for p in label))
        score = min(p.score for p in label + ink)
        out["signed"] = FieldValue(value=bool(ink), confidence=round(float(score), 4), page=form.page, box=box,
                                   raw="".join(p.text for p in ink))
    below = [p for row in form.rows[hit.row + 1:hit.row + 4] for p in row if p.cy - hit.cy < 5 * form.h]
    same_row = [p for p in form.inline(hit, max_gap=30)]
    for group in (same_row, below):
        text = "".join(p.text for p in group)
        if date := v.date_value(text):
            out["signed_on"] = field(date, [p for p in group if re.search(r"\d", p.text)] or group, form.page, raw=text)
            break
    return out


def _label_end(form: Form, hit: Hit) -> float:
    """Where the printed label ends. When OCR read the label and the handwriting after it as one piece, the
    label's share of that piece by character count overshoots (written characters are wider than print) and
    would hide the signature's start: there the label ends at most one print height per character (and one
    for the colon) after the start of its last piece."""
    if hit.rest is None:
        return hit.x1
    last = hit.used[-1]
    before = sum(len(p.text) for p in hit.used[:-1])
    return min(hit.x1, last.box[0] + (max(1, len(hit.label) - before) + 1) * form.h)


def _printed(text: str) -> bool:
    """Text of the printed form in the signature area rather than a signature: 年 月 日, 日期, (盖章)."""
    bare = re.sub(r"[\s:：()（）_\-—.]", "", text)
    return not bare or bool(re.fullmatch(r"(年|月|日|日期|签字|签名|盖章|签字盖章)+", bare)) or bool(v.find_date(bare) and
                                                                                        len(bare) <= 12)


def judge(doc: Classified, fields: dict[str, FieldValue], pixels) -> tuple[dict[str, FieldValue], tuple[Handwriting, ...]]:
    """`signed` from the ink of the signature area on the page image, and the area as a `handwriting` record.

    Called by pipeline/stages.handwriting with `pixels(image_key) -> BGR array`; `fields` are the extracted ones,
    whose provisional `signed` (from `signature`) holds the label's page and box. A page without an image or with a
    text layer keeps what it had."""
    from pipeline import ink

    provisional = fields.get("signed")
    if provisional is None or provisional.box is None:
        return {}, ()
    reading = next((p for p in doc.pages if p.page.page == provisional.page), None)
    if reading is None or reading.source != "ocr" or not reading.page.image_key:
        return {}, ()
    verdict = ink.judge(pixels(reading.page.image_key), provisional.box, reading.lines)
    box = verdict.ink_box if verdict.signed and verdict.ink_box else verdict.area
    confidence = 0.99 if verdict.certain else 0.6
    signed = FieldValue(value=verdict.signed, confidence=confidence, page=provisional.page,
                        box=tuple(round(v, 1) for v in box), raw=provisional.raw)
    area = Handwriting(area="signature", page=provisional.page, box=tuple(round(v, 1) for v in verdict.area),
                       signed=verdict.signed, certain=verdict.certain)
    return {"signed": signed}, (area,)

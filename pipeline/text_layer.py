"""A PDF page's text layer as evidence, not truth (issue 17).

A text layer is what the file *says* is on the page; the pixels are what a person *sees*. Anyone can put
invisible text (render mode 3) over a card image, and other engines' OCR layers or broken font mappings
(OCRmyPDF's cmyk.pdf maps Latin glyphs to CJK code points) say things nobody printed. So:

- `unusable_reason` judges a layer's text on its own: mapping errors (replacement and private-use
  characters, pdfminer's "(cid:N)"), Chinese characters mostly outside the common set (GB 2312 level 1,
  3,755 characters that make up well over 90 % of any Chinese text: a dictionary the codec already has),
  Latin text without word-like tokens. Such a layer is ignored (`pdf.text_layer_unusable`, info).
- Pages read by OCR that carry a usable layer keep it as `TextLayer`; `compare` extracts the document's
  key fields (ID numbers, codes, names, dates) from the layer as well and reports where the layer says
  something other than the visible reading (`pdf.text_layer_mismatch`: an error when the OCR reading is
  certain, else a warning). The visible reading always wins.

Who calls it: pipeline/decode.py (judging) and pipeline/runner.py (`compare`, after extraction). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.models import Classified, Document, Finding, Page, PageReading, TextLine
from pipeline.registry import TypeRegistry
from pipeline.settings import Thresholds

MIN_CHARS = 10  # fewer characters than this is no layer at all (a scan's stray mark)
KEY_CLASSES = ("id_number", "code", "name", "date")  # field classes a forged layer would want to change

UNUSABLE_MESSAGE = "PDF文件中的文字层无法使用（{reason}），已忽略文字层，按页面图像识别"
REASONS = {
    "mapping": "字符映射错误",
    "rare_characters": "文字层汉字多为生僻字或乱码，与页面显示不符",
    "no_words": "文字层不含可识别的词语",
    "script": "文字层的文字与页面上显示的文字不是同一种文字",
}
MISMATCH_MESSAGE = ("PDF文件中的文字层与页面上可见的内容不一致（{count}项关键信息不同），已按页面可见内容识别；"
                    "文字层可能被篡改，请核对原件")
TYPE_MISMATCH_MESSAGE = "PDF文件中的文字层所述材料类型与页面上可见的内容不一致，已按页面可见内容识别，请核对原件"


@dataclass(frozen=True)
class TextLayer:
    """A page's text layer kept as evidence: its lines in the rendered page's pixel space, whether most of it is
    invisible (render mode 3: someone's OCR layer), and why it is unusable (None when usable)."""

    lines: tuple[TextLine, ...]
    invisible: bool = False
    problem: str | None = None
    width: int = 0  # rendered page size the lines' boxes refer to
    height: int = 0


# --- judging a layer on its own --------------------------------------------------------------


def _common_cjk(ch: str) -> bool:
    """GB 2312 level 1 (rows 16-55): the 3,755 most common Chinese characters."""
    try:
        encoded = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


_WORD = re.compile(r"[A-Za-z]{3,}")
_VOWELS = set("aeiouyAEIOUY")


def _wordlike(token: str) -> bool:
    """A Latin token a language could have: it has a vowel and no run of five consonants."""
    return any(c in _VOWELS for c in token) and not re.search(r"[^aeiouyAEIOUY]{5,}", token)


def unusable_reason(text: str) -> str | None:
    """Why a layer's text cannot be what the page shows ("mapping", "rare_characters", "no_words"), or None."""
    cids = len(re.findall(r"\(cid:\d+\)", text))
    chars = [c for c in re.sub(r"\(cid:\d+\)", "", text) if not c.isspace()]
    if len(chars) + cids < MIN_CHARS:
        return None
    broken = cids + sum(1 for c in chars if c == "\ufffd" or unicodedata.category(c) in ("Co", "Cc", "Cs", "Cn"))
    if broken > 0.1 * (len(chars) + cids):
        return "mapping"
    cjk = [c for c in chars if _is_cjk(c)]
    if len(cjk) >= 8 and sum(map(_common_cjk, cjk)) < 0.5 * len(cjk):
        return "rare_characters"
    tokens = _WORD.findall(text)
    letters = sum(1 for c in chars if c.isascii() and c.isalpha())
    if not cjk and letters >= 0.5 * len(chars) and tokens and sum(map(_wordlike, tokens)) < 0.3 * len(tokens):
        return "no_words"
    return None


def unusable_finding(reason: str) -> Finding:
    return Finding(code="pdf.text_layer_unusable", severity="info",
                   message=UNUSABLE_MESSAGE.format(reason=REASONS.get(reason, reason)))


# --- comparing a layer with the visible reading ----------------------------------------------


def _normal(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text).upper()


def _layer_reading(layer: TextLayer, page: int) -> PageReading:
    shell = Page(page=page, width=layer.width or 1, height=layer.height or 1, has_text_layer=True)
    return PageReading(page=shell, lines=layer.lines, source="pdf_text", engine="pdfplumber")


def compare(doc: Document, classified: Classified, layers: dict[int, TextLayer], types: TypeRegistry,
            thresholds: Thresholds) -> Document:
    """Findings about the text layers of the pages `doc` was read from by OCR: `pdf.text_layer_unusable` for a
    garbage layer, `pdf.text_layer_mismatch` where the layer's key fields (or its type) differ from the visible
    reading. Documents cut from a region of a page (two cards on one copy) are compared only for their type.
    Returns `doc` with the findings added; its fields are never changed (the visible reading wins)."""
    pages = [p.page.page for p in classified.pages if p.source == "ocr" and p.page.page in layers]
    if not pages:
        return doc
    findings = list(doc.findings)
    seen = {p.page.page: p for p in classified.pages}
    problems = {n: layers[n].problem or _wrong_script(layers[n], seen[n]) for n in pages}
    for reason in dict.fromkeys(r for r in problems.values() if r):
        findings.append(unusable_finding(reason))
    usable = [n for n in pages if problems[n] is None and layers[n].lines]
    if usable:
        readings = tuple(_layer_reading(layers[n], n) for n in usable)
        findings += _mismatches(doc, classified, readings, types, thresholds)
    return doc.model_copy(update={"findings": tuple(findings)})


def _wrong_script(layer: TextLayer, seen: PageReading) -> str | None:
    """"script" when the page shows Chinese (OCR) but its layer holds next to none (another engine's Latin-only OCR,
    a layer of another page), or the other way round."""
    shown = "".join(line.text for line in seen.lines)
    said = "".join(line.text for line in layer.lines)
    shown_cjk, said_cjk = sum(map(_is_cjk, shown)), sum(map(_is_cjk, said))
    if shown_cjk >= 10 and said_cjk < 0.1 * shown_cjk:
        return "script"
    if said_cjk >= 10 and len(shown) >= 20 and shown_cjk < 0.1 * said_cjk:
        return "script"
    return None


def _layer_type(readings: tuple[PageReading, ...], types: TypeRegistry, thresholds: Thresholds) -> str | None:
    best, score = None, 0.0
    for doc_type in types:
        s = max(float(doc_type.recognise(r)) for r in readings)
        if s > score:
            best, score = doc_type.code, s
    return best if score >= thresholds.type else None


def _mismatches(doc: Document, classified: Classified, readings: tuple[PageReading, ...], types: TypeRegistry,
                thresholds: Thresholds) -> list[Finding]:
    layer_type = _layer_type(readings, types, thresholds)
    if layer_type is not None and layer_type != doc.type:
        return [Finding(code="pdf.text_layer_mismatch", severity="warning", message=TYPE_MISMATCH_MESSAGE)]
    doc_type = types.get(doc.type)
    if doc_type is None or classified.pages[0].page.region is not None:
        return []
    shell = classified.model_copy(update={"pages": readings})
    claimed = doc_type.extract(shell)
    differ, certain = [], True
    for name, value in doc.fields.items():
        field_class = doc_type.field_classes.get(name, "text")
        other = claimed.get(name)
        if field_class not in KEY_CLASSES or other is None or value.value in (None, ""):
            continue
        if _normal(value.value) != _normal(other.value):
            differ.append(name)
            certain &= value.confidence >= thresholds.for_class(field_class)
    if not differ:
        return []
    return [Finding(code="pdf.text_layer_mismatch", severity="error" if certain else "warning",
                    message=MISMATCH_MESSAGE.format(count=len(differ)), fields=tuple(differ))]

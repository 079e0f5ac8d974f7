"""Building page readings by hand: (text, x, y) lines at a given text height, as OCR or a text layer would give."""

from __future__ import annotations

from pipeline.models import Classified, Page, PageReading, TextLine, Upload

UPLOAD = Upload(id="u", key="k", sha256="0" * 64, size=1, source="test.png", received_at="2026-01-01T00:00:00+08:00")


def reading(lines, *, page: int = 1, height: float = 40, score: float = 0.99, source: str = "ocr",
            size: tuple[int, int] = (1654, 2339)) -> PageReading:
    """`lines`: (text, x, y[, score[, height]]); each box is as wide as its characters at its height."""
    out = []
    for line in lines:
        text, x, y = line[:3]
        s = line[3] if len(line) > 3 else score
        h = line[4] if len(line) > 4 else height
        out.append(TextLine(text=text, score=s, box=(x, y, x + h * len(text), y + h)))
    info = Page(page=page, width=size[0], height=size[1], has_text_layer=source == "pdf_text")
    return PageReading(page=info, lines=tuple(out), source=source, engine="test")


def classified(type_code: str, *pages: PageReading) -> Classified:
    return Classified(upload=UPLOAD, pages=tuple(pages), type=type_code, type_confidence=1.0)


def values(fields) -> dict:
    return {k: v.value for k, v in fields.items()}

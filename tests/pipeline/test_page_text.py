"""A document's plain text in reading order (pipeline/page_text.py): rows top to bottom, left to right within a row,
a slightly tilted row kept together, pages apart by a blank line, bounded."""

from pipeline.models import TextLine
from pipeline.page_text import MAX_CHARS, document_text, page_text


def line(text: str, x: float, y: float, w: float = 100, h: float = 20) -> TextLine:
    return TextLine(text=text, score=0.9, box=(x, y, x + w, y + h))


def test_lines_are_grouped_into_rows_in_reading_order():
    lines = [line("值二", 300, 64), line("标签二", 10, 60), line("标题", 100, 10), line("值一", 300, 33),
             line("标签一", 10, 30), line("  ", 10, 200)]
    assert page_text(lines) == "标题\n标签一 值一\n标签二 值二"


def test_pages_are_apart_and_the_text_is_bounded():
    assert document_text([[line("第一页", 0, 0)], [], [line("第三页", 0, 0)]]) == "第一页\n\n第三页"
    assert document_text([[]]) == ""
    long = [line("字" * 1000, 0, 30 * i) for i in range(40)]
    assert len(document_text([long])) == MAX_CHARS

"""The text of a document as a person reads it: each page's text lines grouped into printed rows (top to bottom,
left to right within a row), rows on lines of their own, pages apart by a blank line. Kept on documents of unknown
type (`Document.text`), so that a reviewer sees what an unrecognised paper or OFD says when no fields were read.

Who calls it: pipeline/stages.extract. Pure. (The extractors order text their own way, with the pieces traced to
their boxes; this is only the plain text.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pipeline.models import TextLine

MAX_CHARS = 20_000  # a document's text in the result JSON stays readable and bounded


def page_text(lines: Iterable[TextLine]) -> str:
    """One page: a line joins a row when its vertical centre lies within half the smaller line's height of the
    row's centre."""
    rows: list[list[TextLine]] = []
    for line in sorted((x for x in lines if x.text.strip()), key=_centre):
        row = rows[-1] if rows else None
        if row is not None and abs(_centre(line) - sum(map(_centre, row)) / len(row)) <= 0.5 * min(
                _height(line), min(map(_height, row))):
            row.append(line)
        else:
            rows.append([line])
    return "\n".join(" ".join(x.text.strip() for x in sorted(row, key=lambda x: x.box[0])) for row in rows)


def document_text(pages: Sequence[Iterable[TextLine]]) -> str:
    text = "\n\n".join(t for t in (page_text(lines) for lines in pages) if t)
    return text[:MAX_CHARS]


def _centre(line: TextLine) -> float:
    return (line.box[1] + line.box[3]) / 2


def _height(line: TextLine) -> float:
    return max(line.box[3] - line.box[1], 1.0)

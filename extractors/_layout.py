"""Reading fields from box geometry (label -> value beside or below), shared by the extractors.

Why geometry: PP-OCR returns boxes sorted top to bottom, so a slightly tilted shot interleaves lines and
the joined text is in the wrong order. Values are found from where they sit relative to their labels.
Boxes are (x0, y0, x1, y1) in pixels of the straightened page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.models import Box, FieldValue, PageReading, TextLine


def norm(text: str) -> str:
    """NFKC (full width to half width), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Piece:
    """A text piece with its box: a whole OCR line, or what follows a label inside one."""

    text: str
    score: float
    box: Box

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def pieces(reading: PageReading) -> list[Piece]:
    return [Piece(norm(line.text), line.score, line.box) for line in reading.lines if norm(line.text)]


def same_row(a: Piece, b: Piece) -> bool:
    """Vertical centres within half the smaller height: the same printed line."""
    return abs(a.cy - b.cy) <= 0.5 * min(a.height, b.height) + 1


def row_of(anchor: Piece, all_pieces: Iterable[Piece]) -> list[Piece]:
    return sorted((p for p in all_pieces if same_row(anchor, p)), key=lambda p: p.box[0])


def find_label(all_pieces: Sequence[Piece], labels: Sequence[str]) -> tuple[Piece, str] | None:
    """The piece that starts with one of `labels` (spaces inside labels ignored), and the text after it."""
    for label in labels:
        for piece in all_pieces:
            if piece.text.startswith(label):
                return piece, piece.text[len(label):]
    return None


def tail_piece(piece: Piece, label_len: int) -> Piece | None:
    """The part of `piece` after its first `label_len` characters, with a proportional box."""
    rest = piece.text[label_len:]
    if not rest:
        return None
    x0, y0, x1, y1 = piece.box
    cut = x0 + (x1 - x0) * label_len / max(len(piece.text), 1)
    return Piece(rest, piece.score, (cut, y0, x1, y1))


def right_of(anchor: Piece, all_pieces: Iterable[Piece], *, max_gap: float | None = None) -> list[Piece]:
    """Pieces on the anchor's row to its right, nearest first."""
    found = [p for p in all_pieces if p is not anchor and same_row(anchor, p) and p.box[0] >= anchor.box[2] - 0.3 * anchor.height]
    found.sort(key=lambda p: p.box[0])
    if max_gap is not None:
        kept, edge = [], anchor.box[2]
        for p in found:
            if p.box[0] - edge > max_gap:
                break
            kept.append(p)
            edge = p.box[2]
        found = kept
    return found


def union(boxes: Iterable[Box]) -> Box:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def field(value, used: Sequence[Piece], page: int, *, raw: str | None = None, confidence: float | None = None) -> FieldValue:
    """A field from the pieces it was read from. `confidence` here is the raw reading score (the lowest
    score among the pieces); calibration to a probability happens in pipeline/confidence.py."""
    score = min(p.score for p in used) if confidence is None else confidence
    return FieldValue(value=value, confidence=round(float(score), 4), page=page, box=union(p.box for p in used), raw=raw)


def lines_of(reading: PageReading) -> list[TextLine]:
    return list(reading.lines)


CHINESE_DATE = re.compile(r"(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?")


def parse_date(text: str) -> str | None:
    """'2013年05月06日', '2013.5.6', '2013-05-06' -> ISO date, if a real date."""
    import datetime as dt

    match = CHINESE_DATE.search(norm(text))
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None

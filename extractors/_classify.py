"""Evidence for recognising a page's document type from its text and layout (shared by the extractors).

A recogniser scores a page 0..1 from: its title (text in the top part of the page, in large print), the
labels of the type's form found at the start of a piece, and patterns in the body. A title naming another
type caps the score, so that a page never scores high for one type while its title says it is another.
Keywords match exactly, or with one character misread when they are four characters or longer.
"""

from __future__ import annotations

import functools

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractors import declared
from extractors._form import rows
from extractors._layout import Piece, pieces
from pipeline.models import PageReading

# Title words of kinds of papers that are no document type we read: a page whose head names one is not ours.
OTHER_TITLES = ("证明书", "情况说明", "收据", "承诺书", "结婚证", "户口", "居民身份证", "发票", "通知书", "决定书")


@functools.cache
def titles() -> dict[str, tuple[str, ...]]:
    """Title words by type code (each type's DocumentType.titles), and "other" for papers we do not read, so
    that each recogniser can tell when a page says it is something else."""
    return {**{t.code: t.titles for t in declared()}, "other": OTHER_TITLES}


def fuzzy_in(keyword: str, text: str) -> bool:
    """`keyword` occurs in `text`, exactly or (for four characters or more) with one character different."""
    if keyword in text:
        return True
    n = len(keyword)
    if n < 4:
        return False
    # With at most one character different, one half of the keyword occurs exactly: only the places where a
    # half occurs are compared (classification asks this thousands of times per page).
    half = n // 2
    for i in sorted(_half_matches(keyword[:half], 0, text, n) | _half_matches(keyword[half:], half, text, n)):
        if sum(a != b for a, b in zip(text[i:i + n], keyword)) <= 1:
            return True
    return False


def _half_matches(part: str, offset: int, text: str, n: int) -> set[int]:
    """Starts of the windows of length `n` in `text` where `part` sits at `offset`."""
    out, at = set(), text.find(part)
    while at != -1:
        if 0 <= at - offset <= len(text) - n:
            out.add(at - offset)
        at = text.find(part, at + 1)
    return out


@dataclass(frozen=True)
class Clue:
    """Words of a type's paper any one of which, found on a page, is evidence worth `weight` (counted once).
    A type's module lists its clues once: its recogniser scores them and its DocumentType.anchors are their
    words (anchor_words), which the layout factor of the confidence counts (pipeline/stages.anchors_found)."""

    words: tuple[str, ...]
    weight: float = 0.1


def anchor_words(clues: Iterable[Clue], *more: str) -> tuple[str, ...]:
    """The words of `clues` in order, then `more`: a type's declared anchors."""
    return (*(word for clue in clues for word in clue.words), *more)


@dataclass
class PageEvidence:
    """What a page shows: all its text, its head (the title area) and the pieces that start its rows."""

    text: str
    head: str
    starts: list[str]
    pieces: list[Piece]

    @classmethod
    def of(cls, page: PageReading) -> "PageEvidence":
        """Every recogniser asks for the same page in turn: the evidence is computed once."""
        return _evidence(page)

    @classmethod
    def build(cls, page: PageReading) -> "PageEvidence":
        all_pieces = pieces(page)
        page_rows = rows(all_pieces)
        text = "".join(p.text for row in page_rows for p in row)
        height = page.page.height or max((p.box[3] for p in all_pieces), default=1)
        # the title area: the first two rows (the 样本 marking aside) and large print in the top 40 %
        heights = sorted(p.height for p in all_pieces)
        median = heights[len(heights) // 2] if heights else 0
        top_rows = [row for row in page_rows if "".join(p.text for p in row) not in ("样本", "样")][:2]
        head_pieces = {id(p): p for row in top_rows for p in row}
        for p in all_pieces:
            if p.height >= 1.4 * median and p.box[1] < 0.4 * height:
                head_pieces[id(p)] = p
        head = "".join(p.text for p in sorted(head_pieces.values(), key=lambda p: (p.cy, p.box[0])))
        starts = ["".join(p.text for p in row) for row in page_rows]
        return cls(text=text, head=head, starts=starts, pieces=all_pieces)

    def title(self, keywords: Iterable[str]) -> bool:
        return any(fuzzy_in(k, self.head) for k in keywords)

    def has(self, keyword: str) -> bool:
        return fuzzy_in(keyword, self.text)

    def count(self, keywords: Iterable[str]) -> int:
        return sum(1 for k in keywords if fuzzy_in(k, self.text))

    def row_starts(self, labels: Sequence[str]) -> int:
        """How many of `labels` start a row (a printed label rather than a word inside a sentence)."""
        found = 0
        for label in labels:
            if any(row.startswith(label) or (len(label) >= 4 and fuzzy_in(label, row[:len(label) + 1])) for row in self.starts):
                found += 1
        return found

    def anywhere(self, keywords: Iterable[str]) -> bool:
        """One of `keywords` occurs anywhere on the page (a title word that lost its place in the head)."""
        return any(self.has(k) for k in keywords)

    def add_clues(self, score: float, clues: Iterable[Clue]) -> float:
        """`score` plus the weight of every clue one of whose words occurs on the page (each counted once)."""
        for clue in clues:
            score += clue.weight if self.anywhere(clue.words) else 0.0
        return score

    def other_title(self, own: str) -> bool:
        """The head names another document type (or a kind we do not read)."""
        return any(self.title(words) for code, words in titles().items() if code != own)


@functools.lru_cache(maxsize=8)
def _evidence(page: PageReading) -> PageEvidence:
    return PageEvidence.build(page)


def clamp(score: float) -> float:
    return round(max(0.0, min(1.0, score)), 3)

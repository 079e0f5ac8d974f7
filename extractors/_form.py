"""Reading labelled forms, licences and letters from box geometry, shared by the document extractors.

A page's pieces are grouped into printed rows; a label is found at the start of a piece and may be split over
several pieces when it is printed spaced out (名    称 → "名", "称"). A value is what follows the label on its
row up to the next label; a multi-line value (address, business scope) grows from the line beside its label
to the lines above and below it that sit in the same column at line spacing — up only as far as a value
centred in a table cell reaches. Prose (contracts, letters) is read as the page's text in reading order, with
each character traced back to the piece it came from, so a value found by a pattern keeps its box and score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extractors._layout import Piece, field, pieces, union
from extractors._normalise import simplified
from pipeline.confidence import BELOW, support
from pipeline.models import FieldValue, PageReading

COLONS = ":：;；,，.。 "
# Labels that many forms print beside the ones a type reads: found as labels too, so that a value stops at
# them and a label never becomes another field's value (性别 as a name, 签字 as an agent).
COMMON_LABELS = ("姓名", "性别", "民族", "出生日期", "年龄", "职务", "住址", "联系电话", "联系地址", "邮政编码", "电子邮箱",
                 "签字", "签名", "盖章", "日期", "备注")


# --- rows ------------------------------------------------------------------------------------------


def rows(all_pieces: Iterable[Piece]) -> list[list[Piece]]:
    """Pieces grouped into printed rows, top to bottom, each row left to right. A piece joins a row when
    its vertical centre lies within half a line of the row's centre."""
    out: list[list[Piece]] = []
    for p in sorted(all_pieces, key=lambda q: q.cy):
        best = None
        for row in out[-3:]:
            cy = sum(q.cy for q in row) / len(row)
            h = min(p.height, min(q.height for q in row))
            if abs(cy - p.cy) <= 0.5 * h and not any(_overlap_x(p, q) > 0.3 * min(p.box[2] - p.box[0], q.box[2] - q.box[0]) for q in row):
                best = row
        if best is None:
            out.append([p])
        else:
            best.append(p)
    for row in out:
        row.sort(key=lambda q: q.box[0])
    out.sort(key=lambda r: sum(q.cy for q in r) / len(r))
    return out


def _overlap_x(a: Piece, b: Piece) -> float:
    return min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])


def line_height(all_pieces: Sequence[Piece]) -> float:
    heights = sorted(p.height for p in all_pieces if len(p.text) >= 2)
    return heights[len(heights) // 2] if heights else 20.0


# --- labels ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A label found on the page: the pieces it covers, and the rest of its last piece (an inline value)."""

    label: str  # the canonical label as asked for
    used: tuple[Piece, ...]
    rest: Piece | None
    row: int

    @property
    def x0(self) -> float:
        return self.used[0].box[0]

    @property
    def x1(self) -> float:
        return self.used[-1].box[2] if self.rest is None else self.rest.box[0]

    @property
    def cy(self) -> float:
        return sum(p.cy for p in self.used) / len(self.used)

    @property
    def height(self) -> float:
        return max(p.height for p in self.used)


def _similar(text: str, label: str) -> bool:
    """One character misread in a label of four characters or more."""
    return len(label) >= 4 and len(text) == len(label) and sum(a != b for a, b in zip(text, label)) <= 1


def find_labels(page_rows: list[list[Piece]], labels: Sequence[str], aliases: dict[str, str] | None = None) -> list[Hit]:
    """Every place a label starts a piece (possibly spread over the following pieces of its row).

    Longer labels are tried first, and a piece starts at most one label. `aliases` maps a fragment to its
    label: the last character of a spaced-out label whose first character the OCR missed (称 for 名    称),
    accepted only as a whole piece at the start of its row."""
    ordered = sorted(labels, key=len, reverse=True)
    hits: list[Hit] = []
    for r, row in enumerate(page_rows):
        i = 0
        while i < len(row):
            found = None
            for fuzzy in (False, True):  # an exact label first; a misread one only when no label is exact
                for label in ordered:
                    found = _match_at(row, i, label, fuzzy)
                    if found and fuzzy and _ambiguous(found[2], label, ordered):
                        found = None
                    if found:
                        hits.append(Hit(label, found[0], found[1], r))
                        break
                if found:
                    break
            if found:
                i += len(found[0])
            elif i == 0 and aliases and row[0].text in aliases and len(row) > 1:
                hits.append(Hit(aliases[row[0].text], (row[0],), None, r))
                i += 1
            else:
                i += 1
    return hits


def _ambiguous(text: str, label: str, labels: Sequence[str]) -> bool:
    """A misread label that could as well be another label (受托人姓名 / 委托人姓名): not taken."""
    return any(other != label and len(other) == len(text) and sum(a != b for a, b in zip(text, other)) <= 1
               for other in labels)


def _match_at(row: list[Piece], i: int, label: str, fuzzy: bool = False
              ) -> tuple[tuple[Piece, ...], Piece | None, str] | None:
    """`label` starting at piece i of the row, possibly spread over the next pieces: the pieces it covers,
    the rest of its last piece, and the text that matched."""
    text, used = "", []
    for piece in row[i:i + len(label)]:
        if used and piece.box[0] - used[-1].box[2] > 4.5 * piece.height:
            return None
        used.append(piece)
        text += simplified(piece.text)  # PP-OCR's traditional forms (户別 for 户别) still start a label
        if len(text) >= len(label):
            head = text[:len(label)]
            if head != label and not (fuzzy and _similar(head, label)):
                return None
            extra = len(text) - len(label)
            last = used[-1]
            rest = None
            if extra:
                keep = len(last.text) - extra
                x0, y0, x1, y1 = last.box
                cut = x0 + (x1 - x0) * keep / max(len(last.text), 1)
                rest_text = last.text[keep:].lstrip(COLONS)
                if rest_text:
                    rest = Piece(rest_text, last.score, (cut, y0, x1, y1))
            return tuple(used), rest, head
        if not label.startswith(text) and not (fuzzy and len(used) == 1 and len(text) >= 4
                                               and _similar(text, label[:len(text)])):
            return None
    return None


# --- values ----------------------------------------------------------------------------------------


@dataclass
class Form:
    """A page prepared for reading labelled values."""

    reading: PageReading
    labels: Sequence[str]
    aliases: dict[str, str] | None = None

    def __post_init__(self) -> None:
        self.pieces = pieces(self.reading)
        self.rows = rows(self.pieces)
        own = tuple(self.labels)
        extra = tuple(c for c in COMMON_LABELS if not any(c in label or label.startswith(c) for label in own))
        self.hits = find_labels(self.rows, own + extra, self.aliases)
        self.h = line_height(self.pieces)
        self._label_pieces = {id(p) for hit in self.hits for p in hit.used}
        self.page = self.reading.page.page

    def hit(self, *names: str) -> Hit | None:
        """The first hit (top to bottom) of any of `names`."""
        for hit in self.hits:
            if hit.label in names:
                return hit
        return None

    def _next_label_x(self, hit: Hit) -> float:
        """Where the next label on the hit's row starts (the value ends there)."""
        xs = [h.x0 for h in self.hits if h.row == hit.row and h.x0 > hit.x0]
        return min(xs) if xs else float("inf")

    def inline(self, hit: Hit, max_gap: float = 10.0, next_gap: float = 3.0) -> list[Piece]:
        """The value on the label's row: the rest of its piece and the pieces after it, up to the next label
        or a gap wider than a column gutter (the first piece may stand further off, in a table's value cell)."""
        stop = self._next_label_x(hit)
        found = [hit.rest] if hit.rest is not None else []
        edge = hit.x1
        label_end = hit.used[-1].box[2]
        for p in self.rows[hit.row]:
            if id(p) in self._label_pieces or p.box[0] >= stop - 1:
                continue
            # PP-OCR pads its boxes: a value printed a short gap after its label may start inside the label's box
            if p.box[0] < hit.x1 - 0.3 * p.height and not (p.box[0] >= label_end - 0.8 * p.height
                                                            and p.box[2] > label_end + p.height):
                continue
            if p.box[0] - edge > (next_gap if found else max_gap) * self.h:
                break
            if found and found[-1] is hit.rest and _read_twice(hit.rest, p):
                found.pop()
            found.append(p)
            edge = p.box[2]
        return found

    def block(self, hit: Hit, *, centred: bool = True, gap: float = 0.8) -> list[list[Piece]]:
        """A multi-line value as lines of pieces: the line beside the label, then the lines below (and, for a
        value centred in a table cell, above) it in the same column, at line spacing, that hold no label."""
        stop = self._next_label_x(hit)
        first = self.inline(hit)
        x_start = first[0].box[0] if first else hit.x1
        right = min(stop, self._column_right(hit, x_start))
        tol = 1.5 * self.h

        def in_column(p: Piece) -> bool:
            return (p.box[0] >= x_start - tol and p.box[0] < right - self.h and id(p) not in self._label_pieces
                    and p.box[0] >= hit.x1 - 0.5 * self.h)

        # rows holding a label of this column end the value (a label of another column does not)
        label_rows = {h.row for h in self.hits if abs(h.x0 - hit.x0) < 4 * self.h or h.row == hit.row}
        lines: dict[int, list[Piece]] = {}
        for r, row in enumerate(self.rows):
            if r == hit.row:
                continue
            chosen = [p for p in row if in_column(p)]
            if chosen:
                lines[r] = chosen
        anchor = hit.row
        value_rows: list[int] = []
        if first:
            value_rows.append(hit.row)
        else:  # label between two lines of a centred value: start from the nearest line
            near = [r for r in lines if abs(_cy(lines[r]) - hit.cy) <= 1.2 * self.h and r not in label_rows]
            if not near:
                return []
            anchor = min(near, key=lambda r: abs(_cy(lines[r]) - hit.cy))
            value_rows.append(anchor)
        block = {anchor: first if first else lines[anchor]}

        def grow(step: int) -> None:
            r = anchor
            prev = block[anchor]
            while True:
                r += step
                if r == hit.row and r != anchor:
                    continue  # the label's own row, between the lines of a centred value
                if r < 0 or r >= len(self.rows) or r in label_rows:
                    return
                if r not in lines:
                    if any(p.box[0] < right and p.box[2] > x_start for p in self.rows[r]):
                        return  # something else in the column between (a table rule's text, a heading)
                    continue
                cand = lines[r]
                top, bottom = (_top(cand), _bottom(prev)) if step > 0 else (_top(prev), _bottom(cand))
                # upwards only inside a centred cell, whose lines sit closer than the fields of a list
                if top - bottom > (gap if step > 0 else 0.75 * gap) * self.h:
                    return
                if step < 0 and centred:
                    above = sum(1 for k in block if _cy(block[k]) < hit.cy - 0.3 * self.h)
                    below = sum(1 for k in block if _cy(block[k]) > hit.cy + 0.3 * self.h)
                    if above >= below:
                        return
                block[r] = cand
                prev = cand

        grow(1)
        if centred:
            grow(-1)
        return [sorted(block[r], key=lambda p: p.box[0]) for r in sorted(block)]

    def _column_right(self, hit: Hit, x_start: float) -> float:
        """The left edge of a label column to the right of the value (two-column licences), else the page."""
        xs = [h.x0 for h in self.hits if h.x0 > x_start + 3 * self.h and abs(h.cy - hit.cy) < 12 * self.h]
        return min(xs) if xs else float("inf")

    def below(self, hit: Hit) -> list[Piece]:
        """The value under its label (forms that print labels above their boxes): the pieces of the next row
        that start within the label's column (between its left edge and the next label of its row), at most
        two lines below, that are not labels."""
        if hit.row + 1 >= len(self.rows):
            return []
        stop = self._next_label_x(hit)
        row = self.rows[hit.row + 1]
        if _top(row) - hit.used[-1].box[3] > 2.2 * self.h:
            return []
        return [p for p in row if id(p) not in self._label_pieces and hit.x0 - 1.5 * self.h <= p.box[0] < min(stop, hit.x1 + 4 * self.h)
                and p.box[0] < stop - 0.5 * self.h]

    def text_field(self, hit: Hit | None, clean=lambda s: s, *, multi: bool = False) -> FieldValue | None:
        """A labelled value as a field: `clean` normalises the joined text (None or "" = not read). Beside the
        label first; when nothing stands there, under it (labels above their value boxes)."""
        if hit is None:
            return None
        used = [p for line in self.block(hit) for p in line] if multi else self.inline(hit)
        factor = 1.0
        if not used and not self._labels_left_of_values(hit):
            used, factor = self.below(hit), BELOW
        if not used:
            return None
        raw = "".join(p.text for p in used)
        value = clean(raw)
        if not value:
            return None
        found = field(value, used, self.page, raw=raw)
        return found if factor == 1.0 else found.model_copy(update={"confidence": support(found.confidence, factor)})

    def _labels_left_of_values(self, hit: Hit) -> bool:
        """The label's row holds values beside its labels (a table of label | value): then an empty cell is
        empty, and the row below is another field's."""
        return any(id(p) not in self._label_pieces for p in self.rows[hit.row])


def _read_twice(rest: Piece, after: Piece) -> bool:
    """The label's box ran on into the value and read its first characters ("身份证件号：5" then
    "522324…"): the next piece starts inside that rest and with the same text, so it is the same ink."""
    return after.box[0] < rest.box[2] and after.text.startswith(rest.text)


def _cy(line: list[Piece]) -> float:
    return sum(p.cy for p in line) / len(line)


def _top(line: list[Piece]) -> float:
    return min(p.box[1] for p in line)


def _bottom(line: list[Piece]) -> float:
    return max(p.box[3] for p in line)


# --- prose -----------------------------------------------------------------------------------------


@dataclass
class Prose:
    """The page's text in reading order, each character traced to its piece."""

    reading: PageReading

    def __post_init__(self) -> None:
        self.pieces = pieces(self.reading)
        self.owner: list[Piece] = []
        parts = []
        for row in rows(self.pieces):
            for p in row:
                parts.append(p.text)
                self.owner.extend([p] * len(p.text))
        self.text = "".join(parts)
        self.page = self.reading.page.page

    def used(self, start: int, end: int) -> list[Piece]:
        seen: dict[int, Piece] = {}
        for p in self.owner[start:end]:
            seen.setdefault(id(p), p)
        return list(seen.values())

    def search(self, pattern: re.Pattern[str], group: int | str = 1) -> tuple[str, list[Piece]] | None:
        m = pattern.search(self.text)
        if not m or m.group(group) is None:
            return None
        return m.group(group), self.used(*m.span(group))

    def field(self, pattern: re.Pattern[str], clean=lambda s: s, group: int | str = 1) -> FieldValue | None:
        found = self.search(pattern, group)
        if not found or not found[1]:
            return None
        value = clean(found[0])
        return field(value, found[1], self.page, raw=found[0]) if value else None


def page_text(reading: PageReading) -> str:
    return Prose(reading).text


def box_of(used: Sequence[Piece]):
    return union(p.box for p in used)

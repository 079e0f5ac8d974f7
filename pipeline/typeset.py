"""Line breaking for Chinese notices (GB/T 15834 and common 禁则 practice): a line never starts with closing
punctuation (，。、；：？！）」』》 …) and never ends with an opening one (（「『《 …); runs of Latin letters and
digits (case numbers, query codes, dates' digits) stay whole; a numbered item ("1. ", "（2）") hangs, so its
number never stands alone and its continuation lines start under the text.

fpdf2's own wrapping breaks CJK text anywhere (wrapmode CHAR) or only at spaces (WORD, which leaves "1." alone
on a line before a long Chinese run). Who calls it: validators/notices_pdf.py and storage/bundle/pages.py (via
`wrap`); pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NO_LINE_START = frozenset("，。、；：？！）」』》〉】〕〗”’…—·％‰,.;:?!)]}%～")
NO_LINE_END = frozenset("（「『《〈【〔〖“‘([{")
_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:\-_/*@#+]*|\s+|.", re.S)
ITEM_NUMBER = re.compile(r"^(\d{1,3}[.．、]\s?|（\d{1,3}）|\(\d{1,3}\)\s?)")


@dataclass(frozen=True)
class Line:
    text: str
    indent: float  # from the left edge of the paragraph, in the measure's unit


def _units(text: str) -> list[str]:
    return _UNIT.findall(text)


def _split_long(unit: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """A Latin run wider than a whole line: cut it by characters (the only way it fits)."""
    parts, current = [], ""
    for ch in unit:
        if current and measure(current + ch) > width:
            parts.append(current)
            current = ""
        current += ch
    return parts + ([current] if current else [])


def _fix_break(line: list[str], rest: list[str]) -> None:
    """Move units from the end of `line` to the front of `rest` until the break is lawful (in place): the next
    line must not start with closing punctuation, this one must not end with opening punctuation. Never empties
    `line` (a line of punctuation alone is worse than a bent rule)."""
    while len(line) > 1 and rest and (rest[0][:1] in NO_LINE_START or line[-1][-1:] in NO_LINE_END):
        rest.insert(0, line.pop())
    while len(line) > 1 and line[-1].isspace():
        line.pop()


def wrap(text: str, width: float, measure: Callable[[str], float], *, hang: bool = True) -> list[Line]:
    """Lines of one paragraph (no newlines inside) at most `width` wide by `measure`, with the 禁则 above.
    `hang`: a leading item number makes the continuation lines indent to the text after it."""
    prefix = ITEM_NUMBER.match(text) if hang else None
    indent = measure(prefix.group(0)) if prefix else 0.0
    if prefix and indent > width / 3:
        indent = 0.0
    units = _units(text)
    lines: list[Line] = []
    first = True
    while units:
        avail = width - (0.0 if first else indent)
        line: list[str] = []
        used = 0.0
        while units:
            unit = units[0]
            if not line and unit.isspace() and not first:
                units.pop(0)
                continue
            w = measure(unit)
            if used + w <= avail or not line and w <= avail:
                line.append(units.pop(0))
                used += w
                continue
            if not line:  # one unit wider than the line
                pieces = _split_long(units.pop(0), avail, measure)
                line.append(pieces[0])
                units[0:0] = pieces[1:]
            break
        if prefix and first and "".join(line).strip() == prefix.group(0).strip() and units:
            # only the number fits: keep it with its text (cannot happen unless the line is tiny)
            line.append(units.pop(0))
        _fix_break(line, units)
        lines.append(Line("".join(line).rstrip(), 0.0 if first else indent))
        first = False
    return lines or [Line("", 0.0)]

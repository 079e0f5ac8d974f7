"""Server-rendered SVG charts for the statistics page: a bar chart and a line of points, written here in a few
dozen lines (no chart library, nothing from a CDN). Colours go in presentation attributes, not `style`, so the
pages' CSP (no inline styles) lets them through. Every bar is a `rect.bar` and every point a `circle.point`
carrying its label and value in `data-` attributes and a `<title>` (tooltips, screen readers, tests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 56
BLUE, GREEN, GRID, INK = "#0b4f9c", "#14632b", "#c8c8c8", "#1a1a1a"


def _scale(top: float) -> float:
    """A round upper bound for the axis (1, 2, 5 × 10^n)."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _count_scale(top: float) -> float:
    """For counts: a multiple of 4, so the four grid steps are whole numbers."""
    return float(max(4, math.ceil(top / 4) * 4)) if top <= 40 else _scale(top)


def _frame(title: str, top: float, unit: str, labels: Sequence[str], slot: float, body: list[str]) -> Markup:
    inner_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i in range(5):  # grid and axis values
        value = top * i / 4
        y = TOP + inner_h - inner_h * i / 4
        text = f"{value:.0f}{unit}" if top >= 4 or value == int(value) else f"{value:.1f}{unit}"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" fill="{INK}">{text}</text>')
    every = max(1, -(-len(labels) // 12))  # at most 12 labels on the axis
    # dates and long names lean so that they fit; a few short category names stand upright
    tilt = len(labels) > 6 or max((len(label) for label in labels), default=0) * 13 > slot
    for n, label in enumerate(labels):
        if n % every == 0:
            x, y = LEFT + slot * (n + 0.5), HEIGHT - BOTTOM + 18
            turn = f' transform="rotate(-35 {x:.1f} {y})"' if tilt else ""
            parts.append(f'<text x="{x:.1f}" y="{y}" text-anchor="{"end" if tilt else "middle"}" font-size="13" '
                         f'fill="{INK}"{turn}>{escape(label)}</text>')
    parts += body
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(title: str, points: Sequence[tuple[str, float]], *, unit: str = "", colour: str = BLUE,
              counts: bool = True) -> Markup:
    """One bar per (label, value), zero-height bars included: the number of bars is the number of points."""
    highest = max((v for _, v in points), default=0)
    top = _count_scale(highest) if counts else (100.0 if unit == "%" else _scale(highest))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(1, len(points))
    body = []
    for n, (label, value) in enumerate(points):
        h = inner_h * value / top
        x, w = LEFT + slot * n + slot * 0.15, slot * 0.7
        body.append(f'<rect class="bar" x="{x:.1f}" y="{TOP + inner_h - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
                    f'fill="{colour}" data-label="{escape(label)}" data-value="{value:g}">'
                    f'<title>{escape(label)}：{value:g}{escape(unit)}</title></rect>')
    return _frame(title, top, unit, [label for label, _ in points], slot, body)


def line_chart(title: str, points: Sequence[tuple[str, float | None]], *, top: float = 100, unit: str = "%") -> Markup:
    """Points joined by a line; a None value leaves a gap and draws no point."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(1, len(points))
    body, run = [], []
    for n, (label, value) in enumerate(points):
        if value is None:
            body.append(_polyline(run))
            run = []
            continue
        x, y = LEFT + slot * (n + 0.5), TOP + inner_h - inner_h * value / top
        run.append((x, y))
        body.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{GREEN}" data-label="{escape(label)}" '
                    f'data-value="{value:g}"><title>{escape(label)}：{value:.1f}{escape(unit)}</title></circle>')
    body.insert(0, _polyline(run))
    return _frame(title, top, unit, [label for label, _ in points], slot, body)


def _polyline(run: list[tuple[float, float]]) -> str:
    if len(run) < 2:
        return ""
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
    return f'<polyline points="{coords}" fill="none" stroke="{GREEN}" stroke-width="2"/>'

"""Cards on a page whose outlines are too faint to trace: found by their blocks of text.

A photocopy often shows an ID card's front and back as light-grey cards on white paper, the card's
paper a few grey levels darker than the sheet and no copier line around it. `pipeline.capture` finds
cards by their outlines first; when that finds none, `card_quads` looks for them here on the straightened
page: blocks of text lines set apart by blank paper (each card side holds one block: the front's labels,
values and number; the back's title and two lines), each taken to the faint paper patch around it when
there is one, else to an ID-1 card around the block. Pure function over a small grey page; no OCR (the
reading then types each region by the titles and labels it holds).
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.capture_quality import ID1_RATIO, TextStats, levels

MIN_LINES = 2  # a card side holds at least two text lines (the back: its title and two fields)
MAX_LINES = 40  # a few cards hold ~20 lines; more is a page of text
PAPER_STEP = 3  # grey levels below the sheet that count as a card's paper (after smoothing)


def _blocks(stats: TextStats) -> list[tuple[int, int, int, int, int]]:
    """Blocks of text lines (x0, y0, x1, y1, lines): lines joined across up to ~5 line heights down
    (a card back's title stands apart from its fields) and ~2.5 across, so a card's rows stay together
    and two cards a card-margin apart do not."""
    if not 2 * MIN_LINES <= len(stats.lines) <= MAX_LINES:
        return []
    lh = float(np.median(stats.lines[:, 3]))
    kernel = np.ones((max(3, int(5.5 * lh)), max(3, int(2.5 * lh))), np.uint8)
    joined = cv2.morphologyEx(stats.text, cv2.MORPH_CLOSE, kernel)
    n, labels, st, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = (int(v) for v in st[i])
        cx = stats.lines[:, 0] + stats.lines[:, 2] / 2
        cy = stats.lines[:, 1] + stats.lines[:, 3] / 2
        inside = (cx >= x) & (cx < x + w) & (cy >= y) & (cy < y + h)
        count = int(np.count_nonzero(inside))
        marks = cv2.connectedComponents(stats.text[y:y + h, x:x + w])[0] - 1
        if count >= MIN_LINES or marks >= 6:  # a title of spaced characters makes no line
            out.append((x, y, x + w, y + h, count))
    return out


def _merge(blocks: list[tuple[int, int, int, int, int]], limit: float) -> list[tuple[int, int, int, int, int]]:
    """Join blocks whose union still fits on one card side: a card back's title and its fields; never two
    cards. The card's width is judged from the widest block (a front's print spans ~85 % of the card),
    at most `limit` px."""
    blocks = list(blocks)
    if not blocks:
        return blocks
    card_w = min(limit, max(b[2] - b[0] for b in blocks) / 0.8)
    merged = True
    while merged:
        merged = False
        for a in range(len(blocks)):
            for b in range(a + 1, len(blocks)):
                x0, y0 = min(blocks[a][0], blocks[b][0]), min(blocks[a][1], blocks[b][1])
                x1, y1 = max(blocks[a][2], blocks[b][2]), max(blocks[a][3], blocks[b][3])
                if x1 - x0 <= 0.95 * card_w and y1 - y0 <= 0.95 * card_w / ID1_RATIO:
                    blocks[a] = (x0, y0, x1, y1, blocks[a][4] + blocks[b][4])
                    del blocks[b]
                    merged = True
                    break
            if merged:
                break
    return blocks


def _paper_patch(gray: np.ndarray, block: tuple[int, int, int, int, int], sheet: float) -> np.ndarray | None:
    """The faint card paper around a text block: the component of 'a little darker than the sheet'
    holding the block, as a rotated rectangle of about ID-1 shape; None when there is none."""
    x0, y0, x1, y1, _ = block
    bw, bh = x1 - x0, y1 - y0
    h, w = gray.shape
    ex0, ey0 = max(0, int(x0 - 0.4 * bw)), max(0, int(y0 - 0.6 * bh))
    ex1, ey1 = min(w, int(x1 + 0.4 * bw)), min(h, int(y1 + 0.6 * bh))
    win = cv2.GaussianBlur(cv2.medianBlur(gray[ey0:ey1, ex0:ex1], 5), (5, 5), 0)
    # the sheet's level here (light falls off across a photographed page): the window's bright rim
    rim = np.concatenate([win[:3].ravel(), win[-3:].ravel(), win[:, :3].ravel(), win[:, -3:].ravel()])
    sheet = min(sheet, float(np.percentile(rim, 90))) if rim.size else sheet
    mask = (win < sheet - PAPER_STEP).astype(np.uint8) * 255
    k = max(3, int(0.04 * max(bw, bh)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, labels, st, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return _edge_patch(win, block, (ex0, ey0))
    centre = labels[(y0 + y1) // 2 - ey0, :]
    hits = np.bincount(labels[y0 - ey0:y1 - ey0, x0 - ex0:x1 - ex0].ravel(), minlength=n)
    hits[0] = 0
    best = int(hits.argmax())
    if hits[best] == 0 or centre.size == 0:
        return None
    touches = st[best, 0] <= 0 or st[best, 1] <= 0 or st[best, 0] + st[best, 2] >= win.shape[1] \
        or st[best, 1] + st[best, 3] >= win.shape[0]
    if touches:  # runs into the sheet's own shading: look for the card's edge instead
        return _edge_patch(win, block, (ex0, ey0))
    pts = cv2.findNonZero((labels == best).astype(np.uint8))
    (cx, cy), (rw, rh), angle = cv2.minAreaRect(pts)
    if min(rw, rh) < 1 or abs(max(rw, rh) / min(rw, rh) / ID1_RATIO - 1) > 0.12:
        return None
    if rw * rh < 1.05 * bw * bh:
        return None  # no margin around the text: not the card's paper
    box = cv2.boxPoints(((cx + ex0, cy + ey0), (rw, rh), angle))
    return box.astype(np.float32)


def _edge_patch(win: np.ndarray, block: tuple[int, int, int, int, int], origin: tuple[int, int]) -> np.ndarray | None:
    """The card's faint edge around a text block where light falls off across the sheet: the smallest
    outline of weak steps (Canny) that holds the block and has the ID-1 shape."""
    x0, y0, x1, y1, _ = block
    ox, oy = origin
    edges = cv2.dilate(cv2.Canny(win, 4, 12), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best = None
    for c in contours:
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(c)
        if min(rw, rh) < 1 or abs(max(rw, rh) / min(rw, rh) / ID1_RATIO - 1) > 0.1:
            continue
        box = cv2.boxPoints(((cx + ox, cy + oy), (rw, rh), angle)).astype(np.float32)
        inside = all(cv2.pointPolygonTest(box, (float(px), float(py)), False) >= 0
                     for px, py in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        if inside and (best is None or rw * rh < best[0]):
            best = (rw * rh, box)
    return None if best is None else best[1]


def _around(block: tuple[int, int, int, int, int], width: float | None = None) -> np.ndarray:
    """An ID-1 card around a text block: `width` wide when another card on the page showed its size
    (copies keep both sides at one scale), else as if the print covered ~88 % of the card's width."""
    x0, y0, x1, y1, _ = block
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = width or max((x1 - x0) / 0.88, (y1 - y0) * ID1_RATIO)
    h = w / ID1_RATIO
    return np.float32([[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx + w / 2, cy + h / 2],
                       [cx - w / 2, cy + h / 2]])


def card_quads(gray: np.ndarray, stats: TextStats, max_outside: float, a4: bool = True) -> list[np.ndarray]:
    """Quads (in `gray`'s pixels, any corner order) of two or more cards laid out on a page and found
    by their text blocks; [] unless the blocks are card-shaped, apart, and together hold all but
    `max_outside` of the page's text. On a region not known to be an A4 sheet (`a4` False: an odd outline,
    a whole frame) every card must show its own paper or edge, so a cut card's title and fields are not
    taken for two cards."""
    h, w = gray.shape
    blocks = _merge(_blocks(stats), 0.6 * min(w, h))
    if len(blocks) < 2:
        return []
    total = np.count_nonzero(stats.text)
    # the larger blocks, as long as each holds a real share of the text
    shares = [np.count_nonzero(stats.text[y0:y1, x0:x1]) / max(total, 1) for x0, y0, x1, y1, _ in blocks]
    order = [i for i in np.argsort(shares)[::-1] if shares[i] >= 0.1][:4]
    if len(order) < 2 or sum(shares[i] for i in order) < 1 - max_outside:
        return []
    sheet = levels(gray, (75,))[0]
    for i in order:
        x0, y0, x1, y1, _ = blocks[i]
        bw, bh = x1 - x0, y1 - y0
        # a card's text block is about as wide as tall or wider, and a card side is a fraction of the page
        if not 0.8 * bh <= bw <= 4 * bh or bw > 0.7 * min(w, h):
            return []
    patches = {i: _paper_patch(gray, blocks[i], sheet) for i in order}
    if not a4 and any(p is None for p in patches.values()):
        return []
    widths = [max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1])) for q in patches.values() if q is not None]
    width = float(np.median(widths)) if widths else None
    quads = []
    for i in order:
        quad = patches[i] if patches[i] is not None else _around(blocks[i], width)
        side = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[1]))
        if not 0.25 * min(w, h) <= side <= 0.75 * min(w, h):
            return []  # an ID-1 card is 41 % of an A4 sheet's width at 1:1 (copies enlarge it a little)
        quads.append(quad)
    kept: list[np.ndarray] = []
    for q in sorted(quads, key=lambda q: -cv2.contourArea(q)):  # a block inside a found card is part of it
        inside = [cv2.intersectConvexConvex(q, k)[0] / max(cv2.contourArea(q), 1e-9) for k in kept]
        if any(share > 0.6 for share in inside):
            continue
        if any(share > 0.1 for share in inside):
            return []
        kept.append(q)
    quads = kept
    if len(quads) < 2:
        return []
    return [np.clip(q, [0, 0], [w - 1, h - 1]).astype(np.float32) for q in quads]

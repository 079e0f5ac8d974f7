"""Synthetic capture shots with known geometry, for tests/pipeline/test_capture.py and samples/bench_capture.py.

Everything is drawn here (numpy, OpenCV, Pillow with a CJK system font), seeded, so a shot and its ground
truth can be regenerated at will: the true document corners in the frame, the kind of document and the
degradation applied. Documents are marked 样本, carry fictional names and a silhouette, never an emblem.

Not installed with the package; load it by path (see `load()` in the test and the benchmark).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

CARD_MM = (85.6, 54.0)
A4_MM = (210.0, 297.0)

NAMES = ("李样明", "王样华", "张样伟", "刘样芳", "陈样静", "赵样强")
ADDRESSES = (
    "山东省济宁市任城区古槐路样本小区3号楼2单元",
    "湖南省长沙市开福区样本街道幸福小区居民组",
    "浙江省杭州市西湖区样本路88号样本花园",
)
PARAGRAPH = (
    "根据个体工商户登记管理有关规定，申请人应当如实提交有关材料和反映真实情况，并对申请材料的真实性负责。"
    "经营场所使用证明应当载明经营场所的具体地址，委托代理人办理的，应当提交经营者签署的授权委托书及受托人身份证明。"
    "窗口人员收到申请材料后，对材料齐全、符合法定形式的，予以受理并出具受理通知书；材料不齐全的，一次性告知需要补正的全部内容。"
)


@functools.cache
def font_path() -> str | None:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return path
    return None


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_path()
    if path is None:
        return ImageFont.load_default()
    return ImageFont.truetype(path, size)


def _draw_text(img: np.ndarray, items: list[tuple[tuple[int, int], str, int, tuple[int, int, int]]]) -> np.ndarray:
    """Draw (xy, text, size, bgr colour) items onto a BGR image with Pillow."""
    pil = Image.fromarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(pil)
    for (x, y), text, size, (b, g, r) in items:
        draw.text((x, y), text, font=_font(size), fill=(r, g, b))
    return cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)


def id_number(rng: np.random.Generator) -> str:
    body = "370811" + f"{rng.integers(1960, 2005)}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"
    body += f"{rng.integers(0, 1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def card(rng: np.random.Generator, side: str = "front", width: int = 856, grey: bool = False) -> np.ndarray:
    """An ID-1 card (85.6 x 54 mm) in the style of a resident ID card, `width` pixels wide."""
    h = int(round(width * CARD_MM[1] / CARD_MM[0]))
    s = width / 856.0
    base = np.array([238, 232, 222], np.float32) if not grey else np.array([225, 225, 225], np.float32)
    img = np.empty((h, width, 3), np.float32)
    img[:] = base
    # faint guilloche-like background so the card is not flat
    yy, xx = np.mgrid[0:h, 0:width].astype(np.float32)
    wave = 6 * np.sin(xx / (9 * s) + 3 * np.sin(yy / (40 * s))) * np.cos(yy / (23 * s))
    img += wave[..., None] * np.array([1.0, 0.6, 0.3], np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    label = (150, 110, 40) if not grey else (110, 110, 110)
    ink = (30, 30, 30)
    fs = lambda v: max(8, int(round(v * s)))  # noqa: E731
    items: list[tuple[tuple[int, int], str, int, tuple[int, int, int]]] = []
    if side == "front":
        name = NAMES[int(rng.integers(len(NAMES)))]
        addr = ADDRESSES[int(rng.integers(len(ADDRESSES)))]
        num = id_number(rng)
        rows = [
            ("姓  名", name, 60),
            ("性  别", "男      民  族  汉", 130),
            ("出  生", f"{num[6:10]} 年 {int(num[10:12])} 月 {int(num[12:14])} 日", 200),
            ("住  址", addr[:12], 270),
        ]
        for lab, val, y in rows:
            items.append(((int(60 * s), int(y * s)), lab, fs(30), label))
            items.append(((int(190 * s), int(y * s)), val, fs(34), ink))
        items.append(((int(190 * s), int(320 * s)), addr[12:], fs(34), ink))
        items.append(((int(60 * s), int(440 * s)), "公民身份号码", fs(30), label))
        items.append(((int(300 * s), int(434 * s)), num, fs(40), ink))
        # silhouette instead of a photo
        cx, cy = int(680 * s), int(200 * s)
        cv2.ellipse(img, (cx, cy), (int(60 * s), int(75 * s)), 0, 0, 360, (120, 120, 120), -1)
        cv2.ellipse(img, (cx, int(cy + 170 * s)), (int(110 * s), int(90 * s)), 0, 180, 360, (120, 120, 120), -1)
    else:
        items.append(((int(300 * s), int(90 * s)), "居民身份证样本", fs(56), ink))
        items.append(((int(120 * s), int(340 * s)), "签发机关", fs(30), label))
        items.append(((int(280 * s), int(336 * s)), "济宁市公安局任城分局", fs(34), ink))
        items.append(((int(120 * s), int(420 * s)), "有效期限", fs(30), label))
        items.append(((int(280 * s), int(416 * s)), "2016.03.01-2036.03.01", fs(34), ink))
        cv2.circle(img, (int(150 * s), int(130 * s)), int(70 * s), (60, 60, 200) if not grey else (90, 90, 90), 3)
    items.append(((int(width - 150 * s), int(h - 60 * s)), "样本", fs(28), (150, 150, 230) if not grey else (160,) * 3))
    img = _draw_text(img, items)
    return img


def a4_page(rng: np.random.Generator, width: int = 1240, lines: int = 26) -> np.ndarray:
    """A white A4 page of Chinese text (heading, paragraphs, a signature line)."""
    h = int(round(width * A4_MM[1] / A4_MM[0]))
    s = width / 1240.0
    img = np.full((h, width, 3), 250, np.uint8)
    items: list[tuple[tuple[int, int], str, int, tuple[int, int, int]]] = []
    items.append(((int(330 * s), int(140 * s)), "个体工商户登记申请书（样本）", int(48 * s), (20, 20, 20)))
    per_line = 30
    text = PARAGRAPH * 3
    start = int(rng.integers(0, len(PARAGRAPH)))
    for i in range(lines):
        chunk = text[start + i * per_line: start + (i + 1) * per_line]
        items.append(((int(130 * s), int((260 + i * 52) * s)), chunk, int(30 * s), (25, 25, 25)))
    items.append(((int(760 * s), int((300 + lines * 52) * s)), "申请人签字：", int(30 * s), (25, 25, 25)))
    return _draw_text(img, items)


@dataclass
class CopyPage:
    image: np.ndarray
    cards: list[np.ndarray]  # corners of each card in page pixels, clockwise from top-left


def a4_copy_with_cards(rng: np.random.Generator, width: int = 1240, tilt: float = 2.0) -> CopyPage:
    """An A4 photocopy holding an ID card's front above its back (grey, at 1:1 scale), slightly crooked."""
    h = int(round(width * A4_MM[1] / A4_MM[0]))
    px_mm = width / A4_MM[0]
    page = np.full((h, width, 3), 248, np.uint8)
    cw = int(round(CARD_MM[0] * px_mm))
    cards = []
    for i, side in enumerate(("front", "back")):
        c = card(rng, side, width=cw, grey=True)
        c = cv2.cvtColor(cv2.cvtColor(c, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        ch = c.shape[0]
        cx = width / 2 + rng.uniform(-30, 30) * px_mm / 10
        cy = h * (0.27 if i == 0 else 0.62)
        ang = rng.uniform(-tilt, tilt)
        rect = ((cx, cy), (cw, ch), ang)
        dst = cv2.boxPoints(rect).astype(np.float32)
        dst = order_clockwise(dst)
        src = np.float32([[-0.5, -0.5], [cw - 0.5, -0.5], [cw - 0.5, ch - 0.5], [-0.5, ch - 0.5]])
        m = cv2.getPerspectiveTransform(src, dst)
        mask = rounded_mask(ch, cw, radius=int(3.2 * px_mm))
        warped = cv2.warpPerspective(c, m, (width, h), flags=cv2.INTER_LINEAR)
        wm = cv2.warpPerspective(mask, m, (width, h), flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255
        page = (page * (1 - wm) + warped * wm).astype(np.uint8)
        # the copier draws the card's outline darker
        cv2.polylines(page, [dst.astype(np.int32)], True, (150, 150, 150), 1, cv2.LINE_AA)
        cards.append(dst)
    page = _draw_text(page, [((int(120 * width / 1240), int(h - 160 * width / 1240)),
                              "此复印件仅供办理个体工商户登记使用（样本）", int(28 * width / 1240), (40, 40, 40))])
    return CopyPage(page, cards)


def rounded_mask(h: int, w: int, radius: int) -> np.ndarray:
    mask = np.zeros((h, w), np.uint8)
    r = max(1, radius)
    cv2.rectangle(mask, (r, 0), (w - 1 - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - 1 - r), 255, -1)
    for cx, cy in ((r, r), (w - 1 - r, r), (w - 1 - r, h - 1 - r), (r, h - 1 - r)):
        cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask


def order_clockwise(pts: np.ndarray) -> np.ndarray:
    """Order 4 points clockwise starting from the top-left (smallest x+y)."""
    pts = np.asarray(pts, np.float32)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # image coordinates: increasing angle is clockwise
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def background(rng: np.random.Generator, kind: str, h: int, w: int) -> np.ndarray:
    """Desk-like backgrounds: wood, dark, light (low contrast to paper), green mat, cloth."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    noise = rng.normal(0, 1, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
    noise = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
    if kind == "wood":
        grain = np.sin((xx + 25 * noise + 8 * np.sin(yy / 60)) / rng.uniform(5, 9))
        base = np.array([50, 95, 150], np.float32)  # BGR brown
        img = base + grain[..., None] * np.array([12, 20, 28], np.float32) + 8 * noise[..., None]
    elif kind == "dark":
        img = np.array([40, 40, 45], np.float32) + 10 * noise[..., None]
    elif kind == "light":
        img = np.array([188, 192, 196], np.float32) + 6 * noise[..., None]
    elif kind == "green":
        img = np.array([70, 120, 60], np.float32) + 8 * noise[..., None]
    else:  # cloth: a checked pattern
        chk = ((xx // 24 + yy // 24) % 2).astype(np.float32)
        img = np.array([120, 90, 160], np.float32) + 30 * chk[..., None] + 6 * noise[..., None]
    img += rng.normal(0, 3, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


@dataclass
class Shot:
    image: np.ndarray
    quads: list[np.ndarray]  # true corners of every document in the frame, clockwise from top-left
    kinds: list[str]
    doc_sizes: list[tuple[int, int]]  # (w, h) of each document's source image
    issues: set[str] = field(default_factory=set)  # quality codes the shot was made to have
    rotation: int = 0  # degrees clockwise needed to make the documents upright


def random_quad(rng: np.random.Generator, frame: tuple[int, int], doc: tuple[int, int], fill: float,
                perspective: float = 0.08, angle: float = 25.0, centre: tuple[float, float] | None = None) -> np.ndarray:
    """Where a pinhole camera (principal point at the frame centre, focal length ~0.8 x the frame
    diagonal, like a phone's main camera) sees a `doc` (w, h) rectangle lying on a desk: turned by up to
    `angle` degrees in the plane, tilted by up to `perspective` radians, covering about `fill` of the
    frame's shorter side, inside the frame. Returns the corners clockwise from the document's top-left."""
    fw, fh = frame
    dw, dh = doc
    f = 0.8 * float(np.hypot(fw, fh))
    ang = np.deg2rad(rng.uniform(-angle, angle))
    tx, ty = rng.uniform(-perspective, perspective, 2)
    cx, cy = centre if centre is not None else (fw / 2 + rng.uniform(-0.05, 0.05) * fw, fh / 2 + rng.uniform(-0.05, 0.05) * fh)
    rz = np.array([[np.cos(ang), -np.sin(ang), 0], [np.sin(ang), np.cos(ang), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(tx), -np.sin(tx)], [0, np.sin(tx), np.cos(tx)]])
    ry = np.array([[np.cos(ty), 0, np.sin(ty)], [0, 1, 0], [-np.sin(ty), 0, np.cos(ty)]])
    rot = ry @ rx @ rz
    corners = np.array([[-dw / 2, -dh / 2, 0], [dw / 2, -dh / 2, 0], [dw / 2, dh / 2, 0], [-dw / 2, dh / 2, 0]], float)
    scale = fill * min(fw / dw, fh / dh)
    for _ in range(200):
        z = f / scale  # distance at which the document spans `scale` pixels per unit
        # aim the document's centre at (cx, cy)
        centre3 = np.array([(cx - fw / 2) * z / f, (cy - fh / 2) * z / f, z])
        p3 = corners @ rot.T + centre3
        pts = np.stack([f * p3[:, 0] / p3[:, 2] + fw / 2, f * p3[:, 1] / p3[:, 2] + fh / 2], axis=1)
        margin = 0.03 * min(fw, fh)
        if (pts.min(axis=0) >= margin).all() and pts[:, 0].max() <= fw - margin and pts[:, 1].max() <= fh - margin:
            break
        scale *= 0.96
    return pts.astype(np.float32)


def place(frame: np.ndarray, doc: np.ndarray, quad: np.ndarray, rounded: bool = False,
          shadow: bool = True) -> np.ndarray:
    """Composite `doc` onto `frame` so that its corners land on `quad` (clockwise from top-left)."""
    h, w = doc.shape[:2]
    # pixel centres sit at integer coordinates: the document's outline runs half a pixel outside them
    src = np.float32([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    m = cv2.getPerspectiveTransform(src, np.float32(quad))
    fh, fw = frame.shape[:2]
    mask = rounded_mask(h, w, int(0.037 * w)) if rounded else np.full((h, w), 255, np.uint8)
    if shadow:
        sm = cv2.warpPerspective(mask, m, (fw, fh))
        sm = cv2.GaussianBlur(sm, (0, 0), 6).astype(np.float32)[..., None] / 255
        sm = np.roll(sm, (6, 5), axis=(0, 1))
        frame = (frame * (1 - 0.35 * sm)).astype(np.uint8)
    warped = cv2.warpPerspective(doc, m, (fw, fh), flags=cv2.INTER_AREA if m[0, 0] < 1 else cv2.INTER_LINEAR)
    wm = cv2.warpPerspective(mask, m, (fw, fh), flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255
    return (frame * (1 - wm) + warped * wm).astype(np.uint8)


def camera(img: np.ndarray, rng: np.random.Generator, noise: float = 2.5, vignette: float = 0.12,
           jpeg: int = 88) -> np.ndarray:
    """Mild camera effects: uneven light, sensor noise, JPEG."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.3, 0.7), h * rng.uniform(0.3, 0.7)
    r = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    light = 1 - vignette * r / r.max()
    out = img.astype(np.float32) * light[..., None] + rng.normal(0, noise, img.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else out


def rotate_cw(img: np.ndarray, deg: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return img if deg % 360 == 0 else cv2.rotate(img, codes[deg % 360])


def card_shot(rng: np.random.Generator, bg: str = "wood", frame: tuple[int, int] = (1600, 1200),
              side: str = "front", fill: float = 0.7, rotation: int = 0, perspective: float = 0.25,
              angle: float = 20.0) -> Shot:
    """A photo of one ID card lying on a desk. `rotation` turns the card on the desk by a quarter turn
    (so `Shot.rotation` is what must be applied to make it upright)."""
    doc = rotate_cw(card(rng, side), (360 - rotation) % 360)
    dh, dw = doc.shape[:2]
    quad = random_quad(rng, frame, (dw, dh), fill, perspective, angle)
    img = place(background(rng, bg, frame[1], frame[0]), doc, quad, rounded=True)
    return Shot(camera(img, rng), [quad], ["id_card"], [(dw, dh)], rotation=rotation)


def page_shot(rng: np.random.Generator, bg: str = "wood", frame: tuple[int, int] = (1500, 2000),
              fill: float = 0.85, rotation: int = 0, copy: bool = False, perspective: float = 0.2,
              angle: float = 10.0) -> Shot:
    """A photo of an A4 page (a text page, or with `copy` a photocopy of an ID card's two sides)."""
    if copy:
        cp = a4_copy_with_cards(rng)
        doc = cp.image
    else:
        doc = a4_page(rng)
    doc = rotate_cw(doc, (360 - rotation) % 360)
    dh, dw = doc.shape[:2]
    quad = random_quad(rng, frame, (dw, dh), fill, perspective, angle)
    img = place(background(rng, bg, frame[1], frame[0]), doc, quad)
    shot = Shot(camera(img, rng), [quad], ["a4"], [(dw, dh)], rotation=rotation)
    if copy and rotation == 0:
        src = np.float32([[-0.5, -0.5], [dw - 0.5, -0.5], [dw - 0.5, dh - 0.5], [-0.5, dh - 0.5]])
        m = cv2.getPerspectiveTransform(src, quad)
        shot.quads = [cv2.perspectiveTransform(c[None], m)[0] for c in cp.cards]
        shot.kinds = ["id_card", "id_card"]
        shot.doc_sizes = [(int(np.linalg.norm(c[1] - c[0])), int(np.linalg.norm(c[3] - c[0]))) for c in cp.cards]
    return shot


def two_cards_shot(rng: np.random.Generator, bg: str = "dark", frame: tuple[int, int] = (2000, 1500)) -> Shot:
    """Front and back of a card lying side by side on a desk."""
    fw, fh = frame
    bgi = background(rng, bg, fh, fw)
    quads = []
    for i, side in enumerate(("front", "back")):
        doc = card(rng, side)
        dh, dw = doc.shape[:2]
        centre = (fw * (0.26 if i == 0 else 0.74), fh / 2 + rng.uniform(-0.1, 0.1) * fh)
        q = random_quad(rng, frame, (dw, dh), 0.4, 0.1, 10.0, centre=centre)
        bgi = place(bgi, doc, q, rounded=True)
        quads.append(q)
    return Shot(camera(bgi, rng), quads, ["id_card", "id_card"], [(dw, dh)] * 2)


# --- degradations (each makes a shot that should raise one quality code) ----------------------


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def motion_blur(img: np.ndarray, length: int, angle: float = 0.0) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    m = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, m, (length, length))
    return cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))


def glare(img: np.ndarray, rng: np.random.Generator, quad: np.ndarray, size: float = 0.25) -> np.ndarray:
    """A specular highlight (saturated, with a soft halo) inside the document."""
    h, w = img.shape[:2]
    c = quad.mean(axis=0) + rng.uniform(-0.15, 0.15, 2) * (quad.max(axis=0) - quad.min(axis=0))
    side = size * float(np.linalg.norm(quad[1] - quad[0]))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = ((xx - c[0]) / side) ** 2 + ((yy - c[1]) / (0.7 * side)) ** 2
    spot = np.exp(-d * 1.2)[..., None] * 2.2
    out = img.astype(np.float32) + spot * 255
    return np.clip(out, 0, 255).astype(np.uint8)


def darken(img: np.ndarray, rng: np.random.Generator, factor: float, noise: float = 4.0) -> np.ndarray:
    out = img.astype(np.float32) * factor + rng.normal(0, noise, img.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def downscale(img: np.ndarray, long_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    s = long_side / max(h, w)
    return cv2.resize(img, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)


def cropped_card_shot(rng: np.random.Generator, bg: str = "wood", out: float = 0.25) -> Shot:
    """A card photo with part of the card (about `out` of its width) outside the frame."""
    frame = (1600, 1200)
    doc = card(rng, "front")
    dh, dw = doc.shape[:2]
    fill = 0.75
    side = rng.choice(["left", "right", "top", "bottom"])
    q = random_quad(rng, frame, (dw, dh), fill, 0.1, 8.0)
    span = q.max(axis=0) - q.min(axis=0)
    if side == "left":
        q[:, 0] -= q[:, 0].min() + out * span[0]
    elif side == "right":
        q[:, 0] += frame[0] - q[:, 0].max() + out * span[0]
    elif side == "top":
        q[:, 1] -= q[:, 1].min() + out * span[1]
    else:
        q[:, 1] += frame[1] - q[:, 1].max() + out * span[1]
    img = place(background(rng, bg, frame[1], frame[0]), doc, q, rounded=True)
    return Shot(camera(img, rng), [q], ["id_card"], [(dw, dh)], issues={"cropped"})


def blank(h: int = 1200, w: int = 1600, value: int = 235) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


def noise_image(rng: np.random.Generator, h: int = 900, w: int = 1200) -> np.ndarray:
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)

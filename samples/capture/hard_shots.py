"""Capture shots that fooled the capture stage (issue 17), drawn several ways, seeded, with ground truth.

- `small_frame`: a card filling a small frame (290 x 182 px, as phone apps and chip-reader kiosks save them);
- `half_card`: part of a card in the frame, tight (a scan or upload cut through the card) or on a desk
  running out of the frame; text runs off the cut side;
- `tight_card`: a whole card turned a little inside a frame its corners touch;
- `faint_copy`: an A4 photocopy holding an ID card's front and back as light-grey cards on white paper
  with faint or no outlines (stacked or side by side), flat or photographed;
- `landscape_shot`: a landscape document (A4 landscape notice, or a licence-like sheet) photographed in
  perspective on a desk.

Cards come from two independent drawers: samples/capture/synthetic.py (`S`) and
samples/generate_idcards.py (`G`, another author's generator with its own fonts, layouts and
backgrounds). Each function takes a numpy Generator and returns a `HardShot`. Load by path like
synthetic.py (see `load()` in tests/pipeline/test_capture_review.py and samples/bench_capture.py).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
SIDES = ("top", "right", "bottom", "left")


def _load(name: str, path: Path):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


S = _load("capture_synthetic", HERE / "synthetic.py")
G = _load("generate_idcards", HERE.parent / "generate_idcards.py") if (HERE.parent / "generate_idcards.py").exists() \
    else None


@dataclass
class HardShot:
    image: np.ndarray
    kind: str  # what the shot is: small_frame, half_card, tight_card, faint_copy, landscape
    sides: tuple[str, ...] = ()  # card sides shown ("front", "back"), in reading order
    fields: list[dict] = field(default_factory=list)  # per card: its fields when known (generator cards)
    quads: list[np.ndarray] = field(default_factory=list)  # true document corners in the frame
    cut: tuple[str, ...] = ()  # sides of the document cut by the frame
    drawer: str = ""  # "synthetic" or "generator"
    rotation: int = 0  # degrees clockwise that turn the document upright


def card_image(rng: np.random.Generator, side: str, drawer: str) -> tuple[np.ndarray, dict]:
    """One card side as BGR with its fields ({} for synthetic.py cards, whose values are random)."""
    if drawer == "generator" and G is not None:
        seed = int(rng.integers(0, 2**31))
        data, truth = G.generate(seed, 1, "clean", sides=(side,))[0]
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), truth["fields"]
    return S.card(rng, side, width=int(rng.integers(820, 1100))), {}


def _drawer(rng: np.random.Generator, drawer: str | None) -> str:
    if drawer:
        return drawer
    return "generator" if G is not None and rng.random() < 0.5 else "synthetic"


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else img


def small_frame(rng: np.random.Generator, size: tuple[int, int] = (290, 182), drawer: str | None = None,
                side: str = "front") -> HardShot:
    """A card that fills a small frame, as saved by phone apps and chip-reader kiosks (JPEG)."""
    drawer = _drawer(rng, drawer)
    img, fields = card_image(rng, side, drawer)
    small = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    w, h = size
    quad = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    return HardShot(_jpeg(small, int(rng.integers(80, 95))), "small_frame", (side,), [fields], [quad], (), drawer)


def half_card(rng: np.random.Generator, drawer: str | None = None, cut: str | None = None,
              on_desk: bool | None = None, side: str = "front") -> HardShot:
    """Part of a card: cut through on one side (right by default in half the shots), keeping 45-70 % of it,
    either as a tight image (a scan or upload cut through the card) or on a desk with the rest of the
    card outside the frame."""
    drawer = _drawer(rng, drawer)
    img, fields = card_image(rng, side, drawer)
    h, w = img.shape[:2]
    cut = cut or ("right" if rng.random() < 0.5 else str(rng.choice(SIDES)))
    keep = rng.uniform(0.45, 0.7)
    on_desk = bool(rng.random() < 0.5) if on_desk is None else on_desk
    if not on_desk:
        x0, y0, x1, y1 = 0, 0, w, h
        if cut == "right":
            x1 = int(w * keep)
        elif cut == "left":
            x0 = int(w * (1 - keep))
        elif cut == "bottom":
            y1 = int(h * keep)
        else:
            y0 = int(h * (1 - keep))
        part = img[y0:y1, x0:x1]
        ph, pw = part.shape[:2]
        quad = np.float32([[-x0, -y0], [w - x0, -y0], [w - x0, h - y0], [-x0, h - y0]])
        return HardShot(_jpeg(part, 90), "half_card", (side,), [fields], [quad], (cut,), drawer)
    frame = (1600, 1200)
    q = S.random_quad(rng, frame, (w, h), 0.8, 0.1, 6.0)
    span = q.max(axis=0) - q.min(axis=0)
    out = 1 - keep
    if cut == "left":
        q[:, 0] -= q[:, 0].min() + out * span[0]
    elif cut == "right":
        q[:, 0] += frame[0] - q[:, 0].max() + out * span[0]
    elif cut == "top":
        q[:, 1] -= q[:, 1].min() + out * span[1]
    else:
        q[:, 1] += frame[1] - q[:, 1].max() + out * span[1]
    bg = str(rng.choice(("wood", "dark", "light", "green")))
    image = S.camera(S.place(S.background(rng, bg, frame[1], frame[0]), img, q, rounded=True), rng)
    return HardShot(image, "half_card", (side,), [fields], [q], (cut,), drawer)


def tight_card(rng: np.random.Generator, drawer: str | None = None, side: str = "front") -> HardShot:
    """A whole card turned 1.5-4 degrees inside a frame that its corners touch (a tight crop of a scan)."""
    drawer = _drawer(rng, drawer)
    img, fields = card_image(rng, side, drawer)
    h, w = img.shape[:2]
    angle = float(rng.uniform(1.5, 4.0)) * (1 if rng.random() < 0.5 else -1)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    corners = cv2.transform(np.float32([[[0, 0], [w, 0], [w, h], [0, h]]]), m)[0]
    lo = corners.min(axis=0)
    m[:, 2] -= lo
    corners -= lo
    fw, fh = (int(np.ceil(v)) for v in corners.max(axis=0))
    paper = np.median(np.concatenate([img[0], img[-1]]), axis=0)
    out = cv2.warpAffine(img, m, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=tuple(float(v) * 0.8 for v in paper))
    return HardShot(_jpeg(out, 92), "tight_card", (side,), [fields], [corners.astype(np.float32)], (), drawer)


def faint_copy(rng: np.random.Generator, drawer: str | None = None, layout: str | None = None,
               photographed: bool | None = None) -> HardShot:
    """An A4 copy (200 dpi) with the front and back of one ID card as light-grey cards on white paper: the
    card's paper 6-22 grey levels darker than the sheet, an outline at most a few levels darker still,
    stacked (front above back) or side by side; flat, or photographed on a desk."""
    drawer = _drawer(rng, drawer)
    layout = layout or ("stacked" if rng.random() < 0.6 else "side_by_side")
    pw, ph = 1654, 2339
    paper = float(rng.uniform(244, 253))
    page = np.full((ph, pw), paper, np.float32)
    tw = float(rng.uniform(620, 700) if layout == "side_by_side" else rng.uniform(680, 900))
    th = tw * 54.0 / 85.6
    quads, fields = [], []
    for i, side in enumerate(("front", "back")):
        img, f = card_image(rng, side, drawer)
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
        # a copier's contrast: the card's paper comes out light grey, its print dark
        card_paper = paper - float(rng.uniform(6, 22))
        bg = float(np.percentile(gray, 75))
        gray = np.clip(card_paper - (bg - gray) * rng.uniform(1.1, 1.5), 0, 255)
        gray = np.where(np.abs(gray - card_paper) < 6, card_paper, gray)  # the guilloche drops out
        if layout == "stacked":
            cx, cy = pw / 2 + rng.uniform(-0.06, 0.06) * pw, ph * (rng.uniform(0.24, 0.3) if i == 0 else rng.uniform(0.6, 0.7))
        else:
            cx, cy = pw * (0.25 if i == 0 else 0.75) + rng.uniform(-10, 10), ph * rng.uniform(0.25, 0.4)
        ang = np.radians(rng.uniform(-2.0, 2.0))
        rect = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]])
        rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
        quad = (rect @ rot.T + [cx, cy]).astype(np.float32)
        ch, cw = gray.shape
        src = np.float32([[-0.5, -0.5], [cw - 0.5, -0.5], [cw - 0.5, ch - 0.5], [-0.5, ch - 0.5]])
        mtx = cv2.getPerspectiveTransform(src, quad)
        small_k = tw / cw
        small = cv2.resize(gray, (max(1, round(cw * small_k)), max(1, round(ch * small_k))), interpolation=cv2.INTER_AREA)
        m_small = cv2.getPerspectiveTransform(src * small_k, quad)
        warped = cv2.warpPerspective(small, m_small, (pw, ph), flags=cv2.INTER_LINEAR, borderValue=paper)
        mask = S.rounded_mask(ch, cw, int(0.037 * cw)).astype(np.float32) / 255
        a = cv2.warpPerspective(mask, mtx, (pw, ph), flags=cv2.INTER_LINEAR)
        page = page * (1 - a) + warped * a
        rim = np.clip(a - cv2.erode(a, np.ones((3, 3), np.uint8)), 0, 1)
        page -= rim * float(rng.uniform(0, 8))  # at most a faint outline
        quads.append(quad)
        fields.append(f)
    page = cv2.GaussianBlur(page, (0, 0), float(rng.uniform(0.4, 0.8)))
    page += rng.normal(0, 1.5, page.shape).astype(np.float32)
    img = cv2.cvtColor(np.clip(page, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    photographed = bool(rng.random() < 0.4) if photographed is None else photographed
    if photographed:
        frame = (1500, 2000)
        q = S.random_quad(rng, frame, (pw, ph), 0.9, 0.12, 6.0)
        m = cv2.getPerspectiveTransform(np.float32([[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5], [-0.5, ph - 0.5]]), q)
        quads = [cv2.perspectiveTransform(qq.reshape(1, 4, 2), m)[0] for qq in quads]
        img = S.camera(S.place(S.background(rng, str(rng.choice(("wood", "dark", "green"))), frame[1], frame[0]),
                               img, q), rng)
    else:
        img = _jpeg(img, 90)
    return HardShot(img, "faint_copy", ("front", "back"), fields, quads, (), drawer)


def landscape_page(rng: np.random.Generator, width: int = 1600) -> np.ndarray:
    """A landscape A4 notice: a title and lines of text running across the long side."""
    h = int(round(width * 210 / 297))
    s = width / 1600
    img = np.full((h, width, 3), 250, np.uint8)
    items = [((int(420 * s), int(90 * s)), "营业执照（副本）样本", int(60 * s), (20, 20, 20))]
    text = S.PARAGRAPH * 3
    start = int(rng.integers(0, len(S.PARAGRAPH)))
    for i in range(14):
        chunk = text[start + i * 40: start + (i + 1) * 40]
        items.append(((int(110 * s), int((230 + i * 58) * s)), chunk, int(32 * s), (25, 25, 25)))
    cv2.rectangle(img, (int(40 * s), int(40 * s)), (width - int(40 * s), h - int(40 * s)), (60, 60, 160), max(2, int(6 * s)))
    return S._draw_text(img, items)


def landscape_shot(rng: np.random.Generator, bg: str | None = None, frame: tuple[int, int] | None = None,
                   sideways: bool | None = None) -> HardShot:
    """A landscape A4 document photographed in perspective on a desk: seen from its bottom edge (tilted
    0.45-0.75 rad about its long axis, so it looks nearly square), lying straight in a landscape frame or
    sideways (turned a quarter, as with a phone held upright) in a portrait frame. `rotation` in the
    truth is what turns the frame's view upright."""
    doc = landscape_page(rng, int(rng.integers(1400, 1800)))
    sideways = bool(rng.random() < 0.5) if sideways is None else sideways
    frame = frame or ((1500, 2000) if sideways else (2000, 1500))
    h, w = doc.shape[:2]
    q = _tilted_quad(rng, frame, (w, h), float(rng.uniform(0.45, 0.75)), 90.0 if sideways else 0.0)
    bg = bg or str(rng.choice(("wood", "dark", "green", "cloth")))
    image = S.camera(S.place(S.background(rng, bg, frame[1], frame[0]), doc, q), rng)
    return HardShot(image, "landscape", (), [{}], [q], (), "synthetic", rotation=270 if sideways else 0)


def _tilted_quad(rng: np.random.Generator, frame: tuple[int, int], doc: tuple[int, int], tilt: float,
                 turn: float) -> np.ndarray:
    """Corners (clockwise from the document's top-left) of a w x h document seen by a pinhole camera,
    turned `turn` (+-4) degrees in the plane, tilted `tilt` rad about its horizontal axis, filling about
    85 % of the frame."""
    fw, fh = frame
    dw, dh = doc
    f = 0.8 * float(np.hypot(fw, fh))
    ang = np.radians(turn + rng.uniform(-4, 4))
    rz = np.array([[np.cos(ang), -np.sin(ang), 0], [np.sin(ang), np.cos(ang), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, np.cos(tilt), -np.sin(tilt)], [0, np.sin(tilt), np.cos(tilt)]])
    corners = np.array([[-dw / 2, -dh / 2, 0], [dw / 2, -dh / 2, 0], [dw / 2, dh / 2, 0], [-dw / 2, dh / 2, 0]], float)
    p3 = corners @ (rz @ rx).T  # tilt about the document's own long axis, then turn in the image plane
    z = 1.3 * max(dw, dh)
    for _ in range(6):  # move the camera until the document fills ~85 % of the frame (focal length fixed)
        pts = np.stack([f * p3[:, 0] / (p3[:, 2] + z), f * p3[:, 1] / (p3[:, 2] + z)], axis=1)
        span = pts.max(axis=0) - pts.min(axis=0)
        z /= 0.85 * min(fw / span[0], fh / span[1])
    centre = (pts.max(axis=0) + pts.min(axis=0)) / 2
    return (pts - centre + [fw / 2, fh / 2]).astype(np.float32)

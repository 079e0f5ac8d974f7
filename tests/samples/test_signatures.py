"""samples/signatures.py: every kind draws what it says, inside its box, the same way for the same seed. No OCR."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "samples"))
import signatures as sg  # noqa: E402

BOX = [100, 60, 500, 200]


def drawn(kind: str, seed: int = 3, frame=None, *, draw: bool = False):
    image = Image.new("RGB", (600, 260), "white")
    truth = sg.draw_signature(ImageDraw.Draw(image) if draw else image, BOX, kind, "陆雨甦", random.Random(seed), frame=frame)
    return np.asarray(image), truth


@pytest.mark.parametrize("kind", sg.KINDS)
def test_each_kind_inks_only_its_box(kind):
    pixels, truth = drawn(kind)
    ink = pixels.min(axis=2) < 200
    assert truth["signed"] is sg.is_signed(kind) and truth["box"] == BOX
    outside = ink.copy()
    outside[BOX[1]:BOX[3] + 1, BOX[0]:BOX[2] + 1] = False
    assert not outside.any()
    inner = ink[BOX[1] + 6:BOX[3] - 6, BOX[0] + 6:BOX[2] - 6]
    if sg.is_signed(kind):
        assert inner.sum() > 400 and truth["ink_box"] is not None
    else:
        assert not inner.any() and truth["ink_box"] is None


def test_fingerprint_and_seal_are_red_and_the_name_is_not():
    for kind in ("name_fingerprint", "seal_over_signature"):
        pixels, _ = drawn(kind)
        r, g, b = (pixels[..., i].astype(int) for i in range(3))
        assert ((r - np.maximum(g, b)) > 60).sum() > 100, kind
    pixels, _ = drawn("brush_name")
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    assert ((r - np.maximum(g, b)) > 60).sum() == 0


def test_same_seed_same_signature_and_draw_objects_accepted():
    a, _ = drawn("scribble", 5)
    b, _ = drawn("scribble", 5, draw=True)
    c, _ = drawn("scribble", 6)
    assert (a == b).all() and not (a == c).all()


def test_frames_and_bad_arguments():
    boxed, _ = drawn("brush_name", frame="box")
    assert (boxed[BOX[1], BOX[0]:BOX[2]] < 100).all()
    with pytest.raises(ValueError):
        drawn("pencil")
    with pytest.raises(ValueError):
        sg.draw_signature(Image.new("RGB", (50, 50)), [0, 0, 4, 4], "scribble", "王伟", random.Random(1))
    assert sg.signature_picture("blank_space", "王伟", random.Random(1)) is None

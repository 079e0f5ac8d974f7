"""Visual regression: every notice kind (and a preview) and the bundle cover, rendered with pdftoppm at 60 dpi
and compared with the approved PNGs in tests/visual/approved/ (a small tolerance for antialiasing).

After a deliberate change of layout, look at the new pages and approve them:

    YICHUANG_APPROVE_VISUALS=1 .venv/bin/python -m pytest tests/visual -p no:cacheprovider

The flag rewrites the approved PNGs instead of comparing; CI never sets it (a test refuses it under CI)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.visual.samples import bundle_content, notice

APPROVED = Path(__file__).resolve().parent / "approved"
APPROVE = os.environ.get("YICHUANG_APPROVE_VISUALS") == "1"
KINDS = ("acceptance", "tolerance", "correction", "refusal", "refusal_decision", "approval", "completion", "commitment")
# A pixel differs when any channel moves by more than PIXEL; a page differs when more than SHARE of its pixels do.
PIXEL, SHARE = 48, 0.004

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (scripts/setup) not installed")


def pages(pdf: bytes, tmp_path: Path, name: str) -> list[Image.Image]:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / name)], check=True, timeout=120)
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob(f"{name}-*.png"))]


def approved(name: str) -> list[Path]:
    return sorted(p for p in APPROVED.glob(f"{name}-p*.png") if re.fullmatch(rf"{re.escape(name)}-p\d+\.png", p.name))


def compare(name: str, rendered: list[Image.Image]) -> None:
    if APPROVE:
        for old in approved(name):
            old.unlink()
        APPROVED.mkdir(exist_ok=True)
        for i, page in enumerate(rendered, 1):
            page.save(APPROVED / f"{name}-p{i}.png", optimize=True)
        return
    paths = approved(name)
    assert len(rendered) == len(paths), f"{name}: {len(rendered)} pages, approved {len(paths)}"
    for i, (page, path) in enumerate(zip(rendered, paths), 1):
        want = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
        got = np.asarray(page, dtype=np.int16)
        assert got.shape == want.shape, f"{name} page {i}: size {got.shape} != {want.shape}"
        share = float((np.abs(got - want).max(axis=2) > PIXEL).mean())
        assert share <= SHARE, f"{name} page {i}: {share:.2%} of pixels differ from {path.name}"


@pytest.mark.parametrize("kind", KINDS)
def test_each_notice_looks_as_approved(kind, tmp_path):
    from validators.notices_pdf import render

    compare(f"notice-{kind}", pages(render(notice(kind)), tmp_path, kind))


def test_a_preview_looks_as_approved(tmp_path):
    from validators.notices_pdf import render

    compare("notice-correction-preview", pages(render(notice("correction", preview=True)), tmp_path, "preview"))


def test_the_bundle_cover_looks_as_approved(tmp_path):
    from storage.bundle.render import Labels, Renderer
    from storage.objects import MemoryStore
    from validators.signatures import Verifier
    from validators.vocabulary import field_label, type_label

    rendered = Renderer(bundle_content(), MemoryStore().get, verifier=Verifier(None),
                        labels=Labels(type_label, field_label, lambda _code: "济宁市政务服务中心（济宁市市场监督管理局）"),
                        signer="CN=济宁市政务服务中心 测试", test_signer=True,
                        generated_at=dt.datetime(2026, 10, 9, 4, tzinfo=dt.timezone.utc)).render()
    compare("bundle-cover", pages(rendered.pdf, tmp_path, "bundle")[:1])


def test_the_comparison_sees_a_changed_line(tmp_path):
    """The tolerance is small enough that one line more or less fails."""
    from validators.notices_pdf import render

    if APPROVE:
        pytest.skip("approving")
    data = notice("correction")
    changed = type(data)(**{**data.__dict__, "problems": data.problems + ("另一项：请补交。",)})
    with pytest.raises(AssertionError):
        compare("notice-correction", pages(render(changed), tmp_path, "changed"))


def test_approving_is_off_in_ci():
    assert not (APPROVE and os.environ.get("CI")), "YICHUANG_APPROVE_VISUALS must not be set in CI"
    assert all(approved(f"notice-{kind}") for kind in KINDS), "approved PNGs are committed"
    assert approved("bundle-cover") and approved("notice-correction-preview")

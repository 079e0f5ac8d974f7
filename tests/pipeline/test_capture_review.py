"""Issue 17, capture part: shots that fooled the capture stage, and the second looks after reading
(pipeline.capture_review): small tight card frames, half cards, tight cards touching the frame, faint-outline
A4 copies, landscape photos.

Shots come from samples/capture/hard_shots.py, which draws cards two ways (samples/capture/synthetic.py and
the independent samples/generate_idcards.py); the small-frame case also uses the real specimen from
../shared/data/real. Tests that run PP-OCR through the whole pipeline are `slow`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline.capture import capture, find_documents
from pipeline.capture_quality import CaptureSettings, cropped_issue
from pipeline.interfaces import SHANGHAI
from pipeline.models import TextLine

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "data" / "real"
AT = dt.datetime(2026, 1, 1, 12, tzinfo=SHANGHAI)


def _load():
    if "hard_shots" in sys.modules:
        return sys.modules["hard_shots"]
    spec = importlib.util.spec_from_file_location("hard_shots", ROOT / "samples" / "capture" / "hard_shots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


H = _load()


def corner_error(found, truth) -> float:
    q = np.asarray(found, np.float64).reshape(4, 2)
    t = np.asarray(truth, np.float64).reshape(4, 2)
    diag = np.linalg.norm(t[2] - t[0])
    return min(float(np.linalg.norm(np.roll(q, k, axis=0) - t, axis=1).mean()) for k in range(4)) / diag


def _codes(quality) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {i.code: (i.severity, i.sides) for i in quality.issues}


def _encode(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


def _run(deps, image: np.ndarray, name: str = "shot.png"):
    from pipeline.runner import make_upload, process

    data = _encode(image)
    return process(make_upload(data, name, AT), data, deps, AT)


@pytest.fixture(scope="module")
def deps(deps_factory):
    return deps_factory()


def _specimen_small() -> np.ndarray:
    path = REAL / "cn_doc_images/idcard/idcard_specimen_rot180.jpeg"
    if not path.exists():
        pytest.skip(f"shared test data not found: {path}")
    upright = cv2.rotate(cv2.imread(str(path)), cv2.ROTATE_180)
    return cv2.resize(upright, (290, 182), interpolation=cv2.INTER_AREA)


# --- cut and partial shots -------------------------------------------------------------------


def test_cropped_issue_names_the_sides_in_chinese():
    issue = cropped_issue("error", {"left", "right"})
    assert issue.sides == ("right", "left") and issue.message == "材料右、左侧未完整拍入画面，请重拍"
    assert cropped_issue("warning", ()).message == "材料边缘可能被裁切，请确认内容完整"


@pytest.mark.parametrize("drawer", ["synthetic", "generator"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_half_a_card_cut_on_the_right_is_coded_cropped_right(drawer, seed):
    shot = H.half_card(np.random.default_rng([seed, 17]), drawer=drawer, cut="right", on_desk=False)
    [(_, _, quality, _)] = capture(shot.image, None)
    severity, sides = _codes(quality)["cropped"]
    assert "right" in sides and severity in ("warning", "error")


@pytest.mark.parametrize("cut", ["left", "right", "top", "bottom"])
def test_a_card_running_out_of_the_frame_is_a_cropped_error_naming_that_side(cut):
    shot = H.half_card(np.random.default_rng([4, len(cut)]), drawer="synthetic", cut=cut, on_desk=True)
    results = capture(shot.image, None)
    found = [_codes(q).get("cropped") for _, _, q, _ in results]
    assert any(f is not None and f[0] == "error" and cut in f[1] for f in found), found


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 6])
def test_half_a_card_is_not_ok_after_reading(deps, seed):
    shot = H.half_card(np.random.default_rng([seed, 17]), drawer="generator", cut="right", on_desk=False)
    [doc] = _run(deps, shot.image)
    assert not doc.quality.ok
    [issue] = [i for i in doc.quality.issues if i.code == "cropped"]
    assert issue.severity == "error" and "right" in issue.sides
    assert "id_number" not in doc.fields


def test_a_tight_card_touching_the_frame_is_flagged_by_capture():
    shot = H.tight_card(np.random.default_rng(7), drawer="synthetic")
    [(_, _, quality, region)] = capture(shot.image, None)
    assert region.kind == "id_card" and corner_error(region.quad, shot.quads[0]) < 0.01
    assert _codes(quality)["cropped"][0] == "error"  # until the reading shows the card is whole


@pytest.mark.slow
@pytest.mark.parametrize("seed", [8, 9])
def test_a_tight_card_with_every_field_read_is_not_an_error(deps, seed):
    shot = H.tight_card(np.random.default_rng(seed), drawer="generator")
    [doc] = _run(deps, shot.image)
    assert doc.type == "id_card_front"
    assert {k: v.value for k, v in doc.fields.items()} == shot.fields[0]
    assert doc.quality.ok, doc.quality.issues
    assert [i.severity for i in doc.quality.issues if i.code == "cropped"] == ["info"]


# --- never worse than bare OCR ---------------------------------------------------------------


class _WholeCardOnly:
    """Reads a card front only from an image at least 500 px wide (the straightened whole frame); a small
    crop (the portrait) reads as one stray character. Counts its calls."""

    name = "fake-whole-card"

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def read(self, image):
        from tests.fakes import FixedEngine

        self.calls.append(image.shape[:2])
        if image.shape[1] >= 500:
            return FixedEngine().read(image)
        return [TextLine(text="男", score=0.6, box=(2.0, 2.0, 20.0, 20.0))]

    def orientation(self, crops):
        return [(0, 1.0) for _ in crops]


def _fake_deps(engine):
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks

    return Dependencies(engine=engine, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds(),
                        capture=CaptureSettings())


def test_a_crop_without_a_document_type_is_compared_with_the_whole_frame():
    image = _specimen_small()
    [(_, cap, _, _)] = capture(image, None)
    crop = np.asarray(cap.crop)
    assert crop[:, 0].max() - crop[:, 0].min() < 150  # from pixels alone the portrait's outline wins
    engine = _WholeCardOnly()
    [doc] = _run(_fake_deps(engine), image, "kiosk.jpg")
    assert len(engine.calls) == 2 and engine.calls[1][1] >= 500  # the crop, then the whole frame
    assert doc.type == "id_card_front" and doc.fields["id_number"].value == "110105199003071239"
    assert doc.capture.read_from == "frame" and doc.capture.frame_compared
    assert doc.capture.crop == ((0.0, 0.0), (290.0, 0.0), (290.0, 182.0), (0.0, 182.0))


def test_a_crop_that_reads_as_a_type_is_read_once():
    from tests.fakes import FixedEngine

    class Counting(FixedEngine):
        calls = 0

        def read(self, image):
            Counting.calls += 1
            return super().read(image)

    shot = H.S.card_shot(np.random.default_rng(3), "dark")
    [doc] = _run(_fake_deps(Counting()), shot.image)
    assert Counting.calls == 1 and doc.type == "id_card_front"
    assert doc.capture.read_from == "crop" and not doc.capture.frame_compared


@pytest.mark.slow
def test_a_small_real_card_frame_is_read_as_a_whole_frame(deps):
    [doc] = _run(deps, _specimen_small(), "kiosk.jpg")
    assert doc.type == "id_card_front"
    assert doc.fields["id_number"].value == "430512198908131367"
    assert doc.fields["name"].value == "代用名"
    whole = doc.capture.crop == ((0.0, 0.0), (290.0, 0.0), (290.0, 182.0), (0.0, 182.0))
    assert whole and (doc.capture.read_from == "frame" or not doc.capture.frame_compared)
    assert not any(i.code == "blur" and i.severity == "error" for i in doc.quality.issues)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [10, 11])
def test_small_drawn_card_frames_read_their_id_numbers(deps, seed):
    shot = H.small_frame(np.random.default_rng(seed), drawer="generator")
    [doc] = _run(deps, shot.image, "kiosk.jpg")
    assert doc.fields["id_number"].value == shot.fields[0]["id_number"]
    assert doc.capture.read_from == "crop" and not doc.capture.frame_compared  # read once


def test_a_card_shaped_frame_without_an_outline_is_one_card_and_not_searched_for_a_split(monkeypatch):
    """A kiosk's tight card image: two documents cannot share a frame of a card's exact shape, so the
    split passes (which upscale a small frame several times) are not run on it."""
    from pipeline import capture as C

    def no_split(*args, **kwargs):
        raise AssertionError("a split was searched for on a card-shaped frame")

    monkeypatch.setattr(C, "_split_cards", no_split)
    monkeypatch.setattr(C, "_split_by_text", no_split)
    for seed, size in ((10, (290, 182)), (11, (320, 202))):
        shot = H.small_frame(np.random.default_rng(seed), size=size, drawer="generator")
        [region] = find_documents(shot.image)
        assert region.kind == "id_card" and region.image.shape[:2] == (631, 1000)
        assert corner_error(region.quad, shot.quads[0]) < 0.01


# --- several documents on a page -------------------------------------------------------------


@pytest.mark.parametrize("drawer", ["synthetic", "generator"])
@pytest.mark.parametrize(("seed", "layout", "photographed"),
                         [(12, "stacked", False), (13, "side_by_side", False), (14, "stacked", True)])
def test_a_faint_outline_copy_is_split_into_front_and_back(drawer, seed, layout, photographed):
    shot = H.faint_copy(np.random.default_rng(seed), drawer=drawer, layout=layout, photographed=photographed)
    regions = find_documents(shot.image)
    assert [r.kind for r in regions] == ["id_card", "id_card"]
    for region, truth in zip(regions, shot.quads, strict=True):
        assert corner_error(region.quad, truth) < 0.08


def test_a_text_page_with_paragraphs_is_not_split_by_its_text_blocks():
    page = H.S.a4_page(np.random.default_rng(15))
    page[900:1100] = 250  # a blank gap between two paragraphs
    [region] = find_documents(page)
    assert region.kind == "a4"


@pytest.mark.slow
def test_a_faint_outline_copy_gives_a_front_and_a_back_document(deps):
    shot = H.faint_copy(np.random.default_rng(16), drawer="generator", layout="stacked", photographed=False)
    docs = _run(deps, shot.image, "copy.png")
    assert sorted(d.type for d in docs) == ["id_card_back", "id_card_front"]
    [front] = [d for d in docs if d.type == "id_card_front"]
    assert front.fields["id_number"].value == shot.fields[0]["id_number"]
    assert all(d.region is not None for d in docs)


# --- landscape stays landscape ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [18, 19, 20, 21])
@pytest.mark.parametrize("sideways", [False, True])
def test_a_landscape_page_seen_from_its_edge_keeps_its_aspect(seed, sideways):
    shot = H.landscape_shot(np.random.default_rng(seed), sideways=sideways)
    [(image, cap, _, region)] = capture(shot.image, None, CaptureSettings())
    h, w = image.shape[:2]
    assert w > h and abs(w / h / (297 / 210) - 1) < 0.06, (w, h)
    assert cap.rotation in (0, 180) if not sideways else cap.rotation in (90, 270)
    assert corner_error(region.quad, shot.quads[0]) < 0.01


class _PortraitPageOnly:
    """Reads a licence only from a portrait image (the whole A4 frame); a landscape region reads as a stray mark."""

    name = "fake-portrait-page"

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def read(self, image):
        h, w = image.shape[:2]
        self.calls.append((h, w))
        if h <= w:
            return [TextLine(text="口", score=0.6, box=(2.0, 2.0, 30.0, 30.0))]
        rows = ["统一社会信用代码", "92652324MA26KWAR73", "营业执照", "名称", "玛纳斯县福瑞早餐店", "类型", "个体工商户",
                "经营者", "彭海阳", "注册日期", "2020年05月02日", "经营场所", "新疆维吾尔自治区玛纳斯县永丰镇张庄村5组27号",
                "登记机关"]
        big = {"营业执照"}
        return [TextLine(text=t, score=0.99, box=(0.12 * w, 0.05 * h + 0.06 * h * i,
                                                   0.12 * w + (0.09 if t in big else 0.025) * w * len(t),
                                                   0.05 * h + 0.06 * h * i + (0.06 if t in big else 0.02) * h))
                for i, t in enumerate(rows)]

    def orientation(self, crops):
        return [(0, 1.0) for _ in crops]


def test_a_page_split_into_regions_that_no_type_recognises_is_read_as_its_whole_frame():
    """A clean 个体工商户 licence page whose boxed parts capture took for cards on a copy (seed 3030, the second
    standard licence of samples/generate_layouts.py): the regions read as nothing, the frame as a licence."""
    from tests.conftest import load_sample_module

    gd, gl = load_sample_module("generate_documents"), load_sample_module("generate_layouts")
    [(data, _truth)] = gd.page_images(3030, 1, "business_licence", "clean", rendered=gl.render(3030, 1, "business_licence", "standard"))
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert len(find_documents(image)) > 1  # from pixels alone the page is split
    engine = _PortraitPageOnly()
    [doc] = _run(_fake_deps(engine), image, "licence.png")
    assert doc.type == "business_licence" and doc.fields["credit_code"].value == "92652324MA26KWAR73"
    assert doc.region is None and doc.capture.read_from == "frame"

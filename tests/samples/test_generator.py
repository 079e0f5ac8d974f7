"""The synthetic ID card generator (samples/generate_idcards.py): determinism, valid numbers and dates,
truth that matches the pixels. Fast: no OCR."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
import random
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_idcards", SAMPLES / "generate_idcards.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gen = _load_generator()

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUTH_KEYS = {"type", "variant", "seed", "card_id", "reference_date", "fields", "boxes", "corners", "rotation",
              "orientation", "distortions", "expected_quality", "regions", "image_size"}


def check_char(first17: str) -> str:
    """Written out here again so the test does not trust the generator's own arithmetic."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def people(n=300):
    return [gen.make_person(random.Random(i), expired=i % 7 == 0) for i in range(n)]


def size_of(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def inside(points, w, h, slack=0.5) -> bool:
    return all(-slack <= x <= w + slack and -slack <= y <= h + slack for x, y in points)


def test_check_character_matches_the_standard_examples():
    assert gen.id_check_char("11010519900307123") == "9"
    assert gen.id_check_char("11010519491231002") == "X"
    assert gen.id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("variant", gen.VARIANTS)
def test_same_seed_gives_the_same_bytes_and_truth(variant):
    first = gen.generate(5, 1, variant)
    again = gen.generate(5, 1, variant)
    assert [d for d, _ in first] == [d for d, _ in again]
    assert [t for _, t in first] == [t for _, t in again]
    other = gen.generate(6, 1, variant)
    assert [d for d, _ in first] != [d for d, _ in other]


def test_people_are_the_same_in_every_variant():
    clean = gen.generate(9, 2, "clean", sides=("front",))
    camera = gen.generate(9, 2, "camera", sides=("front",))
    assert [t["fields"] for _, t in clean] == [t["fields"] for _, t in camera]


def test_every_id_number_is_valid_and_agrees_with_the_other_fields():
    for p in people():
        number = p["id_number"]
        assert re.fullmatch(r"\d{17}[\dX]", number)
        assert number[17] == check_char(number[:17])
        assert ric.is_valid(number), number  # also: address code already existed in the birth year
        assert number[6:14] == p["birth_date"].replace("-", "")
        assert (int(number[16]) % 2 == 1) == (p["sex"] == "男")
        assert number[:6] == p["address_code"]
        assert p["address"].startswith(p["place"].prefix)
        assert p["issuing_authority"].endswith(("公安局", "分局"))
        assert 2 <= len(p["name"]) <= 3


def test_validity_length_follows_age_at_issue():
    seen = set()
    assert any(p["birth_date"][8:] > "28" for p in people())  # any birth day; only issue days stop at 28
    for p in people():
        birth = dt.date.fromisoformat(p["birth_date"])
        start = dt.date.fromisoformat(p["valid_from"])
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        expected = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
        if expected is None:
            assert p["valid_until"] == "长期"
        else:
            assert p["valid_until"] == start.replace(year=start.year + expected).isoformat()
        seen.add(expected)
        assert birth < start < gen.REFERENCE_DATE
    assert seen == {5, 10, 20, None}


def test_expired_flag_is_relative_to_the_reference_date():
    for i in range(60):
        current = gen.make_person(random.Random(i))
        assert current["valid_until"] == "长期" or current["valid_until"] > gen.REFERENCE_DATE.isoformat()
        old = gen.make_person(random.Random(i), expired=True)
        assert old["valid_until"] < gen.REFERENCE_DATE.isoformat()


def test_names_include_rare_characters_every_font_pool_can_render():
    names = [p["name"] for p in people()]
    rare = [n for n in names if set(n) & set(gen.RARE_GIVEN)]
    assert 0.1 < len(rare) / len(names) < 0.4
    assert all(gen._fonts.has_glyphs(gen._fonts.covering("noto_sans", n), n) for n in names)
    for key in gen._fonts.available(gen.VALUE_FONTS):  # a font without a glyph falls back to one with it
        assert all(gen._fonts.has_glyphs(gen._fonts.covering(key, n), n) for n in rare)


def _check_truth(truth, data, variant):
    assert set(truth) >= TRUTH_KEYS
    assert truth["variant"] == variant
    assert list(size_of(data)) == truth["image_size"]
    assert truth["orientation"] in (0, 90, 180, 270)
    assert set(truth["expected_quality"]) <= set(gen.QUALITY_CODES.values())
    json.loads(gen.truth_json(truth))
    regions = truth["regions"] if variant == "a4_copy" else [truth]
    for region in regions:
        fields = region["fields"]
        if region["type"] == "id_card_front":
            assert set(fields) == set(gen.FRONT_FIELDS)
            assert ISO.match(fields["birth_date"]) and "\n" not in fields["address"]
        else:
            assert region["type"] == "id_card_back"
            assert set(fields) == set(gen.BACK_FIELDS)
            assert ISO.match(fields["valid_from"])
            assert fields["valid_until"] == "长期" or ISO.match(fields["valid_until"])
        assert all(v for v in fields.values())
        assert set(region["boxes"]) == set(fields)


@pytest.mark.parametrize("variant", gen.VARIANTS)
def test_truth_is_complete_and_points_lie_inside_the_image(variant):
    items = gen.generate(3, 2, variant)
    assert len(items) == (2 if variant == "a4_copy" else 4)
    for data, truth in items:
        _check_truth(truth, data, variant)
        w, h = truth["image_size"]
        if variant == "a4_copy":
            assert truth["type"] == "a4_copy" and truth["corners"] is None
            assert [r["type"] for r in truth["regions"]] == ["id_card_front", "id_card_back"]
            quads = [r["quad"] for r in truth["regions"]] + [q for r in truth["regions"] for q in r["boxes"].values()]
        else:
            assert len(truth["corners"]) == 4
            quads = [truth["corners"], *truth["boxes"].values()]
        for quad in quads:
            assert inside(quad, w, h), (truth["card_id"], quad)
    if variant == "camera":
        assert all(600 * 0.9 < _top_edge(t) < 900 * 1.05 for _, t in items)
        assert all(d.startswith(b"\xff\xd8") for d, _ in items)
    else:
        assert all(d.startswith(b"\x89PNG") for d, _ in items)


def _top_edge(truth) -> float:
    (x0, y0), (x1, y1) = truth["corners"][:2]
    return ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5


def test_clean_cards_have_the_id1_aspect():
    for data, truth in gen.generate(4, 2, "clean"):
        w, h = size_of(data)
        assert 1000 <= w <= 1300 and abs(w / h - 85.6 / 54) < 0.01
        assert truth["corners"] == [[0, 0], [w, 0], [w, h], [0, h]]


@pytest.mark.parametrize("distortion", sorted(gen.QUALITY_CODES))
def test_strong_distortions_are_expected_quality_findings(distortion):
    (data, truth), = gen.generate(8, 1, "camera", sides=("front",), distortions=[distortion])
    assert truth["expected_quality"] == [gen.QUALITY_CODES[distortion]]
    assert distortion in truth["distortions"]
    w, h = truth["image_size"]
    if distortion == "cut_off":
        assert not inside(truth["corners"], w, h)
    else:
        assert inside(truth["corners"], w, h)
    if distortion == "low_resolution":
        assert _top_edge(truth) < 300


def test_mild_captures_expect_no_quality_findings():
    assert all(t["expected_quality"] == [] for _, t in gen.generate(2, 3, "camera"))


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_orientation_turns_the_image_and_its_points(turn):
    (upright, t0), = gen.generate(4, 1, "camera", sides=("back",))
    (turned, t1), = gen.generate(4, 1, "camera", sides=("back",), orientation=turn)
    w, h = t0["image_size"]
    assert t1["image_size"] == ([h, w] if turn in (90, 270) else [w, h])
    assert t1["orientation"] == turn and "orientation" in t1["distortions"] and t1["expected_quality"] == []
    expected = {90: lambda x, y: (h - y, x), 180: lambda x, y: (w - x, h - y), 270: lambda x, y: (y, w - x)}[turn]
    for (x, y), (x1, y1) in zip(t0["corners"], t1["corners"]):
        ex, ey = expected(x, y)
        assert abs(ex - x1) < 0.2 and abs(ey - y1) < 0.2
    # Turning the stored image back (counter-clockwise) gives the upright picture again.
    a = np.asarray(Image.open(io.BytesIO(upright)).convert("L"), np.float32)
    b = np.asarray(Image.open(io.BytesIO(turned)).convert("L").rotate(turn, expand=True), np.float32)
    assert a.shape == b.shape and np.abs(a - b).mean() < 3


def test_hard_shots_are_turned_keystoned_glared_and_smaller():
    plain = gen.generate(6, 6, "camera", sides=("front",))
    hard = gen.generate(6, 6, "camera", sides=("front",), hard=True)
    for (_, p), (data, t) in zip(plain, hard, strict=True):
        assert p["fields"] == t["fields"]  # the same people, photographed harder
        assert 10 <= abs(t["rotation"]) <= 15
        assert {"hard", "glare", "rotation"} <= set(t["distortions"]) and t["expected_quality"] == []
        w, h = t["image_size"]
        assert inside(t["corners"], w, h)
        (a, b, c, d) = np.asarray(t["corners"], float)
        top, bottom = np.linalg.norm(b - a), np.linalg.norm(c - d)
        assert 600 * 0.6 * 0.9 < max(top, bottom) < 900 * 0.6 * 1.05
        left, right = np.linalg.norm(d - a), np.linalg.norm(c - b)
        assert max(max(top, bottom) / min(top, bottom), max(left, right) / min(left, right)) > 1.08  # keystone
    assert "hard" not in {d for _, p in plain for d in p["distortions"]}
    with pytest.raises(ValueError):
        gen.generate(1, 1, "clean", hard=True)


def test_random_distortions_draw_from_the_optional_list():
    items = gen.generate(12, 6, "camera", sides=("front",), random_distortions=1.0)
    for _, truth in items:
        extra = set(truth["distortions"]) & set(gen.OPTIONAL_DISTORTIONS)
        assert len(extra) == 1


def test_unknown_or_unsupported_distortions_are_refused():
    with pytest.raises(ValueError):
        gen.generate(1, 1, "camera", distortions=["smudge"])
    with pytest.raises(ValueError):
        gen.generate(1, 1, "clean", distortions=["blur_strong"])


def test_render_functions_return_card_images():
    person = gen.make_person(random.Random(3))
    style = gen.make_style(random.Random(3), width=1100)
    front = gen.render_front(person, random.Random(1), style)
    back = gen.render_back(person, random.Random(1), style)
    assert front.size == back.size == (1100, round(1100 * 54 / 85.6))


def test_cli_writes_an_image_and_its_truth_per_card(tmp_path):
    assert gen.main(["--seed", "2", "--count", "1", "--variant", "clean", "--out", str(tmp_path), "--by-type"]) == 0
    front = sorted((tmp_path / "id_card_front").iterdir())
    back = sorted((tmp_path / "id_card_back").iterdir())
    assert [p.suffix for p in front] == [".json", ".png"] and [p.suffix for p in back] == [".json", ".png"]
    truth = json.loads(front[0].read_text(encoding="utf-8"))
    assert truth["type"] == "id_card_front" and truth["seed"] == 2


def test_committed_samples_have_truth_next_to_them():
    for folder in ("id_card_front", "id_card_back", "a4_copies"):
        images = [p for p in (SAMPLES / folder).glob("*") if p.suffix in (".png", ".jpg")]
        assert images, folder
        for image in images:
            truth = json.loads(image.with_suffix(".json").read_text(encoding="utf-8"))
            assert list(Image.open(image).size) == truth["image_size"]

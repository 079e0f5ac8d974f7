"""The confidence calibration: smoothed isotonic blocks, no certainty the data cannot show, and no more
confidence than the engine's own score below the calibrated range."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.confidence import Calibrator, Curve

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "samples"))
from calibrate import fit_curve  # noqa: E402


def test_a_class_never_wrong_is_not_certain():
    curve = fit_curve([(0.9 + i / 1000, 1) for i in range(98)])
    assert curve["y"][-1] == round(99 / 100, 4)
    assert Curve(tuple(curve["x"]), tuple(curve["y"]))(0.95) == 0.99


def test_low_scores_map_to_their_observed_rate_and_the_curve_rises():
    points = [(0.5 + i / 200, 0) for i in range(20)] + [(0.9 + i / 1000, 1) for i in range(80)]
    curve = fit_curve(points)
    assert curve["y"] == sorted(curve["y"])
    assert curve["y"][0] == round(1 / 22, 4) and curve["y"][-1] == round(81 / 82, 4)


def test_below_the_calibrated_range_the_raw_score_caps_the_confidence():
    calibrator = Calibrator({"id_number": Curve((0.8, 1.0), (0.98, 0.99))})
    assert calibrator("id_number", 0.5) == 0.5
    assert calibrator("id_number", 0.8) == 0.98
    assert calibrator("id_number", 0.9) == 0.985
    assert calibrator("unknown_class", 0.7) == 0.7


def test_the_shipped_calibration_covers_every_field_class_and_stays_below_one():
    calibrator = Calibrator.shipped()
    assert {"id_number", "name", "date", "code", "text", "enum"} <= set(calibrator.classes())
    assert all(calibrator(c, 1.0) < 1.0 for c in calibrator.classes())
    assert calibrator.meta["synthetic"] is True

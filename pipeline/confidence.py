"""Calibrated confidence: the probability that a normalised field value is exactly right.

The raw signal is the OCR engine's score of the text the value was read from (never the result of a check
on the value: a failed checksum must not make a reading look uncertain, or it could never be an error).
Per field class, an isotonic mapping raw -> probability is fitted on a seeded generated set held apart from
tuning (samples/calibrate.py) and shipped as package data (pipeline/calibration.json). Each block's rate is a
smoothed (right + 1) / (n + 2), so a class never wrong in calibration still is not certain; a raw score below
the calibrated range is capped by itself. The calibration is synthetic; the README says so.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Curve:
    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def __call__(self, raw: float) -> float:
        if not self.xs:
            return raw
        if raw < self.xs[0]:
            return min(self.ys[0], raw)  # below anything seen in calibration: no more than the engine's own score
        if raw == self.xs[0]:
            return self.ys[0]
        if raw >= self.xs[-1]:
            return self.ys[-1]
        i = bisect.bisect_right(self.xs, raw)
        x0, x1, y0, y1 = self.xs[i - 1], self.xs[i], self.ys[i - 1], self.ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


class Calibrator:
    def __init__(self, curves: dict[str, Curve], meta: dict | None = None) -> None:
        self._curves = curves
        self.meta = meta or {}

    @classmethod
    def shipped(cls) -> "Calibrator":
        try:
            text = resources.files("pipeline").joinpath("calibration.json").read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls({})
        data = json.loads(text)
        curves = {name: Curve(tuple(c["x"]), tuple(c["y"])) for name, c in data.get("classes", {}).items()}
        return cls(curves, data.get("meta"))

    def __call__(self, field_class: str, raw: float) -> float:
        curve = self._curves.get(field_class)
        return round(float(curve(raw) if curve else raw), 4)

    def classes(self) -> list[str]:
        return sorted(self._curves)

"""Calibrated confidence: the probability that a normalised field value is exactly right.

The raw signal is the OCR engine's score of the text the value was read from, times the support of how the
value was found (`support`): a value read beside its own label counts in full; one found only by a page-wide
search, under a label instead of beside it, of a doubtful shape, or contradicted by a second reading of the
same page counts less. Never the result of a check on the value (a check digit, a region code): a failed
checksum must not make a reading look uncertain, or it could never be an error.
Per field class, an isotonic mapping raw -> probability is fitted on a seeded generated set held apart from
tuning (samples/calibrate.py) and shipped as package data (pipeline/calibration.json). Each block's rate is a
smoothed (right + 1) / (n + 2), so a class never wrong in calibration still is not certain; a raw score below
the calibrated range is capped by itself. The calibration is synthetic; the README says so.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.models import FieldValue


# How a value was found -> the factor on its raw score. Fitted by eye on the tuning layouts' misses, then the
# isotonic curves below map the product to a probability, so only the order of these factors matters much.
COMPETING = 0.8  # two readings of the page (geometry and wording) disagree
SEARCHED = 0.85  # not beside any label: found by its shape alone somewhere on the page
BELOW = 0.97  # under its label rather than beside it
ODD_SHAPE = 0.8  # read, but of an unusual shape for its class (a 5-character name, a 1-character address)
LAYOUT_UNMATCHED = 0.85  # none of the type's printed labels on its pages: the layout matched no known form
MATCHED_SHARE = 0.4  # this share of the type's declared anchors found counts as a known form in full


def support(raw: float, *factors: float) -> float:
    """The raw score times the factors of how the value was found, as extractors record it."""
    value = raw
    for factor in factors:
        value *= factor
    return round(value, 4)


def layout_factor(found: int, declared: int) -> float:
    """How far a document's pages matched a known form of its type: `found` of the `declared` anchors (its printed
    labels and set words, DocumentType.anchors) occur on them. MATCHED_SHARE or more counts in full (a type
    declares the labels of all its designs, 法定代表人 and 经营者, 委托期限 and 有效期限, so no one paper shows them
    all); below, the factor falls linearly to LAYOUT_UNMATCHED with none found. A type that declares no anchors
    is not judged."""
    if declared <= 0:
        return 1.0
    share = min(1.0, found / declared / MATCHED_SHARE)
    return round(LAYOUT_UNMATCHED + (1.0 - LAYOUT_UNMATCHED) * share, 4)


# How an organisation's name ends (企业名称: place + trade name + trade + organisational form; shops, works,
# co-operatives, offices and institutions the same way), optionally with a form in brackets (（普通合伙）,
# （个体工商户）): the organisational words, not any list of names. Longest first.
_ORGANISATION_FORMS = tuple(sorted((
    "有限责任公司 股份有限公司 有限公司 分公司 公司 集团 合作社 联合社 个体工商户 事务所 门诊部 诊所 研究所 中心 商店 超市 商行 "
    "药房 药店 工作室 学校 银行 支行 分行 协会 基金会 委员会 政府 厂 店 铺 坊 馆 行 部 社 院 所 站 室 场 园 厅 楼 庄 城 吧 屋 "
    "堂 处 局 校 会").split(), key=len, reverse=True))
_BRACKETED = re.compile(r"(.*?)[（(]([\u4e00-\u9fff]{2,8})[)）]")
_ORGANISATION_CHARS = re.compile(r"[\u4e00-\u9fff0-9（）()]+")


def is_organisation_name(text: str) -> bool:
    """A plausible organisation name by its shape: Chinese characters (digits and brackets allowed), 4 to 60
    long, ending in an organisational form (公司, 有限公司, 厂, 店, 中心, 合作社, （个体工商户）…) after at least
    two characters of its own (有限公司 alone is a form, not a name)."""
    if not 4 <= len(text) <= 60 or not _ORGANISATION_CHARS.fullmatch(text):
        return False
    core = text
    if m := _BRACKETED.fullmatch(text):  # a trailing qualifier: （普通合伙）, or the form itself: （个体工商户）
        if m.group(2) in _ORGANISATION_FORMS:
            return len(m.group(1)) >= 2
        core = m.group(1)
    form = next((f for f in _ORGANISATION_FORMS if core.endswith(f)), None)
    return form is not None and len(core) - len(form) >= 2


def shape_factor(field_class: str, value: object) -> float:
    """ODD_SHAPE when a value is of an unusual shape for its class: length and character set, and for a date
    or an ID number's birth digits a real calendar date. Shape only: no check digit, no region table. A name
    is of a person (2 to 4 characters, a minority name with its middle dot, several joined with 、) or of an
    organisation (`is_organisation_name`): the class holds both."""
    text = str(value)
    ok = True
    if field_class == "name":
        ok = (2 <= len(text) <= 4 or ("·" in text and len(text) <= 20) or "、" in text
              or is_organisation_name(text))
    elif field_class == "id_number":
        ok = bool(re.fullmatch(r"\d{17}[\dX]", text)) and _real_date(text[6:10], text[10:12], text[12:14])
    elif field_class == "code":
        ok = bool(re.fullmatch(r"[0-9A-Z]{18}|1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", text))
    elif field_class == "date":
        ok = text == "长期" or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
    elif field_class == "text":  # a value cut short at a line's end often loses its closing bracket
        ok = len(text) >= 2 and _brackets_closed(text)
    return 1.0 if ok else ODD_SHAPE


def _brackets_closed(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += 1 if ch in "（(" else -1 if ch in ")）" else 0
        if depth < 0:
            return False
    return depth == 0


def _real_date(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return 1900 <= int(year) <= 2099


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

    def __call__(self, field_class: str, raw: float, value: object = None) -> float:
        """The probability that a value of `field_class` read at `raw` support is exactly right; with the value,
        its shape counts too (`shape_factor`)."""
        if value is not None:
            raw = raw * shape_factor(field_class, value)
        curve = self._curves.get(field_class)
        return round(float(curve(raw) if curve else raw), 4)

    def classes(self) -> list[str]:
        return sorted(self._curves)


# --- the confidence rule ------------------------------------------------------------------------

UNCERTAIN = "（识别置信度不足，请人工核对）"  # added to a finding the rule turned from an error into a warning


def is_uncertain(value: "FieldValue | None", threshold: float) -> bool:
    """A value read below its class's threshold. A person's correction is certain; an absent value is not
    uncertain (the check that needs it says so itself)."""
    return value is not None and value.source != "person" and value.confidence < threshold


def judged(severity: str, message: str, uncertain: bool) -> tuple[str, str]:
    """docs/architecture.md's confidence rule, the one place it is written: a failed check or rule is an `error`
    only when every value involved is certain (at or above its threshold, or confirmed by a second reading);
    otherwise a `warning` for a person to look at, so that an OCR misread never sends a citizen home.
    `uncertain`: some value involved is not. Called by pipeline/stages.to_finding and validators/assess.py."""
    if severity == "error" and uncertain:
        return "warning", message + UNCERTAIN
    return severity, message

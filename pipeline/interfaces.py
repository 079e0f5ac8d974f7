"""Interfaces the stages depend on. Implementations live at the edges (storage/, validators/, workers/).

Stages receive these as explicit arguments; they never build them and never read settings.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import numpy as np

    from pipeline.models import SignatureResult, TextLine

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- OCR ------------------------------------------------------------------------------------


@runtime_checkable
class OcrEngine(Protocol):
    """Reads text lines from a BGR uint8 image. Built once per process; must be thread-safe enough
    for one caller at a time."""

    name: str

    def read(self, image: "np.ndarray") -> list["TextLine"]: ...

    def read_as_is(self, image: "np.ndarray") -> list["TextLine"]:
        """`read` at the image's own scale: a small image is not enlarged to the detector's working size (a crop
        of a page whose print is already at reading size)."""
        ...

    def orientation(self, crops: list["np.ndarray"]) -> list[tuple[int, float]]:
        """For upright-cut text-line crops, (0 or 180, score) each: PP-OCR's text-direction classifier."""
        ...

    def recognize(self, crops: list["np.ndarray"]) -> list[tuple[str, float]]:
        """For upright crops that each hold one line of text, (text, score) each: recognition alone, without
        looking for the lines first (a seal's unrolled rim, whose place is already known)."""
        ...


# --- object store ---------------------------------------------------------------------------


class ObjectStore(Protocol):
    """Content-addressed store: `put` returns a key derived from the bytes; the same bytes give the
    same key; an existing object is never overwritten."""

    def put(self, data: bytes, *, content_type: str = "application/octet-stream") -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...


# --- clock ----------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(SHANGHAI)


class FixedClock:
    """The judging time set by `--at` or by an upload's receipt time."""

    def __init__(self, at: dt.datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=SHANGHAI)

    def now(self) -> dt.datetime:
        return self._at


def judging_day(clock: Clock) -> dt.date:
    """Dates are judged in Asia/Shanghai."""
    return clock.now().astimezone(SHANGHAI).date()


# --- electronic signatures ------------------------------------------------------------------


class SignatureVerifier(Protocol):
    """Verifies every electronic signature / e-seal of a PDF or OFD file at the judging time."""

    def verify(self, data: bytes, kind: Literal["pdf", "ofd"], at: dt.datetime) -> list["SignatureResult"]: ...


class NoSignatureVerifier:
    """Used where no verifier is wired (reports nothing)."""

    def verify(self, data: bytes, kind: Literal["pdf", "ofd"], at: dt.datetime) -> list["SignatureResult"]:
        return []

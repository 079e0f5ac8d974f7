"""What the hall statistics and the public progress lookup read of a case, as frozen facts: storage/case_stats.py
fills them from the stored records; validators/hall_stats.py and validators/progress.py compute from them. Plain
data, no behaviour, so both layers can share it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.assessment import MaterialResult


@dataclass(frozen=True)
class EventFact:
    act: str
    to_state: str
    at: dt.datetime  # UTC
    assessment_version: int | None


@dataclass(frozen=True)
class CaseFacts:
    """One case as the statistics read it. `assessed` holds, per acceptance-stage act in order, the materials of
    the assessment the act was taken on; `rating` is the latest 好差评 label, if any."""

    case_id: str
    case_number: str
    hall: str
    item_code: str
    item_name: str
    received_at: dt.datetime  # UTC
    status: str
    outcome: str | None
    limit_days: int
    limit_unit: str
    events: tuple[EventFact, ...]
    assessed: tuple[tuple[str, tuple[MaterialResult, ...]], ...]
    rating: str | None


@dataclass(frozen=True)
class ProgressFacts:
    """What the public progress lookup may show: no applicant, no agent, no clerk."""

    case_id: str
    status: str
    outcome: str | None
    hall: str
    item_name: str
    received_at: dt.datetime
    events: tuple[EventFact, ...]

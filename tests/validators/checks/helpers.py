"""Documents built by hand (no OCR) and the findings the registered checks give them, by code and severity."""

import datetime as dt

from extractors import build_registry
from pipeline import numbers, stages
from pipeline.models import Document, FieldValue
from pipeline.settings import Thresholds
from validators import build_checks

TODAY = dt.date(2026, 1, 1)
TYPES = build_registry()
CHECKS = build_checks()


def doc(type_code: str, confidence: float = 0.99, **values) -> Document:
    return Document(id=f"{type_code}-{len(values)}", source="x.png", type=type_code,
                    fields={k: FieldValue(value=v, confidence=confidence) for k, v in values.items()})


def findings(d: Document, today: dt.date = TODAY) -> dict[str, str]:
    checked = stages.check(d, CHECKS, today, Thresholds(), TYPES.get(d.type).field_classes)
    return {f.code: f.severity for f in checked.findings}


def uscc(first17: str) -> str:
    return first17 + numbers.uscc_check_char(first17)

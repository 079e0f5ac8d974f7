"""Checks across documents (pipeline/runner.cross_check): run over a file and again over a batch, a finding is
said once. No OCR."""

import datetime as dt

from extractors import build_registry
from pipeline.confidence import Calibrator
from pipeline.models import Document, FieldValue
from pipeline.runner import Dependencies, cross_check
from pipeline.settings import Limits, Thresholds
from storage.objects import MemoryStore
from validators import build_checks

DEPS = Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                    calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())


def _doc(type_code: str, **values) -> Document:
    return Document(id=type_code, source="card.jpg", type=type_code, upload_sha256="same-file",
                    fields={k: FieldValue(value=v, confidence=0.99) for k, v in values.items()})


def test_a_cross_finding_is_said_once_however_often_the_batch_is_checked():
    front = _doc("id_card_front", name="张三", sex="男", birth_date="1990-03-07", id_number="110105199003071239")
    back = _doc("id_card_back", issuing_authority="北京市公安局朝阳分局", valid_from="2010-05-01", valid_until="长期")
    once = cross_check([front, back], DEPS, dt.date(2026, 1, 1))
    twice = cross_check(once, DEPS, dt.date(2026, 1, 1))
    assert [f.code for f in once[1].findings] == ["id_card.validity_age"]
    assert twice == once

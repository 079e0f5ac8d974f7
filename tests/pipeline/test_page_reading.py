"""Pages read apart and joined (pipeline/page_reading.py, issue 25) give the documents of reading the whole file:
a born-digital bundle (documents of several pages joined by the page-joining rules) and a scanned one (OCR)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline import page_reading, runner
from pipeline.interfaces import SHANGHAI
from tests.conftest import load_sample_module
from tests.fakes import FixedEngine
from tests.pipeline.helpers import pdf_bytes

AT = dt.datetime(2026, 6, 1, 12, tzinfo=SHANGHAI)
bench = load_sample_module("bench_text_path")


@pytest.fixture(scope="module")
def deps():
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks

    return runner.Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                               calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())


def _apart(data: bytes, deps) -> list:
    upload = runner.make_upload(data, "bundle.pdf", AT, upload_id="u1")
    count = page_reading.pages_to_fan_out(data, deps, 2)
    # each result goes through JSON, as it does between workers; read in reverse to show order does not matter
    results = [page_reading.PageResult.model_validate(json.loads(
        page_reading.read_page(upload, data, n, deps).model_dump_json())) for n in range(count, 0, -1)]
    return page_reading.join(upload, data, results, deps, AT)


def _whole(data: bytes, deps) -> list:
    return runner.process(runner.make_upload(data, "bundle.pdf", AT, upload_id="u1"), data, deps, AT)


def _comparable(docs) -> list[dict]:
    return [d.model_dump(mode="json", exclude={"id"}) for d in docs]


def test_a_born_digital_bundle_read_page_by_page_gives_the_same_documents(deps):
    data = bench.text_only_bundle(2025, 2, ("lease_contract", "power_of_attorney", "application_form"))[0]
    apart, whole = _apart(data, deps), _whole(data, deps)
    assert [d.type for d in whole] == ["lease_contract", "power_of_attorney", "application_form"]
    assert any(len(d.pages) > 1 for d in whole), "a document of several pages is joined"
    assert _comparable(apart) == _comparable(whole)


def test_a_scan_read_page_by_page_gives_the_same_documents(deps):
    from dataclasses import replace

    data = pdf_bytes(pages=3)
    ocr = replace(deps, engine=FixedEngine())
    apart, whole = _apart(data, ocr), _whole(data, ocr)
    assert len(whole) == 3 and all(d.type == "id_card_front" and d.image_keys for d in whole)
    assert _comparable(apart) == _comparable(whole)


def test_files_of_one_page_or_that_cannot_be_used_are_not_fanned_out(deps):
    assert page_reading.pages_to_fan_out(pdf_bytes(pages=1), deps, 2) == 0
    assert page_reading.pages_to_fan_out(pdf_bytes(pages=3), deps, 2) == 3
    assert page_reading.pages_to_fan_out(pdf_bytes(pages=3), deps, 0) == 0  # fan-out switched off
    assert page_reading.pages_to_fan_out(b"%PDF-1.7 broken", deps, 2) == 0


def test_a_multi_frame_tiff_read_page_by_page_gives_the_same_documents(deps):
    import io
    from dataclasses import replace

    from PIL import Image

    frames = [Image.new("RGB", (640, 400), shade) for shade in ("white", "lightgray", "white")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    data = buf.getvalue()
    ocr = replace(deps, engine=FixedEngine())
    assert page_reading.pages_to_fan_out(data, ocr, 2) == 3
    apart, whole = _apart(data, ocr), _whole(data, ocr)
    assert len(whole) == 3 and _comparable(apart) == _comparable(whole)

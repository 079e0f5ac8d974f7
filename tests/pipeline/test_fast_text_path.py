"""The fast text path (issue 25): a born-digital PDF page without images is read from its text layer without
being rendered; it is rendered only when a stage needs its pixels (the seals or codes of its type) or a person asks
to see it, and it reads the same documents as when every page was rendered while decoding."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline import decode as d
from pipeline import runner
from pipeline.interfaces import SHANGHAI
from tests.conftest import load_sample_module

AT = dt.datetime(2026, 6, 1, 12, tzinfo=SHANGHAI)
bench = load_sample_module("bench_text_path")


@pytest.fixture(scope="module")
def text_deps():
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks

    return Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())


@pytest.fixture()
def renders(monkeypatch):
    """Every pdfium page render, by page size."""
    calls: list[tuple[int, int]] = []
    inner = d.render_pdf_page

    def counted(page, dpi):
        image = inner(page, dpi)
        calls.append(image.shape[:2])
        return image

    monkeypatch.setattr(d, "render_pdf_page", counted)
    return calls


@pytest.fixture(scope="module")
def text_bundle() -> bytes:
    return bench.text_only_bundle(2025, 0, ("application_form", "lease_contract"))[0]


def _eagerly_rendered(monkeypatch):
    """decode as before issue 25: every page rendered while decoding (and so stored by preprocess)."""
    inner = d.decode

    def eager(data, limits):
        kind, pages = inner(data, limits)
        for page in pages:
            page.pixels()
        return kind, pages

    monkeypatch.setattr(runner, "decode", eager)


def _comparable(doc) -> dict:
    return doc.model_dump(mode="json", exclude={"id", "image_keys"})


def test_text_pages_are_decoded_without_rendering_and_know_their_rendered_size(text_bundle, text_deps, renders):
    _kind, pages = d.decode(text_bundle, text_deps.limits)
    assert pages and all(p.text_lines and not p.rendered for p in pages) and renders == []
    first = pages[0]
    assert first.pixels().shape[:2] == (first.height, first.width) and renders == [(first.height, first.width)]


def test_the_pipeline_reads_text_pages_without_rendering_the_same_as_rendered(text_bundle, text_deps, renders,
                                                                             monkeypatch):
    upload = runner.make_upload(text_bundle, "bundle.pdf", AT)
    fast = runner.process(upload, text_bundle, text_deps, AT)
    assert renders == [] and [doc.type for doc in fast] == ["application_form", "lease_contract"]
    assert all(f.source == "pdf_text" for doc in fast for f in doc.fields.values()) and not any(doc.image_keys for doc in fast)
    _eagerly_rendered(monkeypatch)
    rendered = runner.process(upload, text_bundle, text_deps, AT)
    assert len(renders) == sum(len(doc.pages) for doc in fast) and all(doc.image_keys for doc in rendered)
    assert [_comparable(doc) for doc in fast] == [_comparable(doc) for doc in rendered]


def test_a_type_that_judges_seals_has_its_text_pages_rendered_on_demand(text_deps, renders, monkeypatch):
    data = bench.text_only_bundle(2025, 1, ("power_of_attorney", "lease_contract"))[0]
    upload = runner.make_upload(data, "bundle.pdf", AT)
    docs = runner.process(upload, data, text_deps, AT)
    attorney, lease = docs[0], docs[-1]
    assert attorney.type == "power_of_attorney" and len(attorney.image_keys) == len(attorney.pages) == len(renders)
    assert lease.type == "lease_contract" and not lease.image_keys
    _eagerly_rendered(monkeypatch)
    assert _comparable(runner.process(upload, data, text_deps, AT)[0]) == _comparable(attorney)


def test_a_page_image_is_rendered_on_request(text_bundle, text_deps):
    import cv2
    import numpy as np

    _kind, pages = d.decode(text_bundle, text_deps.limits)
    jpeg = d.render_page_image(text_bundle, 2, text_deps.limits)
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert d.sniff(jpeg) == "jpeg" and image.shape[:2] == (pages[1].height, pages[1].width)

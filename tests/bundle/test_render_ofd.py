"""An OFD material in the bundle: its summary page, then its pages as the pipeline rendered them (issue 17)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdfium2 as pdfium

from pipeline.interfaces import SHANGHAI, NoSignatureVerifier
from storage.bundle.records import BundleContent, BundleDocument, BundleMaterial, SourceFile
from storage.bundle.render import Labels, Renderer
from storage.objects import MemoryStore

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "real_estate_registration_certificate" / "ofd_text_s17-0000.ofd"


def test_ofd_material_shows_its_summary_and_its_rendered_page():
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies, make_upload, process
    from pipeline.settings import Limits, Thresholds
    from validators import build_checks

    store = MemoryStore()
    data = SAMPLE.read_bytes()
    at = dt.datetime(2026, 1, 1, 12, tzinfo=SHANGHAI)
    deps = Dependencies(engine=None, store=store, types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())
    [doc] = process(make_upload(data, "证明.ofd", at), data, deps, at)
    key = store.put(data)
    body = doc.model_dump(mode="json")
    content = BundleContent(
        case_id="c", hall="h", case_number="h-2026-000001", item_code="i", item_name="事项", item_version=1,
        situation="s", situation_name="情形", status="received", applicant={}, case_version=1, assessment_version=1,
        assessment={}, unassigned=(),
        materials=(BundleMaterial(result={"code": "m", "name": "材料", "status": "ok", "documents": [doc.id],
                                          "findings": []},
                                  documents=(BundleDocument(body=body, source=SourceFile(key, key[7:], "application/ofd", "upload")),)),))
    rendered = Renderer(content, store.get, verifier=NoSignatureVerifier(), labels=Labels(), signer="s",
                        test_signer=True, generated_at=dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc)).render()
    pages = [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(rendered.pdf)]
    summary = next(i for i, text in enumerate(pages) if "按版式渲染的页面图像" in text)
    assert "OFD 版式文件按其页面内容渲染的图像" in pages[summary + 1]


def test_an_ofd_of_unknown_type_shows_its_text_on_its_summary_page(shared_data):
    """An e-invoice is no hall type: its summary page says what it says (Document.text), as read."""
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies, make_upload, process
    from pipeline.settings import Limits, Thresholds
    from validators import build_checks

    store = MemoryStore()
    data = (shared_data / "e_licence" / "full_digital_e_invoice_2024.ofd").read_bytes()
    at = dt.datetime(2026, 1, 1, 12, tzinfo=SHANGHAI)
    deps = Dependencies(engine=None, store=store, types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())
    [doc] = process(make_upload(data, "发票.ofd", at), data, deps, at)
    assert doc.type == "unknown" and doc.text
    key = store.put(data)
    content = BundleContent(
        case_id="c", hall="h", case_number="h-2026-000002", item_code="i", item_name="事项", item_version=1,
        situation="s", situation_name="情形", status="received", applicant={}, case_version=1, assessment_version=1,
        assessment={}, unassigned=(BundleDocument(body=doc.model_dump(mode="json"),
                                                  source=SourceFile(key, key[7:], "application/ofd", "upload")),),
        materials=())
    rendered = Renderer(content, store.get, verifier=NoSignatureVerifier(), labels=Labels(), signer="s",
                        test_signer=True, generated_at=dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc)).render()
    pages = [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(rendered.pdf)]
    summary = next(text for text in pages if "识别出的文字" in text)
    assert "海南麒麟云服科技有限公司" in summary and "24112000000048542163" in summary

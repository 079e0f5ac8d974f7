"""A PDF's text layer is evidence, not truth (issue 17): forged and garbage layers, resolution from the source,
signatures shown once."""

import datetime as dt
import io
import json
from pathlib import Path

import pikepdf
import pytest

from pipeline import decode as d
from pipeline.interfaces import SHANGHAI
from pipeline.models import SignatureResult
from pipeline.settings import Limits
from pipeline.text_layer import unusable_reason
from tests.conftest import load_sample_module

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
AT = dt.datetime(2026, 1, 1, 12, tzinfo=SHANGHAI)
CARD = SAMPLES / "id_card_front" / "idcard_s7-0000_front_clean"
FORGED_NAME, FORGED_ID = "王二小", "110105199003071239"


def _card():
    return CARD.with_suffix(".png").read_bytes(), json.loads(CARD.with_suffix(".json").read_text(encoding="utf-8"))


def forged() -> bytes:
    png, truth = _card()
    return load_sample_module("make_forged_pdf").forged_pdf(png, truth, FORGED_NAME, FORGED_ID)


def sandwich() -> bytes:
    png, truth = _card()
    return load_sample_module("make_forged_pdf").sandwich_pdf(png, truth)


# --- judging a layer on its own ----------------------------------------------------------------


def test_latin_mapped_to_cjk_code_points_is_unusable(shared_data):
    import pdfplumber

    with pdfplumber.open(shared_data / "scanned_pdfs/ocrmypdf/cmyk.pdf") as pdf:
        text = "".join(c["text"] for c in pdf.pages[0].chars)
    assert unusable_reason(text) == "rare_characters"


@pytest.mark.parametrize(("text", "reason"), [
    ("(cid:12)(cid:40)(cid:7)(cid:9)(cid:3)(cid:88)(cid:21)(cid:4)(cid:17)(cid:2)(cid:5)", "mapping"),
    ("\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009\ue00a\ue00b", "mapping"),
    ("xqzt brkvw plmnt zzxcv qwrtp sdfgh jklmn", "no_words"),
    ("公民身份号码 姓名 性别 民族 住址 不动产登记证明 权利人", None),
    ("The Linn Sequencer 32 Track MIDI Sequence Recorder", None),
    ("短", None),
])
def test_layer_judgement(text, reason):
    assert unusable_reason(text) == reason


# --- decoding -----------------------------------------------------------------------------------


def test_invisible_layer_over_an_image_is_evidence_not_the_reading():
    [page] = d.decode(forged(), Limits())[1]
    assert page.text_lines == []  # not read from the layer
    assert page.layer is not None and page.layer.invisible and page.layer.problem is None
    assert FORGED_ID in "".join(line.text for line in page.layer.lines)


def test_garbage_layer_is_kept_only_as_a_judged_layer(shared_data):
    [page] = d.decode((shared_data / "scanned_pdfs/ocrmypdf/cmyk.pdf").read_bytes(), Limits())[1]
    assert page.text_lines == [] and page.layer.problem == "rare_characters"


def test_born_digital_page_without_images_keeps_the_fast_text_path():
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(text="Born digital text line for pdfplumber")
    [page] = d.decode(bytes(doc.output()), Limits())[1]
    assert page.text_lines and page.layer is None and page.source_dpi is None and page.dpi == 200


def test_high_dpi_small_page_is_rendered_at_its_source_resolution(shared_data):
    data = (shared_data / "scanned_pdfs/ocrmypdf/2400dpi.pdf").read_bytes()  # 120 x 86 pt, a 4000 x 2864 image
    [page] = d.decode(data, Limits())[1]
    assert page.source_dpi == pytest.approx(2400, rel=0.01) and page.dpi == pytest.approx(2400, rel=0.01)
    assert page.image.shape[1] == pytest.approx(4000, abs=2)
    [capped] = d.decode(data, Limits(max_pixels=2_000_000))[1]  # the pixel cap still holds
    assert capped.image.shape[0] * capped.image.shape[1] <= 2_000_000 and capped.dpi < 1100


def test_a_scan_is_not_upsampled_to_the_nominal_dpi():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (850, 1100), "white").save(buf, "PNG")  # letter size at 100 dpi
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    image = pikepdf.Stream(pdf, Image.new("RGB", (850, 1100), "white").tobytes(), Type=pikepdf.Name.XObject,
                           Subtype=pikepdf.Name.Image, Width=850, Height=1100, ColorSpace=pikepdf.Name.DeviceRGB,
                           BitsPerComponent=8)
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pdf.make_stream(b"q 612 0 0 792 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    [decoded] = d.decode(out.getvalue(), Limits())[1]
    assert decoded.dpi == pytest.approx(100, rel=0.01) and decoded.image.shape[:2] == (1100, 850)


# --- signatures belong to the file -------------------------------------------------------------


class _OneSignature:
    def verify(self, data, kind, at):
        return [SignatureResult(signed_by="测试签章", intact=True, trusted=False, covers_whole_file=True)]


def test_multi_page_pdf_shows_the_files_signatures_once():
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies, make_upload, process
    from pipeline.settings import Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks

    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf)
    data = buf.getvalue()
    deps = Dependencies(engine=None, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds(),
                        signatures=_OneSignature())
    docs = process(make_upload(data, "three.pdf", AT), data, deps, AT)
    assert [doc.pages for doc in docs] == [(1,), (2,), (3,)]
    assert [len(doc.signatures) for doc in docs] == [1, 0, 0]


# --- the whole pipeline (real OCR) -------------------------------------------------------------


@pytest.fixture(scope="module")
def deps(deps_factory):
    return deps_factory()


def _run(deps, data: bytes, name: str):
    from pipeline.runner import make_upload, process

    return process(make_upload(data, name, AT), data, deps, AT)


@pytest.mark.slow
def test_forged_hidden_layer_is_caught_and_the_card_is_read(deps):
    _, truth = _card()
    [doc] = _run(deps, forged(), "forged.pdf")
    assert doc.type == "id_card_front"
    assert doc.value("id_number") == truth["fields"]["id_number"] and doc.value("name") == truth["fields"]["name"]
    assert all(f.source == "ocr" and f.confidence < 1.0 for f in doc.fields.values())
    [finding] = [f for f in doc.findings if f.code == "pdf.text_layer_mismatch"]
    assert finding.severity == "error" and set(finding.fields) == {"name", "id_number"}
    assert "文字层" in finding.message


@pytest.mark.slow
def test_an_honest_ocr_layer_gives_no_finding(deps):
    _, truth = _card()
    [doc] = _run(deps, sandwich(), "sandwich.pdf")
    assert doc.value("id_number") == truth["fields"]["id_number"]
    assert not [f for f in doc.findings if f.code.startswith("pdf.")]


@pytest.mark.slow
def test_garbage_layer_is_ignored_with_an_info(deps, shared_data):
    [doc] = _run(deps, (shared_data / "scanned_pdfs/ocrmypdf/cmyk.pdf").read_bytes(), "cmyk.pdf")
    [finding] = [f for f in doc.findings if f.code == "pdf.text_layer_unusable"]
    assert finding.severity == "info"


@pytest.mark.slow
def test_high_dpi_small_page_is_not_low_resolution(deps, shared_data):
    [doc] = _run(deps, (shared_data / "scanned_pdfs/ocrmypdf/2400dpi.pdf").read_bytes(), "2400dpi.pdf")
    assert "low_resolution" not in {issue.code for issue in doc.quality.issues}


def test_a_latin_layer_over_a_chinese_page_is_the_wrong_script():
    from pipeline.models import Classified, Page, PageReading, TextLine, Upload
    from pipeline.registry import TypeRegistry
    from pipeline.settings import Thresholds
    from pipeline.text_layer import TextLayer, compare
    from pipeline.models import Document

    page = Page(page=1, width=100, height=100)
    seen = PageReading(page=page, lines=(TextLine(text="公民身份号码姓名性别民族住址出生", score=0.9, box=(0, 0, 90, 10)),),
                       source="ocr", engine="test")
    layer = TextLayer(lines=(TextLine(text="Tlie Linn Seqnencer rnidi", score=1.0, box=(0, 0, 90, 10)),), width=100, height=100)
    upload = Upload(id="u", key="k", sha256="0", size=1, source="x.pdf", received_at=AT)
    classified = Classified(upload=upload, pages=(seen,), type="unknown", type_confidence=0.0)
    doc = compare(Document(id="d", source="x.pdf"), classified, {1: layer}, TypeRegistry(), Thresholds())
    assert [(f.code, f.severity) for f in doc.findings] == [("pdf.text_layer_unusable", "info")]
    assert "不是同一种文字" in doc.findings[0].message


def test_hidden_text_on_a_born_digital_page_leaves_the_fast_path():
    """Nobody sees invisible text: a page carrying any is rendered and read by OCR, its layer kept as evidence."""
    from fpdf import FPDF
    from fpdf.enums import TextMode

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.text(20, 20, "Visible born digital line of the page")
    doc.text(20, 40, "Another visible line for the reader")
    doc.text_mode = TextMode.INVISIBLE
    doc.text(20, 60, "Hidden line nobody sees")
    [page] = d.decode(bytes(doc.output()), Limits())[1]
    assert page.text_lines == [] and page.layer is not None and page.layer.invisible

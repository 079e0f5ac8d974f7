"""OFD content (issue 17): text objects read into text lines, pages rendered, typed and extracted like any page;
every OFD document lists its pages; the file's signatures are shown once."""

import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from pipeline import decode as d
from pipeline import ofd
from pipeline.interfaces import SHANGHAI
from pipeline.settings import Limits

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "real_estate_registration_certificate"
AT = dt.datetime(2026, 1, 1, 12, tzinfo=SHANGHAI)


def _normal(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _truth(stem: str) -> dict:
    return json.loads((SAMPLES / f"{stem}.json").read_text(encoding="utf-8"))


def _deps(engine=None):
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.runner import Dependencies
    from pipeline.settings import Thresholds
    from storage.objects import MemoryStore
    from validators import build_checks
    from validators.signatures import Verifier

    return Dependencies(engine=engine, store=MemoryStore(), types=build_registry(), checks=build_checks(),
                        calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds(), signatures=Verifier(None))


def _process(deps, data: bytes, name: str):
    from pipeline.runner import make_upload, process

    return process(make_upload(data, name, AT), data, deps, AT)


# --- text objects ------------------------------------------------------------------------------


def test_delta_lists_expand_their_g_runs():
    assert ofd.deltas("g 3 2.1 1.5", 5) == [2.1, 2.1, 2.1, 1.5, 0.0]
    assert ofd.deltas(None, 2) == [0.0, 0.0]


def test_a_text_code_is_split_into_lines_where_delta_y_moves_on():
    xml = ('<ofd:TextObject xmlns:ofd="http://www.ofdspec.org/2016" Boundary="191 70 71 8" Font="7" Size="4.2333">'
           '<ofd:TextCode DeltaX="g 14 4.2333 g 2 2.1166 -63.4995 4.2333 2.1167 g 2 4.2333 2.1167 g 2 2.1166" '
           'DeltaY="g 16 0 4.2333 g 7 0" X="0" Y="3.6364">岱岳区青春创业开发区鑫源小区25号楼1单元601室</ofd:TextCode>'
           "</ofd:TextObject>")
    runs = ofd.text_runs(SafeET.fromstring(xml))
    assert [r.text for r in runs] == ["岱岳区青春创业开发区鑫源小区25号", "楼1单元601室"]
    assert runs[1].baseline - runs[0].baseline == pytest.approx(4.2333)
    assert runs[0].x0 == pytest.approx(191) and runs[1].x0 == pytest.approx(191, abs=0.01)


def test_rotated_watermark_text_is_left_out():
    xml = ('<ofd:TextObject xmlns:ofd="http://www.ofdspec.org/2016" Boundary="97 141 87 -87" '
           'CTM="0.7071 -0.7071 0.7071 0.7071 0 0" Font="7" Size="11"><ofd:TextCode X="6" Y="6">事由户籍办理房产证明'
           "</ofd:TextCode></ofd:TextObject>")
    assert ofd.text_runs(SafeET.fromstring(xml)) == []


# --- decoding ----------------------------------------------------------------------------------


def test_third_party_ofd_page_is_rendered_and_its_text_objects_overlay_the_ocr():
    kind, [page] = d.decode((SAMPLES / "bdc_registration_certificate_signed.ofd").read_bytes(), Limits())
    assert kind == "ofd" and page.digital and page.text_lines == []  # labels are in the template image
    assert page.image.shape[:2] == (round(196 * 200 / 25.4), round(283 * 200 / 25.4))
    assert page.image.std() > 10  # the template is drawn, not a blank page
    texts = [line.text for line in page.overlay]
    assert "李伟" in texts and "鲁（2020）泰安市不动产证明第0014777号" in texts
    assert not any("事由" in t for t in texts)


def test_ofd_whose_text_carries_the_labels_takes_the_text_path():
    _, [page] = d.decode((SAMPLES / "ofd_text_s17-0000.ofd").read_bytes(), Limits())
    assert page.text_lines and page.overlay == []
    assert any(line.text == "不动产单元号" for line in page.text_lines)


def test_ofd_without_pages_is_malformed():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                               "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        zf.writestr("Doc_0/Document.xml", '<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Pages/></ofd:Document>')
    [doc] = _process(_deps(), buf.getvalue(), "empty.ofd")
    assert doc.error is not None and doc.error.code == "ofd.malformed"


def test_overlay_replaces_ocr_lines_inside_text_objects_and_keeps_the_labels():
    from pipeline.models import TextLine

    ocr = [TextLine(text="义务人", score=0.9, box=(10, 10, 60, 30)), TextLine(text="李侍", score=0.7, box=(100, 10, 140, 30))]
    exact = [TextLine(text="李伟", score=1.0, box=(98, 8, 142, 32))]
    assert sorted(line.text for line in ofd.overlay_lines(ocr, exact)) == sorted(["义务人", "李伟"])


# --- the pipeline ------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["ofd_text_s17-0000", "ofd_text_s17-0001"])
def test_an_ofd_whose_text_gives_a_type_and_fields(stem):
    """No OCR engine at all: the text objects alone give the type and every field."""
    truth = _truth(stem)
    [doc] = _process(_deps(engine=None), (SAMPLES / f"{stem}.ofd").read_bytes(), f"{stem}.ofd")
    assert doc.type == "real_estate_registration_certificate" and doc.pages == (1,)
    assert {k: _normal(doc.value(k)) for k in truth["fields"]} == {k: _normal(v) for k, v in truth["fields"].items()}
    assert doc.image_keys, "a rendered page image is kept"


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["bdc_registration_certificate_signed", "ofd_template_s17-0000"])
def test_ofd_with_labels_in_a_template_image_is_read(ocr_engine, stem):
    truth = _truth(stem)
    docs = _process(_deps(ocr_engine), (SAMPLES / f"{stem}.ofd").read_bytes(), f"{stem}.ofd")
    [doc] = docs
    assert doc.type == "real_estate_registration_certificate" and doc.pages == (1,)
    assert {k: _normal(doc.value(k)) for k in truth["fields"]} == {k: _normal(v) for k, v in truth["fields"].items()}
    if stem.startswith("bdc"):
        assert len(doc.signatures) == 2 and all(s.kind == "ofd" for s in doc.signatures)


@pytest.mark.slow
def test_multi_page_ofd_lists_its_pages_and_shows_signatures_once(ocr_engine, shared_data):
    data = (shared_data / "e_licence/construction_permit_test_signed.ofd").read_bytes()
    docs = _process(_deps(ocr_engine), data, "permit.ofd")
    assert [doc.pages for doc in docs] == [(1,), (2,)]
    assert [len(doc.signatures) for doc in docs] == [2, 0]


def test_an_ofd_of_unknown_type_keeps_its_text_for_a_reviewer(shared_data):
    """An e-invoice is no hall type: it stays `unknown`, and its text objects are kept as the document's text, in
    reading order, in the result JSON; a document of a known type keeps its fields instead."""
    from pipeline.models import Result

    data = (shared_data / "e_licence/full_digital_e_invoice_2024.ofd").read_bytes()
    [doc] = _process(_deps(engine=None), data, "invoice.ofd")
    assert doc.type == "unknown" and not doc.fields and doc.pages == (1,)
    lines = doc.text.splitlines()
    assert lines[0].startswith("电子发票（增值税专用发票）") and "24112000000048542163" in lines[0]
    assert any("海南麒麟云服科技有限公司" in line and "北京互联三六五科技有限公司" in line for line in lines), \
        "buyer and seller printed side by side stay on one row"
    assert lines.index(next(x for x in lines if x.startswith("开票日期"))) < lines.index(
        next(x for x in lines if x.startswith("价税合计"))), "rows top to bottom"
    assert Result(documents=(doc,)).to_json_dict()["documents"][0]["text"] == doc.text

    [known] = _process(_deps(engine=None), (SAMPLES / "ofd_text_s17-0000.ofd").read_bytes(), "证明.ofd")
    assert known.type == "real_estate_registration_certificate" and known.text is None

"""QR codes decoded with zxing-cpp: on a plain page, on generated business licences (clean and camera-like), and
reported on the document by the pipeline for the types that carry one (slow, with OCR)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import load_sample_module

from pipeline.qr import read_codes

ROOT = Path(__file__).resolve().parents[2]
AT = dt.datetime(2026, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


_load = load_sample_module


def test_qr_code_on_a_page_is_decoded_with_its_box():
    import zxingcpp

    code = np.array(zxingcpp.create_barcode("https://gsxt.example/verify?uscc=91370800MA3C5LKX8U",
                                            zxingcpp.BarcodeFormat.QRCode).to_image(scale=6))
    page = np.full((1200, 900, 3), 255, np.uint8)
    page[300:300 + code.shape[0], 500:500 + code.shape[1]] = code[..., None]
    (found,) = read_codes(page, 2)
    assert found.format == "QRCode" and found.text == "https://gsxt.example/verify?uscc=91370800MA3C5LKX8U"
    assert found.page == 2
    x0, y0, x1, y1 = found.box
    assert 500 <= x0 < x1 <= 500 + code.shape[1] and 300 <= y0 < y1 <= 300 + code.shape[0]


def test_page_without_a_code():
    page = np.full((600, 400, 3), 255, np.uint8)
    cv2.putText(page, "no code here", (20, 200), cv2.FONT_HERSHEY_SIMPLEX, 1, (0, 0, 0), 2)
    assert read_codes(page, 1) == []


@pytest.mark.parametrize("variant", ["clean", "camera"])
def test_generated_business_licences_carry_a_decodable_code(variant):
    gd = _load("generate_documents")
    for index in range(3):
        (data, truth), = gd.page_images(23, index, "business_licence", variant)
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert [c.text for c in read_codes(image, 1)] == truth["codes"]
        assert truth["codes"][0].endswith("&sample=1")


@pytest.mark.slow
def test_pipeline_reports_the_code_of_a_business_licence(deps_factory):
    from pipeline.runner import make_upload, process

    gd = _load("generate_documents")
    (data, truth), = gd.page_images(23, 0, "business_licence", "camera")
    docs = process(make_upload(data, "licence.jpg", AT), data, deps_factory(), AT)
    assert [d.type for d in docs] == ["business_licence"]
    assert [(c.format, c.text, c.page) for c in docs[0].codes] == [("QRCode", truth["codes"][0], 1)]
    as_json = docs[0].model_dump(mode="json")
    assert as_json["codes"][0]["text"] == truth["codes"][0]

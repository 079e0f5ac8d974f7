import logging

import pytest

from pipeline.masking import MaskingFilter, mask_id_number, mask_name, mask_text
from pipeline.settings import Settings


def test_masks_as_design_says():
    assert mask_id_number("370811199001011234") == "370811********1234"
    assert mask_name("张三丰") == "张*"
    assert mask_text("holder 11010519491231002X failed") == "holder 110105********002X failed"
    assert mask_text("upload 3f0c9a52-aaaa id 12345") == "upload 3f0c9a52-aaaa id 12345"


def test_log_records_are_masked(caplog):
    logger = logging.getLogger("test.masking")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="test.masking"):
        logger.info("number %s read", "110105199003071239")
    assert "110105199003071239" not in caplog.text and "110105********1239" in caplog.text


def test_tracebacks_and_phone_numbers_are_masked_in_logs():
    stream = __import__("io").StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test.masking.traceback")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("bad card 110105199003071239, phone 13812345678")
        except ValueError:
            logger.exception("assessment failed, call 13912345678")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "ValueError: bad card 110105********1239, phone 138****5678" in text, text
    assert "call 139****5678" in text
    assert "110105199003071239" not in text and "13812345678" not in text and "13912345678" not in text
    assert mask_text("order 2026120415301234567 upload 12345678901") == "order 2026120415301234567 upload 12345678901"


def test_production_refuses_placeholder_secrets(monkeypatch):
    monkeypatch.setenv("YICHUANG_ENV", "production")
    monkeypatch.setenv("YICHUANG_SECRET_KEY", "changeme")
    with pytest.raises(ValueError):
        Settings()
    monkeypatch.setenv("YICHUANG_SECRET_KEY", "x" * 48)
    assert Settings().configured_secret() == b"x" * 48


def test_settings_never_write_a_file(tmp_path):
    """The embedded default's generated key is the wiring's to write (tests/workers/test_wiring.py)."""
    assert Settings(data_dir=tmp_path).configured_secret() is None
    assert list(tmp_path.iterdir()) == []


def test_flat_environment_names(monkeypatch):
    monkeypatch.setenv("YICHUANG_TRUST_DIR", "/etc/trust")
    monkeypatch.setenv("YICHUANG_OCR_ENGINE", "tests.fakes:FixedEngine")
    monkeypatch.setenv("YICHUANG_MAX_PIXELS", "1000")
    settings = Settings()
    assert str(settings.trust_dir) == "/etc/trust" and settings.ocr_engine == "tests.fakes:FixedEngine"
    assert settings.limits.max_pixels == 1000

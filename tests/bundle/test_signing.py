"""The hall's signing certificate: generated for development only, refused in production, a real PKCS#12 used."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from storage.bundle.signing import SigningRefused, development_root_path, ensure_test_certificate, load_signer


def blank_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def hall_p12(path, passphrase: bytes) -> x509.Certificate:
    """A self-signed 'real' hall certificate (not the generated development one)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "某市政务服务中心"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "某市政务服务中心 电子签章")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"hall", key, cert, None,
                                                           serialization.BestAvailableEncryption(passphrase)))
    return cert


def test_development_generates_a_test_certificate_once_with_private_permissions(tmp_path):
    signer = load_signer(None, None, production=False, data_dir=tmp_path)
    assert signer.is_test and "yichuang 测试大厅签名" in signer.subject
    p12 = ensure_test_certificate(tmp_path)
    assert (p12.stat().st_mode & 0o777) == 0o600 and (development_root_path(tmp_path).stat().st_mode & 0o777) == 0o600
    before = p12.read_bytes()
    assert load_signer(None, None, production=False, data_dir=tmp_path).subject == signer.subject
    assert p12.read_bytes() == before, "generated once, then reused"


def test_production_refuses_a_missing_certificate_and_the_generated_test_one(tmp_path):
    with pytest.raises(SigningRefused) as missing:
        load_signer(None, None, production=True, data_dir=tmp_path)
    assert missing.value.code == "bundle.signing_unavailable" and "签名证书" in missing.value.message
    assert not (tmp_path / "bundle-signing").exists()
    test_p12 = ensure_test_certificate(tmp_path)
    with pytest.raises(SigningRefused) as refused:
        load_signer(test_p12, None, production=True, data_dir=tmp_path)
    assert "development certificate" in refused.value.detail


def test_a_configured_hall_certificate_signs_in_production(tmp_path):
    path = tmp_path / "hall.p12"
    cert = hall_p12(path, b"correct horse")
    signer = load_signer(path, b"correct horse", production=True, data_dir=tmp_path)
    assert not signer.is_test and "某市政务服务中心" in signer.subject
    signed = signer.sign(blank_pdf(), reason="测试")
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    assert status.bottom_line and status.trusted
    assert not (tmp_path / "bundle-signing").exists(), "no development certificate when a real one is configured"


@pytest.mark.parametrize("passphrase", [b"wrong", None])
def test_a_wrong_passphrase_or_missing_file_is_a_clear_configuration_error(tmp_path, passphrase):
    path = tmp_path / "hall.p12"
    hall_p12(path, b"correct horse")
    with pytest.raises(SigningRefused):
        load_signer(path, passphrase, production=True, data_dir=tmp_path)
    with pytest.raises(SigningRefused):
        load_signer(tmp_path / "nowhere.p12", b"correct horse", production=False, data_dir=tmp_path)


def test_racing_first_uses_end_with_one_consistent_development_pair(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        paths = set(pool.map(lambda _: ensure_test_certificate(tmp_path), range(4)))
    assert paths == {tmp_path / "bundle-signing" / "test-signer.p12"}
    _key, _cert, chain = pkcs12.load_key_and_certificates(next(iter(paths)).read_bytes(), None)
    root = x509.load_pem_x509_certificate(development_root_path(tmp_path).read_bytes())
    assert chain == [root], "the root beside the PKCS#12 is the one that issued its certificate"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle-signing"], "no staging folders left behind"


def test_the_api_signs_with_the_hall_certificate_from_the_environment(tmp_path, monkeypatch):
    from tests.in_process import make_env

    path = tmp_path / "hall.p12"
    cert = hall_p12(path, b"correct horse")
    monkeypatch.setenv("YICHUANG_SIGNING_P12", str(path))
    monkeypatch.setenv("YICHUANG_SIGNING_PASSPHRASE", "correct horse")
    env = make_env(tmp_path / "data", monkeypatch, env="production", secret_key="s" * 40)
    clerk = env.key("clerk")
    response = env.bundle(clerk, env.new_case(clerk))
    assert response.status_code == 200, response.text
    [signature] = PdfFileReader(io.BytesIO(response.content)).embedded_signatures
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    assert validate_pdf_signature(signature, ValidationContext(trust_roots=[root])).bottom_line
    assert not (tmp_path / "data" / "bundle-signing").exists()

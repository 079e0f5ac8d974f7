"""The hall's signature on case bundles (pyHanko, PAdES).

The hall's key and certificate come from a PKCS#12 file (YICHUANG_SIGNING_P12 + YICHUANG_SIGNING_PASSPHRASE).
Outside production, when none is configured, a test root and a signer certificate are generated once with
`cryptography` into `<data dir>/bundle-signing/` (0600) so that development and tests can sign and verify;
production refuses to sign without a real certificate, and refuses the generated test certificate even
when it is configured explicitly (it is recognised by its subject).

Who calls it: storage.bundle.BundleService (built by api/bundle.py from settings, once per app).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigurationError

logger = logging.getLogger(__name__)

TEST_ORGANISATION = "yichuang 开发测试（不得用于生产）"
TEST_DIR = "bundle-signing"
TEST_P12 = "test-signer.p12"
TEST_ROOT = "test-root.pem"
FIELD = "HallSignature"
SIGNATURE_BYTES = 32768  # room for the CMS with a chain of a few certificates


class SigningRefused(ConfigurationError):
    code = "bundle.signing_unavailable"
    message = "未配置大厅签名证书，无法生成经签名的材料包，请联系管理员"


@dataclass(frozen=True)
class HallSigner:
    """A loaded signer: pyHanko's SimpleSigner plus what the cover page states about it."""

    signer: object  # pyhanko.sign.signers.SimpleSigner
    subject: str
    is_test: bool

    def sign(self, pdf: bytes, *, reason: str, location: str = "") -> bytes:
        """Sign `pdf` in an incremental update: the signature covers every byte written before it."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        meta = signers.PdfSignatureMetadata(field_name=FIELD, reason=reason, location=location or None,
                                            md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
        out = io.BytesIO()
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=self.signer, output=out,
                         bytes_reserved=SIGNATURE_BYTES)
        return out.getvalue()


def load_signer(p12: Path | None, passphrase: bytes | None, *, production: bool, data_dir: Path) -> HallSigner:
    """The configured hall certificate; else, outside production, the generated test certificate.
    Raises SigningRefused in production without a real certificate."""
    if p12 is None:
        if production:
            raise SigningRefused(detail="YICHUANG_SIGNING_P12 is required in production to sign case bundles")
        p12, passphrase = ensure_test_certificate(data_dir), None
    signer = _load_p12(Path(p12), passphrase)
    subject = signer.signing_cert.subject
    is_test = _is_test_subject(subject)
    if is_test and production:
        raise SigningRefused(detail="the generated development certificate cannot sign bundles in production")
    names = subject.native
    label = names.get("common_name") or subject.human_friendly
    if names.get("organization_name"):
        label = f"{label}（{names['organization_name']}）"
    return HallSigner(signer=signer, subject=label, is_test=is_test)


def _load_p12(path: Path, passphrase: bytes | None):
    from pyhanko.sign import signers

    if not path.is_file():
        raise SigningRefused(detail=f"signing PKCS#12 not found: {path}")
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase)
    if signer is None:  # pyHanko logs the reason and answers None (wrong passphrase, damaged file)
        raise SigningRefused(detail="cannot load the signing PKCS#12 (wrong passphrase or damaged file)")
    return signer


def _is_test_subject(subject) -> bool:
    return subject.native.get("organization_name") == TEST_ORGANISATION


def ensure_test_certificate(data_dir: Path) -> Path:
    """Generate the development root + signer once (idempotent, safe when processes race: the pair is written
    into a fresh folder that is renamed into place, and the loser's pair is discarded); returns the PKCS#12
    path (no passphrase)."""
    folder = Path(data_dir) / TEST_DIR
    p12 = folder / TEST_P12
    if p12.exists():
        return p12
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".bundle-signing-", dir=folder.parent))
    try:
        root_key, root = _certificate("yichuang 测试根证书", None, ca=True)
        key, cert = _certificate("yichuang 测试大厅签名", (root_key, root), ca=False)
        blob = pkcs12.serialize_key_and_certificates(b"yichuang-test-signer", key, cert, [root],
                                                     serialization.NoEncryption())
        _write_private(staging / TEST_ROOT, root.public_bytes(serialization.Encoding.PEM))
        _write_private(staging / TEST_P12, blob)
        os.rename(staging, folder)
        logger.warning("generated a development bundle-signing certificate under %s (never valid in production)", folder)
    except OSError:
        if not p12.exists():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return p12


def development_root_path(data_dir: Path) -> Path:
    """The generated development root (a trust anchor for verifying development bundles)."""
    return Path(data_dir) / TEST_DIR / TEST_ROOT


def _certificate(common_name: str, issuer, *, ca: bool):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, TEST_ORGANISATION),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_key, issuer_cert = issuer if issuer else (key, None)
    now = dt.datetime.now(dt.timezone.utc)
    usage = x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name)
            .issuer_name(issuer_cert.subject if issuer_cert else name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(issuer_key, hashes.SHA256()))
    return key, cert


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)

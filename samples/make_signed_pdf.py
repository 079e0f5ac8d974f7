"""Generate the signed test PDFs of samples/signed/ (run by hand; the outputs are committed).

    .venv/bin/python samples/make_signed_pdf.py

Writes, beside MANIFEST.tsv:
- `test_root_ca.pem`: a self-signed RSA test root (valid 2020-01-01 .. 2045-01-01), the trust anchor;
- `pdf_signed_rsa.pdf`: a one-page sample (marked 样本) with one PAdES signature by a leaf certificate
  of that root (valid 2020-01-01 .. 2040-01-01);
- `pdf_signed_sm2_claimed.pdf`: the same signature whose CMS names SM3 / SM2-with-SM3 as its
  algorithms (the value is not a real SM2 signature): tests that an algorithm we cannot verify in a PDF
  is a warning, never "tampered";
- `pdf_signed_expired_cert.pdf`: signed now by a leaf of the same root whose certificate ended
  2021-01-01 (signed outside its certificate's validity).
Keys are fresh on every run, so every run changes the files; nothing here is secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

from asn1crypto import cms, keys, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

OUT = Path(__file__).resolve().parent / "signed"
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SM3 = "1.2.156.10197.1.401"
SM2_WITH_SM3 = "1.2.156.10197.1.501"


def _name(cn: str) -> cx509.Name:
    return cx509.Name([cx509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), cx509.NameAttribute(NameOID.ORGANIZATION_NAME, "yichuang test"),
                       cx509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, issuer: str, key, issuer_key, *, ca: bool, until: int) -> cx509.Certificate:
    builder = (
        cx509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        .not_valid_after(dt.datetime(until, 1, 1, tzinfo=dt.timezone.utc))
        .add_extension(cx509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            cx509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False, data_encipherment=False,
                           key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False),
            critical=True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _sample_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    if CJK_FONT.exists():
        pdf.add_font("wqy", "", str(CJK_FONT), collection_font_number=0)
        pdf.set_font("wqy", size=28)
        pdf.cell(0, 20, "样本", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("wqy", size=14)
        pdf.cell(0, 10, "电子签名测试文件（虚构内容）", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font("helvetica", size=20)
        pdf.cell(0, 20, "SAMPLE - signature test file", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _sign(pdf: bytes, cert: cx509.Certificate, key, root: cx509.Certificate) -> bytes:
    signing_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    root_cert = x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    private = keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    signer = signers.SimpleSigner(signing_cert=signing_cert, signing_key=private, cert_registry=SimpleCertificateStore.from_certs([root_cert]))
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(field_name="Signature1", reason="样本签名", md_algorithm="sha256")
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer, output=out, bytes_reserved=65536)
    return out.getvalue()


def claim_sm2(signed: bytes) -> bytes:
    """Rewrite the CMS of the (only) signature so that it names SM3 / SM2-with-SM3, in place."""
    match = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", signed)
    assert match, "no /Contents"
    hex_value = match.group(1)
    der = bytes.fromhex(hex_value.decode()).rstrip(b"\x00")
    info = cms.ContentInfo.load(der)
    signer_info = info["content"]["signer_infos"][0]
    signer_info["digest_algorithm"] = {"algorithm": SM3}
    signer_info["signature_algorithm"] = {"algorithm": SM2_WITH_SM3}
    info["content"]["digest_algorithms"] = [{"algorithm": SM3}]
    new = info.dump(force=True).hex().upper().encode()
    assert len(new) <= len(hex_value)
    new = new.ljust(len(hex_value), b"0")
    return signed[: match.start(1)] + new + signed[match.end(1) :]


GENERATED = {
    "test_root_ca.pem": ("Self-signed RSA test root generated by samples/make_signed_pdf.py", "trust anchor for pdf_signed_*.pdf"),
    "pdf_signed_rsa.pdf": (
        "One-page sample PDF (marked 样本, fictional) with one PAdES signature, generated by samples/make_signed_pdf.py",
        "intact, trusted with test_root_ca.pem, covers the whole file, no later changes",
    ),
    "pdf_signed_sm2_claimed.pdf": (
        "Same file with the CMS rewritten to name SM3 / SM2-with-SM3 (not a real SM2 signature), generated by samples/make_signed_pdf.py",
        "signature.unsupported_algorithm warning only; never signature.tampered",
    ),
    "pdf_signed_expired_cert.pdf": (
        "Sample PDF signed at generation time by a leaf certificate of test_root_ca.pem that ended 2021-01-01, generated by samples/make_signed_pdf.py",
        "intact; signature.cert_expired error (signed outside the certificate's validity)",
    ),
}


def _update_manifest() -> None:
    """Keep this script's rows of MANIFEST.tsv (sizes, hashes) in step with the files it wrote."""
    manifest = OUT / "MANIFEST.tsv"
    header = "category\tlocal_file\tsource_repo\tsource_path\tcommit\tlicense\twhat\tground_truth\tbytes\tsha256"
    lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else [header]
    rows = [line for line in lines[1:] if line.split("\t")[1] not in GENERATED]
    for name, (what, truth) in GENERATED.items():
        data = (OUT / name).read_bytes()
        rows.append("\t".join(["signed", name, "yichuang (generated)", "samples/make_signed_pdf.py", "", "same as this project",
                               what, truth, str(len(data)), hashlib.sha256(data).hexdigest()]))
    manifest.write_text("\n".join([lines[0]] + rows) + "\n", encoding="utf-8")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = _cert("yichuang test root CA", "yichuang test root CA", root_key, root_key, ca=True, until=2045)
    leaf = _cert("样本签名人", "yichuang test root CA", leaf_key, root_key, ca=False, until=2040)
    (OUT / "test_root_ca.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    signed = _sign(_sample_pdf(), leaf, leaf_key, root)
    (OUT / "pdf_signed_rsa.pdf").write_bytes(signed)
    (OUT / "pdf_signed_sm2_claimed.pdf").write_bytes(claim_sm2(signed))
    old_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    old = _cert("样本过期签名人", "yichuang test root CA", old_key, root_key, ca=False, until=2021)
    (OUT / "pdf_signed_expired_cert.pdf").write_bytes(_sign(_sample_pdf(), old, old_key, root))
    _update_manifest()
    print("wrote", ", ".join(sorted(GENERATED)))


if __name__ == "__main__":
    main()

"""Lenient X.509 reading and signature checks for certificates (SM2, RSA, ECDSA).

Chinese CA certificates often break strict decoders (a UTF8String where the schema says BIT STRING,
TeletexString holding GBK bytes). Names are therefore kept as raw DER and compared as bytes, and only
decoded for display, leniently. Used by the OFD verifier and the trust store; pure functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from validators.signatures.der import SesError, Tlv, children, read_tlv
from validators.signatures.ofd import sm2

logger = logging.getLogger(__name__)

OID_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
}

EC_PUBLIC_KEY = "1.2.840.10045.2.1"
RSA_KEY = "1.2.840.113549.1.1.1"
SM2_CURVE = "1.2.156.10197.1.301"

_HASH_BY_SIG_OID = {
    "1.2.840.113549.1.1.5": hashes.SHA1,
    "1.2.840.113549.1.1.11": hashes.SHA256,
    "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512,
    "1.2.840.10045.4.1": hashes.SHA1,
    "1.2.840.10045.4.3.2": hashes.SHA256,
    "1.2.840.10045.4.3.3": hashes.SHA384,
    "1.2.840.10045.4.3.4": hashes.SHA512,
}
SM2_SIGNATURE_OIDS = {sm2.SM2_WITH_SM3_OID, "1.2.156.10197.1.301.1"}


def decode_oid(raw: bytes) -> str:
    if not raw:
        return ""
    parts = [raw[0] // 40 if raw[0] < 80 else 2, raw[0] % 40 if raw[0] < 80 else raw[0] - 80]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def decode_text(item: Tlv) -> str:
    """Decode a string value of any ASN.1 string type, never raising."""
    data = item.contents
    if item.tag == 30:  # BMPString
        return data.decode("utf-16-be", "replace")
    if item.tag == 28:  # UniversalString
        return data.decode("utf-32-be", "replace")
    if item.tag == 3 and data:  # BIT STRING where a string was meant
        data = data[1:]
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def name_text(raw: bytes) -> str:
    """A display form of a DER Name, e.g. 'CN=…, O=…' (most specific first, like an issuer in a
    Chinese CA's UI). Never raises."""
    try:
        parts = []
        for rdn in children(raw):
            for atv in children(rdn.raw):
                pair = children(atv.raw)
                if len(pair) < 2:
                    continue
                key = decode_oid(pair[0].contents)
                parts.append((OID_NAMES.get(key, key), decode_text(pair[1])))
        preferred = [f"{k}={v}" for k, v in parts if k in ("CN", "O")]
        return ", ".join(preferred or [f"{k}={v}" for k, v in parts])
    except SesError:
        return ""


def common_name(raw: bytes) -> str | None:
    try:
        for rdn in children(raw):
            for atv in children(rdn.raw):
                pair = children(atv.raw)
                if len(pair) >= 2 and decode_oid(pair[0].contents) == "2.5.4.3":
                    return decode_text(pair[1])
    except SesError:
        return None
    return None


def _time(item: Tlv) -> dt.datetime:
    text = item.contents.decode("ascii")
    if item.tag == 23:  # UTCTime YYMMDDHHMM[SS]Z
        year = int(text[:2])
        text = ("20" if year < 50 else "19") + text
    text = text.rstrip("Z")
    fmt = "%Y%m%d%H%M%S" if len(text) >= 14 else "%Y%m%d%H%M"
    return dt.datetime.strptime(text[:14] if len(text) >= 14 else text, fmt).replace(tzinfo=dt.timezone.utc)


@dataclasses.dataclass(frozen=True)
class Cert:
    der: bytes
    tbs: bytes
    signature_alg: str
    signature: bytes
    serial: int
    issuer_raw: bytes
    subject_raw: bytes
    not_before: dt.datetime
    not_after: dt.datetime
    key_alg: str
    key_params: str | None
    spki: bytes  # SubjectPublicKeyInfo DER
    public_key: bytes  # the BIT STRING content (EC point, or RSA key DER)
    is_ca: bool
    ski: bytes | None
    aki: bytes | None

    @property
    def subject(self) -> str:
        return name_text(self.subject_raw)

    @property
    def issuer(self) -> str:
        return name_text(self.issuer_raw)

    @property
    def display_name(self) -> str:
        return common_name(self.subject_raw) or self.subject

    @property
    def is_sm2(self) -> bool:
        return self.key_alg == EC_PUBLIC_KEY and self.key_params == SM2_CURVE

    def valid_at(self, when: dt.datetime) -> bool:
        when = when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
        return self.not_before <= when <= self.not_after

    def sm2_point(self) -> tuple[int, int]:
        return sm2.parse_public_key(self.public_key)


def parse_cert(der: bytes) -> Cert:
    """Parse a certificate leniently. Raises SesError when it is not a certificate at all."""
    try:
        cert = children(der)
        if len(cert) != 3:
            raise SesError("certificate must have 3 elements")
        tbs = children(cert[0].raw)
        i = 0
        if tbs[0].cls == 2 and tbs[0].tag == 0:  # [0] version
            i = 1
        serial = int.from_bytes(tbs[i].contents, "big", signed=True)
        issuer_raw, validity, subject_raw, spki = tbs[i + 2].raw, children(tbs[i + 3].raw), tbs[i + 4].raw, tbs[i + 5]
        spki_items = children(spki.raw)
        alg = children(spki_items[0].raw)
        key_alg = decode_oid(alg[0].contents)
        key_params = decode_oid(alg[1].contents) if len(alg) > 1 and alg[1].tag == 6 else None
        public_key = spki_items[1].contents[1:]
        is_ca, ski, aki = False, None, None
        for ext_holder in tbs[i + 6 :]:
            if ext_holder.cls == 2 and ext_holder.tag == 3:
                for ext in children(children(ext_holder.raw)[0].raw):
                    fields = children(ext.raw)
                    oid = decode_oid(fields[0].contents)
                    value = fields[-1].contents
                    if oid == "2.5.29.19":
                        inner = children(value) if value[:1] == b"\x30" and len(value) > 2 else []
                        is_ca = bool(inner and inner[0].tag == 1 and inner[0].contents not in (b"", b"\x00"))
                    elif oid == "2.5.29.14":
                        ski = read_tlv(value)[0].contents
                    elif oid == "2.5.29.35":
                        for item in children(value):
                            if item.cls == 2 and item.tag == 0:
                                aki = item.contents
        sig_alg = decode_oid(children(cert[1].raw)[0].contents)
        return Cert(
            der=der,
            tbs=cert[0].raw,
            signature_alg=sig_alg,
            signature=cert[2].contents[1:],
            serial=serial,
            issuer_raw=issuer_raw,
            subject_raw=subject_raw,
            not_before=_time(validity[0]),
            not_after=_time(validity[1]),
            key_alg=key_alg,
            key_params=key_params,
            spki=spki.raw,
            public_key=public_key,
            is_ca=is_ca,
            ski=ski,
            aki=aki,
        )
    except (IndexError, ValueError) as exc:
        if isinstance(exc, SesError):
            raise
        raise SesError(f"not a certificate: {exc}") from exc


def verify_with_key(key_cert: Cert, signature_alg: str, message: bytes, signature: bytes) -> bool | None:
    """Check `signature` over `message` with the public key of `key_cert`.
    Returns None when the algorithm is not one we can verify."""
    if signature_alg in SM2_SIGNATURE_OIDS or (key_cert.is_sm2 and signature_alg == sm2.SM3_OID):
        if not key_cert.is_sm2:
            return False
        try:
            return sm2.verify(key_cert.sm2_point(), message, signature)
        except sm2.SM2Error:
            return False
    hash_cls = _HASH_BY_SIG_OID.get(signature_alg)
    if hash_cls is None:
        return None
    try:
        key = serialization.load_der_public_key(key_cert.spki)
    except (ValueError, TypeError):
        return None
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hash_cls())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hash_cls()))
        else:
            return None
    except InvalidSignature:
        return False
    return True


def issued_by(cert: Cert, issuer: Cert) -> bool:
    """True when `issuer`'s key made `cert`'s signature (names compared as raw DER)."""
    if cert.issuer_raw != issuer.subject_raw:
        return False
    return bool(verify_with_key(issuer, cert.signature_alg, cert.tbs, cert.signature))


def load_certs(data: bytes) -> list[bytes]:
    """DER certificates from PEM (one or more blocks) or DER bytes."""
    if b"-----BEGIN" in data:
        import base64
        import re

        out = []
        for block in re.findall(rb"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----(.+?)-----END", data, re.S):
            try:
                out.append(base64.b64decode(b"".join(block.split())))
            except ValueError:
                continue
        return out
    return [data]

"""ASN.1 structures of Chinese electronic seals and signatures, and their parsing.

- SES v4 (GB/T 38540-2020; also "v4" of GM/T 0031): SESeal and SES_Signature with TBS_Sign.
- SES v1 (GM/T 0031-2014): the older layout (signer cert and algorithm inside TBS_Sign).
- "Sign" type: PKCS#7 SignedData (GM/T 0010, OID 1.2.156.10197.6.1.4.2.2), or a bare SM2 value.

What each signature covers is sliced from the ORIGINAL DER bytes with the small reader of `der.py`
(asn1crypto specs type the fields); nothing here re-encodes signed content, since a producer's
slightly non-canonical DER must verify exactly as it was signed.

Called by `verify.py`; pure functions over bytes, no I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from asn1crypto import cms, core

from validators.signatures.der import SesError, Tlv, children  # noqa: F401  (SesError re-exported)
from validators.signatures.ofd.sm2 import SM2_WITH_SM3_OID

GM_SIGNED_DATA_OID = "1.2.156.10197.6.1.4.2.2"
GM_DATA_OID = "1.2.156.10197.6.1.4.2.1"


# --- ASN.1 specs ----------------------------------------------------------------------------


class SESHeader(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class SealPicture(core.Sequence):
    _fields = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class SealInfo(core.Sequence):
    # `property` differs between v1 and v4 (and between vendors): decoded leniently by `_property`.
    _fields = [
        ("header", SESHeader),
        ("es_id", core.IA5String),
        ("property", core.Any),
        ("picture", SealPicture),
        ("ext_datas", core.Any, {"optional": True}),
    ]


class SignInfoV1(core.Sequence):
    _fields = [("cert", core.OctetString), ("signature_alg", core.ObjectIdentifier), ("sign_data", core.BitString)]


class SealV1(core.Sequence):
    _fields = [("seal_info", SealInfo), ("sign_info", SignInfoV1)]


class SealV4(core.Sequence):
    _fields = [
        ("seal_info", SealInfo),
        ("cert", core.OctetString),
        ("signature_alg", core.ObjectIdentifier),
        ("signed_value", core.BitString),
        ("timestamp", core.Any, {"optional": True}),
    ]


class TBSSignV1(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", core.Any),
        ("time_info", core.BitString),
        ("data_hash", core.BitString),
        ("property_info", core.IA5String),
        ("cert", core.OctetString),
        ("signature_alg", core.ObjectIdentifier),
    ]


class SESSignatureV1(core.Sequence):
    _fields = [("to_sign", TBSSignV1), ("signature", core.BitString)]


class TBSSignV4(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", core.Any),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.BitString),
        ("property_info", core.IA5String),
        ("ext_datas", core.Any, {"explicit": 0, "optional": True}),
    ]


class SESSignatureV4(core.Sequence):
    _fields = [
        ("to_sign", TBSSignV4),
        ("cert", core.OctetString),
        ("signature_alg", core.ObjectIdentifier),
        ("signature", core.BitString),
        ("timestamp", core.BitString, {"explicit": 0, "optional": True}),
    ]


# --- parsed results -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Seal:
    """An electronic seal (印章): who made it, for whom, its validity, and what its maker signed."""

    version: str  # "v1" or "v4" (header version 4 or 5 share the v4 layout)
    header_version: int
    der: bytes  # the whole SESeal as found
    es_id: str
    name: str
    seal_type: int | None
    cert_list: tuple[bytes, ...]  # certificates (DER) of signers allowed to use the seal
    cert_digests: tuple[tuple[str, bytes], ...]  # (hash algorithm name, digest) when listed by digest
    cert_list_nonstandard: tuple[str, ...]  # entries that are neither certificates nor digests
    create_date: dt.datetime | None
    valid_start: dt.datetime | None
    valid_end: dt.datetime | None
    picture_type: str
    picture: bytes
    maker_cert: bytes
    signature_alg: str
    signed_content: bytes  # the DER the maker's signature covers
    signature: bytes


@dataclasses.dataclass(frozen=True)
class SesSignature:
    """An SES_Signature (电子签章) from SignedValue.dat."""

    version: str  # "v1" or "v4"
    seal_der: bytes
    time_info: dt.datetime | None
    time_info_raw: str
    data_hash: bytes
    property_info: str
    signer_cert: bytes
    signature_alg: str
    to_sign: bytes  # original DER of TBS_Sign
    signature: bytes
    timestamp: bytes | None


@dataclasses.dataclass(frozen=True)
class SignedDataSignature:
    """A "Sign" type value: PKCS#7 SignedData (GM/T 0010) or a bare SM2 signature value."""

    kind: str  # "pkcs7" or "bare"
    certificates: tuple[bytes, ...]
    signer_serial: int | None
    signer_issuer: bytes | None  # raw DER of the issuer name (compared as bytes)
    signer_ski: bytes | None
    digest_alg: str | None
    signature_alg: str | None
    signed_attrs: bytes | None  # DER of the signed attributes re-tagged as SET OF (what is signed)
    message_digest: bytes | None
    signing_time: dt.datetime | None
    econtent: bytes | None
    signature: bytes


# --- helpers --------------------------------------------------------------------------------


def bit_string_bytes(value: core.BitString) -> bytes:
    contents = value.contents or b""
    if not contents:
        return b""
    return bytes(contents[1:])


def parse_time_text(text: str) -> dt.datetime | None:
    """Lenient time parsing for the many formats producers write (returns aware UTC when 'Z' or an
    offset is present, else naive)."""
    text = text.strip().strip("\x00")
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})[T ]?(\d{2}):?(\d{2}):?(\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})?", text)
    if m:
        y, mo, d, h, mi, s, tz = m.groups()
        value = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        if tz == "Z":
            return value.replace(tzinfo=dt.timezone.utc)
        if tz:
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return value.replace(tzinfo=dt.timezone(sign * offset))
        return value
    m = re.fullmatch(r"(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z", text)  # UTCTime text
    if m:
        yy, mo, d, h, mi, s = m.groups()
        year = 2000 + int(yy) if int(yy) < 50 else 1900 + int(yy)
        return dt.datetime(year, int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=dt.timezone.utc)
    return None


def _text_of(value: core.Asn1Value) -> str:
    parsed = value.parsed if isinstance(value, core.Any) else value
    try:
        native = parsed.native
    except ValueError:
        return parsed.contents.decode("utf-8", "replace")
    if isinstance(native, bytes):
        return native.decode("utf-8", "replace")
    return str(native)


# --- seals ----------------------------------------------------------------------------------


def _tlv_text(item: Tlv) -> str:
    return item.contents.decode("utf-8", "replace")


def _tlv_time(item: Tlv) -> dt.datetime | None:
    if item.cls != 0:
        return None
    if item.tag == 3:  # BIT STRING holding ASCII time
        return parse_time_text(item.contents[1:].decode("ascii", "replace"))
    return parse_time_text(item.contents.decode("ascii", "replace"))


def _property(raw: bytes) -> dict:
    """Decode SES_ESPropertyInfo of either layout (vendors vary, so by tags rather than a spec):
    v1: type, name, certList, createDate, validStart, validEnd (UTCTime)
    v4: type, name, certListType, certList, createDate, validStart, validEnd (GeneralizedTime)
    certList: SEQUENCE OF OCTET STRING (certificates) or SEQUENCE OF {type, digest}.
    """
    items = children(raw)
    if len(items) < 6:
        raise SesError("seal property has too few elements")
    seal_type = int.from_bytes(items[0].contents, "big", signed=True) if items[0].tag == 2 else None
    name = _tlv_text(items[1])
    rest = items[2:]
    cert_list_type = None
    if rest[0].tag == 2 and not rest[0].constructed:
        cert_list_type = int.from_bytes(rest[0].contents, "big", signed=True)
        rest = rest[1:]
    if len(rest) < 4 or not rest[0].constructed:
        raise SesError("seal property: no certificate list")
    certs: list[bytes] = []
    digests: list[tuple[str, bytes]] = []
    odd: list[str] = []
    for entry in children(rest[0].raw):
        if entry.cls == 0 and entry.tag == 4:
            certs.append(entry.contents)
        elif entry.cls == 0 and entry.tag == 16:
            inner = children(entry.raw)
            if inner and inner[0].tag == 16:  # a certificate given directly as SEQUENCE
                certs.append(entry.raw)
            elif len(inner) >= 2 and inner[1].tag == 4:
                digests.append((_tlv_text(inner[0]), inner[1].contents))
            else:
                odd.append(entry.raw.hex())
        else:
            odd.append(_tlv_text(entry))
    return {
        "type": seal_type,
        "name": name,
        "cert_list_type": cert_list_type,
        "certs": tuple(certs),
        "digests": tuple(digests),
        "odd": tuple(odd),
        "create_date": _tlv_time(rest[1]),
        "valid_start": _tlv_time(rest[2]),
        "valid_end": _tlv_time(rest[3]),
    }


def parse_seal(data: bytes) -> Seal:
    """Parse an SESeal (v1 or v4/v5). Raises SesError."""
    try:
        outer = children(data)
        if len(outer) < 2:
            raise SesError("seal: too few elements")
        is_v1 = outer[1].tag == 16  # SEQUENCE signInfo (v1) vs OCTET STRING maker cert (v4)
        seal = (SealV1 if is_v1 else SealV4).load(data, strict=True)
        info: SealInfo = seal["seal_info"]
        prop = _property(children(outer[0].raw)[2].raw)
        header_version = int(info["header"]["version"].native)
        info_der = outer[0].raw  # exact bytes as found (the DER reader slices, never re-encodes)
        if is_v1:
            sign_info = seal["sign_info"]
            maker_cert = bytes(sign_info["cert"].native)
            alg = sign_info["signature_alg"].dotted
            signature = bit_string_bytes(sign_info["sign_data"])
            # v1: the maker signs SEQUENCE{SealInfo, cert, signatureAlgorithm}
            sign_items = children(outer[1].raw)
            body = info_der + sign_items[0].raw + sign_items[1].raw
            signed_content = _sequence(body)
        else:
            maker_cert = bytes(seal["cert"].native)
            alg = seal["signature_alg"].dotted
            signature = bit_string_bytes(seal["signed_value"])
            signed_content = info_der
        picture: SealPicture = info["picture"]
        return Seal(
            version="v1" if is_v1 else "v4",
            header_version=header_version,
            der=data,
            es_id=_text_of(info["es_id"]),
            name=prop["name"],
            seal_type=prop["type"],
            cert_list=prop["certs"],
            cert_digests=prop["digests"],
            cert_list_nonstandard=prop["odd"],
            create_date=prop["create_date"],
            valid_start=prop["valid_start"],
            valid_end=prop["valid_end"],
            picture_type=_text_of(picture["type"]),
            picture=bytes(picture["data"].native),
            maker_cert=maker_cert,
            signature_alg=alg,
            signed_content=signed_content,
            signature=signature,
        )
    except SesError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise SesError(f"not an SESeal: {exc}") from exc


def _sequence(body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return b"\x30" + length + body


# --- SES signatures -------------------------------------------------------------------------


def parse_ses_signature(data: bytes) -> SesSignature:
    """Parse an SES_Signature (v1 or v4). Raises SesError."""
    try:
        outer = children(data)
        if len(outer) < 2 or outer[0].tag != 16:
            raise SesError("SES_Signature: not a SEQUENCE{TBS_Sign, ...}")
        tbs = children(outer[0].raw)
        if len(tbs) < 5:
            raise SesError("TBS_Sign: too few elements")
        if tbs[2].tag == 3:  # v1: timeInfo is a BIT STRING with ASCII time
            sig = SESSignatureV1.load(data, strict=True)
            to_sign = sig["to_sign"]
            time_raw = bit_string_bytes(to_sign["time_info"]).decode("ascii", "replace")
            return SesSignature(
                version="v1",
                seal_der=tbs[1].raw,
                time_info=parse_time_text(time_raw),
                time_info_raw=time_raw,
                data_hash=bit_string_bytes(to_sign["data_hash"]),
                property_info=_text_of(to_sign["property_info"]),
                signer_cert=bytes(to_sign["cert"].native),
                signature_alg=to_sign["signature_alg"].dotted,
                to_sign=outer[0].raw,
                signature=bit_string_bytes(sig["signature"]),
                timestamp=None,
            )
        sig = SESSignatureV4.load(data, strict=True)
        to_sign = sig["to_sign"]
        time_value = to_sign["time_info"]
        try:
            time_info = time_value.native
        except ValueError:
            time_info = parse_time_text(time_value.contents.decode("ascii", "replace"))
        ts = sig["timestamp"]
        return SesSignature(
            version="v4",
            seal_der=tbs[1].raw,
            time_info=time_info,
            time_info_raw=time_value.contents.decode("ascii", "replace"),
            data_hash=bit_string_bytes(to_sign["data_hash"]),
            property_info=_text_of(to_sign["property_info"]),
            signer_cert=bytes(sig["cert"].native),
            signature_alg=sig["signature_alg"].dotted,
            to_sign=outer[0].raw,
            signature=bit_string_bytes(sig["signature"]),
            timestamp=None if isinstance(ts, core.Void) else bit_string_bytes(ts),
        )
    except SesError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise SesError(f"not an SES_Signature: {exc}") from exc


# --- "Sign" type ----------------------------------------------------------------------------


def parse_signed_data(data: bytes) -> SignedDataSignature:
    """Parse a "Sign" value: ContentInfo{1.2.156.10197.6.1.4.2.2 or pkcs7 signedData, [0] SignedData},
    or a bare SM2 signature (DER SEQUENCE{r, s} / raw r||s). Raises SesError."""
    try:
        outer = children(data)
    except SesError:
        outer = []
    if not outer or outer[0].cls != 0 or outer[0].tag != 6:
        # a bare signature value (r, s)
        if len(data) == 64 or (data[:1] == b"\x30" and len(data) <= 80):
            return SignedDataSignature("bare", (), None, None, None, None, SM2_WITH_SM3_OID, None, None, None, None, data)
        raise SesError("neither SignedData nor a signature value")
    try:
        if len(outer) < 2 or outer[1].tag != 0 or outer[1].cls != 2:
            raise SesError("SignedData content missing")
        # GM/T 0010 uses its own OIDs; load the [0] content as SignedData directly.
        signed = cms.SignedData.load(outer[1].contents, strict=True)
        infos = signed["signer_infos"]
        if len(infos) != 1:
            raise SesError(f"expected one signer, found {len(infos)}")
        info = infos[0]
        certs: tuple[bytes, ...] = ()
        for element in children(outer[1].contents):
            if element.cls == 2 and element.tag == 0 and element.constructed:
                # [0] IMPLICIT SET OF Certificate; raw bytes, since some CA names break strict decoding
                certs = tuple(item.raw for item in children(b"\x31" + element.raw[1:]))
        sid = info["sid"]
        serial = issuer = ski = None
        if sid.name == "issuer_and_serial_number":
            serial = sid.chosen["serial_number"].native
            issuer = sid.chosen["issuer"].dump()
        else:
            ski = bytes(sid.chosen.native)
        signed_attrs = info["signed_attrs"]
        attrs_der = message_digest = signing_time = None
        if signed_attrs.native is not None and len(signed_attrs):
            # what is signed is the attributes encoded as SET OF (tag 0x31), not [0] IMPLICIT
            attrs_der = b"\x31" + signed_attrs.dump()[1:]
            for attr in signed_attrs:
                kind = attr["type"].dotted
                values = attr["values"]
                if kind == "1.2.840.113549.1.9.4":
                    message_digest = bytes(values[0].native)
                elif kind == "1.2.840.113549.1.9.5":
                    try:
                        signing_time = values[0].native
                    except ValueError:
                        signing_time = None
        econtent = None
        encap = signed["encap_content_info"]["content"]
        if encap.native is not None:
            inner = encap.parsed if isinstance(encap, core.Any) else encap
            econtent = bytes(inner.native) if isinstance(inner.native, bytes) else inner.contents
        return SignedDataSignature(
            kind="pkcs7",
            certificates=certs,
            signer_serial=serial,
            signer_issuer=issuer,
            signer_ski=ski,
            digest_alg=info["digest_algorithm"]["algorithm"].dotted,
            signature_alg=info["signature_algorithm"]["algorithm"].dotted,
            signed_attrs=attrs_der,
            message_digest=message_digest,
            signing_time=signing_time,
            econtent=econtent,
            signature=bytes(info["signature"].native),
        )
    except SesError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise SesError(f"not a SignedData: {exc}") from exc

"""Verification of OFD signatures and e-seals (GB/T 38540 v4, GM/T 0031 v1, "Sign" SignedData).

Steps per signature (docs/domain.md): (a) each referenced file's digest equals its CheckValue;
(d) the signature's data hash equals SM3 of the raw Signature.xml; (c) the signer's SM2 signature
over the original DER of TBS_Sign (or the signed attributes / eContent of a SignedData);
Seal.esl equals the seal inside the signature; (e) the seal's own signature by its maker;
(f) validity windows at signing time; (g) the signer's certificate in the seal's certificate list;
the chain of signer and maker to the trust store; files that affect rendering but are not covered.

Called by `validators.signatures.Verifier`; returns results, raises only `OfdMalformed` for a
package that cannot be read at all.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import posixpath
from typing import Any
from xml.etree.ElementTree import Element

from pipeline.errors import OfdMalformed
from pipeline.interfaces import SHANGHAI
from pipeline.models import Finding, SignatureResult
from validators.signatures import findings as F
from validators.signatures.certs import Cert, parse_cert, verify_with_key
from validators.signatures.der import SesError
from validators.signatures.ofd import ses, sm2
from pipeline.ofd_package import (
    Limits,
    OfdPackage,
    SignatureEntry,
    child,
    children_named,
    descendant,
    local_name,
    text_of,
)
from validators.signatures.trust import TrustStore, build_chain

SM3_METHODS = {"sm3", sm2.SM3_OID}
KEYED_SM3_METHODS = {sm2.SM3_OID + ".2"}
OTHER_METHODS = {
    "sha1": hashlib.sha1,
    "1.3.14.3.2.26": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha-256": hashlib.sha256,
    "2.16.840.1.101.3.4.2.1": hashlib.sha256,
}
# folders whose files do not change what is shown (attachments, custom tags)
NON_RENDERING_DIRS = {"attachs", "attachments", "tags", "customtags"}
NON_RENDERING_FILES = {"attachments.xml", "customtags.xml"}
MAX_LISTED_FILES = 5


@dataclasses.dataclass
class _Check:
    """What was found for one signature; turned into a SignatureResult at the end."""

    entry: SignatureEntry
    details: dict[str, Any] = dataclasses.field(default_factory=dict)
    findings: list[Finding] = dataclasses.field(default_factory=list)
    tamper_reasons: list[str] = dataclasses.field(default_factory=list)
    signer: Cert | None = None
    signing_time: dt.datetime | None = None
    verifiable: bool = True
    signed_by: str | None = None


def verify_ofd(
    data: bytes,
    trust: TrustStore,
    at: dt.datetime,
    *,
    strict: bool = False,
    limits: Limits = Limits(),
) -> list[SignatureResult]:
    """Verify every signature listed in the package (in document order)."""
    package = OfdPackage(data, limits)
    entries = list(package.signatures())
    return [_verify_entry(package, entry, entries, trust, at, strict) for entry in entries]


# --- one signature ----------------------------------------------------------------------------


def _verify_entry(
    package: OfdPackage, entry: SignatureEntry, entries: list[SignatureEntry], trust: TrustStore, at: dt.datetime, strict: bool
) -> SignatureResult:
    check = _Check(entry, details={"id": entry.id, "type": entry.type, "path": entry.path})
    try:
        signature_xml = package.read(entry.path)
    except KeyError:
        return _broken(check, "签章描述文件缺失，无法验证")
    try:
        root = package.xml(entry.path)
    except OfdMalformed:
        return _broken(check, "签章描述文件不是有效的 XML，无法验证")
    if local_name(root.tag) != "Signature":
        return _broken(check, "签章描述文件格式错误，无法验证")
    signed_info = child(root, "SignedInfo")
    if signed_info is None:
        return _broken(check, "签章描述文件缺少签名信息，无法验证")
    check.details["claimed_time"] = text_of(child(signed_info, "SignatureDateTime")) or None
    value_ref = text_of(child(root, "SignedValue"))
    try:
        signed_value = package.read(package.resolve(entry.path, value_ref)) if value_ref else None
    except KeyError:
        signed_value = None
    if not signed_value:
        return _broken(check, "签名值文件缺失，无法验证")

    parsed = _parse_value(signed_value, entry.type)
    if parsed is None:
        return _broken(check, "签名值数据损坏或格式不符合规范，无法验证")

    if isinstance(parsed, ses.SesSignature):
        _check_ses(check, package, signed_info, parsed, signature_xml, trust, at, strict)
    else:
        _check_signed_data(check, parsed, signature_xml, trust, at)

    _check_references(check, package, signed_info, entries)
    _check_coverage(check, package, entries)
    return _result(check, strict)


def _parse_value(value: bytes, declared_type: str) -> ses.SesSignature | ses.SignedDataSignature | None:
    parsers = [ses.parse_signed_data, ses.parse_ses_signature]
    if declared_type.lower() != "sign":
        parsers.reverse()
    for parse in parsers:
        try:
            return parse(value)
        except SesError:
            continue
    return None


def _broken(check: _Check, message: str) -> SignatureResult:
    check.details["verifiable"] = False
    return SignatureResult(
        intact=False,
        trusted=False,
        covers_whole_file=False,
        later_changes="none",
        revocation="unknown",
        findings=(F.finding(F.INVALID, message),),
        kind="ofd",
        details=check.details,
    )


# --- SES_Signature (seal) ---------------------------------------------------------------------


def _check_ses(
    check: _Check,
    package: OfdPackage,
    signed_info: Element,
    sig: ses.SesSignature,
    signature_xml: bytes,
    trust: TrustStore,
    at: dt.datetime,
    strict: bool,
) -> None:
    d = check.details
    d["version"] = sig.version
    d["property_info"] = sig.property_info
    d["has_timestamp"] = sig.timestamp is not None
    try:
        signer = parse_cert(sig.signer_cert)
    except SesError:
        check.verifiable = False
        check.findings.append(F.finding(F.INVALID, "签章中的签名人证书无法解析，无法验证"))
        return
    check.signer = signer
    d["signer"] = signer.subject
    check.signing_time = sig.time_info
    d["signing_time_source"] = "timeInfo" if sig.time_info else None

    # (d) data hash = SM3(raw Signature.xml)
    d["data_hash"] = sig.data_hash == sm2.sm3(signature_xml)
    if not d["data_hash"]:
        check.tamper_reasons.append("签章描述文件（Signature.xml）在签章后被改动")

    # (c) signer's signature over the original TBS_Sign bytes
    d["signature_encoding"] = _encoding(sig.signature)
    ok = verify_with_key(signer, sig.signature_alg, sig.to_sign, sig.signature)
    if ok is None:
        _unsupported(check, sig.signature_alg)
        return
    d["signature"] = ok
    if not ok and sig.version == "v1" and signer.is_sm2:
        # GM/T 0031 v1 producers that sign the stored hash as e (time, seal, certificate uncovered)
        over_hash = len(sig.data_hash) == 32 and sm2.verify_digest(signer.sm2_point(), sig.data_hash, sig.signature)
        d["signature_over_hash_only"] = over_hash
        if over_hash:
            check.findings.append(F.finding(F.HASH_ONLY, severity="error" if strict else "warning"))
            if strict:
                check.tamper_reasons.append("旧版签章的签名只覆盖文件摘要，严格模式下不予认可")
        else:
            check.tamper_reasons.append("签名值校验失败")
    elif not ok:
        check.tamper_reasons.append("签名值校验失败")

    _check_seal(check, package, signed_info, sig, signer, trust)
    _check_validity(check, signer, at)
    _check_chain(check, signer, trust, extra=())


def _check_seal(
    check: _Check, package: OfdPackage, signed_info: Element, sig: ses.SesSignature, signer: Cert, trust: TrustStore
) -> None:
    d = check.details
    try:
        seal = ses.parse_seal(sig.seal_der)
    except SesError:
        d["seal_signature"] = False
        check.findings.append(F.finding(F.SEAL_MAKER_INVALID, "签章中的电子印章数据损坏，无法验证"))
        return
    check.signed_by = seal.name or signer.display_name
    d.update(seal_name=seal.name, seal_id=seal.es_id, seal_version=seal.header_version)

    # Seal.esl (when the package carries one) must be the seal inside the signature
    seal_element = child(signed_info, "Seal")
    seal_ref = text_of(descendant(seal_element, "BaseLoc")) if seal_element is not None else ""
    esl_path = package.resolve(check.entry.path, seal_ref) if seal_ref else None
    if esl_path and package.has(esl_path):
        d["seal_matches_file"] = package.read(esl_path) == seal.der
        if not d["seal_matches_file"]:
            check.findings.append(F.finding(F.SEAL_MISMATCH, "签章中的电子印章与文件中附带的印章数据不一致"))
    else:
        d["seal_matches_file"] = None

    # (e) the maker's signature over the seal
    try:
        maker = parse_cert(seal.maker_cert)
    except SesError:
        maker = None
    if maker is None:
        d["seal_signature"] = False
        check.findings.append(F.finding(F.SEAL_MAKER_INVALID, "电子印章的制章者证书无法解析"))
    else:
        d["maker"] = maker.subject
        ok = verify_with_key(maker, seal.signature_alg, seal.signed_content, seal.signature)
        d["seal_signature"] = ok
        d["seal_signature_encoding"] = _encoding(seal.signature)
        if ok is None:
            check.findings.append(F.finding(F.UNSUPPORTED_ALGORITHM, f"电子印章使用了本系统无法验证的算法（{seal.signature_alg}），请人工核验"))
        elif not ok:
            check.findings.append(F.finding(F.SEAL_MAKER_INVALID, "电子印章的制章签名校验失败，印章可能是伪造或被改动的"))

    # (g) the signer must be one of the seal's certificates
    if seal.cert_list or seal.cert_digests:
        listed = signer.der in seal.cert_list or any(_digest_matches(name, value, signer.der) for name, value in seal.cert_digests)
        d["signer_in_seal"] = listed
        if not listed:
            check.findings.append(F.finding(F.SEAL_MISMATCH, "签章人的证书不在该电子印章授权使用的证书列表中"))
    else:
        d["signer_in_seal"] = None
        d["seal_cert_list_nonstandard"] = list(seal.cert_list_nonstandard)

    # (f) seal valid at signing time; maker certificate valid when the seal was made
    when = check.signing_time
    if when is not None and seal.valid_start and seal.valid_end:
        d["seal_valid"] = _aware(seal.valid_start) <= _aware(when) <= _aware(seal.valid_end)
        if not d["seal_valid"]:
            check.findings.append(
                F.finding(F.SEAL_EXPIRED, f"盖章时电子印章不在有效期内（印章有效期 {_day(seal.valid_start)} 至 {_day(seal.valid_end)}）")
            )
    else:
        d["seal_valid"] = None
    if maker is not None and seal.create_date is not None:
        d["maker_cert_valid"] = maker.valid_at(_aware(seal.create_date))
        if not d["maker_cert_valid"]:
            check.findings.append(
                F.finding(
                    F.SEAL_MAKER_INVALID,
                    f"制作电子印章时制章者证书不在有效期内（制章时间 {_day(seal.create_date)}，证书有效期 {_day(maker.not_before)} 至 {_day(maker.not_after)}）",
                )
            )
    else:
        d["maker_cert_valid"] = None
    if maker is not None:
        chain = build_chain(maker, trust, at=_aware(seal.create_date) if seal.create_date else None)
        d["maker_chain"] = chain.reason


def _digest_matches(name: str, value: bytes, der: bytes) -> bool:
    algorithm = name.strip().lower()
    if algorithm in ("sm3", sm2.SM3_OID):
        return sm2.sm3(der) == value
    func = OTHER_METHODS.get(algorithm)
    return bool(func and func(der).digest() == value)


# --- "Sign" type (SignedData or bare value) ---------------------------------------------------


def _check_signed_data(check: _Check, sig: ses.SignedDataSignature, signature_xml: bytes, trust: TrustStore, at: dt.datetime) -> None:
    d = check.details
    d["version"] = sig.kind
    d["signature_encoding"] = _encoding(sig.signature)
    candidates: list[Cert] = []
    for der in sig.certificates:
        try:
            candidates.append(parse_cert(der))
        except SesError:
            continue
    signer = _pick_signer(sig, candidates)
    from_trust_store = False
    if sig.kind == "pkcs7":
        if sig.signed_attrs is not None:
            digest_ok = sig.message_digest == _digest(sig.digest_alg, signature_xml)
            message = sig.signed_attrs
        elif sig.econtent is not None:
            digest_ok = sig.econtent == _digest(sig.digest_alg, signature_xml)
            message = sig.econtent
        else:  # detached over Signature.xml itself
            digest_ok, message = None, signature_xml
        d["data_hash"] = digest_ok
        if digest_ok is False:
            check.tamper_reasons.append("签名描述文件（Signature.xml）在签名后被改动")
        check.signing_time = sig.signing_time
        d["signing_time_source"] = "signingTime" if sig.signing_time else None
    else:
        message = signature_xml
        d["data_hash"] = None
        d["signing_time_source"] = None

    algorithm = _signature_algorithm(sig)
    if signer is None:
        # a bare "Sign" may carry no certificate: try the configured ones
        for cert in trust.certs:
            if verify_with_key(cert, algorithm, message, sig.signature):
                signer, from_trust_store = cert, True
                break
    if signer is None:
        check.verifiable = False
        d["signature"] = None
        check.findings.append(F.finding(F.UNTRUSTED, "签名未附带签名人证书，信任库中也没有能验证它的证书，无法验证签名，请人工核验"))
        return
    check.signer = signer
    check.signed_by = signer.display_name
    d["signer"] = signer.subject
    d["signer_from_trust_store"] = from_trust_store
    ok = verify_with_key(signer, algorithm, message, sig.signature)
    if ok is None:
        _unsupported(check, algorithm)
        return
    d["signature"] = ok
    if not ok:
        check.tamper_reasons.append("签名值校验失败")
    _check_validity(check, signer, at)
    _check_chain(check, signer, trust, extra=candidates)


def _pick_signer(sig: ses.SignedDataSignature, candidates: list[Cert]) -> Cert | None:
    for cert in candidates:
        if sig.signer_serial is not None and cert.serial == sig.signer_serial and cert.issuer_raw == sig.signer_issuer:
            return cert
        if sig.signer_ski is not None and cert.ski == sig.signer_ski:
            return cert
    return candidates[0] if len(candidates) == 1 else None


def _signature_algorithm(sig: ses.SignedDataSignature) -> str:
    """A signature OID verify_with_key understands (PKCS#7 often names only the key algorithm)."""
    alg = sig.signature_alg or sm2.SM2_WITH_SM3_OID
    digest = (sig.digest_alg or "").lower()
    if alg == "1.2.840.113549.1.1.1":  # rsaEncryption + digest algorithm
        return {"1.3.14.3.2.26": "1.2.840.113549.1.1.5", "2.16.840.1.101.3.4.2.1": "1.2.840.113549.1.1.11"}.get(digest, alg)
    return alg


def _digest(algorithm: str | None, data: bytes) -> bytes | None:
    name = (algorithm or sm2.SM3_OID).lower()
    if name in SM3_METHODS:
        return sm2.sm3(data)
    func = OTHER_METHODS.get(name)
    return func(data).digest() if func else None


# --- shared steps -----------------------------------------------------------------------------


def _encoding(value: bytes) -> str | None:
    try:
        return sm2.signature_encoding(value)
    except sm2.SM2Error:
        return None


def _unsupported(check: _Check, algorithm: str) -> None:
    check.verifiable = False
    check.details["signature"] = None
    check.findings.append(F.finding(F.UNSUPPORTED_ALGORITHM, f"签名使用了本系统无法验证的算法（{algorithm}），请人工核验"))


def _check_validity(check: _Check, signer: Cert, at: dt.datetime) -> None:
    """(f) the signer's certificate at signing time; without a signed time, at the judging time."""
    d = check.details
    when = check.signing_time
    d["signing_time"] = _aware(when).isoformat() if when else None
    if when is not None:
        d["signer_cert_valid"] = signer.valid_at(_aware(when))
        if not d["signer_cert_valid"]:
            check.findings.append(
                F.finding(
                    F.CERT_EXPIRED,
                    f"签名时签名证书不在有效期内（签名时间 {_day(when)}，证书有效期 {_day(signer.not_before)} 至 {_day(signer.not_after)}）",
                )
            )
    else:
        d["signer_cert_valid"] = None
        if not signer.valid_at(_aware(at)):
            check.findings.append(
                F.finding(
                    F.CERT_EXPIRED,
                    f"签名时间无法确认，且签名证书在核验日不在有效期内（证书有效期 {_day(signer.not_before)} 至 {_day(signer.not_after)}），请人工核验",
                    severity="warning",
                )
            )
    parts = [d.get("signer_cert_valid"), d.get("seal_valid"), d.get("maker_cert_valid")]
    d["validity"] = None if all(p is None for p in parts) else all(p is not False for p in parts)


def _check_chain(check: _Check, signer: Cert, trust: TrustStore, extra: list[Cert] | tuple[()]) -> None:
    d = check.details
    when = _aware(check.signing_time) if check.signing_time else None
    chain = build_chain(signer, trust, extra=extra, at=when)
    d["signer_chain"] = chain.reason
    trusted = chain.trusted and d.get("maker_chain", "trusted") == "trusted"
    d["trusted_chain"] = trusted
    if not trusted:
        if chain.reason == "no_trust_store":
            message = "未配置受信任的根证书，无法确认签名人身份，请人工核验"
        else:
            message = f"签名证书（{signer.display_name}）不是由受信任的机构签发，无法确认签名人身份，请人工核验"
        check.findings.append(F.finding(F.UNTRUSTED, message))


def _reference_digest(method: str, data: bytes, signer: Cert | None) -> bytes | None:
    key = method.strip().lower()
    if key in SM3_METHODS:
        return sm2.sm3(data)
    if key in KEYED_SM3_METHODS:
        if signer is None or not signer.is_sm2:
            return None
        return sm2.sm3(sm2.z_value(signer.sm2_point()) + data)
    func = OTHER_METHODS.get(key)
    return func(data).digest() if func else None


def _check_references(check: _Check, package: OfdPackage, signed_info: Element, entries: list[SignatureEntry]) -> None:
    """(a) every referenced file's digest; a failing reference to the signature list alone, when
    later signatures were added, is a benign later signature, not tampering."""
    d = check.details
    references = child(signed_info, "References")
    if references is None:
        d["references"] = False
        d["covered_files"] = []
        check.tamper_reasons.append("签章没有保护任何文件")
        return
    method = references.get("CheckMethod") or sm2.SM3_OID
    d["check_method"] = method
    covered, failed, missing = [], [], []
    for reference in children_named(references, "Reference"):
        path = package.resolve(check.entry.path, reference.get("FileRef") or "")
        covered.append(path)
        try:
            expected = base64.b64decode(text_of(child(reference, "CheckValue")), validate=False)
        except (binascii.Error, ValueError):
            expected = b""
        try:
            data = package.read(path)
        except KeyError:
            missing.append(path)
            continue
        digest = _reference_digest(method, data, check.signer)
        if digest is None:
            _unsupported(check, method)
            d["references"] = None
            d["covered_files"] = covered
            return
        if digest != expected:
            failed.append(path)
    d["covered_files"] = covered
    d["failed_references"] = failed
    d["missing_references"] = missing
    d["references"] = not failed and not missing and bool(covered)
    later = [e for e in entries if e.list_path == check.entry.list_path and e.order > check.entry.order]
    if failed == [check.entry.list_path] and not missing and later:
        d["later_signature"] = True
        check.findings.append(
            F.finding(F.LATER_SIGNATURE, f"本签章之后文件又加盖了 {len(later)} 个签章，签章列表随之更新，属正常情况，不影响本签章")
        )
        return
    d["later_signature"] = False
    if failed or missing:
        listed = "、".join((failed + missing)[:MAX_LISTED_FILES]) + (" 等" if len(failed) + len(missing) > MAX_LISTED_FILES else "")
        verb = "被改动或删除" if missing else "被改动"
        check.tamper_reasons.insert(0, f"签章后以下文件{verb}：{listed}")
    if not covered:
        check.tamper_reasons.append("签章没有保护任何文件")


def _renders(path: str, entries: list[SignatureEntry]) -> bool:
    parts = [p.lower() for p in path.split("/")]
    if parts[-1] in NON_RENDERING_FILES or any(p in NON_RENDERING_DIRS for p in parts[:-1]):
        return False
    for entry in entries:
        if path == entry.list_path or posixpath.dirname(path) == posixpath.dirname(entry.path):
            return False
    return True


def _check_coverage(check: _Check, package: OfdPackage, entries: list[SignatureEntry]) -> None:
    covered = {p.lower() for p in check.details.get("covered_files", [])}
    uncovered = sorted(p for p in package.names if p.lower() not in covered and _renders(p, entries))
    check.details["uncovered_files"] = uncovered
    if uncovered and check.verifiable:
        listed = "、".join(uncovered[:MAX_LISTED_FILES]) + (" 等" if len(uncovered) > MAX_LISTED_FILES else "")
        check.findings.append(
            F.finding(F.PARTIAL, f"签章没有保护以下影响显示内容的文件，这些内容可能在签章后被改动：{listed}，请人工核验")
        )


# --- result -----------------------------------------------------------------------------------


def _result(check: _Check, strict: bool) -> SignatureResult:
    d = check.details
    d["verifiable"] = check.verifiable
    findings = list(check.findings)
    if check.tamper_reasons and check.verifiable:
        findings.insert(0, F.finding(F.TAMPERED, "；".join(check.tamper_reasons) + "，签章验证不通过"))
    intact = check.verifiable and not check.tamper_reasons
    trusted = bool(d.get("trusted_chain")) and check.verifiable
    content_changed = bool(d.get("failed_references") or d.get("missing_references")) and not d.get("later_signature")
    later = "other" if content_changed else ("form_filling" if d.get("later_signature") else "none")
    when = check.signing_time
    return SignatureResult(
        signed_by=check.signed_by,
        signed_at=_aware(when).astimezone(SHANGHAI).isoformat() if when else None,
        intact=intact,
        trusted=trusted,
        covers_whole_file=not d.get("uncovered_files") and bool(d.get("covered_files")),
        later_changes=later,
        revocation="unknown",
        findings=tuple(findings),
        kind="ofd",
        details=d,
    )


def _aware(value: dt.datetime) -> dt.datetime:
    """Times without a zone are China Standard Time (what OFD producers write)."""
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _day(value: dt.datetime) -> str:
    return _aware(value).astimezone(SHANGHAI).strftime("%Y-%m-%d")

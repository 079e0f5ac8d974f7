"""Verification of PDF signatures (PAdES / CMS) with pyHanko.

Per signature field: integrity of the signed byte ranges, the signer's chain to the trust store with
validity judged at signing time (validation time = the signer's reported signing time, or the judging
time when that is earlier or unknown), what the signature covers, and what changed afterwards
(pyHanko's difference analysis). No network: fetching is off and revocation is soft-fail, reported
as "unknown" unless the file itself proves otherwise. Algorithms pyHanko cannot check (SM2/SM3,
GB/T 38540 structures inside a PDF, the legacy adbe.x509.rsa_sha1) become a warning, never "tampered".

Called by `validators.signatures.Verifier`; raises only the InputError subclasses for files that
cannot be opened (encrypted with a user password, damaged).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import io
import logging
import threading
from typing import Any, Iterator

from asn1crypto import x509
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from pipeline.errors import FileEmpty, FileEncrypted, FileTruncated
from pipeline.interfaces import SHANGHAI
from pipeline.models import Finding, SignatureResult
from validators.signatures import findings as F
from validators.signatures.certs import common_name, name_text, parse_cert
from validators.signatures.der import SesError
from validators.signatures.ofd import ses, sm2
from validators.signatures.trust import TrustStore

logger = logging.getLogger(__name__)

SUPPORTED_SUBFILTERS = {"/adbe.pkcs7.detached", "/adbe.pkcs7.sha1", "/ETSI.CAdES.detached", "/ETSI.RFC3161"}
SM_OIDS = {sm2.SM2_OID, sm2.SM3_OID, sm2.SM2_WITH_SM3_OID, "1.2.156.10197.1.301.1", "1.2.156.10197.1.501"}
EXPIRY_PROBLEMS = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESFailure.NOT_YET_VALID,
}
REVOKED_PROBLEMS = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
CRYPTO_PROBLEMS = {AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE, AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE}
LATER = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "none",  # validation data and document timestamps only
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}
_LOGGERS = ("pyhanko", "pyhanko_certvalidator")
_log_lock = threading.Lock()


def verify_pdf(data: bytes, trust: TrustStore, at: dt.datetime, *, strict: bool = False) -> list[SignatureResult]:
    """Verify every filled signature field of the PDF, in signing order. (`strict` changes nothing
    for PDFs yet; it is accepted so both kinds share one call.)"""
    reader = open_pdf(data)
    anchors = _Anchors(trust.asn1_roots())
    at = at if at.tzinfo else at.replace(tzinfo=SHANGHAI)
    results: list[tuple[int, SignatureResult]] = []
    with _quiet_pyhanko():
        try:
            fields = list(enumerate_sig_fields(reader, filled_status=True))
        except (misc.PdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise FileTruncated(detail=f"cannot read the signature fields: {exc}") from exc
        for fq_name, sig_ref, sig_field in fields:
            order, result = _verify_field(reader, fq_name, sig_ref, sig_field, anchors, at, len(data))
            results.append((order, result))
    results.sort(key=lambda item: item[0])
    return [result for _, result in results]


def open_pdf(data: bytes) -> PdfFileReader:
    """A pyHanko reader over the bytes. Owner-password-only files open normally; a user password
    raises FileEncrypted; a file pyHanko cannot parse raises FileTruncated."""
    if not data:
        raise FileEmpty()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
    except (misc.PdfError, ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        raise FileTruncated(detail=f"unreadable PDF: {exc}") from exc
    if reader.encrypted:
        try:
            status = reader.decrypt("").status
        except (misc.PdfError, ValueError, KeyError, TypeError, NotImplementedError) as exc:
            raise FileEncrypted(detail=f"cannot open encryption: {exc}") from exc
        if status == AuthStatus.FAILED:
            raise FileEncrypted(detail="a user password is needed")
    return reader


# --- one field --------------------------------------------------------------------------------


def _verify_field(
    reader: PdfFileReader,
    fq_name: str,
    sig_ref: Any,
    sig_field: Any,
    anchors: "_Anchors",
    at: dt.datetime,
    size: int,
) -> tuple[int, SignatureResult]:
    details: dict[str, Any] = {"field": fq_name}
    try:
        sig_obj = sig_ref.get_object()
        subfilter = sig_obj.get("/SubFilter")
        details["subfilter"] = str(subfilter) if subfilter is not None else None
        details["type"] = "doc_timestamp" if sig_obj.get("/Type") == "/DocTimeStamp" else "signature"
        contents = _contents(sig_obj)
    except (misc.PdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        details["error"] = str(exc)[:200]
        return size, _unusable(details, F.INVALID, "签名数据损坏，无法验证")

    if contents is not None and _is_ses(contents):
        details["format"] = "GB/T 38540"
        return size, _unusable(details, F.UNSUPPORTED_ALGORITHM, "该 PDF 使用国密电子签章格式（GB/T 38540），本系统暂不能在 PDF 中验证，请人工核验")
    if subfilter is not None and str(subfilter) not in SUPPORTED_SUBFILTERS:
        return size, _unusable(
            details, F.UNSUPPORTED_ALGORITHM, f"签名使用了本系统不支持的旧式或非标准格式（{str(subfilter).lstrip('/')}），无法验证，请人工核验"
        )
    try:
        embedded = EmbeddedPdfSignature(reader, sig_field, fq_name)
    except (misc.PdfError, SignatureValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
        details["error"] = str(exc)[:200]
        return size, _unusable(details, F.INVALID, "签名数据为空或已损坏，无法验证")

    try:
        order = embedded.signed_revision
    except (misc.PdfError, ValueError, KeyError):
        order = size
    algorithms = _algorithms(embedded)
    details.update(algorithms)
    if algorithms["digest_oid"] in SM_OIDS or algorithms["signature_oid"] in SM_OIDS or _sm2_key(embedded):
        details["format"] = "SM2 PKCS#7"
        signer = _signer_der(embedded)
        return order, _unusable(
            details, F.UNSUPPORTED_ALGORITHM, "签名使用国密 SM2/SM3 算法，本系统暂不能在 PDF 中验证，请人工核验",
            signed_by=common_name(_subject_raw(signer)) if signer else None,
        )

    reported = _signing_time(embedded)
    moment = min(reported, at) if reported else at
    details["validation_time"] = moment.isoformat()
    try:
        status = _validate(embedded, details["type"], anchors.context(moment))
        for retry_context in anchors.fallbacks(moment):
            if status.trusted or status.trust_problem_indic != AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
                break
            # pyHanko's path builder does not backtrack past a certificate whose name matches but
            # whose key does not (two CAs called "Intermediate CA"); try the other arrangements of
            # the configured certificates and keep the trust verdict of the one that works.
            retry = _validate(embedded, details["type"], retry_context, skip_diff=True)
            if retry.trusted:
                status = dataclasses.replace(
                    status, trust_problem_indic=None, validation_path=retry.validation_path, error_time_horizon=retry.error_time_horizon
                )
    except SignatureValidationError as exc:
        details["error"] = str(exc)[:200]
        return order, _unusable(details, F.INVALID, "签名结构不符合规范，签名无效")
    except (misc.PdfError, ValueError, KeyError, TypeError) as exc:
        details["error"] = str(exc)[:200]
        return order, _unusable(details, F.INVALID, "签名数据损坏，无法验证")
    return order, _result(status, embedded, details)


class _Anchors:
    """Configured certificates split into self-signed roots (trust anchors for pyHanko) and the
    rest (offered as intermediates first, as anchors only on retry)."""

    def __init__(self, certs: list[x509.Certificate]) -> None:
        self.roots = [c for c in certs if c.self_signed in ("maybe", "yes")]
        self.others = [c for c in certs if c.self_signed not in ("maybe", "yes")]

    def context(self, moment: dt.datetime) -> ValidationContext:
        return self._context(self.roots, self.others, moment)

    def fallbacks(self, moment: dt.datetime) -> Iterator[ValidationContext]:
        """Roots alone (intermediates from the file only), then everything as an anchor."""
        if self.others:
            yield self._context(self.roots, [], moment)
            yield self._context(self.roots + self.others, [], moment)

    @staticmethod
    def _context(roots: list[x509.Certificate], others: list[x509.Certificate], moment: dt.datetime) -> ValidationContext:
        return ValidationContext(trust_roots=roots, other_certs=others, allow_fetching=False, moment=moment, revocation_mode="soft-fail")


def _validate(embedded: EmbeddedPdfSignature, kind: str, context: ValidationContext, *, skip_diff: bool = False) -> Any:
    if kind == "doc_timestamp":
        return _run(async_validate_pdf_timestamp(embedded, validation_context=context, skip_diff=skip_diff))
    return _run(async_validate_pdf_signature(embedded, signer_validation_context=context, skip_diff=skip_diff))


def _contents(sig_obj: generic.DictionaryObject) -> bytes | None:
    value = sig_obj.get("/Contents")
    if value is None:
        return None
    return bytes(value.original_bytes if hasattr(value, "original_bytes") else value)


def _is_ses(contents: bytes) -> bool:
    body = contents.rstrip(b"\x00")
    if not body:
        return False
    try:
        ses.parse_ses_signature(body)
        return True
    except SesError:
        return False


def _algorithms(embedded: EmbeddedPdfSignature) -> dict[str, str]:
    info = embedded.signer_info
    digest, signature = info["digest_algorithm"]["algorithm"], info["signature_algorithm"]["algorithm"]
    return {
        "digest_algorithm": digest.native if digest.native != digest.dotted else digest.dotted,
        "signature_algorithm": signature.native if signature.native != signature.dotted else signature.dotted,
        "digest_oid": digest.dotted,
        "signature_oid": signature.dotted,
    }


def _sm2_key(embedded: EmbeddedPdfSignature) -> bool:
    try:
        cert = embedded.signer_cert
        params = cert["tbs_certificate"]["subject_public_key_info"]["algorithm"]["parameters"]
        return params.dump().endswith(bytes.fromhex("2a811ccf5501822d"))  # OID 1.2.156.10197.1.301
    except (ValueError, KeyError, TypeError, AttributeError, misc.PdfError):
        return False


def _signer_der(embedded: EmbeddedPdfSignature) -> bytes | None:
    try:
        return embedded.signer_cert.dump()
    except (ValueError, KeyError, TypeError, AttributeError, misc.PdfError):
        return None


def _signing_time(embedded: EmbeddedPdfSignature) -> dt.datetime | None:
    try:
        value = embedded.self_reported_timestamp
    except (ValueError, KeyError, TypeError, misc.PdfError):
        return None
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _run(coro: Any) -> Any:
    """Run pyHanko's coroutine whether or not the caller already has an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001  (re-raised in the caller's thread)
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


_quiet_users = 0
_saved_levels: list[int] = []


@contextlib.contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs whole tracebacks with certificate subjects (people's names, e-mail addresses)
    for every untrusted signer; our results carry what matters, so its loggers stay quiet while any
    verification runs (counted, so concurrent calls restore the levels only once, at the end)."""
    global _quiet_users
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    with _log_lock:
        if _quiet_users == 0:
            _saved_levels[:] = [lg.level for lg in loggers]
            for lg in loggers:
                lg.setLevel(logging.CRITICAL)
        _quiet_users += 1
    try:
        yield
    finally:
        with _log_lock:
            _quiet_users -= 1
            if _quiet_users == 0:
                for lg, level in zip(loggers, _saved_levels):
                    lg.setLevel(level)


# --- results ----------------------------------------------------------------------------------


def _unusable(details: dict[str, Any], code: str, message: str, signed_by: str | None = None) -> SignatureResult:
    details["verifiable"] = False
    return SignatureResult(
        signed_by=signed_by,
        intact=False,
        trusted=False,
        covers_whole_file=False,
        later_changes="none",
        revocation="unknown",
        findings=(F.finding(code, message),),
        kind="pdf",
        details=details,
    )


def _result(status: Any, embedded: EmbeddedPdfSignature, details: dict[str, Any]) -> SignatureResult:
    """pyHanko's validation status of one embedded signature as a SignatureResult; `details` is filled in."""
    digest_ok, signature_ok = bool(status.intact), bool(status.valid)
    coverage = status.coverage
    level = getattr(status, "modification_level", None)
    docmdp_ok = getattr(status, "docmdp_ok", None)
    problem = status.trust_problem_indic
    details.update(
        verifiable=True,
        digest_ok=digest_ok,
        signature_ok=signature_ok,
        coverage=coverage.name if coverage is not None else None,
        modification_level=level.name if level is not None else None,
        docmdp_ok=docmdp_ok,
        trust_problem=problem.name if problem is not None else None,
        bottom_line=bool(getattr(status, "bottom_line", status.valid and status.intact and status.trusted)),
    )
    cert_der = status.signing_cert.dump() if status.signing_cert is not None else None
    subject = _subject(cert_der)
    details["signer"] = subject
    intact = digest_ok and signature_ok
    found = _integrity_findings(digest_ok, signature_ok) + _coverage_findings(coverage, level)
    later = LATER.get(level, "other") if level is not None else "none"
    if docmdp_ok is False and later != "other":
        later = "other"
    found += _later_change_findings(later)
    found += _trust_findings(status, problem, intact, subject, details)
    signed_at, timestamp_findings = _signed_at(status, embedded, details)
    return SignatureResult(
        signed_by=common_name(_subject_raw(cert_der)) if cert_der else None,
        signed_at=signed_at.astimezone(SHANGHAI).isoformat() if signed_at else None,
        intact=intact,
        trusted=bool(status.trusted),  # the chain, as pyHanko judges it; integrity is `intact`
        covers_whole_file=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        later_changes=later,  # type: ignore[arg-type]
        revocation="revoked" if problem in REVOKED_PROBLEMS else "unknown",
        findings=tuple(found + timestamp_findings),
        kind="pdf",
        details=details,
    )


def _integrity_findings(digest_ok: bool, signature_ok: bool) -> list[Finding]:
    if not digest_ok:
        return [F.finding(F.TAMPERED, "签名后文件中被签名的内容被篡改，签名验证不通过")]
    if not signature_ok:
        return [F.finding(F.TAMPERED, "签名值校验失败，签名无效")]
    return []


def _coverage_findings(coverage: Any, level: Any) -> list[Finding]:
    if coverage == SignatureCoverageLevel.UNCLEAR:
        return [F.finding(F.PARTIAL, "签名覆盖范围异常（签名字节范围不规范），可能是伪造的签名结构", severity="error")]
    if coverage == SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION and level == ModificationLevel.NONE
    ):
        # bytes after the signed revision that pyHanko does not read as a change of the document
        return [F.finding(F.PARTIAL, "签名之后文件末尾追加了不受签名保护的数据，请人工核验")]
    return []


def _later_change_findings(later: str) -> list[Finding]:
    if later == "other":
        return [F.finding(F.LATER_CHANGES, "签名后文件被修改（不属于填写表单或追加签名），签名保护的显示内容可能已变化", severity="error")]
    if later == "annotations":
        return [F.finding(F.LATER_CHANGES, "签名后文件中添加或修改了批注，请人工核对显示内容", severity="warning")]
    if later == "form_filling":
        return [F.finding(F.LATER_CHANGES, "签名后有表单填写或追加签名，属允许的修改", severity="info")]
    return []


def _trust_findings(status: Any, problem: Any, intact: bool, subject: str | None,
                    details: dict[str, Any]) -> list[Finding]:
    """Revocation, weak algorithms, expiry and an untrusted chain (judged only when the signature is intact)."""
    if problem in REVOKED_PROBLEMS:
        return [F.finding(F.UNTRUSTED, "签名证书已被吊销", severity="error")]
    if problem in CRYPTO_PROBLEMS:
        return [
            F.finding(
                F.UNSUPPORTED_ALGORITHM,
                f"签名或证书使用的算法不符合安全要求（摘要算法 {details.get('digest_algorithm')}，签名算法 {details.get('signature_algorithm')}；"
                "例如摘要与签名算法不匹配、密钥过短或摘要算法过弱），不能认定签名有效，请人工核验",
            )
        ]
    if problem in EXPIRY_PROBLEMS and intact:
        return [F.finding(F.CERT_EXPIRED, f"签名时签名证书不在有效期内（以 {_day(details['validation_time'])} 为签名时间核验）")]
    if not status.trusted and intact:
        return [F.finding(F.UNTRUSTED, f"签名证书（{subject or '未知'}）不是由受信任的机构签发，无法确认签名人身份，请人工核验")]
    return []


def _signed_at(status: Any, embedded: EmbeddedPdfSignature,
               details: dict[str, Any]) -> tuple[dt.datetime | None, list[Finding]]:
    """The signing time: a valid timestamp's, else the signer's own claim (a timestamp that fails to verify
    is a finding); records the timestamp in `details`."""
    timestamp = getattr(status, "timestamp_validity", None)
    signed_at = _signing_time(embedded)
    if timestamp is not None:
        details["timestamp"] = {"intact": timestamp.intact, "valid": timestamp.valid, "trusted": timestamp.trusted, "time": timestamp.timestamp.isoformat()}
        if timestamp.intact and timestamp.valid:
            return timestamp.timestamp, []
        return signed_at, [F.finding(F.UNTRUSTED, "签名所附的时间戳无法验证，签名时间只能以签名人自报的时间为准，请人工核验")]
    if details.get("type") == "doc_timestamp":
        return getattr(status, "timestamp", None) or signed_at, []
    return signed_at, []


def _subject_raw(cert_der: bytes | None) -> bytes:
    if not cert_der:
        return b""
    try:
        return parse_cert(cert_der).subject_raw
    except SesError:
        return b""


def _subject(cert_der: bytes | None) -> str | None:
    raw = _subject_raw(cert_der)
    return name_text(raw) if raw else None


def _day(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d")

"""Finding codes of signature and e-seal verification, with their default severity and a message a
counter clerk understands. Codes are stable: reviewers, notices, statistics and tests use them."""

from __future__ import annotations

from pipeline.models import Finding, Severity

TAMPERED = "signature.tampered"
INVALID = "signature.invalid"
UNTRUSTED = "signature.untrusted"
PARTIAL = "signature.partial"
LATER_CHANGES = "signature.later_changes"
LATER_SIGNATURE = "signature.later_signature"
UNSUPPORTED_ALGORITHM = "signature.unsupported_algorithm"
CERT_EXPIRED = "signature.cert_expired"
HASH_ONLY = "signature.hash_only"
SEAL_EXPIRED = "seal.expired"
SEAL_MAKER_INVALID = "seal.maker_invalid"
SEAL_MISMATCH = "seal.mismatch"

DEFAULTS: dict[str, tuple[Severity, str]] = {
    TAMPERED: ("error", "签名后文件内容被改动，电子签名验证不通过"),
    INVALID: ("error", "电子签名数据损坏或格式不符合规范，无法验证"),
    UNTRUSTED: ("warning", "签名证书不是由受信任的机构签发，无法确认签名人身份，请人工核验"),
    PARTIAL: ("warning", "电子签名没有覆盖整个文件，未受保护的部分可能被改动，请人工核验"),
    LATER_CHANGES: ("error", "签名后文件又被修改，签名保护的内容可能已变化"),
    LATER_SIGNATURE: ("info", "本签章之后文件又加盖了其他签章，签章列表随之更新，属正常情况"),
    UNSUPPORTED_ALGORITHM: ("warning", "签名使用了本系统无法验证的算法，请人工核验"),
    CERT_EXPIRED: ("error", "签名时签名证书不在有效期内"),
    HASH_ONLY: ("warning", "该签章为旧版格式，签名只覆盖文件摘要，未覆盖签章时间、印章和证书，请人工核验"),
    SEAL_EXPIRED: ("error", "盖章时电子印章不在有效期内"),
    SEAL_MAKER_INVALID: ("error", "电子印章的制章签名无效，印章可能是伪造的"),
    SEAL_MISMATCH: ("error", "签章使用的电子印章与文件中的印章不一致"),
}


def finding(code: str, message: str | None = None, severity: Severity | None = None) -> Finding:
    default_severity, default_message = DEFAULTS[code]
    return Finding(code=code, severity=severity or default_severity, message=message or default_message)

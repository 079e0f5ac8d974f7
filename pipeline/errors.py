"""Error types of yichuang.

Problems *in* a document are findings (data), never exceptions. Exceptions are for input files
that cannot be used at all and for broken infrastructure. Every error carries a stable `code`,
whether retrying may help, and a default message a clerk understands (Simplified Chinese).
The API maps codes to HTTP statuses in one place (api/errors.py); the CLI maps them to exit codes.
"""

from __future__ import annotations


class YichuangError(Exception):
    code: str = "internal"
    retryable: bool = False
    message: str = "系统内部错误，请稍后重试或联系管理员"

    def __init__(self, message: str | None = None, *, detail: str | None = None) -> None:
        self.message = message or type(self).message
        # `detail` is for operators (English, no personal data); never shown to applicants.
        self.detail = detail
        super().__init__(f"{self.code}: {detail or self.code}")

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


# --- input that cannot be used (the file's fault; retrying will not help) -------------------


class InputError(YichuangError):
    """A file that cannot be used. Reported on the document as `error`, never retried."""


class FileEmpty(InputError):
    code = "file.empty"
    message = "文件为空，请重新上传"


class FileTooLarge(InputError):
    code = "file.too_large"
    message = "文件过大，超过允许的大小上限"


class UnsupportedType(InputError):
    code = "file.unsupported_type"
    message = "不支持的文件类型，请上传 JPEG、PNG、TIFF、BMP、WebP 图片或 PDF 文件"


class FileTruncated(InputError):
    code = "file.truncated"
    message = "文件不完整或已损坏，请重新扫描或上传"


class TooManyPixels(InputError):
    code = "file.too_many_pixels"
    message = "图像像素过多，请降低分辨率后重新上传"


class TooManyPages(InputError):
    code = "file.too_many_pages"
    message = "文件页数过多，请拆分后分别上传"


class FileEncrypted(InputError):
    code = "file.encrypted"
    message = "文件已加密，需要打开密码，请上传未加密的文件"


class OfdMalformed(InputError):
    code = "ofd.malformed"
    message = "OFD 文件结构损坏或不符合标准，无法读取"


class FileUnreadable(InputError):
    """A path `yichuang verify` cannot read (missing, no permission): the document's `error`, like a bad file."""

    code = "file.unreadable"
    message = "无法读取该文件（不存在或无权限）"


# --- refusals: a request or an act on a case refused for a reason the person can act on ---------------------
# The codes of refusals, in one place; api/problems.py gives each its HTTP status and default message.

NOT_FOUND = "not_found"
REQUEST_INVALID = "request.invalid"
FORBIDDEN = "auth.forbidden"
TRANSITION_NOT_ALLOWED = "case.transition_not_allowed"
STATE_CHANGED = "case.state_changed"
UNKNOWN_ACT = "case.unknown_act"
REASON_REQUIRED = "case.reason_required"
ORIGINALS_UNATTESTED = "case.originals_unattested"
NOT_ASSESSED = "case.not_assessed"
TOLERANCE_NOT_ALLOWED = "case.tolerance_not_allowed"
COMMITMENT_MISSING = "case.commitment_missing"
NOTHING_TOLERATED = "case.nothing_tolerated"
TOLERANCE_OUTSTANDING = "case.tolerance_outstanding"
LAPSE_NOT_AS_ITEM = "case.lapse_not_as_item"
TOLERANCE_NOT_LAPSED = "case.tolerance_not_lapsed"
ALREADY_JOINED = "case.already_joined"
READER_INVALID = "reader.invalid"


class CaseRefused(YichuangError):
    """An act on a case refused — by the transition table (pipeline/case_states.py) or the case layer
    (workers/cases/) — with one of the refusal codes above and a Chinese message saying why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


# --- infrastructure (retrying may help) -----------------------------------------------------


class InfrastructureError(YichuangError):
    retryable = True
    code = "infrastructure"
    message = "系统服务暂时不可用，请稍后重试"


class TaskTimeout(InfrastructureError):
    code = "task.timeout"
    message = "处理超时，请稍后重试或联系管理员"


class StorageUnavailable(InfrastructureError):
    code = "storage.unavailable"
    message = "文件存储暂时不可用，请稍后重试"


class DatabaseUnavailable(StorageUnavailable):
    """The database is down, unreachable or too slow (storage/db.py turns driver errors into this)."""

    message = "数据库暂时不可用，请稍后重试"


class BrokerUnavailable(InfrastructureError):
    code = "broker.unavailable"
    message = "任务队列暂时不可用，请稍后重试"


class ObjectNotFound(YichuangError):
    code = "storage.not_found"
    message = "找不到所需的文件"


class OcrUnavailable(InfrastructureError):
    code = "ocr.unavailable"
    message = "文字识别引擎不可用，请联系管理员"


class LibraryUnavailable(InfrastructureError):
    code = "library.unavailable"
    message = "电子证照库暂时无法访问，需人工核验"


class ConfigurationError(YichuangError):
    code = "config.invalid"
    message = "系统配置有误，请联系管理员"

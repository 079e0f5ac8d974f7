"""Every problem code the API answers with, in one place: its HTTP status and the default Chinese message.

api/errors.py turns codes into responses with this table; api/contract.py declares, per route, the statuses
its codes can produce; the README's error table is generated from nothing else. A code raised somewhere that
is missing here answers 500 (503 when retryable), and tests/api/test_contract.py fails on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import errors


@dataclass(frozen=True)
class Problem:
    code: str
    status: int
    message: str  # the default; a raise site may say more precisely what is wrong


PROBLEMS: tuple[Problem, ...] = (
    # the request itself
    Problem(errors.REQUEST_INVALID, 422, "请求格式错误"),  # 400 when the body cannot be parsed at all
    Problem("method.not_allowed", 405, "该地址不支持此请求方法"),
    Problem("request.timeout", 408, "请求内容发送超时，请检查网络后重试"),  # api/edge.py BodyTimeout
    Problem(errors.NOT_FOUND, 404, "找不到该资源"),
    Problem("auth.required", 401, "需要有效的访问密钥"),
    Problem(errors.FORBIDDEN, 403, "无权执行此操作"),
    Problem("cursor.invalid", 422, "翻页游标无效，请从第一页重新查询"),  # api/paging.py
    Problem("auth.scope_missing", 403, "访问密钥的权限范围不允许此操作"),  # api/scopes.py
    Problem("key.revoked", 409, "该密钥已吊销"),  # storage/keys.py
    Problem("key.expired", 409, "该密钥已过期"),
    Problem("idempotency.mismatch", 422, "同一幂等键已用于内容不同的请求，请换一个幂等键"),
    Problem("idempotency.in_progress", 409, "同一幂等键的请求正在处理，请稍后重试"),
    # uploaded files (pipeline/errors.py InputError)
    Problem("file.empty", 400, "上传的文件是空的，请重新扫描或选择文件"),
    Problem("file.too_large", 413, "文件太大，请压缩后重新上传"),
    Problem("file.unsupported_type", 415, "不支持的文件类型"),
    Problem("file.too_many_pixels", 422, "图像像素过多，请降低分辨率后重新上传"),
    Problem("file.too_many_pages", 422, "文件页数过多"),
    Problem("file.truncated", 422, "文件不完整，请重新上传"),
    Problem("file.encrypted", 422, "文件已加密，请上传未加密的文件"),
    Problem("ofd.malformed", 422, "OFD 文件格式有误"),
    Problem(errors.FileUnreadable.code, 422, errors.FileUnreadable.message),  # `yichuang verify` only: a path
    # cases (workers/cases/)
    Problem(errors.TRANSITION_NOT_ALLOWED, 409, "办件当前状态不允许此操作"),
    Problem(errors.STATE_CHANGED, 409, "办件状态已被他人更改，请刷新后重试"),
    Problem("case.conflict", 409, "办件已被他人更改，请刷新后重试"),
    Problem(errors.UNKNOWN_ACT, 422, "未知的办件操作"),
    Problem(errors.REASON_REQUIRED, 422, "此操作需要填写理由"),
    Problem(errors.ORIGINALS_UNATTESTED, 409, "尚未核验原件"),
    Problem(errors.NOT_ASSESSED, 409, "办件尚未完成核验"),
    Problem(errors.TOLERANCE_NOT_ALLOWED, 409, "该事项或材料不允许容缺受理"),
    Problem(errors.COMMITMENT_MISSING, 422, "容缺受理需要申请人签署信用承诺书"),
    Problem(errors.NOTHING_TOLERATED, 409, "没有可容缺的材料"),
    Problem(errors.TOLERANCE_OUTSTANDING, 409, "仍有容缺材料未补齐"),
    Problem(errors.LAPSE_NOT_AS_ITEM, 409, "容缺逾期处理方式与事项规定不符"),
    Problem(errors.TOLERANCE_NOT_LAPSED, 409, "容缺补齐期限尚未届满"),
    Problem(errors.ALREADY_JOINED, 409, "所选照片已合并在另一份材料中，请先拆分"),  # workers/cases/joins.py
    Problem(errors.READER_INVALID, 422, "读卡器信息无效"),
    # webhooks (workers/webhooks.py check_target: the SSRF guard, at subscription and at every delivery)
    Problem("webhook.url_invalid", 422, "回调地址无效：须为不含用户名和密码的 http 或 https 地址"),
    Problem("webhook.host_not_allowed", 422, "回调地址的主机不在管理员允许的名单中"),
    Problem("webhook.host_unresolved", 422, "回调地址的主机名无法解析"),
    Problem("webhook.address_refused", 422, "回调地址解析到内网、本机或链路本地地址，管理员未明确允许"),
    # public progress (api/progress.py): one answer for a wrong code and an unknown number
    Problem("progress.not_found", 404, "未查到该办件，请核对办件编号和查询码"),
    Problem("rate.limited", 429, "请求过于频繁，请稍后再试"),  # Retry-After; per key (api/rate_limits.py) and per IP
    # services behind the API
    Problem("bundle.signing_unavailable", 503, "大厅尚未配置签名证书，暂不能生成材料包"),
    Problem("storage.unavailable", 503, "存储服务暂时不可用，请稍后重试"),
    Problem("broker.unavailable", 503, "任务队列暂时不可用，请稍后重试"),
    Problem("library.unavailable", 503, "电子证照库暂时不可用，请稍后重试"),
    Problem("ocr.unavailable", 503, "识别服务暂时不可用，请稍后重试"),
    Problem("task.timeout", 503, "处理超时，请稍后重试"),
    Problem("config.invalid", 500, "服务配置有误，请联系管理员"),  # the operator's fault: not retryable
    Problem("calendar.invalid", 500, "工作日历文件有误，请联系管理员"),  # an administrator's calendar file
    Problem("internal", 500, "系统内部错误，请稍后重试或联系管理员"),
    Problem("infrastructure", 503, "服务暂时不可用，请稍后重试"),
    Problem("service.not_ready", 503, "服务尚未就绪：数据库、存储或任务队列不可用"),  # GET /readyz, details.checks
)

BY_CODE: dict[str, Problem] = {p.code: p for p in PROBLEMS}
STATUS: dict[str, int] = {p.code: p.status for p in PROBLEMS}

"""A service hall's own facts, as data: `<data dir>/halls/<code>.yaml`, one file per hall code (the `hall` of
API keys and cases). Notices and bundles print them: the hall's name, the agency (实施机关) and its 统一社会信用代码,
the locality, address, phone and hours, the bodies of the appeal route (复议机关, 人民法院), the pattern of the
document numbers (文号), the seal image (else a place for the seal) and the role that signs off.

A hall without a file is never given a made-up name: `placeholder(code)` prints a visible "未配置" in every
place, and the service warns at startup (`yichuang serve`) and on every notice.

Who calls it: the API and the CLI (`yichuang halls validate`) hand in the folder; this module reads only the
paths it is given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

HALL_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
UNSET = "【未配置】"
# {year} and {seq} are required; {seq:04d} pads; {code} is the hall code.
PATTERN_FIELDS = frozenset({"year", "seq", "code"})


class Hall(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(pattern=HALL_CODE)]
    example: bool = False  # a shipped example: printed as such, never mistaken for a real agency
    name: str = Field(min_length=2, max_length=100)  # 大厅名称（政务服务中心）
    agency: str = Field(min_length=2, max_length=100)  # 实施机关（印章上的名称）
    agency_credit_code: str  # 实施机关统一社会信用代码
    locality: str = Field(min_length=2, max_length=50)  # 所在地（省市区）
    address: str = Field(min_length=2, max_length=200)
    phone: str = Field(min_length=5, max_length=50)
    hours: str = Field(min_length=2, max_length=200)  # 办公时间
    review_body: str = Field(min_length=2, max_length=100)  # 行政复议机关
    court: str = Field(min_length=2, max_length=100)  # 有管辖权的人民法院
    number_pattern: str = Field(min_length=5, max_length=100)  # 文号, e.g. "济市监受字〔{year}〕第{seq:04d}号"
    seal_image: str | None = None  # PNG with transparency, relative to the hall file's folder
    signoff_role: str = Field(min_length=2, max_length=50)  # 签发人职务（如 窗口负责人）
    configured: bool = True  # False only for the placeholder

    @field_validator("agency_credit_code", mode="before")
    @classmethod
    def _credit_code(cls, value: object) -> str:
        from stdnum.cn import uscc
        from stdnum.exceptions import ValidationError as NumberError

        try:  # YAML reads an all-digit code as a number
            return uscc.validate(str(value))
        except NumberError:
            raise ValueError("统一社会信用代码无效（18位，校验位不符）") from None

    @field_validator("number_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        names = {m.group(1) for m in re.finditer(r"\{(\w+)(?::[^}]*)?\}", value)}
        if not {"year", "seq"} <= names or names - PATTERN_FIELDS:
            raise ValueError("文号格式须包含 {year} 和 {seq}（可选 {code}），如 “济市监受字〔{year}〕第{seq:04d}号”")
        try:
            value.format(year=2026, seq=1, code="x")
        except (ValueError, KeyError, IndexError):
            raise ValueError("文号格式无法使用，请检查花括号") from None
        return value

    def document_number(self, year: int, seq: int) -> str:
        return self.number_pattern.format(year=year, seq=seq, code=self.code)

    def seal_path(self, folder: Path) -> Path | None:
        return (folder / self.seal_image) if self.seal_image else None


def placeholder(code: str) -> Hall:
    """What notices print for a hall without a configuration: visibly unset, never a guess."""
    return Hall.model_construct(
        code=code, example=False, name=f"{UNSET}大厅名称（{code}）", agency=f"{UNSET}实施机关", agency_credit_code="",
        locality=UNSET, address=f"{UNSET}地址", phone=UNSET, hours=UNSET, review_body=f"{UNSET}复议机关",
        court=f"{UNSET}人民法院", number_pattern="", seal_image=None, signoff_role=UNSET, configured=False)


class HallError(ValueError):
    """A hall file that cannot be used; `problems` are Chinese lines for the administrator."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _where(error: dict) -> str:
    return ".".join(str(p) for p in error.get("loc", ())) or "(文件)"


def _message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "缺少此项"
    if kind == "extra_forbidden":
        return "不允许的字段（拼写错误？）"
    if kind in ("string_too_short", "string_too_long"):
        return "长度不符合要求"
    if kind in ("string_type", "bool_type"):
        return "应为文字" if kind == "string_type" else "应为 true 或 false"
    if kind == "string_pattern_mismatch":
        return "格式不符合要求（字母、数字、_ . -）"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "")))
    return error.get("msg", kind)


def parse_hall(text: str, source: str, *, folder: Path | None = None, code: str | None = None) -> Hall:
    """One hall file's text; `code` (the file's stem) must match the code inside. Raises HallError."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HallError([f"{source}: 不是有效的 YAML：{exc.__class__.__name__}"]) from None
    if not isinstance(data, dict):
        raise HallError([f"{source}: 应为键值对（大厅配置）"])
    try:
        hall = Hall.model_validate({k: v for k, v in data.items() if k != "configured"})
    except ValidationError as exc:
        raise HallError([f"{source}: {_where(e)}: {_message(e)}" for e in exc.errors()]) from None
    problems = []
    if code is not None and hall.code != code:
        problems.append(f"{source}: code: 应与文件名一致（{code}）")
    seal = hall.seal_path(folder) if folder is not None else None
    if seal is not None and not seal.is_file():
        problems.append(f"{source}: seal_image: 找不到印章图像 {hall.seal_image}")
    if problems:
        raise HallError(problems)
    return hall


def load_hall(folder: Path, code: str) -> Hall | None:
    """`<folder>/<code>.yaml`, or None when there is none. Raises HallError when the file is invalid."""
    if not re.match(HALL_CODE, code):
        return None
    path = Path(folder) / f"{code}.yaml"
    if not path.is_file():
        return None
    return parse_hall(path.read_text(encoding="utf-8"), str(path), folder=path.parent, code=code)


def validate_file(path: Path) -> list[str]:
    """Every problem of one hall file (`yichuang halls validate`); [] when it is valid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path}: 无法读取文件：{exc.__class__.__name__}"]
    try:
        parse_hall(text, str(path), folder=path.parent, code=path.stem)
    except HallError as exc:
        return exc.problems
    return []

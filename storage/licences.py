"""The embedded electronic-licence library (电子证照库): a table in the service's database, the signed files
in its object store, and the importer behind `yichuang licences import FILE [--files DIR]`.

Import format (JSON array of objects, or CSV with a header row; README "Licence library"): one licence per
object/row with the fields of `pipeline.library.Licence` — identifier, name, type_code, number, version,
issuer, issuer_code, issued_on, holder, holder_code, holder_code_type, valid_from, valid_until (`长期` or
empty for no end), region, related_items, face, status (a source code such as 01/03/07, a word such as 吊销,
or an internal name), trust_level, file (path of the signed PDF/OFD, relative to --files or to the index's
folder). An import is all or nothing: every bad row is reported with its line number, and nothing is stored
unless every row is good. A licence already in the library (same identifier, or same type, number and holder
when it has no identifier) is updated — that is how a later revocation arrives.

Who calls it: the wiring (EmbeddedLicenceLibrary, the default library) and the CLI (import_licences).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import JSON, Date, DateTime, Index, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pipeline import licence_identifier, numbers
from pipeline.errors import InputError, LibraryUnavailable
from pipeline.library import HolderCodeType, Licence, LicenceStatus, status_from_source
from storage.db import utcnow
from storage.models import Base

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
MAX_FILE_BYTES = 20 * 1024 * 1024


class LicenceRow(Base):
    __tablename__ = "licences"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identifier: Mapped[str | None] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type_code: Mapped[str] = mapped_column(String(64))
    number: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[str | None] = mapped_column(String(16))
    issuer: Mapped[str | None] = mapped_column(String(200))
    issuer_code: Mapped[str | None] = mapped_column(String(32))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    holder: Mapped[str | None] = mapped_column(String(200))  # personal data: never logged
    holder_code: Mapped[str] = mapped_column(String(64))
    holder_code_type: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # None: 长期
    region: Mapped[str | None] = mapped_column(String(16))
    related_items: Mapped[list[str]] = mapped_column(JSON)
    face: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    source_status: Mapped[str | None] = mapped_column(String(32))
    trust_level: Mapped[str] = mapped_column(String(1))
    file_key: Mapped[str | None] = mapped_column(String(100))
    file_kind: Mapped[str | None] = mapped_column(String(8))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_licences_holder", "holder_code", "holder_code_type", "type_code"),)

    def to_licence(self) -> Licence:
        return Licence(
            identifier=self.identifier, name=self.name, type_code=self.type_code, number=self.number,
            version=self.version, issuer=self.issuer, issuer_code=self.issuer_code, issued_on=self.issued_on,
            holder=self.holder, holder_code=self.holder_code, holder_code_type=self.holder_code_type,
            valid_from=self.valid_from, valid_until=self.valid_until, region=self.region,
            related_items=tuple(self.related_items or ()), face=dict(self.face or {}),
            status=LicenceStatus(self.status), source_status=self.source_status,
            trust_level=self.trust_level, file_key=self.file_key, file_kind=self.file_kind)  # type: ignore[arg-type]


def holder_key(code: str) -> str:
    """Holder codes are compared without spaces and in upper case (a lower-case x in an ID number is X)."""
    return "".join(str(code).split()).upper()


class EmbeddedLicenceLibrary:
    """`pipeline.library.LicenceLibrary` over the service's own database and object store. An empty library
    answers like "no library configured". A database that cannot answer raises LibraryUnavailable."""

    kind = "embedded"

    def __init__(self, engine: Engine, store) -> None:
        self.engine, self.store = engine, store

    def by_identifier(self, identifier: str) -> Licence | None:
        value = licence_identifier.compact(identifier)
        row = self._one(select(LicenceRow).where(LicenceRow.identifier == value))
        return row.to_licence() if row is not None else None

    def by_holder(self, holder_code: str, holder_code_type: str, licence_type: str, on: dt.date) -> list[Licence]:
        """Every licence of that type the holder had been issued by `on`, whatever its status (a revoked or
        expired one is returned too, so that a presented paper licence can be reconciled with it), newest first."""
        query = (select(LicenceRow)
                 .where(LicenceRow.holder_code == holder_key(holder_code), LicenceRow.holder_code_type == holder_code_type,
                        LicenceRow.type_code == licence_type)
                 .where((LicenceRow.issued_on.is_(None)) | (LicenceRow.issued_on <= on)))
        rows = self._all(query)
        rows.sort(key=lambda r: (r.valid_from or r.issued_on or dt.date.min, r.version or ""), reverse=True)
        return [r.to_licence() for r in rows]

    def file(self, licence: Licence) -> bytes:
        """The signed file's bytes (raises ObjectNotFound when the store lacks it)."""
        if not licence.file_key:
            from pipeline.errors import ObjectNotFound

            raise ObjectNotFound(detail="licence has no file")
        return self.store.get(licence.file_key)

    def count(self) -> int:
        from sqlalchemy import func

        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(LicenceRow)) or 0)

    def _one(self, query):
        rows = self._all(query)
        return rows[0] if rows else None

    def _all(self, query) -> list[LicenceRow]:
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                return list(session.scalars(query))
        except SQLAlchemyError as exc:
            raise LibraryUnavailable(detail=f"embedded licence library: {type(exc).__name__}") from exc


# --- import ------------------------------------------------------------------------------------

LABELS = {
    "identifier": "证照标识", "name": "证照名称", "type_code": "证照类型代码", "number": "证照编号", "version": "版本号",
    "issuer": "颁发机构", "issuer_code": "颁发机构代码", "issued_on": "颁发日期", "holder": "持证主体",
    "holder_code": "持证主体代码", "holder_code_type": "持证主体代码类型", "valid_from": "有效期起始日期",
    "valid_until": "有效期截止日期", "region": "所属区划", "related_items": "关联事项", "face": "照面信息",
    "status": "证照状态", "trust_level": "可信等级", "file": "证照文件",
}


class _SyntaxProblem(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class LicenceImportError(InputError):
    code = "licence.import_invalid"
    message = "证照导入文件有误，未导入任何证照"

    def __init__(self, problems: list["ImportProblem"]) -> None:
        self.problems = problems
        super().__init__(detail=f"{len(problems)} problems")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass(frozen=True)
class ImportProblem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}" if self.line else f"{self.source}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    files: int = 0
    identifiers: list[str] = field(default_factory=list)


class LicenceRecord(BaseModel):
    """One row of an import file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    identifier: str | None = None
    name: str = Field(min_length=1, max_length=200)
    type_code: str = Field(min_length=1, max_length=64)
    number: str | None = Field(default=None, max_length=100)
    version: str | None = Field(default=None, max_length=16)
    issuer: str | None = Field(default=None, max_length=200)
    issuer_code: str | None = Field(default=None, max_length=32)
    issued_on: dt.date | None = None
    holder: str | None = Field(default=None, max_length=200)
    holder_code: str = Field(min_length=1, max_length=64)
    holder_code_type: str = Field(pattern=r"^[0-9]{3}$")
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    region: str | None = Field(default=None, max_length=16)
    related_items: list[str] = []
    face: dict[str, Any] = {}
    status: str = Field(min_length=1, max_length=32)
    trust_level: Literal["A", "B", "C", "D"] = "A"
    file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (v is None or isinstance(v, str) and not v.strip())}
        return data

    @field_validator("valid_until", mode="before")
    @classmethod
    def _long_term(cls, value: Any) -> Any:
        return None if isinstance(value, str) and value.strip() in ("长期", "") else value

    @field_validator("related_items", mode="before")
    @classmethod
    def _split_items(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.replace("；", ";").split(";") if v.strip()]
        return value

    @field_validator("face", mode="before")
    @classmethod
    def _face_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value


def _pydantic_problem(error: dict) -> str:
    name = str(error["loc"][0]) if error.get("loc") else ""
    label = LABELS.get(name, name)
    kind = error.get("type", "")
    if kind == "missing":
        return f"缺少必填字段“{label}”（{name}）"
    if kind == "extra_forbidden":
        return f"未知的字段“{name}”"
    if kind.startswith("date"):
        return f"{label}格式错误，应为 YYYY-MM-DD"
    if kind == "string_too_short":
        return f"{label}不能为空"
    if kind == "literal_error":
        return f"{label}应为 A、B、C、D 之一"
    if kind == "string_pattern_mismatch" and name == "holder_code_type":
        return "持证主体代码类型应为3位数字（如 111 公民身份号码、001 统一社会信用代码）"
    if kind in ("value_error", "json_invalid") and name == "face":
        return "照面信息应为 JSON 对象"
    return f"{label}取值不合法"


def _rows_json(text: str) -> list[tuple[int, Any]]:
    """(line, object) for each element of a top-level JSON array."""
    decoder = json.JSONDecoder()
    at = len(text) - len(text.lstrip())
    if not text[at:at + 1] == "[":
        raise ValueError("JSON 导入文件的顶层应为数组 [ {...}, {...} ]")
    at += 1
    out: list[tuple[int, Any]] = []
    while True:
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        if at >= len(text):
            raise ValueError("JSON 数组没有结束（缺少 ]）")
        if text[at] == "]":
            return out
        line = text.count("\n", 0, at) + 1
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise _SyntaxProblem(exc.lineno, f"JSON 语法错误（第{exc.colno}列）：{exc.msg}") from None
        out.append((line, value))


def _rows_csv(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    out = []
    for row in reader:
        if None in row:
            raise _SyntaxProblem(reader.line_num, "该行的列数多于表头")
        record: dict[str, Any] = {}
        face: dict[str, Any] = {}
        for key, value in row.items():
            value = (value or "").strip()
            if not value:
                continue
            if key.startswith("face."):
                face[key[5:]] = value
            else:
                record[key.strip()] = value
        if face:
            record["face"] = {**(json.loads(record["face"]) if isinstance(record.get("face"), str) else {}), **face}
        out.append((reader.line_num, record))
    return out


def _kind(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "ofd"
    return None


def _check(record: LicenceRecord, codes: dict[str, LicenceStatus]) -> list[str]:
    problems = []
    if record.identifier is not None:
        problem = licence_identifier.problem_message(record.identifier)
        if problem:
            problems.append(f"{problem}：{record.identifier}")
    if not record.identifier and not record.number:
        problems.append("证照标识与证照编号至少填写一项")
    if status_from_source(record.status, codes) == LicenceStatus.OTHER and record.status.upper() != "OTHER" \
            and codes.get(record.status) != LicenceStatus.OTHER:
        problems.append(f"未知的证照状态“{record.status}”（可用 01 有效、02 暂扣、03 撤销、04 注销、05 失效、07 吊销、废止，"
                        "或 VALID/SUSPENDED/REVOKED/CANCELLED/EXPIRED/ABOLISHED/OTHER）")
    if record.holder_code_type == HolderCodeType.ID_NUMBER and not numbers.id_is_valid(holder_key(record.holder_code)):
        problems.append("持证主体代码类型为公民身份号码（111），但持证主体代码不是有效的公民身份号码")
    if record.valid_from and record.valid_until and record.valid_until < record.valid_from:
        problems.append("有效期截止日期早于起始日期")
    return problems


def parse_import(path: Path, files_dir: Path | None = None, status_codes: dict[str, str] | None = None,
                 ) -> list[tuple[int, LicenceRecord, bytes | None]]:
    """Read and check an import file: every row's (line, record, file bytes). Raises LicenceImportError with
    every problem found (file name and line number, in Chinese). `status_codes`: the source's own status codes
    (YICHUANG_LICENCE_STATUS_CODES) besides the common ones."""
    codes = {k: LicenceStatus(v) for k, v in (status_codes or {}).items()}
    source = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError:
        raise LicenceImportError([ImportProblem(source, 0, "无法读取导入文件（不存在或无权限）")]) from None
    except UnicodeDecodeError:
        raise LicenceImportError([ImportProblem(source, 1, "导入文件应为 UTF-8 编码")]) from None
    try:
        rows = _rows_csv(text) if path.suffix.lower() == ".csv" else _rows_json(text)
    except (ValueError, csv.Error) as exc:
        raise LicenceImportError([ImportProblem(source, getattr(exc, "line", 1), str(exc))]) from None
    if not rows:
        raise LicenceImportError([ImportProblem(source, 1, "导入文件中没有证照记录")])
    if len(rows) > MAX_ROWS:
        raise LicenceImportError([ImportProblem(source, 1, f"一次最多导入 {MAX_ROWS} 条证照")])
    base = files_dir or path.parent
    problems: list[ImportProblem] = []
    out: list[tuple[int, LicenceRecord, bytes | None]] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        if not isinstance(raw, dict):
            problems.append(ImportProblem(source, line, "每条证照记录应为一个 JSON 对象"))
            continue
        try:
            record = LicenceRecord.model_validate(raw)
        except ValidationError as exc:
            problems += [ImportProblem(source, line, _pydantic_problem(e)) for e in exc.errors()]
            continue
        found = _check(record, codes)
        key = licence_identifier.compact(record.identifier) if record.identifier else f"{record.type_code}#{record.number}#{holder_key(record.holder_code)}"
        if key in seen:
            found.append(f"与第{seen[key]}行是同一证照（重复）")
        seen.setdefault(key, line)
        data = None
        if record.file:
            file_path = (base / record.file)
            try:
                if file_path.stat().st_size > MAX_FILE_BYTES:
                    found.append(f"证照文件过大：{record.file}")
                else:
                    data = file_path.read_bytes()
                    if _kind(data) is None:
                        found.append(f"证照文件不是 PDF 或 OFD 文件：{record.file}")
            except OSError:
                found.append(f"找不到证照文件：{record.file}（相对于 {base}）")
        problems += [ImportProblem(source, line, m) for m in found]
        out.append((line, record, data))
    if problems:
        raise LicenceImportError(problems)
    return out


def import_licences(engine: Engine, store, path: Path, files_dir: Path | None = None,
                    status_codes: dict[str, str] | None = None) -> ImportResult:
    """Check the whole file first; then store the files (content-addressed) and insert or update every
    licence in one transaction."""
    parsed = parse_import(path, files_dir, status_codes)
    codes = {k: LicenceStatus(v) for k, v in (status_codes or {}).items()}
    result = ImportResult()
    now = utcnow()
    keys: dict[int, tuple[str | None, str | None]] = {}
    for line, _record, data in parsed:
        keys[line] = (store.put(data, content_type="application/pdf" if _kind(data) == "pdf" else "application/ofd"),
                      _kind(data)) if data is not None else (None, None)
        result.files += data is not None
    with Session(engine) as session, session.begin():
        for line, record, _data in parsed:
            values = record.model_dump(exclude={"file"})
            values.update(identifier=licence_identifier.compact(record.identifier) if record.identifier else None,
                          holder_code=holder_key(record.holder_code),
                          status=status_from_source(record.status, codes).value, source_status=record.status,
                          file_key=keys[line][0], file_kind=keys[line][1], updated_at=now)
            if values["identifier"]:
                query = select(LicenceRow).where(LicenceRow.identifier == values["identifier"])
            else:
                query = select(LicenceRow).where(LicenceRow.identifier.is_(None), LicenceRow.type_code == record.type_code,
                                                 LicenceRow.number == record.number,
                                                 LicenceRow.holder_code == values["holder_code"])
            row = session.scalars(query).first()
            if row is None:
                session.add(LicenceRow(id=str(uuid.uuid4()), imported_at=now, **values))
                result.created += 1
            else:
                if values["file_key"] is None:  # a status update without the file keeps the file stored before
                    values.update(file_key=row.file_key, file_kind=row.file_kind)
                for name, value in values.items():
                    setattr(row, name, value)
                result.updated += 1
            result.identifiers.append(values["identifier"] or f"{record.type_code}:{record.number}")
    logger.info("licence import: %d created, %d updated, %d files", result.created, result.updated, result.files)
    return result

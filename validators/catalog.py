"""The service-item catalog (事项目录): item files (YAML or JSON) validated by a pydantic schema.

One file is one version of one service item (docs/domain.md): its codes, type, case type, time limits, the
people it names, its materials with their elements (originals/copies, paper/electronic, necessity with the
容缺 details, source channel including the licence library, accepted documents as alternatives of sets,
acceptance rules) and its situations (办理情形), each listing the materials it needs.

Who calls it: `yichuang catalog validate` (line-precise problems), the API and the worker (which load the
shipped items from package data plus an administrator's folder, `<data dir>/catalog/`). The schema itself is
the stage object pipeline/service_item.py (a case's stored snapshot is read back with it, no vocabulary needed);
this module parses item files with the document types' vocabulary and judges what the schema cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from extractors import declared
from pipeline.service_item import ItemVocabulary, Material, Rule, SameRule, SealedRule, ServiceItem
from validators.vocabulary import (
    IDENTITY_TYPES, KNOWN_FINDING_CODES, KNOWN_TYPES, SEAL_DEFAULTS, SEAL_SUBJECTS, TYPE_FIELDS,
)

VOCABULARY = ItemVocabulary(identity_types=IDENTITY_TYPES, seal_subjects=SEAL_SUBJECTS)

# --- problems with line numbers ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    source: str
    line: int
    path: tuple[str | int, ...]
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path).lstrip(".")
        kind = "" if self.severity == "error" else "警告："
        return f"{self.source}:{self.line}: {where or '(文件)'}: {kind}{self.message}"


class CatalogError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _load_with_lines(text: str, source: str) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Parse YAML (JSON is read the same way) and remember the line of every key and list entry."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError([Problem(source, mark.line + 1 if mark else 1, (), f"YAML/JSON 语法错误：{problem}")]) from None
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {(): 1}
    problems: list[Problem] = []

    def walk(n: yaml.Node, path: tuple) -> None:
        if isinstance(n, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in n.value:
                key = key_node.value
                line = key_node.start_mark.line + 1
                if key in seen:
                    problems.append(Problem(source, line, path + (key,), "重复的键（后面的值会覆盖前面的值）"))
                seen.add(key)
                lines[path + (key,)] = line
                walk(value_node, path + (key,))
        elif isinstance(n, yaml.SequenceNode):
            for index, child in enumerate(n.value):
                lines[path + (index,)] = child.start_mark.line + 1
                walk(child, path + (index,))

    if node is not None:
        lines[()] = node.start_mark.line + 1
        walk(node, ())
    return data, lines, problems


def _line(lines: dict[tuple, int], path: tuple) -> int:
    while path not in lines:
        path = path[:-1]
    return lines[path]


def _data_path(data: Any, loc: tuple) -> tuple:
    """Pydantic's error location without the union tags it inserts (e.g. the rule kind)."""
    path: list = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
            path.append(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            path.append(part)
    return tuple(path)


_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不允许的字段（拼写错误？）",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "union_tag_not_found": "缺少 rule（规则类型）",
    "too_short": "不能为空",
}


def _choices(text: str) -> str:
    return str(text).replace(" or ", "、").replace(", ", "、")


def _translate(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _PYDANTIC_MESSAGES:
        return _PYDANTIC_MESSAGES[kind]
    if kind == "literal_error":
        return f"取值无效，应为 {_choices(ctx.get('expected', ''))} 之一"
    if kind == "string_pattern_mismatch":
        return f"格式不符合要求（{ctx.get('pattern', '')}）"
    if kind == "union_tag_invalid":
        return f"未知的规则类型 {ctx.get('tag')!r}，应为 {_choices(ctx.get('expected_tags', ''))} 之一"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"应{'不小于' if kind == 'greater_than_equal' else '不大于'} {bound}"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg")))
    return error.get("msg", kind)


def parse_item(text: str, source: str = "<catalog>", *, extra_fields: dict[str, Iterable[str]] | None = None) -> tuple[ServiceItem, list[Problem]]:
    """Parse and validate one item file. Raises CatalogError listing every error with its line; returns the
    item and the warnings (unknown check codes, unused materials …)."""
    data, lines, problems = _load_with_lines(text, source)
    if not isinstance(data, dict):
        raise CatalogError(problems + [Problem(source, 1, (), "文件内容应为一个服务事项（键: 值 映射）")])
    try:
        item = ServiceItem.model_validate(data, context={"vocabulary": VOCABULARY})
    except ValidationError as exc:
        for error in exc.errors():
            path = _data_path(data, tuple(error["loc"]))
            if error["type"] in ("missing", "union_tag_not_found") and len(path) < len(error["loc"]):
                message = f"缺少必填项 {error['loc'][-1]}" if error["type"] == "missing" else _translate(error)
            else:
                message = _translate(error)
            problems.append(Problem(source, _line(lines, path), path, message))
        raise CatalogError(_sorted(problems)) from None
    problems += [Problem(source, _line(lines, p), p, m, s) for p, m, s in semantic_problems(item, extra_fields)]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CatalogError(_sorted(problems))
    return item, _sorted(problems)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.severity != "error"))


# --- cross-reference checks -----------------------------------------------------------------


ProblemAt = tuple[tuple, str, str]  # (path in the item, Chinese message, "error" | "warning")


def semantic_problems(item: ServiceItem, extra_fields: dict[str, Iterable[str]] | None = None) -> Iterator[ProblemAt]:
    """What the schema alone cannot say: references resolve, codes are unique, tolerance is coherent."""
    fields_of = {t: set(f) for t, f in TYPE_FIELDS.items()}
    for type_code, names in (extra_fields or {}).items():
        fields_of.setdefault(type_code, set()).update(names)
    refs = _References({m.code: m for m in item.materials}, fields_of)
    known_codes = KNOWN_FINDING_CODES | {r.code for m in item.materials for r in m.rules}
    used = {code for situation in item.situations for code in situation.materials}

    yield from _duplicate_codes(item)
    yield from _situation_problems(item, refs.by_code)
    for key, person in item.persons.items():
        for attr in ("name", "id_number"):
            ref = getattr(person, attr)
            if ref and (problem := refs.problem(ref)):
                yield ("persons", key, attr), problem, "error"
    for index, material in enumerate(item.materials):
        at = ("materials", index)
        if material.code not in used:
            yield at + ("code",), f"材料 {material.code!r} 未被任何办理情形使用", "warning"
        yield from _material_problems(item, at, material, known_codes, refs)
        yield from _rule_problems(at, material, refs)
    if item.promised_limit.unit == item.statutory_limit.unit and item.promised_limit.days > item.statutory_limit.days:
        yield ("promised_limit", "days"), "承诺办结时限不能长于法定办结时限", "error"


@dataclass(frozen=True)
class _References:
    """Resolves `material.field` and `material.type.field` references of one item."""

    by_code: dict[str, Material]
    fields_of: dict[str, set[str]]

    def problem(self, ref: str) -> str | None:
        parts = ref.split(".")
        material = self.by_code.get(parts[0])
        if material is None:
            return f"引用了未定义的材料 {parts[0]!r}"
        types = [parts[1]] if len(parts) == 3 else sorted(material.types())
        if len(parts) == 3 and parts[1] not in material.types():
            return f"材料 {parts[0]!r} 不接受 {parts[1]!r} 类型的文件"
        if material.manual and not material.types():
            return f"材料 {parts[0]!r} 需人工核验，无可读取的字段"
        if not any(parts[-1] in self.fields_of.get(t, ()) for t in types):
            return f"材料 {parts[0]!r} 的文件（{'、'.join(types)}）没有字段 {parts[-1]!r}"
        return None


def _duplicate_codes(item: ServiceItem) -> Iterator[ProblemAt]:
    codes = [m.code for m in item.materials]
    for index, code in enumerate(codes):
        if codes.index(code) != index:
            yield ("materials", index, "code"), f"材料代码 {code!r} 重复", "error"
    reasons = [r.code for r in item.refusal_reasons]
    for index, code in enumerate(reasons):
        if reasons.index(code) != index:
            yield ("refusal_reasons", index, "code"), f"理由代码 {code!r} 重复", "error"


def _situation_problems(item: ServiceItem, by_code: dict[str, Material]) -> Iterator[ProblemAt]:
    situation_codes = [s.code for s in item.situations]
    for index, situation in enumerate(item.situations):
        if situation_codes.index(situation.code) != index:
            yield ("situations", index, "code"), f"办理情形代码 {situation.code!r} 重复", "error"
        for position, code in enumerate(situation.materials):
            if code not in by_code:
                yield ("situations", index, "materials", position), f"未定义的材料 {code!r}", "error"
            elif situation.materials.index(code) != position:
                yield ("situations", index, "materials", position), f"材料 {code!r} 重复列出", "error"


def _material_problems(item: ServiceItem, at: tuple, material: Material, known_codes: set[str],
                       refs: _References) -> Iterator[ProblemAt]:
    """One material's accepted types, person, tolerance and source."""
    for a, alternative in enumerate(material.accepted):
        if not alternative:
            yield at + ("accepted", a), "可接受文件组合不能为空", "error"
        for t, type_code in enumerate(alternative):
            if type_code not in KNOWN_TYPES:
                yield at + ("accepted", a, t), f"未知的文件类型 {type_code!r}", "error"
    if not material.accepted and not material.manual:
        yield at + ("accepted",), "必须列出可接受的文件类型，或标记为 manual（人工核验）", "error"
    if material.is_identity:
        if not material.person:
            yield at + ("accepted",), "身份证明材料必须指明 person（谁的身份证明）", "error"
    if material.person and material.person not in item.persons:
        yield at + ("person",), f"未在 persons 中定义的人员 {material.person!r}", "error"
    if material.necessity == "tolerable":
        if material.tolerance is None:
            yield at + ("necessity",), "容缺后补材料必须给出 tolerance（补交期限等）", "error"
        if not item.allows_tolerance:
            yield at + ("necessity",), "该事项未允许容缺受理（allows_tolerance: false）", "error"
    elif material.tolerance is not None:
        yield at + ("tolerance",), "只有 necessity: tolerable 的材料可以设置 tolerance", "error"
    if material.tolerance:
        for c, check in enumerate(material.tolerance.checks):
            if check not in known_codes:
                yield at + ("tolerance", "checks", c), f"未知的检查代码 {check!r}（请核对拼写）", "warning"
    source = material.source
    if source.channel == "licence_library":
        for attr in ("licence_type", "holder_code", "holder_code_type"):
            if not getattr(source, attr):
                yield at + ("source",), f"来源为电子证照库时必须给出 {attr}", "error"
    for attr in ("holder_code", "holder_name"):
        ref = getattr(source, attr)
        if ref and (problem := refs.problem(ref)):
            yield at + ("source", attr), problem, "error"


def _rule_problems(at: tuple, material: Material, refs: _References) -> Iterator[ProblemAt]:
    """One material's acceptance rules: their document types, fields, seal requirements and references."""
    sealed: set[str] = set()
    for r, rule in enumerate(material.rules):
        where = at + ("rules", r)
        if rule.document not in material.types():
            yield where + ("document",), f"材料不接受 {rule.document!r} 类型的文件", "error"
            continue
        if isinstance(rule, SealedRule):
            if not rule.field:
                yield where + ("field",), f"{rule.document!r} 须指明印章应属哪一单位的字段（field）", "error"
                continue
            if rule.document in sealed:
                yield where + ("document",), f"{rule.document!r} 的盖章要求重复", "error"
            sealed.add(rule.document)
            if rule.when != "never" and rule.document not in seal_searched_types():
                yield (where + ("document",), f"系统不检测 {rule.document!r} 类文件上的印章，受理时将提示人工核对是否盖章",
                       "warning")
        names = rule.fields if isinstance(rule, SameRule) else [rule.field]
        for name in names:
            if name not in refs.fields_of.get(rule.document, ()):
                yield where + ("field",), f"{rule.document!r} 没有字段 {name!r}", "error"
        if isinstance(rule, SameRule):
            for ref in rule.refs:
                if problem := refs.problem(ref):
                    yield where + ("with",), problem, "error"


def seal_searched_types() -> frozenset[str]:
    """The shipped document types on which the capture stage looks for red seals (DocumentType.seals)."""
    return frozenset(t.code for t in declared() if t.seals)


# --- loading the catalog --------------------------------------------------------------------


class Catalog:
    """All versions of all items. `get(code)` gives the newest version; a case asks for its own version."""

    def __init__(self, items: Iterable[ServiceItem] = ()) -> None:
        self._items: dict[tuple[str, int], ServiceItem] = {}
        for item in items:
            self.add(item)

    def add(self, item: ServiceItem) -> None:
        key = (item.code, item.version)
        if key in self._items and self._items[key] != item:
            raise CatalogError([Problem(item.code, 1, ("version",), f"事项 {item.code} 第 {item.version} 版重复定义且内容不同")])
        self._items[key] = item

    def get(self, code: str, version: int | None = None) -> ServiceItem:
        if version is not None:
            return self._items[(code, version)]
        versions = self.versions(code)
        if not versions:
            raise KeyError(code)
        return self._items[(code, versions[-1])]

    def versions(self, code: str) -> list[int]:
        return sorted(v for c, v in self._items if c == code)

    def codes(self) -> list[str]:
        return sorted({c for c, _ in self._items})

    def __contains__(self, code: str) -> bool:
        return bool(self.versions(code))

    def latest(self) -> list[ServiceItem]:
        return [self.get(code) for code in self.codes()]


CATALOG_SUFFIXES = (".yaml", ".yml", ".json")


def shipped_texts() -> Iterator[tuple[str, str]]:
    """(name, text) of every item file shipped as package data (works from a non-editable install)."""
    folder = resources.files("validators") / "catalog_data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(CATALOG_SUFFIXES):
            yield f"validators/catalog_data/{entry.name}", entry.read_text(encoding="utf-8")


def folder_texts(folder: Path) -> Iterator[tuple[str, str]]:
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix in CATALOG_SUFFIXES and path.is_file():
                yield str(path), path.read_text(encoding="utf-8")


def load_catalog(extra_folders: Iterable[Path] = ()) -> Catalog:
    """The shipped items plus every item file in the given folders. Raises CatalogError on any invalid file
    (a broken administrator file must be noticed, not silently skipped)."""
    catalog, problems = Catalog(), []
    texts = list(shipped_texts())
    for folder in extra_folders:
        texts += list(folder_texts(Path(folder)))
    for source, text in texts:
        try:
            item, _warnings = parse_item(text, source)
        except CatalogError as exc:
            problems += exc.problems
            continue
        catalog.add(item)
    if problems:
        raise CatalogError(problems)
    return catalog


def validate_file(path: Path) -> list[Problem]:
    """Every problem of one file, errors and warnings, in line order (`yichuang catalog validate`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(str(path), 1, (), f"无法读取文件：{exc.__class__.__name__}")]
    try:
        _item, warnings = parse_item(text, str(path))
    except CatalogError as exc:
        return exc.problems
    return warnings


def rules_of(item: ServiceItem, material: Material) -> list[Rule]:
    """The material's rules plus the seal each accepted type needs by default (SEAL_DEFAULTS) where the
    material states no `sealed` rule for that type. A 授权委托书 of an item that serves only organisations
    needs the principal's seal always; of an item that also serves natural persons, when its principal is
    an organisation."""
    stated = {r.document for r in material.rules if isinstance(r, SealedRule)}
    defaults: list[Rule] = []
    for type_code in sorted(material.types()):
        when = SEAL_DEFAULTS.get(type_code)
        if when is None or type_code in stated:
            continue
        if when == "organisation" and "自然人" not in item.service_objects:
            when = "always"
        defaults.append(SealedRule.model_validate({"rule": "sealed", "document": type_code, "when": when},
                                                  context={"vocabulary": VOCABULARY}))  # the type's seal subject
    return list(material.rules) + defaults


def material_codes(item: ServiceItem, situation: str) -> list[str]:
    return [m.code for m in item.materials_for(situation)]


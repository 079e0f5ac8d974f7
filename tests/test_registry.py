"""The document-type registry over both packages: every type declared in extractors/<type>.py is complete, and
every checks module validators/checks/<type>.py belongs to a declared type and reports only declared codes.

The finding codes a checks module reports are read from its source: `Failure("code", …)` and the codes the
shared helpers it calls build (`missing(doc, names, "code", …)`, `id_failures(doc, "operator_id_number", …)` ->
operator_id_number.format / .checksum / .birth_date, f"{doc.type}.expired" -> <type>.expired), following calls
into validators/ with the literal arguments bound."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

import extractors
from pipeline.registry import FieldSpec
from pipeline.settings import Thresholds
from validators import checks
from validators.vocabulary import (
    GENERAL_FINDING_CODES, KNOWN_FINDING_CODES, KNOWN_TYPES, TYPE_FIELDS, citizen_message, field_label, type_label,
)

ROOT = Path(__file__).resolve().parents[1]
TYPES = {t.code: t for t in extractors.build_registry()}
CLASSES = set(Thresholds.model_fields) - {"type"}  # "type" is the classification threshold


def test_threshold_classes_are_the_ones_fields_may_have():
    assert {"name", "id_number", "code", "date", "enum", "text"} <= CLASSES


@pytest.mark.parametrize("code", sorted(TYPES))
def test_every_type_declares_what_the_service_needs(code):
    t = TYPES[code]
    assert t.label and t.name, "a Chinese name"
    assert t.titles and all(t.titles), "title words for classification (extractors/_classify.titles)"
    assert t.anchors and all(t.anchors), "anchors: the labels or words its recogniser counts"
    assert t.fields, "fields"
    for name, spec in t.fields.items():
        assert isinstance(spec, FieldSpec) and spec.label, f"{code}.{name} has no label"
        assert spec.kind in CLASSES, f"{code}.{name}: unknown class {spec.kind!r}"
    for what, name in t.licence_fields.items():
        assert what in ("number", "holder", "valid_from", "valid_until") and name in t.fields, (what, name)
    if t.seal_subject or t.seal_default:
        assert t.seal_subject in t.fields and t.seal_default in ("", "always", "organisation")
    assert set(t.deciding) <= set(t.fields) and set(t.unread_codes) <= set(t.fields)
    assert {c for codes in t.unread_codes.values() for c in codes} <= set(t.findings)
    folder = ROOT / "samples" / code
    assert folder.is_dir() and any(folder.iterdir()), f"samples/{code}/ is missing or empty"


def test_the_central_tables_are_derived_from_the_declarations():
    from extractors._classify import titles

    assert KNOWN_TYPES == set(TYPES) | {"unknown"}
    for code, t in TYPES.items():
        assert TYPE_FIELDS[code] == tuple(t.fields) and type_label(code) == t.name
        assert titles()[code] == t.titles
        assert all(field_label(code, name) == spec.label for name, spec in t.fields.items())
        for finding, words in t.findings.items():
            assert finding in KNOWN_FINDING_CODES
            assert words is None or citizen_message(finding) == words


def test_a_code_two_types_declare_has_the_same_words_for_the_applicant():
    words: dict[str, str | None] = {}
    for t in TYPES.values():
        for finding, said in t.findings.items():
            assert words.setdefault(finding, said) == said, finding


def test_every_checks_module_belongs_to_a_declared_type():
    assert checks.check_modules(), "validators/checks/ has modules"
    unknown = set(checks.check_modules()) - set(TYPES)
    assert not unknown, f"checks modules name no declared type: {unknown}"


def test_every_check_is_registered_for_its_own_type_only():
    registry = checks.build_checks()
    for name in checks.check_modules():
        module = importlib.import_module(f"validators.checks.{name}")
        for check_code in module.CHECKS:
            owners = [t for t in TYPES if check_code in {c.code for c in registry.for_type(t)}]
            assert owners == [name], (check_code, owners)


@pytest.mark.parametrize("name", sorted(checks.check_modules()))
def test_every_finding_code_a_checks_module_reports_is_declared_by_its_type(name):
    module = importlib.import_module(f"validators.checks.{name}")
    functions = list(module.CHECKS.values()) + list(getattr(module, "CROSS_CHECKS", {}).values())
    reported: set[str] = set()
    for fn in functions:
        reported |= _codes(fn, name, {}, set())
    assert reported, f"no finding codes found in validators/checks/{name}.py"
    undeclared = reported - set(TYPES[name].findings) - GENERAL_FINDING_CODES
    assert not undeclared, f"extractors/{name}.py does not declare {undeclared}"


def test_the_reader_of_codes_sees_a_missing_declaration():
    """The test above can fail: a module reporting a code its type does not declare is caught."""

    def check(doc, ctx):
        from pipeline.registry import Failure

        yield Failure("lease_contract.invented", "…", ())

    assert _codes(check, "lease_contract", {}, set()) == {"lease_contract.invented"}
    assert "lease_contract.invented" not in TYPES["lease_contract"].findings


# --- reading the codes from source --------------------------------------------------------------------


def _codes(fn, type_code: str, bound: dict[str, str], seen: set) -> set[str]:
    """Finding codes `fn` and the validators functions it calls report, with `bound` parameter values."""
    key = (fn, tuple(sorted(bound.items())))
    if key in seen:
        return set()
    seen.add(key)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    local = dict(bound)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            _bind(node, type_code, local)
    out: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(fn, node.func)
        if _name(node.func) == "Failure" and node.args:
            code = _text(node.args[0], type_code, local)
            assert code is not None, f"cannot read the code of {ast.unparse(node)} in {fn.__qualname__}"
            out.add(code)
        elif callee is not None and getattr(callee, "__module__", "").startswith("validators"):
            out |= _codes(callee, type_code, _arguments(callee, node, type_code, local), seen)
    return out


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _callee(fn, func: ast.expr):
    names = {**fn.__globals__, **(inspect.getclosurevars(fn).nonlocals if fn.__closure__ else {})}
    if isinstance(func, ast.Name):
        found = names.get(func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        found = getattr(names.get(func.value.id), func.attr, None)
    else:
        return None
    return found if inspect.isfunction(found) else None


def _arguments(callee, call: ast.Call, type_code: str, local: dict[str, str]) -> dict[str, str]:
    params = list(inspect.signature(callee).parameters)
    out = {}
    for param, arg in zip(params, call.args):
        if (text := _text(arg, type_code, local)) is not None:
            out[param] = text
    for kw in call.keywords:
        if kw.arg and (text := _text(kw.value, type_code, local)) is not None:
            out[kw.arg] = text
    return out


def _bind(node: ast.Assign, type_code: str, local: dict[str, str]) -> None:
    pairs = []
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            pairs += zip(target.elts, node.value.elts)
        else:
            pairs.append((target, node.value))
    for target, value in pairs:
        if isinstance(target, ast.Name) and (text := _text(value, type_code, local)) is not None:
            local.setdefault(target.id, text)


def _text(node: ast.expr, type_code: str, local: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return local.get(node.id)
    if isinstance(node, ast.Attribute) and node.attr == "type" and isinstance(node.value, ast.Name):
        return type_code  # doc.type
    if isinstance(node, ast.JoinedStr):
        parts = [_text(v.value if isinstance(v, ast.FormattedValue) else v, type_code, local) for v in node.values]
        return None if None in parts else "".join(parts)
    return None

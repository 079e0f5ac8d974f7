"""Structure: import direction (import-linter), our top-level packages are ours, one module = one type, no import
cycles, and no test module importing another."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["pipeline", "extractors", "validators", "storage", "api", "workers"]


def test_import_direction_contracts_hold():
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--config", str(ROOT / "pyproject.toml")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("name", PACKAGES)
def test_top_level_packages_resolve_inside_this_distribution(name):
    """`api`, `storage`, `validators` … also exist on PyPI: the ones imported must be ours."""
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == ROOT / name


def test_every_extractor_module_registers_exactly_one_type_with_samples():
    import extractors

    registry = extractors.build_registry()
    modules = extractors.type_modules()
    assert sorted(registry.codes()) == sorted(modules), "module name == type code, one each"
    for code in registry.codes():
        folder = ROOT / "samples" / code
        assert folder.is_dir() and any(folder.iterdir()), f"samples/{code}/ is missing or empty"


def test_verify_start_up_does_not_import_heavy_libraries():
    code = ("import sys, api.cli; heavy = [m for m in ('cv2', 'rapidocr', 'onnxruntime', 'fastapi', 'sqlalchemy', "
            "'celery', 'pyhanko') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


# --- no import cycles between our modules (function-local imports included) --------------------------------------


def import_cycles(packages: list[str]) -> list[list[str]]:
    """Every cycle between modules of `packages`, one per strongly connected group, as the modules in it. grimp
    (import-linter's graph) reads every import statement of a module, those inside functions too, so an import
    moved into a function to dodge a cycle still closes it here."""
    import grimp

    graph = grimp.build_graph(*packages, include_external_packages=False)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph.modules):  # Tarjan's algorithm, without recursion
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_import_cycles_between_our_modules():
    assert import_cycles(PACKAGES) == []


def test_the_cycle_check_sees_an_import_hidden_in_a_function(tmp_path, monkeypatch):
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "routes.py").write_text("from cyclepkg.app import helper\n")
    (package / "app.py").write_text("import cyclepkg.routes\n\ndef helper():\n    pass\n")
    (package / "lazy.py").write_text("def read():\n    from cyclepkg.other import thing  # at call time\n")
    (package / "other.py").write_text("from cyclepkg.lazy import read\n\nthing = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles(["cyclepkg"]) == [["cyclepkg.app", "cyclepkg.routes"], ["cyclepkg.lazy", "cyclepkg.other"]]


# --- tests mirror the packages: no test module imports another test module ------------------------------------------


def imports_of_test_modules(tests: Path) -> list[str]:
    """`file:line: module` for every import, anywhere in a file under `tests` (function-local and relative imports
    included), of a test module (`test_*.py`). Shared fixtures belong in a conftest.py and shared plain helpers in
    a helper module, so that a test file can be renamed, moved or run alone without breaking another."""
    top = tests.parent
    found = []
    for path in sorted(tests.rglob("*.py")):
        package = path.relative_to(top).with_suffix("").parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package[:len(package) - node.level + 1] + ((node.module,) if node.module else ())) \
                    if node.level else node.module
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                module = top.joinpath(*target.split("."))
                if module.name.startswith("test_") and module.with_suffix(".py").is_file():
                    found.append(f"{path.relative_to(top)}:{node.lineno}: {target}")
    return found


def test_no_test_module_imports_another_test_module():
    assert imports_of_test_modules(ROOT / "tests") == []


def test_the_test_import_check_sees_absolute_relative_and_function_local_imports(tmp_path):
    tests = tmp_path / "tests"
    (tests / "sub").mkdir(parents=True)
    for name in ("__init__.py", "sub/__init__.py", "conftest.py"):
        (tests / name).write_text("")
    (tests / "helpers.py").write_text("def helper():\n    pass\n")
    (tests / "test_a.py").write_text("from tests.helpers import helper\n\ndef test_one():\n    helper()\n")
    (tests / "sub" / "test_b.py").write_text("from tests.test_a import test_one\n")
    (tests / "sub" / "test_c.py").write_text("def test_two():\n    from ..test_a import test_one\n")
    (tests / "sub" / "test_d.py").write_text("from tests import test_a\nimport tests.sub.test_c\n")
    assert imports_of_test_modules(tests) == ["tests/sub/test_b.py:1: tests.test_a", "tests/sub/test_c.py:2: tests.test_a",
                                              "tests/sub/test_d.py:1: tests.test_a", "tests/sub/test_d.py:2: tests.sub.test_c"]

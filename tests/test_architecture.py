"""Structure: import direction (import-linter), our top-level packages are ours, one module = one type."""

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

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

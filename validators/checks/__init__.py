"""Checks on documents, one module per document type: validators/checks/<type code>.py holds the checks of that
type as module-level functions and lists them in `CHECKS` (check code -> function; cross-document checks in
`CROSS_CHECKS`). A check is registered under a stable code; the finding codes it reports are declared with its
type (extractors/<type code>.py, DocumentType.findings), and tests/test_registry.py fails when one is not.

Modules whose names start with an underscore are shared helpers. The seal a type bears by default is judged by
validators/seals.py for every type that declares one (DocumentType.seal_default == "always").

Who calls it: the wiring code, once per process (`build_checks`).
"""

from __future__ import annotations

import importlib
import pkgutil

from pipeline.registry import CheckRegistry
from validators import seals


def check_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def build_checks() -> CheckRegistry:
    registry = CheckRegistry()
    seals.register(registry)  # first: a document's seal is reported before its fields
    for name in check_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        for code, run in module.CHECKS.items():
            registry.register(code, (name,))(run)
        for code, run in getattr(module, "CROSS_CHECKS", {}).items():
            registry.register_cross(code)(run)
    return registry

"""Document types: one module per type code, each defining `DOCUMENT_TYPE`.

Adding a type means adding a module here and a samples/<type code>/ folder; nothing else changes.
Modules whose names start with an underscore are shared helpers, not types.
"""

from __future__ import annotations

import importlib
import pkgutil

from pipeline.registry import TypeRegistry


def type_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def build_registry() -> TypeRegistry:
    """Called once per process by the wiring code."""
    registry = TypeRegistry()
    for name in type_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        registry.register(module.DOCUMENT_TYPE)
    return registry

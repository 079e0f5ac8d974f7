"""Document types: one module per type code, each defining `DOCUMENT_TYPE` — everything about the type in one
place (how to recognise and read it, its fields with labels and classes, titles and anchors, finding codes with
the applicant's words, licence-library fields, seals; pipeline/registry.DocumentType).

Adding a type means adding a module here and a samples/<type code>/ folder (and, when it has checks, a module
validators/checks/<type code>.py); the vocabulary, the classification titles and the catalog's known types are
derived from the declarations (`declared`), and tests/test_registry.py fails when a declaration is incomplete.
Modules whose names start with an underscore are shared helpers, not types.
"""

from __future__ import annotations

import functools
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


@functools.cache
def declared() -> TypeRegistry:
    """The shipped types' declarations, read once: what the central tables (validators/vocabulary.py, the titles
    of extractors/_classify) are derived from. The types are imported on the first call, never at import time, so
    that a type module may use the helpers that ask for it."""
    return build_registry()

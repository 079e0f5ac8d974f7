"""Checks on documents, the service catalog and the assessment of a case's materials.

The document checks live one module per document type in validators/checks/; the wiring code calls
`build_checks()` once per process.
"""

from __future__ import annotations

from validators.checks import build_checks

__all__ = ["build_checks"]

"""Checks on documents, registered under stable codes (`id_number.checksum`, `id_card.expired`, …).

Each check module registers its checks on the registry passed to `register(registry)`; the wiring code
calls `build_checks()` once per process.
"""

from __future__ import annotations

from pipeline.registry import CheckRegistry


def build_checks() -> CheckRegistry:
    from validators import documents, id_card, identity_documents, seals

    registry = CheckRegistry()
    id_card.register(registry)
    documents.register(registry)
    seals.register(registry)
    identity_documents.register(registry)
    return registry

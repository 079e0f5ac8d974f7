"""The wiring (workers/wiring.py): one builder of the services, and the one file the service writes below the API."""

from __future__ import annotations

import dataclasses

from pipeline.settings import Settings
from storage.objects import MemoryStore
from workers.wiring import Services, build_services, secret_key


def test_embedded_secret_is_generated_once_with_0600(tmp_path):
    first = secret_key(Settings(data_dir=tmp_path))
    assert first == secret_key(Settings(data_dir=tmp_path))
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_services_are_fully_declared_and_built_once(tmp_path):
    """Every part an entry point uses is declared on Services (fields or cached properties), nothing is added
    later, and a part is built once per services object: the assessor judges with the same library the
    licence routes use."""
    services = build_services(Settings(data_dir=tmp_path), store=MemoryStore())
    declared = {f.name for f in dataclasses.fields(Services)} | {
        name for name, value in vars(Services).items() if isinstance(value, property) or hasattr(value, "attrname")}
    assert {"settings", "repo", "store", "cases", "deps", "library", "calendar", "assessor", "catalog"} <= declared
    assert services.assessor is services.assessor and services.assessor.library is services.library
    assert services.assessor.checks is services.deps.checks and services.deps.engine is None  # no OCR in the API
    assert set(vars(services)) <= declared, "an attribute was added that Services does not declare"

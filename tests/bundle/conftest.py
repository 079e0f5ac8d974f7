"""A case built through the API and the worker's tasks in-process (the fake FixedEngine reads an ID-card front
on every scanned page, instantly): a scan, a signed PDF and a signed OFD, each hinted to a material."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.in_process import Env, jpeg_bytes, make_env

ROOT = Path(__file__).resolve().parents[2]
SIGNED = ROOT / "samples" / "signed"


@pytest.fixture()
def env(tmp_path, monkeypatch) -> Env:
    return make_env(tmp_path, monkeypatch)


@dataclass
class Case:
    case_id: str
    clerk: dict[str, str]
    originals: dict[str, bytes]  # material code -> bytes of the electronic original uploaded for it


@pytest.fixture()
def case(env) -> Case:
    clerk = env.key("clerk")
    case_id = env.new_case(clerk)
    pdf = (SIGNED / "pdf_signed_rsa.pdf").read_bytes()
    ofd = (SIGNED / "ofdrw_allprotected.ofd").read_bytes()
    env.upload(clerk, case_id, "申请书.pdf", pdf, "application/pdf", material="application")
    env.upload(clerk, case_id, "front.jpg", jpeg_bytes(), "image/jpeg", material="operator_id", person="operator")
    env.upload(clerk, case_id, "证明.ofd", ofd, "application/ofd", material="premises_proof")
    return Case(case_id=case_id, clerk=clerk, originals={"application": pdf, "premises_proof": ofd})

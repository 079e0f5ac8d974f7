"""`yichuang verify --item` consults the configured licence library: with the operator's ID card imported into
the embedded library (a signed PDF under the sample test CA), the reference item's operator ID material is
filled from it although no card was scanned. Real OCR of the sample application form (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from api.cli import main
from samples.generate_licences import ISSUERS, TYPES, signed_pdf
from pipeline import licence_identifier
from tests.licences.helpers import ROOT, SAMPLE

FORM = ROOT / "samples" / "application_form"
PREMISES = ROOT / "samples" / "property_certificate" / "property_certificate_s7-0000_clean.png"


@pytest.mark.slow
def test_verify_fills_the_operator_id_from_the_embedded_library(tmp_path, monkeypatch, capsys):
    truth = json.loads((FORM / "application_form_s7-0000_p1_clean.json").read_text(encoding="utf-8"))["fields"]
    issuer, issuer_code = ISSUERS["police"]
    record = {"identifier": licence_identifier.make(TYPES["id_card"][1], issuer_code, "7000001"), "name": "居民身份证",
              "type_code": "id_card", "number": truth["operator_id_number"], "issuer": issuer, "issuer_code": issuer_code,
              "issued_on": "2020-01-02", "holder": truth["operator_name"], "holder_code": truth["operator_id_number"],
              "holder_code_type": "111", "valid_from": "2020-01-02", "valid_until": "长期", "face": {},
              "status": "01", "file": "card.pdf"}
    (tmp_path / "card.pdf").write_bytes(signed_pdf(record))
    (tmp_path / "index.json").write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path / "var"))
    assert main(["licences", "import", str(tmp_path / "index.json")]) == 0
    capsys.readouterr()
    env = dict(os.environ, YICHUANG_DATA_DIR=str(tmp_path / "var"), YICHUANG_LICENCE_TRUST_DIR=str(SAMPLE))
    files = [str(FORM / "application_form_s7-0000_p1_clean.png"), str(FORM / "application_form_s7-0000_p2_clean.png"),
             str(PREMISES)]
    run = subprocess.run([sys.executable, "-m", "api.cli", "verify", "--item", "individual-business-registration",
                          "--situation", "self", "--at", "2026-11-23", "--json", *files],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    case = json.loads(run.stdout)["case"]
    operator = next(m for m in case["materials"] if m["code"] == "operator_id")
    assert operator["status"] == "from_library", operator["findings"]
    assert operator["documents"] == [] and operator["licence"]["identifier"] == record["identifier"]
    assert operator["licence"]["file"]["verified"] is True and operator["licence"]["source"] == "embedded"

"""`yichuang verify` as a user runs it: one process, JSON on standard output, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONT = ROOT / "samples" / "id_card_front" / "idcard_s7-0001_front_clean.png"


def run(*args: str, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_verify_json_prints_exactly_one_object_and_reports_bad_files(tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_text("not an image")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    result = run("verify", "--json", "--at", "2026-01-01", str(FRONT), str(bad), str(empty), str(tmp_path / "missing.pdf"))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)  # the whole of standard output is one JSON object
    assert out["schema_version"] == 1 and out["case"] is None
    docs = out["documents"]
    assert [d["source"] for d in docs] == [str(FRONT), str(bad), str(empty), str(tmp_path / "missing.pdf")]
    assert docs[0]["type"] == "id_card_front" and docs[0]["error"] is None
    truth = json.loads(FRONT.with_suffix(".json").read_text(encoding="utf-8"))
    assert docs[0]["fields"]["id_number"]["value"] == truth["fields"]["id_number"]
    assert set(docs[0]) >= {"id", "pages", "region", "type_confidence", "capture", "quality", "fields", "findings",
                            "seals", "handwriting", "signatures", "error"}
    assert [d["error"]["code"] for d in docs[1:]] == ["file.unsupported_type", "file.empty", "file.unreadable"]
    assert all(d["error"]["message"] for d in docs[1:])
    assert truth["fields"]["id_number"] not in result.stderr, "no personal data in logs"


def test_usage_errors_exit_2():
    assert run("verify", "--at", "yesterday", str(FRONT)).returncode == 2
    assert run("frobnicate").returncode == 2


def test_keys_create_refuses_a_hall_longer_than_its_column(tmp_path):
    env = {**os.environ, "YICHUANG_DATA_DIR": str(tmp_path), "YICHUANG_ENV": "test"}
    proc = subprocess.run([sys.executable, "-m", "api.cli", "keys", "create", "--role", "clerk", "--hall", "h" * 65,
                           "--label", "scanner"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "营业厅编码" in proc.stderr and proc.stdout == ""


@pytest.mark.slow
def test_verify_two_peoples_cards_pairs_each_back_with_its_own_front_and_says_each_finding_once():
    cards = [ROOT / "samples" / side / f"idcard_s7-{n}_{side.split('_')[-1]}_clean.png"
             for n in ("0000", "0001") for side in ("id_card_front", "id_card_back")]
    result = run("verify", "--json", "--at", "2026-01-01", *(str(p) for p in cards[::-1]))
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)["documents"]
    assert sorted(d["type"] for d in docs) == ["id_card_back", "id_card_back", "id_card_front", "id_card_front"]
    for d in docs:
        codes = [f["code"] for f in d["findings"]]
        assert "id_card.validity_age" not in codes
        assert len(codes) == len(set(codes)), f"a finding said twice: {codes}"

"""PDF signatures (pyHanko): every expected outcome of data/real, appended bytes, tampering,
algorithms we cannot verify, files that cannot be opened.

Ground truth: ../shared/data/real/_derived_gt/signed_pdf_validation_pyhanko.jsonl. pyHanko's test
vectors are judged at 2020-11-01 with the certificates of _derived_gt/pyhanko_generated_certs (plus
the legacy testing-ca root) as the trust store; the endesive / node-signpdf files with the GoogleHSM
certificate only, at a judging time after signing (validity is judged at the signer's signing time).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.errors import FileEmpty, FileEncrypted, FileTruncated
from validators.signatures import Verifier
from validators.signatures import findings as F

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "data" / "real"
SAMPLES = REPO / "samples" / "signed"
GT = REAL / "_derived_gt" / "signed_pdf_validation_pyhanko.jsonl"
PYHANKO_AT = dt.datetime(2020, 11, 1, tzinfo=dt.timezone.utc)
LATER_AT = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
LATER = {"NONE": "none", "LTA_UPDATES": "none", "FORM_FILLING": "form_filling", "ANNOTATIONS": "annotations", "OTHER": "other"}
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"shared real test data not found at {REAL}")


def _codes(result) -> dict[str, str]:
    return {f.code: f.severity for f in result.findings}


def _blocking(result) -> list:
    return [f for f in result.findings if f.severity in ("error", "warning")]


@pytest.fixture(scope="module")
def pyhanko_verifier(tmp_path_factory) -> Verifier:
    if not REAL.is_dir():
        pytest.skip(f"shared real test data not found at {REAL}")
    trust = tmp_path_factory.mktemp("trust_pyhanko")
    for cert in (REAL / "_derived_gt" / "pyhanko_generated_certs").iterdir():
        shutil.copy(cert, trust / cert.name)
    shutil.copy(REAL / "signed_docs/certs/pyhanko/testing-ca/root/root.cert.pem", trust / "legacy-testing-ca-root.pem")
    return Verifier(trust)


@pytest.fixture(scope="module")
def endesive_verifier(tmp_path_factory) -> Verifier:
    if not REAL.is_dir():
        pytest.skip(f"shared real test data not found at {REAL}")
    trust = tmp_path_factory.mktemp("trust_google")
    shutil.copy(REAL / "signed_docs/pdf_endesive/test-certificate-googleHSM.crt.pem", trust / "google.pem")
    return Verifier(trust)


@pytest.fixture(scope="module")
def sample_verifier() -> Verifier:
    return Verifier(SAMPLES)  # test_root_ca.pem (and the ofdrw certificates, which do not matter here)


def _entries() -> list:
    if not GT.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{GT} not found"))]
    entries = [json.loads(line) for line in GT.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pytest.param(entry, id=entry["file"].split("/", 1)[1]) for entry in entries]


def _verify(entry, pyhanko_verifier, endesive_verifier):
    pyhanko = "pdf_pyhanko" in entry["file"]
    verifier = pyhanko_verifier if pyhanko else endesive_verifier
    return verifier.verify((REAL / entry["file"]).read_bytes(), "pdf", PYHANKO_AT if pyhanko else LATER_AT)


# --- ground truth -------------------------------------------------------------------------------


@needs_real
@pytest.mark.parametrize("entry", _entries())
def test_every_ground_truth_outcome_is_reproduced(entry, pyhanko_verifier, endesive_verifier):
    note = entry["note"] or ""
    name = entry["file"].rsplit("/", 1)[1]
    if name in ("minimal-aes256.pdf", "pdf-encrypted.pdf"):
        # both need a user password (the ground truth saw no signatures because it could not look)
        with pytest.raises(FileEncrypted):
            _verify(entry, pyhanko_verifier, endesive_verifier)
        return
    if note.startswith("READ-ERROR PdfReadError"):
        with pytest.raises(FileTruncated):
            _verify(entry, pyhanko_verifier, endesive_verifier)
        return
    results = _verify(entry, pyhanko_verifier, endesive_verifier)
    if note.startswith("READ-ERROR ValueError"):  # a placeholder or unparsable CMS: invalid, not a crash
        assert [_codes(r) for r in results] == [{F.INVALID: "error"}]
        assert not results[0].intact
        return
    if note == "NO-SIGNATURES":
        if name == "pdf-adobe-webcapture-x509.rsa_sha1.pdf":  # pyHanko skips it; we flag it
            assert [_codes(r) for r in results] == [{F.UNSUPPORTED_ALGORITHM: "warning"}]
        else:
            assert results == []
        return

    by_field = {r.details["field"]: r for r in results}
    assert len(by_field) == len(entry["signatures"])
    for expected in entry["signatures"]:
        result = by_field[expected["field"]]
        if "error" in expected:
            if "/Sig" in expected["error"]:  # a document timestamp: pyHanko's signature API refuses it
                assert result.details["type"] == "doc_timestamp" and result.intact and result.trusted
            else:  # e.g. a detached signature that encapsulates content
                assert _codes(result) == {F.INVALID: "error"} and not result.intact
            continue
        assert result.intact is (expected["intact"] and expected["valid"])
        assert result.trusted is expected["trusted"]
        assert result.covers_whole_file is (expected["coverage"] == "ENTIRE_FILE")
        later = "other" if not expected["docmdp_ok"] else LATER[expected["modlevel"]]
        assert result.later_changes == later
        if expected["bottom_line"]:
            assert not _blocking(result), result.findings  # every valid one accepted
        else:
            assert _blocking(result), "every tampered, badly covered, disallowed or untrusted one flagged"
        if expected["modlevel"] == "OTHER" or not expected["docmdp_ok"]:
            assert _codes(result).get(F.LATER_CHANGES) == "error"
        if expected["coverage"] in ("UNCLEAR", "CONTIGUOUS_BLOCK_FROM_START"):
            assert F.PARTIAL in _codes(result)


@needs_real
def test_disallowed_algorithm_is_flagged_not_tampered(pyhanko_verifier):
    [result] = pyhanko_verifier.verify((REAL / "signed_docs/pdf_pyhanko/ed448-disallowed-hash.pdf").read_bytes(), "pdf", PYHANKO_AT)
    assert result.intact and not result.trusted
    assert _codes(result) == {F.UNSUPPORTED_ALGORITHM: "warning"}


@needs_real
def test_a_certificate_that_expired_after_signing_stays_valid(pyhanko_verifier):
    """The certifying signer's certificate ends 2021-01-01 and the signature says it was made
    2020-11-01: judged in 2022 it is still trusted (validity at signing time, docs/architecture.md)."""
    data = (REAL / "signed_docs/pdf_pyhanko/certified-with-indirect-refs-in-dir.pdf").read_bytes()
    [late] = pyhanko_verifier.verify(data, "pdf", dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc))
    assert late.trusted and not late.findings and late.details["validation_time"].startswith("2020-11-01")


def test_a_signature_made_after_the_certificate_expired_is_an_error(sample_verifier):
    [result] = sample_verifier.verify((SAMPLES / "pdf_signed_expired_cert.pdf").read_bytes(), "pdf", LATER_AT)
    assert result.intact and not result.trusted
    assert _codes(result) == {F.CERT_EXPIRED: "error"}


@needs_real
def test_validity_is_judged_at_the_signing_time(endesive_verifier):
    """Signed 2020-09-07 with a certificate trusted then; judged years later it stays trusted."""
    data = (REAL / "signed_docs/pdf_endesive/test-signed-cms-hsm-Google.pdf").read_bytes()
    [result] = endesive_verifier.verify(data, "pdf", LATER_AT)
    assert result.trusted and result.details["validation_time"].startswith("2020-09-07")
    assert result.signed_at == "2020-09-08T02:42:58+08:00"


@needs_real
@pytest.mark.parametrize("name", ["circular-page-tree.pdf", "malformed-xref-space-padded.pdf"])
def test_malformed_unsigned_files_do_not_hang(name, pyhanko_verifier):
    assert pyhanko_verifier.verify((REAL / "signed_docs/pdf_pyhanko" / name).read_bytes(), "pdf", PYHANKO_AT) == []


# --- the generated sample -----------------------------------------------------------------------


def _sample() -> bytes:
    return (SAMPLES / "pdf_signed_rsa.pdf").read_bytes()


def test_the_sample_is_intact_trusted_and_whole(sample_verifier):
    [result] = sample_verifier.verify(_sample(), "pdf", LATER_AT)
    assert result.intact and result.trusted and result.covers_whole_file
    assert result.later_changes == "none" and result.revocation == "unknown" and not result.findings
    assert result.signed_by == "样本签名人" and result.kind == "pdf"


def test_without_trust_store_the_sample_is_untrusted_only():
    [result] = Verifier(None).verify(_sample(), "pdf", LATER_AT)
    assert result.intact and not result.trusted
    assert _codes(result) == {F.UNTRUSTED: "warning"}


def test_bytes_appended_after_signing_are_not_covered(sample_verifier):
    [result] = sample_verifier.verify(_sample() + b"\n% appended after signing\n", "pdf", LATER_AT)
    assert result.intact and not result.covers_whole_file
    assert _codes(result) == {F.PARTIAL: "warning"}


def test_a_changed_byte_inside_the_signed_range_is_tampering(sample_verifier):
    data = _sample()
    offset = data.index(b"/Producer")  # inside the first signed byte range, same length
    tampered = data[:offset] + b"/Producex" + data[offset + 9 :]
    [result] = sample_verifier.verify(tampered, "pdf", LATER_AT)
    assert not result.intact and _codes(result)[F.TAMPERED] == "error"


def test_a_later_revision_that_changes_the_document_is_flagged(sample_verifier):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(_sample()))
    writer.root["/Lang"] = generic.TextStringObject("zh-CN")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    [result] = sample_verifier.verify(out.getvalue(), "pdf", LATER_AT)
    assert result.intact and result.later_changes == "other" and not result.covers_whole_file
    assert _codes(result)[F.LATER_CHANGES] == "error"


def test_sm2_in_a_pdf_is_a_warning_never_tampered(sample_verifier):
    [result] = sample_verifier.verify((SAMPLES / "pdf_signed_sm2_claimed.pdf").read_bytes(), "pdf", LATER_AT)
    assert _codes(result) == {F.UNSUPPORTED_ALGORITHM: "warning"}
    assert result.details["verifiable"] is False and not result.intact and not result.trusted
    assert result.signed_by == "样本签名人"


def test_a_gbt_38540_structure_inside_a_pdf_is_a_warning(sample_verifier):
    import zipfile

    ses_value = zipfile.ZipFile(SAMPLES / "ofdrw_allprotected.ofd").read("Doc_0/Signs/Sign_0/SignedValue.dat")
    data = _sample()
    match = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", data)
    hex_value = ses_value.hex().upper().encode().ljust(len(match.group(1)), b"0")
    [result] = sample_verifier.verify(data[: match.start(1)] + hex_value + data[match.end(1) :], "pdf", LATER_AT)
    assert _codes(result) == {F.UNSUPPORTED_ALGORITHM: "warning"} and result.details["format"] == "GB/T 38540"


def test_verify_works_inside_a_running_event_loop(sample_verifier):
    async def call():
        return sample_verifier.verify(_sample(), "pdf", LATER_AT)

    [result] = asyncio.run(call())
    assert result.intact and result.trusted


def test_results_serialise_to_the_result_json(sample_verifier):
    from pipeline.models import Document

    results = sample_verifier.verify(_sample() + b"%%", "pdf", LATER_AT)
    document = Document(id="d", source="x.pdf", signatures=tuple(results))
    payload = json.loads(json.dumps(document.model_dump(mode="json")))
    assert payload["signatures"][0]["findings"][0]["code"] == F.PARTIAL


@pytest.mark.parametrize("data, error", [(b"", FileEmpty), (b"%PDF-1.7\n garbage", FileTruncated), (b"\x89PNG\r\n", FileTruncated)])
def test_files_that_cannot_be_opened_raise_input_errors(data, error):
    with pytest.raises(error):
        Verifier(None).verify(data, "pdf", LATER_AT)

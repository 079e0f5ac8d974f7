"""OFD signatures and e-seals: every expected outcome of data/real, tamper tests, unsafe packages, SM2.

Real files are read from ../shared/data/real (skipped with a reason when absent); the tamper and
package-safety tests use samples/signed/ofdrw_allprotected.ofd, so they always run.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import OfdMalformed, UnsupportedType
from validators.signatures import Verifier
from validators.signatures import findings as F
from validators.signatures.certs import load_certs, parse_cert
from validators.signatures.ofd import ses, sm2
from pipeline.ofd_package import Limits, OfdPackage
from validators.signatures.trust import TrustStore

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "data" / "real"
SAMPLES = REPO / "samples" / "signed"
OUTCOMES = REAL / "_derived_gt" / "ofd_signature_outcomes.tsv"
AT = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
SAMPLE = SAMPLES / "ofdrw_allprotected.ofd"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"shared real test data not found at {REAL}")


def _ofdrw_trust() -> TrustStore:
    ders = load_certs((SAMPLES / "ofdrw_sm2_root.pem").read_bytes()) + load_certs((SAMPLES / "ofdrw_sm2_user.pem").read_bytes())
    return TrustStore.from_ders(ders)


def _verifier(strict: bool = False) -> Verifier:
    return Verifier.from_trust_store(_ofdrw_trust(), strict=strict)


@functools.lru_cache(maxsize=None)
def _verify_real(relative: str, strict: bool = False) -> dict[str, object]:
    results = _verifier(strict).verify((REAL / relative).read_bytes(), "ofd", AT)
    return {r.details["id"]: r for r in results}


def _codes(result) -> dict[str, str]:
    return {f.code: f.severity for f in result.findings}


def _rows() -> list:
    if not OUTCOMES.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{OUTCOMES} not found"))]
    with OUTCOMES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [pytest.param(row, id=f"{Path(row['file']).stem}#{row['signature']}") for row in rows]


def _expect(value: str):
    return {"True": True, "False": False, "None": None}[value]


# --- ground truth of data/real ------------------------------------------------------------------


@needs_real
@pytest.mark.parametrize("row", _rows())
def test_every_ground_truth_outcome_is_reproduced(row):
    result = _verify_real(row["file"]).get(row["signature"])
    assert result is not None, f"signature {row['signature']} not reported"
    d = result.details
    assert d["type"] == ("Sign" if row["type"] == "Sign" else "Seal")
    expected_version = {"SES v4": "v4", "SES v1": "v1", "PKCS#7": "pkcs7", "raw SM2": "bare"}
    assert d["version"] == next(v for k, v in expected_version.items() if row["struct"].startswith(k))
    assert d["check_method"] == row["check_method"]
    assert len(d["covered_files"]) == int(row["n_refs"])
    assert d["references"] is _expect(row["a_refs_ok"])
    if row["d_datahash"]:
        assert d["data_hash"] is _expect(row["d_datahash"])
    assert d["signature"] is _expect(row["c_sig"])
    if row["c_enc"]:
        assert d["signature_encoding"] == row["c_enc"]
    if row["e_seal_sig"]:
        assert d["seal_signature"] is _expect(row["e_seal_sig"])
        assert d["seal_signature_encoding"] == row["e_enc"]
    if row["g_signer_in_seal_certlist"].startswith("nonstandard"):
        assert d["signer_in_seal"] is None and d["seal_cert_list_nonstandard"] == ["1"]
    elif row["g_signer_in_seal_certlist"]:
        assert d["signer_in_seal"] is _expect(row["g_signer_in_seal_certlist"])
    if row["f_signer_cert_at_signtime"]:
        assert d["signer_cert_valid"] is _expect(row["f_signer_cert_at_signtime"])
    if row["f_seal_valid_at_signtime"]:
        assert d["seal_valid"] is _expect(row["f_seal_valid_at_signtime"])
    if row["f_maker_cert_at_seal_create"]:
        assert d["maker_cert_valid"] is _expect(row["f_maker_cert_at_seal_create"])

    # the verdict follows from the checks
    codes = _codes(result)
    if d["references"] is False and not d.get("later_signature"):
        assert codes.get(F.TAMPERED) == "error" and not result.intact
    if row["f_signer_cert_at_signtime"] == "False":
        assert codes.get(F.CERT_EXPIRED) == "error"
    if row["f_seal_valid_at_signtime"] == "False":
        assert codes.get(F.SEAL_EXPIRED) == "error"
    if row["f_maker_cert_at_seal_create"] == "False":
        assert codes.get(F.SEAL_MAKER_INVALID) == "error"
    checks = [row[k] for k in ("a_refs_ok", "d_datahash", "c_sig", "e_seal_sig") if row[k]]
    if all(c == "True" for c in checks):
        assert result.intact and F.TAMPERED not in codes


@needs_real
def test_a_later_seal_that_rewrote_the_signature_list_is_benign():
    results = _verify_real("signed_docs/ofd_eseal/ofdrw_two_seals_h.ofd")
    first, second = results["s001"], results["s007"]
    assert first.details["failed_references"] == ["Doc_0/Signs/Signatures.xml"]
    assert first.intact and first.later_changes == "form_filling"
    assert _codes(first) == {F.LATER_SIGNATURE: "info"}  # trusted with the ofdrw root: nothing else
    assert second.intact and second.trusted and not second.findings


@needs_real
@pytest.mark.parametrize(
    "relative, expected",
    [
        ("e_licence/construction_permit_test_signed.ofd", {"2": F.TAMPERED, "4": F.TAMPERED}),
        ("e_licence/bdc_registration_certificate_signed.ofd", {"2": F.TAMPERED, "4": F.TAMPERED}),
        ("signed_docs/ofd_eseal/ofdrw_SESV4SignDoc.ofd", {"1": F.CERT_EXPIRED}),
        ("signed_docs/ofd_eseal/jiangsu_vat_e_invoice_signed.ofd", {"2": F.SEAL_MAKER_INVALID}),
    ],
)
def test_real_failures_are_errors(relative, expected):
    results = _verify_real(relative)
    for signature_id, code in expected.items():
        assert _codes(results[signature_id]).get(code) == "error", results[signature_id].findings


@needs_real
def test_tampered_pages_are_named_in_the_finding():
    result = _verify_real("e_licence/construction_permit_test_signed.ofd")["2"]
    message = next(f.message for f in result.findings if f.code == F.TAMPERED)
    assert "Doc_0/Pages/Page_0/Content.xml" in message and result.later_changes == "other"


@needs_real
def test_v1_signature_over_the_stored_hash_only_is_rejected_in_strict_mode():
    relative = "signed_docs/ofd_eseal/gov_doc_redhead_signed.ofd"
    lenient, strict = _verify_real(relative)["0"], _verify_real(relative, strict=True)["0"]
    assert lenient.details["signature_over_hash_only"] is True
    assert _codes(lenient)[F.HASH_ONLY] == "warning"
    assert _codes(strict)[F.HASH_ONLY] == "error"
    assert not strict.intact


@needs_real
def test_files_that_affect_rendering_but_are_not_covered_are_reported():
    result = _verify_real("e_licence/exploration_right_test_signed.ofd")["1"]
    assert result.details["uncovered_files"] == ["Doc_0/Annots/Annotations.xml", "OFD.xml"]
    assert not result.covers_whole_file
    assert _codes(result)[F.PARTIAL] == "warning"
    assert _verify_real("e_licence/exploration_right_test_signed.ofd")["2"].covers_whole_file


@needs_real
def test_bare_sign_without_certificate_needs_a_configured_certificate():
    data = (REAL / "signed_docs/ofd_eseal/ofdrw_DigitalSign.ofd").read_bytes()
    [unknown] = Verifier(None).verify(data, "ofd", AT)
    assert unknown.details["verifiable"] is False and not unknown.intact
    assert F.TAMPERED not in _codes(unknown) and _codes(unknown)[F.UNTRUSTED] == "warning"
    [known] = _verifier().verify(data, "ofd", AT)
    assert known.intact and known.trusted and known.details["signer_from_trust_store"]


@needs_real
def test_unsigned_ofd_has_no_signatures():
    assert _verifier().verify((REAL / "e_licence/gov_receiving_form_unsigned.ofd").read_bytes(), "ofd", AT) == []


@needs_real
def test_no_trust_store_means_untrusted_never_tampered():
    data = (REAL / "signed_docs/ofd_eseal/zhejiang_vat_e_invoice_signed.ofd").read_bytes()
    [result] = Verifier(None).verify(data, "ofd", AT)
    assert result.intact and not result.trusted
    assert _codes(result) == {F.UNTRUSTED: "warning"}
    assert result.signed_by == "国家税务总局浙江省税务局"
    assert result.signed_at == "2020-07-23T21:09:07+08:00"


@needs_real
@pytest.mark.parametrize("name", ["seal_UserV1.esl", "seal_UserV4.esl", "seal_UserV5.esl", "seal_UserV5_ts.esl"])
def test_seal_files_parse_and_their_maker_signature_verifies(name):
    from validators.signatures.certs import verify_with_key

    seal = ses.parse_seal((REAL / "signed_docs/ofd_eseal" / name).read_bytes())
    maker = parse_cert(seal.maker_cert)
    assert seal.version == ("v1" if "V1" in name else "v4")
    assert verify_with_key(maker, seal.signature_alg, seal.signed_content, seal.signature) is True


# --- the sample: valid, then tampered in memory -------------------------------------------------


def _rewrite(data: bytes, name: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == name:
                content = change(content)
            target.writestr(info, content)
    return out.getvalue()


def _flip(content: bytes, offset: int) -> bytes:
    return content[:offset] + bytes([content[offset] ^ 0x01]) + content[offset + 1 :]


def _verify_sample(data: bytes):
    [result] = _verifier().verify(data, "ofd", AT)
    return result


def test_the_sample_is_valid_and_trusted():
    result = _verify_sample(SAMPLE.read_bytes())
    assert result.intact and result.trusted and result.covers_whole_file and not result.findings
    assert result.kind == "ofd" and result.later_changes == "none" and result.revocation == "unknown"
    for check in ("references", "data_hash", "signature", "seal_signature", "signer_in_seal", "validity"):
        assert result.details[check] is True, check


def test_one_byte_in_a_page_fails_the_references():
    page = "Doc_0/Pages/Page_0/Content.xml"
    result = _verify_sample(_rewrite(SAMPLE.read_bytes(), page, lambda c: c.replace(b"Reader", b"Readex", 1)))
    assert result.details["references"] is False and result.details["failed_references"] == [page]
    assert result.details["data_hash"] and result.details["signature"] and result.details["seal_signature"]
    assert _codes(result)[F.TAMPERED] == "error" and not result.intact


def test_one_byte_in_signature_xml_fails_the_data_hash():
    def change(content: bytes) -> bytes:
        return content.replace(b"2020-10-23", b"2020-10-22", 1)

    result = _verify_sample(_rewrite(SAMPLE.read_bytes(), "Doc_0/Signs/Sign_0/Signature.xml", change))
    assert result.details["data_hash"] is False
    assert result.details["references"] and result.details["signature"] and result.details["seal_signature"]
    assert _codes(result)[F.TAMPERED] == "error"


def test_one_byte_in_the_signature_value_fails_the_signer_signature():
    result = _verify_sample(_rewrite(SAMPLE.read_bytes(), "Doc_0/Signs/Sign_0/SignedValue.dat", lambda c: _flip(c, len(c) - 1)))
    assert result.details["signature"] is False
    assert result.details["references"] and result.details["data_hash"] and result.details["seal_signature"]
    assert _codes(result)[F.TAMPERED] == "error"


def test_one_byte_in_the_seal_picture_fails_signer_and_seal_signatures():
    def change(content: bytes) -> bytes:
        return _flip(content, content.index(b"\x89PNG") + 200)

    result = _verify_sample(_rewrite(SAMPLE.read_bytes(), "Doc_0/Signs/Sign_0/SignedValue.dat", change))
    assert result.details["signature"] is False and result.details["seal_signature"] is False
    assert result.details["references"] and result.details["data_hash"]
    codes = _codes(result)
    assert codes[F.TAMPERED] == "error" and codes[F.SEAL_MAKER_INVALID] == "error"


def test_one_byte_in_time_info_fails_only_the_signer_signature():
    def change(content: bytes) -> bytes:
        return content.replace(b"20201023114537Z", b"20201023114538Z", 1)

    result = _verify_sample(_rewrite(SAMPLE.read_bytes(), "Doc_0/Signs/Sign_0/SignedValue.dat", change))
    assert result.details["signature"] is False
    assert result.details["seal_signature"] and result.details["data_hash"] and result.details["references"]


def test_a_different_seal_file_is_a_mismatch():
    result = _verify_sample(_rewrite(SAMPLE.read_bytes(), "Doc_0/Signs/Sign_0/Seal.esl", lambda c: _flip(c, len(c) // 2)))
    assert result.details["seal_matches_file"] is False
    assert _codes(result)[F.SEAL_MISMATCH] == "error"


def test_missing_signed_value_is_invalid_not_an_exception():
    source = zipfile.ZipFile(io.BytesIO(SAMPLE.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if not info.filename.endswith("SignedValue.dat"):
                target.writestr(info, source.read(info))
    [result] = _verifier().verify(out.getvalue(), "ofd", AT)
    assert _codes(result) == {F.INVALID: "error"} and not result.intact


def test_broken_signature_xml_is_invalid_not_an_exception():
    data = _rewrite(SAMPLE.read_bytes(), "Doc_0/Signs/Sign_0/Signature.xml", lambda c: c[: len(c) // 2])
    [result] = _verifier().verify(data, "ofd", AT)
    assert _codes(result) == {F.INVALID: "error"}


def test_results_serialise_to_the_result_json():
    import json

    from pipeline.models import Document

    results = _verifier().verify(SAMPLE.read_bytes(), "ofd", AT)
    payload = json.loads(json.dumps(Document(id="d", source="x.ofd", signatures=tuple(results)).model_dump(mode="json")))
    assert payload["signatures"][0]["details"]["version"] == "v4"


def test_judging_outside_the_signing_time_does_not_matter():
    """Validity is judged at signing time (timeInfo), not at the judging time."""
    result = Verifier.from_trust_store(_ofdrw_trust()).verify(SAMPLE.read_bytes(), "ofd", dt.datetime(2035, 1, 1, tzinfo=dt.timezone.utc))[0]
    assert result.details["signer_cert_valid"] is True and not result.findings


def test_strict_mode_accepts_a_valid_v4_seal():
    assert not _verifier(strict=True).verify(SAMPLE.read_bytes(), "ofd", AT)[0].findings


# --- unsafe or broken packages ------------------------------------------------------------------


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for name, content in entries.items():
            target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [b"not a zip at all", b"%PDF-1.7\n", b"PK\x03\x04garbage", SAMPLE.read_bytes()[: len(SAMPLE.read_bytes()) // 2]],
    ids=["text", "pdf", "broken-zip", "truncated"],
)
def test_input_that_is_not_an_ofd_package_is_malformed(data):
    with pytest.raises(OfdMalformed):
        Verifier(None).verify(data, "ofd", AT)


def test_a_zip_bomb_is_refused_before_decompressing():
    bomb = _zip({"OFD.xml": b"<OFD/>", "Doc_0/big.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(OfdMalformed, match="ratio"):
        Verifier(None).verify(bomb, "ofd", AT)


def test_too_many_entries_are_refused():
    with pytest.raises(OfdMalformed, match="entries"):
        OfdPackage(_zip({f"f{i}.xml": b"" for i in range(2_001)}, zipfile.ZIP_STORED))


def test_entry_and_total_size_caps():
    data = _zip({"OFD.xml": b"<OFD/>", "a.bin": b"\x01" * 5000, "b.bin": b"\x02" * 5000}, zipfile.ZIP_STORED)
    with pytest.raises(OfdMalformed, match="too large"):
        OfdPackage(data, Limits(max_entry_size=4000))
    with pytest.raises(OfdMalformed, match="total"):
        OfdPackage(data, Limits(max_total_size=8000))


def test_duplicate_entry_names_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("OFD.xml", b"<OFD/>")
        with pytest.warns(UserWarning):
            target.writestr("OFD.xml", b"<OFD><DocBody/></OFD>")
    with pytest.raises(OfdMalformed, match="duplicate"):
        OfdPackage(out.getvalue())


def test_xml_entity_expansion_is_refused():
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><OFD>&b;</OFD>'
    with pytest.raises(OfdMalformed):
        Verifier(None).verify(_zip({"OFD.xml": laughs}), "ofd", AT)


def test_package_reads_in_memory_with_relative_and_absolute_paths():
    package = OfdPackage(SAMPLE.read_bytes())
    [entry] = list(package.signatures())
    assert entry.path == "Doc_0/Signs/Sign_0/Signature.xml" and entry.type == "Seal"
    assert package.resolve(entry.path, "SignedValue.dat") == "Doc_0/Signs/Sign_0/SignedValue.dat"
    assert package.resolve(entry.path, "/Doc_0/Document.xml") == "Doc_0/Document.xml"
    assert package.resolve("OFD.xml", "Doc_0/Document.xml") == "Doc_0/Document.xml"


def test_unknown_kind_is_unsupported():
    with pytest.raises(UnsupportedType):
        Verifier(None).verify(b"x", "docx", AT)  # type: ignore[arg-type]


# --- SM2 / SM3 ----------------------------------------------------------------------------------


def test_sm3_of_abc():
    # GB/T 32905-2016 example 1
    assert sm2.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm2_sign_verify_round_trip_and_encodings():
    key = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
    public = sm2.public_key_bytes(key)
    assert public.hex().startswith("0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020")
    der, raw = sm2.sign(key, b"message digest"), sm2.sign(key, b"message digest", raw=True)
    assert sm2.signature_encoding(der) == "der" and sm2.signature_encoding(raw) == "raw"
    assert sm2.verify(public, b"message digest", der) and sm2.verify(public, b"message digest", raw)
    assert not sm2.verify(public, b"message digesT", der)
    assert not sm2.verify(public, b"message digest", der, user_id=b"ALICE123@YAHOO.COM")


def test_sm2_rejects_out_of_range_values_and_off_curve_keys():
    key = 12345
    public = sm2.public_key_bytes(key)
    r, s = sm2.parse_signature(sm2.sign(key, b"m"))
    for bad_r, bad_s in [(0, s), (r, 0), (sm2.N, s), (r, sm2.N + s)]:
        assert not sm2.verify(public, b"m", bad_r.to_bytes(33, "big")[-32:] + bad_s.to_bytes(33, "big")[-32:])
    off_curve = public[:-1] + bytes([public[-1] ^ 1])
    with pytest.raises(sm2.SM2Error):
        sm2.verify(off_curve, b"m", sm2.sign(key, b"m"))


def test_sm2_verifies_a_real_seal_signature():
    data = zipfile.ZipFile(SAMPLE).read("Doc_0/Signs/Sign_0/SignedValue.dat")
    signature = ses.parse_ses_signature(data)
    signer = parse_cert(signature.signer_cert)
    assert sm2.verify(signer.sm2_point(), signature.to_sign, signature.signature)
    assert not sm2.verify(signer.sm2_point(), signature.to_sign + b"\x00", signature.signature)

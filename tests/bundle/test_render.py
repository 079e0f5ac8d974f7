"""Rendering cases the API fixture does not reach: a material filled from the licence library (its signed file
attached and its signature checked when the bundle is made), a material with nothing to show, an unreadable
file that no material took."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pikepdf
import pytest
import pypdfium2 as pdfium

from storage.bundle.records import BundleContent, BundleDocument, BundleMaterial, SourceFile
from storage.bundle.render import Labels, Renderer
from storage.objects import MemoryStore
from validators.signatures import Verifier
from validators.vocabulary import field_label, type_label

SIGNED = Path(__file__).resolve().parents[2] / "samples" / "signed"


def texts(data: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data)]


def test_library_licence_missing_material_and_unreadable_file(tmp_path):
    store = MemoryStore()
    licence_file = (SIGNED / "pdf_signed_rsa.pdf").read_bytes()
    licence_key = store.put(licence_file)
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "root.pem").write_bytes((SIGNED / "test_root_ca.pem").read_bytes())
    licence = {"identifier": "1.2.156.3005.2.x", "name": "居民身份证电子证照", "type_code": "id_card", "number": "A1",
               "issuer": "某市公安局", "holder_code_type": "111", "status": "VALID", "trust_level": "A",
               "valid_until": "2036-01-01", "file_key": licence_key, "looked_up_on": "2026-12-04"}
    broken = BundleDocument(body={"id": "d9", "source": "x.pdf", "type": "unknown",
                                  "error": {"code": "file.encrypted", "message": "文件已加密，需要打开密码"}},
                            source=SourceFile("sha256/" + "0" * 64, "0" * 64, "image/jpeg", "upload"))
    materials = (
        BundleMaterial(result={"code": "operator_id", "name": "经营者身份证明", "status": "from_library", "documents": [],
                               "findings": [{"code": "library.found", "severity": "info", "message": "已调取"}],
                               "licence": licence}, documents=()),
        BundleMaterial(result={"code": "premises_proof", "name": "经营场所使用证明", "status": "tolerated", "documents": [],
                               "due": "2026-12-11", "findings": [{"code": "material.missing", "severity": "error",
                                                                   "message": "未提交"}]}, documents=()),
    )
    content = BundleContent(
        case_id="c1", hall="h", case_number="h-2026-000007", item_code="individual-business-registration",
        item_name="个体工商户设立登记", item_version=1, situation="self", situation_name="经营者本人办理", status="received",
        applicant={"name": "李四", "id_number": "11010519491231002X"}, case_version=3, assessment_version=3,
        assessment={"decision": "accept_with_tolerance", "judged_on": "2026-12-04", "findings": [], "notice": ""},
        materials=materials, unassigned=(broken,))
    rendered = Renderer(content, store.get, verifier=Verifier(trust), labels=Labels(type_label, field_label),
                        signer="测试签名", test_signer=True,
                        generated_at=dt.datetime(2026, 12, 4, 10, tzinfo=dt.timezone.utc)).render()

    assert rendered.outline == ("封面", "1. 经营者身份证明（已从电子证照库调取）", "2. 经营场所使用证明（容缺后补）",
                                "未归入材料的文件", "附件清单")
    pages = texts(rendered.pdf)
    assert "11010519491231002X" not in pages[0] and "110105********002X" in pages[0]
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        files = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        with pdf.open_outline() as outline:
            marks = {item.title: item for item in outline.root}
            library = marks["1. 经营者身份证明（已从电子证照库调取）"]
            [child] = library.children
            summary = pikepdf.Page(child.destination[0]).index
            tolerated = pikepdf.Page(marks["2. 经营场所使用证明（容缺后补）"].destination[0]).index
            unreadable = pikepdf.Page(marks["未归入材料的文件"].destination[0]).index
    manifest = json.loads(files.pop("manifest.json"))
    [(name, data)] = files.items()
    assert data == licence_file and child.title == f"电子证照：居民身份证电子证照（{name}）"
    [entry] = manifest["attachments"]
    assert (entry["origin"], entry["sha256"]) == ("licence", hashlib.sha256(licence_file).hexdigest())
    assert "电子证照库调取" in pages[summary] and "某市公安局" in pages[summary]
    assert "证书可信 是" in pages[summary] and "内容未被篡改 是" in pages[summary]
    assert "样本" in pages[summary + 1], "the licence PDF's own page follows its summary"
    assert "本材料没有可展示的文件" in pages[tolerated] and "2026-12-11" in pages[tolerated]
    assert "文件无法读取" in pages[unreadable] and "文件已加密" in pages[unreadable]


@pytest.mark.slow
def test_every_signed_pdf_and_ofd_of_the_shared_corpus_is_attached_unchanged(shared_data):
    """Real third-party signed files (damaged, encrypted, odd page trees included): each is embedded byte for
    byte and gets a bookmark; those that open are shown as their own pages, the others as a summary page."""
    from pipeline.interfaces import NoSignatureVerifier

    paths = sorted(p for p in (shared_data / "signed_docs").rglob("*") if p.suffix.lower() in (".pdf", ".ofd"))
    assert len(paths) > 20
    for path in paths:
        data, store = path.read_bytes(), MemoryStore()
        key = store.put(data)
        media = "application/pdf" if path.suffix.lower() == ".pdf" else "application/ofd"
        doc = BundleDocument(body={"id": "d1", "type": "unknown", "pages": [1]}, source=SourceFile(key, key[7:], media, "upload"))
        content = BundleContent(
            case_id="c", hall="h", case_number="h-2026-000001", item_code="i", item_name="事项", item_version=1,
            situation="s", situation_name="情形", status="received", applicant={}, case_version=1, assessment_version=1,
            assessment={}, unassigned=(),
            materials=(BundleMaterial(result={"code": "m", "name": "材料", "status": "ok", "documents": ["d1"],
                                              "findings": []}, documents=(doc,)),))
        rendered = Renderer(content, store.get, verifier=NoSignatureVerifier(), labels=Labels(), signer="s",
                            test_signer=True, generated_at=dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc)).render()
        with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
            files = [spec.get_file().read_bytes() for name, spec in pdf.attachments.items() if name != "manifest.json"]
            with pdf.open_outline() as outline:
                [child] = list(outline.root)[1].children
        assert files == [data], path.name
        assert child.title.endswith(f"-m-{key[7:19]}.{path.suffix.lower()[1:]}）"), path.name


def test_a_damaged_licence_file_is_attached_and_said_unverifiable_without_failing_the_bundle():
    store = MemoryStore()
    damaged = b"PK\x03\x04 not really an OFD package"
    key = store.put(damaged)
    material = BundleMaterial(result={"code": "licence", "name": "营业执照", "status": "from_library", "documents": [],
                                      "findings": [], "licence": {"name": "营业执照电子证照", "status": "VALID",
                                                                  "trust_level": "A", "file_key": key}}, documents=())
    content = BundleContent(
        case_id="c", hall="h", case_number="h-2026-000002", item_code="i", item_name="事项", item_version=1, situation="s",
        situation_name="情形", status="received", applicant={}, case_version=1, assessment_version=1, assessment={},
        materials=(material,), unassigned=())
    rendered = Renderer(content, store.get, verifier=Verifier(None), labels=Labels(), signer="s", test_signer=True,
                        generated_at=dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc)).render()
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        files = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
    assert damaged in files.values()
    assert any("无法核验" in text and "OFD" in text for text in texts(rendered.pdf))


def test_a_rare_name_character_is_drawn_from_the_fallback_font():
    """WenQuanYi lacks 䶮 (CJK extension A, seen in names): the cover must still show it, never a blank box."""
    content = BundleContent(
        case_id="c", hall="h", case_number="h-2026-000003", item_code="i", item_name="事项", item_version=1, situation="s",
        situation_name="情形", status="received", applicant={"name": "刘䶮", "id_number": "110105199003071239"},
        case_version=1, assessment_version=1, assessment={}, materials=(), unassigned=())
    rendered = Renderer(content, MemoryStore().get, verifier=Verifier(None), labels=Labels(), signer="s", test_signer=True,
                        generated_at=dt.datetime(2026, 12, 4, tzinfo=dt.timezone.utc)).render()
    assert "刘䶮" in texts(rendered.pdf)[0]
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        fonts = {str(font.get("/BaseFont")) for font in pdf.pages[0].Resources.Font.values()}
    assert any("Noto" in name for name in fonts) and any("WenQuanYi" in name for name in fonts), fonts


@pytest.mark.parametrize("events", [9, 12, 20])
def test_the_cover_never_ends_on_a_nearly_empty_page(events):
    """At full size 9 or 12 transitions spill a few lines of the cover onto a page of their own: the cover is
    then drawn compact on one page; 20 transitions fill a second page properly."""
    import dataclasses

    import pdfplumber

    from storage.bundle.records import Event
    from tests.visual.samples import bundle_content

    at = dt.datetime(2026, 10, 9, 2, tzinfo=dt.timezone.utc)
    content = dataclasses.replace(bundle_content(), events=tuple(
        Event(at + dt.timedelta(minutes=i), "request_correction", "C0231", "clerk", "received", "correction",
              "申请书未签字" * (i % 3 + 1), None, False) for i in range(events)))
    rendered = Renderer(content, MemoryStore().get, verifier=Verifier(None), labels=Labels(), signer="s",
                        test_signer=True, generated_at=at).render()
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        with pdf.open_outline() as outline:
            cover_pages = pikepdf.Page(list(outline.root)[1].destination[0]).index
    assert cover_pages == (1 if events < 15 else 2)
    with pdfplumber.open(io.BytesIO(rendered.pdf)) as pdf:
        last = pdf.pages[cover_pages - 1]
        body = [w for w in last.extract_words() if w["bottom"] < last.height - 20]  # the footer aside
        assert max(w["bottom"] for w in body) > last.height * 0.3
    assert "一次性告知内容" in "".join(texts(rendered.pdf)[:cover_pages])

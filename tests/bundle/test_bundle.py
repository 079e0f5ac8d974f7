"""The case bundle through the API: originals attached byte for byte, the hall's signature verifies (and breaks
on one changed byte), bookmarks follow the checklist, people's decisions on the cover, versions kept."""

from __future__ import annotations

import hashlib
import io
import json

import pikepdf
import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from pipeline.assessment import STATUS_LABELS
from storage.bundle.signing import development_root_path
from tests.bundle.helpers import attachments, page_texts
from tests.in_process import jpeg_bytes, make_env

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def pyhanko_status(data: bytes, root):
    reader = PdfFileReader(io.BytesIO(data))
    [signature] = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))


def test_every_electronic_original_is_attached_byte_for_byte_with_a_manifest(env, case):
    response = env.bundle(case.clerk, case.case_id)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    files = attachments(response.content)
    manifest = json.loads(files.pop("manifest.json"))
    by_hash = {hashlib.sha256(data).hexdigest(): data for data in files.values()}
    for material, original in case.originals.items():
        digest = hashlib.sha256(original).hexdigest()
        assert by_hash.get(digest) == original, f"{material}: the original is not attached unchanged"
    assert {e["name"] for e in manifest["attachments"]} == set(files)
    for entry in manifest["attachments"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
        assert entry["size"] == len(files[entry["name"]])
    assert {e["material"] for e in manifest["attachments"]} == set(case.originals)
    assert (manifest["case_id"], manifest["case_version"]) == (case.case_id, int(response.headers["X-Bundle-Case-Version"]))
    # the scanned ID card is shown as its straightened image and the OFD as the pages rendered from it (issue 17),
    # each named by its hash beside its source's hash
    by_source: dict[str, list[dict]] = {}
    for image in manifest["page_images"]:
        by_source.setdefault(image["source_sha256"], []).append(image)
        assert env.app.state.store.exists(f"sha256/{image['image_sha256']}")
    card, ofd = hashlib.sha256(jpeg_bytes()).hexdigest(), hashlib.sha256(case.originals["premises_proof"]).hexdigest()
    assert set(by_source) == {card, ofd}
    assert len(by_source[card]) == 1 and len(by_source[ofd]) >= 1
    printed = "\n".join(page_texts(response.content)[-1:])
    for entry in manifest["attachments"]:
        assert entry["sha256"] in printed.replace("\n", "")


def test_the_bundle_signature_verifies_with_pyhanko_and_one_changed_byte_breaks_it(env, case):
    data = env.bundle(case.clerk, case.case_id).content
    root = load_cert_from_pemder(str(development_root_path(env.settings.data_dir)))
    status = pyhanko_status(data, root)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "yichuang 测试大厅签名" in status.signing_cert.subject.human_friendly

    # one byte inside the embedded OFD original (a compressed stream: the file still parses)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        name = next(n for n in pdf.attachments if n.endswith(".ofd"))
        stream = pdf.attachments[name].get_file().obj
        number, generation = stream.objgen
    start = data.index(f"\n{number} {generation} obj".encode())
    at = data.index(b"stream", start) + 40
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]
    broken = pyhanko_status(tampered, root)
    assert not broken.intact and not broken.bottom_line

    # the project's own verifier (what a downstream yichuang would run) says the same
    from validators.signatures import Verifier

    verifier = Verifier(development_root_path(env.settings.data_dir).parent)
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc)
    [good] = verifier.verify(data, "pdf", now)
    assert good.intact and good.trusted and good.covers_whole_file and good.later_changes == "none"
    [bad] = verifier.verify(tampered, "pdf", now)
    assert not bad.intact
    assert any(f.code == "signature.tampered" for f in bad.findings)


def test_bookmarks_follow_the_checklist_order_and_open_each_material(env, case):
    data = env.bundle(case.clerk, case.case_id).content
    materials = env.client.get(f"/api/v1/cases/{case.case_id}", headers=case.clerk).json()["assessment"]["materials"]
    texts = page_texts(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_outline() as outline:
            top = list(outline.root)
            titles = [item.title for item in top]
            expected = [f"{i}. {m['name']}（{STATUS_LABELS[m['status']]}）" for i, m in enumerate(materials, 1)]
            assert titles == ["封面", *expected, "附件清单"]
            pages = {item.title: pikepdf.Page(item.destination[0]).index for item in top}
            children = {item.title: [c.title for c in item.children] for item in top}
        image_pages = [i for i, page in enumerate(pdf.pages) if page.images]
    assert pages["封面"] == 0
    assert [len(children[t]) for t in expected] == [len(m["documents"]) for m in materials]
    application, operator, premises = expected
    assert "样本" in texts[pages[application]], "the signed PDF's own page"
    assert image_pages[0] == pages[operator], "the ID card as its straightened image"
    assert image_pages[1:] and all(pages[premises] < i < pages["附件清单"] for i in image_pages[1:]), \
        "the OFD's pages as rendered from the file, after its summary page"
    assert case.originals and hashlib.sha256(case.originals["premises_proof"]).hexdigest() in texts[pages[premises]]
    assert "OFD" in texts[pages[premises]] and "电子签名核验结果" in texts[pages[premises]]
    assert pages[application] < pages[operator] < pages[premises] < pages["附件清单"]


def test_the_cover_masks_the_applicant_and_shows_who_decided_and_what_was_checked_by_hand(env, case):
    from pipeline.case_states import BY_ACT
    from storage.cases import CaseRepository

    cases = CaseRepository(env.app.state.repo.engine)
    row = cases.get(case.case_id)
    document = cases.submitted(case.case_id)[0].document
    cases.record_act(case.case_id, actor="k1", role="clerk", kind="field", document_id=document.id, field="name",
                     machine_value="张三", person_value="张叁", reason="按原件更正")
    cases.transition(case.case_id, BY_ACT["request_correction"], expected_state="received", actor="k1", role="clerk",
                     actor_label="窗口07号", reason="缺少国徽面", recommendation="needs_review", overridden=True)
    data = env.bundle(case.clerk, case.case_id).content
    cover = "".join(page_texts(data)[:2]).replace("\n", "")
    assert row.case_number in cover and "个体工商户设立登记" in cover
    assert "110105********1239" in cover and "110105199003071239" not in cover
    assert "补齐补正" in cover and "窗口07号" in cover and "缺少国徽面" in cover and "未采纳系统建议" in cover
    assert "张叁" in cover and "按原件更正" in cover
    assert "开发测试证书" in cover
    assert "电子签名核验结果" in cover and "OFD R&W 测试用印章" in cover and "样本签名人" in cover, "every signature on the cover"


def test_the_endpoint_checks_roles_and_visibility_and_audits_every_read(env, case):
    url = f"/api/v1/cases/{case.case_id}/bundle.pdf"
    assert env.client.get(url).status_code == 401
    assert env.client.get(url, headers=env.key("applicant")).status_code == 403
    assert env.client.get(url, headers=env.key("clerk", "hall-2")).status_code == 404
    assert env.client.get(url, headers=env.key("integrator")).status_code == 404, "not the integrator's case"
    assert env.client.get("/api/v1/cases/no-such-case/bundle.pdf", headers=env.key("admin")).status_code == 404
    for role in ("reviewer", "admin"):
        assert env.client.get(url, headers=env.key(role)).status_code == 200
    assert env.bundle(case.clerk, case.case_id).status_code == 200
    import sqlalchemy as sa

    with env.app.state.repo.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action, target_id, detail FROM audit_events WHERE action LIKE 'bundle.%' "
                                    "ORDER BY id")).all()
    assert [r[0] for r in rows] == ["bundle.create", "bundle.read", "bundle.read", "bundle.read"]
    assert {r[1] for r in rows} == {case.case_id}
    assert "张三" not in str(rows) and "110105199003071239" not in str(rows)
    assert env.app.state.repo.audit_chain_ok()
    paths = env.client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/cases/{case_id}/bundle.pdf", "/api/v1/cases/{case_id}/bundles"} <= set(paths)


def test_a_changed_case_gets_a_new_bundle_and_earlier_versions_are_kept(env, case):
    first = env.bundle(case.clerk, case.case_id)
    again = env.bundle(case.clerk, case.case_id)
    assert again.content == first.content, "nothing changed: the stored bundle is served, not rebuilt"
    version = int(first.headers["X-Bundle-Case-Version"])
    env.upload(case.clerk, case.case_id, "back.jpg", jpeg_bytes(), "image/jpeg", material="operator_id")
    changed = env.bundle(case.clerk, case.case_id)
    new_version = int(changed.headers["X-Bundle-Case-Version"])
    assert new_version > version and changed.content != first.content
    old = env.bundle(case.clerk, case.case_id, version=version)
    assert old.status_code == 200 and old.content == first.content
    assert hashlib.sha256(old.content).hexdigest() == first.headers["X-Bundle-SHA256"]
    listed = env.client.get(f"/api/v1/cases/{case.case_id}/bundles", headers=case.clerk).json()
    assert [(b["case_version"], b["sha256"]) for b in listed] == [
        (version, first.headers["X-Bundle-SHA256"]), (new_version, changed.headers["X-Bundle-SHA256"])]
    one = env.client.get(f"/api/v1/cases/{case.case_id}/bundles?limit=1", headers=case.clerk)
    rest = env.client.get(f"/api/v1/cases/{case.case_id}/bundles?limit=1&cursor={one.headers['X-Next-Cursor']}",
                          headers=case.clerk)
    assert one.json() + rest.json() == listed and "X-Next-Cursor" not in rest.headers  # a page at a time
    missing = env.bundle(case.clerk, case.case_id, version=new_version + 1)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_an_earlier_version_nobody_fetched_is_rebuilt_as_the_case_stood_then(env, case):
    from pipeline.case_states import BY_ACT
    from storage.cases import CaseRepository

    cases = CaseRepository(env.app.state.repo.engine)
    first = cases.history(case.case_id)[0]  # version 1: the empty checklist at creation
    cases.transition(case.case_id, BY_ACT["request_correction"], expected_state="received", actor="k1", role="clerk",
                     actor_label="窗口07号", reason="缺少国徽面", recommendation="needs_review", overridden=True)
    response = env.bundle(case.clerk, case.case_id, version=first.version)
    assert response.status_code == 200 and response.headers["X-Bundle-Case-Version"] == str(first.version)
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        assert list(pdf.attachments) == ["manifest.json"], "no file had been uploaded yet"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert titles[1:-1] == [f"{i}. {m.name}（{STATUS_LABELS[m.status]}）"
                            for i, m in enumerate(first.assessment.materials, 1)]
    cover = page_texts(response.content)[0].replace("\n", "")
    assert "收件" in cover and "窗口07号" not in cover, "the decision came after that version"
    current = page_texts(env.bundle(case.clerk, case.case_id).content)[0].replace("\n", "")
    assert "窗口07号" in current and "补齐补正" in current


def test_production_refuses_to_sign_with_the_test_certificate(tmp_path, monkeypatch):
    env = make_env(tmp_path, monkeypatch, env="production", secret_key="s" * 40)
    clerk = env.key("clerk")
    case_id = env.new_case(clerk)
    response = env.bundle(clerk, case_id)
    assert response.status_code == 503
    assert response.json()["error"] == {"code": "bundle.signing_unavailable",
                                        "message": "未配置大厅签名证书，无法生成经签名的材料包，请联系管理员"}
    assert not (tmp_path / "bundle-signing").exists(), "no development certificate is generated in production"


@pytest.mark.integration
def test_bundles_on_postgresql(tmp_path, monkeypatch, pg_url):
    env = make_env(tmp_path, monkeypatch, database_url=pg_url)
    clerk = env.key("clerk")
    case_id = env.new_case(clerk)
    env.upload(clerk, case_id, "front.jpg", jpeg_bytes(), "image/jpeg", material="operator_id")
    first = env.bundle(clerk, case_id)
    assert first.status_code == 200 and env.bundle(clerk, case_id).content == first.content
    env.upload(clerk, case_id, "back.jpg", jpeg_bytes(), "image/jpeg", material="operator_id")
    second = env.bundle(clerk, case_id)
    assert second.headers["X-Bundle-Case-Version"] != first.headers["X-Bundle-Case-Version"]
    old = env.bundle(clerk, case_id, version=int(first.headers["X-Bundle-Case-Version"]))
    assert old.content == first.content
    env.app.state.repo.engine.dispose()


def test_a_downstream_yichuang_verify_trusts_the_bundle_given_the_hall_root(env, case, tmp_path, monkeypatch, capsys):
    """`yichuang verify` on the downloaded bundle, trusting the hall's root: the file's signature (shown once, on
    its first document: signatures belong to the file) is intact, trusted and covers the whole file."""
    from api.cli import main

    bundle = tmp_path / "bundle.pdf"
    bundle.write_bytes(env.bundle(case.clerk, case.case_id).content)
    monkeypatch.setenv("YICHUANG_DATA_DIR", str(tmp_path / "downstream"))
    monkeypatch.setenv("YICHUANG_OCR_ENGINE", "tests.fakes:FixedEngine")
    monkeypatch.setenv("YICHUANG_TRUST_DIR", str(development_root_path(env.settings.data_dir).parent))
    main(["verify", "--json", str(bundle)])
    documents = json.loads(capsys.readouterr().out)["documents"]
    assert documents
    [signature] = documents[0]["signatures"]
    assert signature["intact"] and signature["trusted"] and signature["covers_whole_file"], signature
    assert all(not document["signatures"] for document in documents[1:])


def test_concurrent_first_requests_record_one_bundle_and_serve_the_same_bytes(env, case):
    race(env, case.case_id)


@pytest.mark.integration
def test_concurrent_first_requests_on_postgresql(tmp_path, monkeypatch, pg_url):
    env = make_env(tmp_path, monkeypatch, database_url=pg_url)
    clerk = env.key("clerk")
    case_id = env.new_case(clerk)
    env.upload(clerk, case_id, "front.jpg", jpeg_bytes(), "image/jpeg", material="operator_id")
    race(env, case_id)
    env.app.state.repo.engine.dispose()


def race(env, case_id: str) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from api.bundle import build_service

    service = build_service(env.settings, env.app.state.repo, env.app.state.store)
    barrier, build = threading.Barrier(2, timeout=30), service.build

    def both_build(content):  # neither may record before the other has rendered: the race always happens
        barrier.wait()
        return build(content)

    service.build = both_build
    with ThreadPoolExecutor(2) as pool:
        bundles = list(pool.map(lambda who: service.bundle(case_id, requested_by=who), ["k1", "k2"]))
    assert bundles[0].data == bundles[1].data and bundles[0].record == bundles[1].record
    assert len(service.repo.versions(case_id)) == 1
    assert sum(b.built for b in bundles) == 1, "only the winner says it built the bundle"

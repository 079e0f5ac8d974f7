"""Bundles a hall can file: one per case version and act (the one signed at approval stays retrievable by its
own identifier after delivery and archiving), every cover section in labelled words (never a Python repr), the
hall on the cover, PDF scans shown straightened."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pipeline.case_states import BY_ACT
from storage.cases import CaseRepository
from tests.bundle.helpers import attachments, page_texts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

STEPS = (("accept", "received", "clerk"), ("start_review", "accepted", "reviewer"), ("approve", "reviewing", "reviewer"),
         ("deliver", "decided", "clerk"), ("archive", "delivered", "clerk"))


def step(cases: CaseRepository, case_id: str, act: str, state: str, role: str) -> None:
    assert cases.transition(case_id, BY_ACT[act], expected_state=state, actor="k1", role=role, actor_label="C0231",
                            reason="按规定办理", recommendation="accept", overridden=False) is not None


def test_the_bundle_at_approval_stays_retrievable_and_each_bundle_is_listed_once(env, case):
    cases = CaseRepository(env.app.state.repo.engine)
    for act, state, role in STEPS[:3]:
        step(cases, case.case_id, act, state, role)
    at_approval = env.bundle(case.clerk, case.case_id)
    version = int(at_approval.headers["X-Bundle-Case-Version"])
    for act, state, role in STEPS[3:]:
        step(cases, case.case_id, act, state, role)
        later = env.bundle(case.clerk, case.case_id)
        assert later.content != at_approval.content and later.headers["X-Bundle-Case-Version"] == str(version)
    listed = env.client.get(f"/api/v1/cases/{case.case_id}/bundles", headers=case.clerk).json()
    assert [b["last_act"] for b in listed] == ["approve", "deliver", "archive"]
    assert len({b["url"] for b in listed}) == len(listed) == len({b["bundle_id"] for b in listed}) == 3
    first = listed[0]
    assert first["bundle_id"] == int(at_approval.headers["X-Bundle-Id"])
    by_id = env.client.get(first["url"], headers=case.clerk)
    assert by_id.status_code == 200 and by_id.content == at_approval.content
    assert env.bundle(case.clerk, case.case_id, version=version).content == at_approval.content, \
        "?version=N keeps returning the bundle first served for N"
    other = env.key("clerk", "hall-2")
    assert env.client.get(first["url"], headers=other).status_code == 404
    assert env.client.get(f"/api/v1/cases/{case.case_id}/bundles/999999.pdf", headers=case.clerk).status_code == 404


def test_the_cover_shows_people_acts_in_labelled_words_and_the_configured_hall(env, case):
    import shutil
    from pathlib import Path

    halls = env.settings.data_dir / "halls"
    halls.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "samples" / "halls" / "default.yaml", halls / "default.yaml")
    (halls / "hall-1.yaml").write_text((halls / "default.yaml").read_text(encoding="utf-8").replace(
        "code: default", "code: hall-1").replace("示例市政务服务中心（示例配置）", "济宁市政务服务中心"), encoding="utf-8")
    cases = CaseRepository(env.app.state.repo.engine)
    document = cases.submitted(case.case_id)[0].document
    cases.record_act(case.case_id, actor="k1", role="clerk", kind="original_seen", material="application",
                     machine_value={"originals": 1, "copies": 0}, person_value={"originals_seen": 1, "copies_kept": 0})
    cases.record_act(case.case_id, actor="k1", role="reviewer", kind="field", document_id=document.id, field="name",
                     machine_value={"value": "张三", "confidence": 0.8421}, person_value="张叁", reason="按原件更正")
    cases.record_act(case.case_id, actor="k1", role="clerk", kind="commitment", machine_value={"commitment_required": True},
                     person_value={"signed": True, "materials": ["premises_proof"]})
    cover = "".join(page_texts(env.bundle(case.clerk, case.case_id).content)[:3]).replace("\n", "")
    assert "核验原件1份，收取复印件0份（事项要求原件1份、复印件0份）" in cover
    assert "机器识别为“张三”（置信度 84%）" in cover and "更正为“张叁”" in cover
    assert "容缺材料：经营场所使用证明" in cover
    assert "{'" not in cover and "'value'" not in cover and "originals_seen" not in cover
    assert "济宁市政务服务中心（示例市市场监督管理局（示例），示例配置）" in cover


def test_a_cover_without_hall_configuration_says_so(env, case):
    cover = page_texts(env.bundle(case.clerk, case.case_id).content)[0].replace("\n", "")
    assert "【未配置】大厅名称（hall-1）" in cover


def scan_pdf() -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    buf = io.BytesIO()
    image.rotate(4, expand=True, fillcolor="gray").save(buf, "PDF", resolution=150)
    return buf.getvalue()


def test_a_scanned_pdf_is_shown_straightened_and_still_attached_as_it_came(env):
    clerk = env.key("clerk")
    case_id = env.new_case(clerk)
    data = scan_pdf()
    env.upload(clerk, case_id, "扫描件.pdf", data, "application/pdf", material="operator_id", person="operator")
    bundle = env.bundle(clerk, case_id).content
    texts = page_texts(bundle)
    assert any("矫正后的扫描图像" in t for t in texts), "the straightened page image, not the raw scan page"
    assert data in attachments(bundle).values(), "the original PDF stays attached byte for byte"

"""Joining shots into one document and splitting them again through the JSON API (api/case_joins.py): the case is
reassessed at once, the act kept with its reason and audited, refusals in the one error shape; the bundle shows the
joined document once, its pages in order. The worker's tasks run in-process with the fake FixedEngine."""

from __future__ import annotations

import hashlib
import io
import json

import pikepdf
import pytest
from PIL import Image

from tests.in_process import make_env

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def shot(colour: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 400), colour).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture()
def tasks_env(tmp_path, monkeypatch):
    return make_env(tmp_path, monkeypatch)


@pytest.fixture()
def shots(tasks_env):
    """A case with two shots of the operator's card, photographed apart: (clerk headers, case id, document ids)."""
    clerk = tasks_env.key("clerk")
    case_id = tasks_env.new_case(clerk)
    for colour in ("white", "ivory"):
        tasks_env.upload(clerk, case_id, f"{colour}.jpg", shot(colour), "image/jpeg", material="operator_id")
    documents = [d["id"] for d in tasks_env.client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["documents"]]
    assert len(documents) == 2
    return clerk, case_id, documents


def material(assessment: dict, code: str) -> dict:
    return next(m for m in assessment["materials"] if m["code"] == code)


def test_a_clerk_joins_two_shots_and_splits_them_again(tasks_env, shots):
    clerk, case_id, (first, second) = shots
    url = f"/api/v1/cases/{case_id}/joins"
    before = tasks_env.client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()["assessment"]
    assert material(before, "operator_id")["documents"] == [first, second] and before["joined"] == {}

    joined = tasks_env.client.post(url, headers=clerk, json={"documents": [first, second], "reason": "同一证件分两次拍摄"})
    assert joined.status_code == 201, joined.text
    body = joined.json()
    assert body["act"]["kind"] == "join" and body["act"]["person_value"] == {"documents": [first, second]}
    assert body["act"]["reason"] == "同一证件分两次拍摄"
    assert body["assessment"]["joined"] == {first: [second]}
    assert material(body["assessment"], "operator_id")["documents"] == [first]
    assert second not in body["assessment"]["unassigned"]
    case = tasks_env.client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    assert case["assessment"] == body["assessment"], "saved as the case's latest assessment"

    again = tasks_env.client.post(url, headers=clerk, json={"documents": [second, first]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "case.already_joined"

    split = tasks_env.client.post(f"{url}/{second}/split", headers=clerk, json={"reason": "不是同一份材料"})
    assert split.status_code == 201, split.text
    assert split.json()["act"]["kind"] == "split" and split.json()["act"]["document"] == first
    assert split.json()["assessment"]["joined"] == {}
    assert material(split.json()["assessment"], "operator_id")["documents"] == [first, second]
    twice = tasks_env.client.post(f"{url}/{first}/split", headers=clerk, json={})
    assert twice.status_code == 422 and twice.json()["error"]["code"] == "request.invalid"

    history = tasks_env.client.get(f"/api/v1/cases/{case_id}/history", headers=clerk).json()
    assert [(a["kind"], a["reason"]) for a in history["acts"]] == [("join", "同一证件分两次拍摄"), ("split", "不是同一份材料")]
    import sqlalchemy as sa

    with tasks_env.app.state.repo.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_events WHERE action IN "
                                                      "('case.join', 'case.split') ORDER BY id"))]
    assert actions == ["case.join", "case.split"]


def test_joins_are_refused_to_others_and_for_shots_not_of_the_case(tasks_env, shots):
    clerk, case_id, (first, second) = shots
    url = f"/api/v1/cases/{case_id}/joins"
    assert tasks_env.client.post(url, json={"documents": [first, second]}).status_code == 401
    forbidden = tasks_env.client.post(url, headers=tasks_env.key("reviewer"), json={"documents": [first, second]})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "auth.forbidden"
    other_hall = tasks_env.client.post(url, headers=tasks_env.key("clerk", "hall-2"),
                                       json={"documents": [first, second]})
    assert other_hall.status_code == 404 and other_hall.json()["error"]["code"] == "not_found"
    stranger = tasks_env.client.post(url, headers=clerk, json={"documents": [first, "not-a-document"]})
    assert stranger.status_code == 422 and "不属于本办件" in stranger.json()["error"]["message"]
    alone = tasks_env.client.post(url, headers=clerk, json={"documents": [first]})
    assert alone.status_code == 422 and alone.json()["error"]["code"] == "request.invalid"
    assert tasks_env.client.post(url, headers=clerk, json={"documents": [first, first]}).status_code == 422
    from pipeline.case_states import BY_ACT
    from storage.cases import CaseRepository

    CaseRepository(tasks_env.app.state.repo.engine).transition(
        case_id, BY_ACT["accept"], expected_state="received", actor="k1", role="clerk", actor_label="窗口07号")
    late = tasks_env.client.post(url, headers=clerk, json={"documents": [first, second]})
    assert late.status_code == 409 and late.json()["error"]["code"] == "case.transition_not_allowed"


def test_the_bundle_shows_the_joined_document_once_with_its_pages_in_order(tasks_env, shots):
    clerk, case_id, (first, second) = shots
    # the clerk's page order: the second shot is the document's first page
    assert tasks_env.client.post(f"/api/v1/cases/{case_id}/joins", headers=clerk,
                                 json={"documents": [second, first]}).status_code == 201
    case = tasks_env.client.get(f"/api/v1/cases/{case_id}", headers=clerk).json()
    name = material(case["assessment"], "operator_id")["name"]
    data = tasks_env.bundle(clerk, case_id).content
    with pikepdf.open(io.BytesIO(data)) as pdf:
        manifest = json.loads(pdf.attachments["manifest.json"].get_file().read_bytes())
        with pdf.open_outline() as outline:
            [operator] = [item for item in outline.root if f". {name}（" in item.title]
            children = [child.title for child in operator.children]
    assert len(children) == 1 and "2 份合并为一份" in children[0], "the joined document once"
    assert manifest["joined"] == [{"document": second, "material": "operator_id", "parts": [second, first]}]
    images = [i for i in manifest["page_images"] if i["document"] == second]
    sources = [hashlib.sha256(shot(c)).hexdigest() for c in ("ivory", "white")]
    assert [(i["part"], i["page"], i["source_sha256"]) for i in images] == [(second, 1, sources[0]), (first, 2, sources[1])]
    assert len(manifest["page_images"]) == 2

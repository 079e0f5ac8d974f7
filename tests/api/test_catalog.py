"""GET /api/v1/catalog: items, versions, situations and materials with codes and names, and which halls."""

import pytest
import yaml
from fastapi.testclient import TestClient

from api import auth
from api.app import create_app
from pipeline.settings import Settings
from validators.catalog import load_catalog

REFERENCE = "individual-business-registration"


@pytest.fixture()
def env(tmp_path):
    shipped = load_catalog().get(REFERENCE)
    folder = tmp_path / "catalog"
    folder.mkdir()
    newer = shipped.model_dump(mode="json", by_alias=True, exclude_defaults=True) | {"version": shipped.version + 1,
                                                                                     "halls": ["hall-9"]}
    (folder / "newer.yaml").write_text(yaml.safe_dump(newer, allow_unicode=True), encoding="utf-8")
    app = create_app(Settings(data_dir=tmp_path), enqueue=lambda *_: None)
    key = auth.create_key(app.state.repo, app.state.secret, role="integrator", hall="h1", label="portal")
    return TestClient(app), {"Authorization": f"Bearer {key}"}, shipped


def test_the_catalog_lists_every_item_with_codes_names_and_halls(env):
    client, headers, shipped = env
    assert client.get("/api/v1/catalog").status_code == 401
    items = {i["code"]: i for i in client.get("/api/v1/catalog", headers=headers).json()["items"]}
    assert set(items) == set(load_catalog().codes())
    ours = items[REFERENCE]
    assert ours["version"] == shipped.version + 1 and ours["versions"] == [shipped.version, shipped.version + 1]
    assert ours["halls"] == ["hall-9"] and ours["name"] == shipped.name
    assert [s["code"] for s in ours["situations"]] == [s.code for s in shipped.situations]
    material = next(m for m in ours["materials"] if m["code"] == shipped.materials[0].code)
    assert material["name"] == shipped.materials[0].name and material["types"]
    assert all(not i["halls"] for code, i in items.items() if code != REFERENCE)  # every hall serves them


def test_the_hall_filter_leaves_out_items_another_hall_serves(env):
    client, headers, _ = env
    elsewhere = {i["code"] for i in client.get("/api/v1/catalog?hall=h1", headers=headers).json()["items"]}
    assert REFERENCE not in elsewhere and elsewhere
    there = {i["code"] for i in client.get("/api/v1/catalog?hall=hall-9", headers=headers).json()["items"]}
    assert REFERENCE in there


def test_one_item_by_code_and_version(env):
    client, headers, shipped = env
    newest = client.get(f"/api/v1/catalog/{REFERENCE}", headers=headers).json()
    assert newest["version"] == shipped.version + 1
    first = client.get(f"/api/v1/catalog/{REFERENCE}?version={shipped.version}", headers=headers).json()
    assert first["version"] == shipped.version and first["halls"] == []
    missing = client.get("/api/v1/catalog/no-such-item", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/catalog/{REFERENCE}?version=99", headers=headers).status_code == 404


def test_the_catalog_pages_by_code(env):
    client, headers = env[0], env[1]
    whole = client.get("/api/v1/catalog", headers=headers).json()
    assert whole["next_cursor"] is None and len(whole["items"]) >= 2
    codes, cursor = [], None
    while True:
        page = client.get("/api/v1/catalog", headers=headers, params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        codes += [i["code"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert codes == sorted(i["code"] for i in whole["items"])

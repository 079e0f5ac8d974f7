"""/docs and /redoc work on a hall network without internet: the pages and their assets come from the app."""

import re

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from pipeline.settings import Settings

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    return TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("docs")), enqueue=lambda *_: None))


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_only_from_the_app(client, page):
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"']+", html)
    assets = re.findall(r"""(?:src|href)=["']?([^"'\s>]+)""", html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "/openapi.json" in html
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset
        if asset.endswith((".js", ".css")):
            text = served.text
            # the bundles' own loaders take what the page gives them; none points at a CDN or a font host
            assert not re.search(r"cdn\.jsdelivr|unpkg\.com|fonts\.googleapis|cdnjs", text), asset


def test_swagger_ui_does_not_send_the_document_to_an_outside_validator(client):
    assert re.search(r'"validatorUrl":\s*null', client.get("/docs").text)


def test_the_openapi_document_is_served(client):
    assert client.get("/openapi.json").json()["info"]["title"].startswith("yichuang")

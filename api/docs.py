"""/docs (Swagger UI) and /redoc (ReDoc) with their assets served by the app itself, from the fastapi-offline
wheel: no CDN, so the pages work on a hall network without internet. Who calls it: api.app.create_app."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"


def swagger_page() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="一窗 API", swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css", swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        # validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True})


def redoc_page() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="一窗 API", redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                          redoc_favicon_url=f"{ASSETS_URL}/favicon.png", with_google_fonts=False)


def install(app: FastAPI) -> None:
    """The app must be built with docs_url=None and redoc_url=None (FastAPI's own pages load from a CDN)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    app.add_api_route("/docs", swagger_page, include_in_schema=False, response_class=HTMLResponse)
    app.add_api_route("/redoc", redoc_page, include_in_schema=False, response_class=HTMLResponse)

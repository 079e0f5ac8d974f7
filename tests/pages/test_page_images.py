"""Page images of a born-digital PDF read from its text layer (issue 25): processing stored none, so the page image
route renders the asked page from the original when a person opens it; the case page links every page."""

from __future__ import annotations

import datetime as dt

from tests.conftest import load_sample_module
from tests.pages.conftest import browser, csrf_of, open_case, sign_in

bench = load_sample_module("bench_text_path")


def _read_in_process(site, upload_id: str) -> list:
    from api.deps import services_of
    from extractors import build_registry
    from pipeline import runner
    from pipeline.confidence import Calibrator
    from pipeline.settings import Limits, Thresholds
    from validators import build_checks
    from workers.cases.intake import upload_of

    row = site.state.repo.claim(upload_id, lease_seconds=60, max_attempts=3)
    deps = runner.Dependencies(engine=None, store=site.state.store, types=build_registry(), checks=build_checks(),
                               calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())
    upload = upload_of(row)
    docs = runner.process(upload, site.state.store.get(row.object_key), deps, dt.datetime.now(dt.timezone.utc))
    assert site.state.repo.finish(upload_id, docs)
    svc = services_of(site)
    svc.cases.reassess(row.case_id, svc.assessor)
    return docs


def _lease_uploaded_and_read(site):
    """A clerk uploads a born-digital 3-page lease into a new case from the counter page; it is read in this process.
    Returns the signed-in client, the case, the upload and the one document."""
    data = bench.text_only_bundle(2025, 3, ("lease_contract",))[0]
    client = browser(site)
    sign_in(client, "clerk1")
    case_id = open_case(client)
    response = client.post(f"/pages/cases/{case_id}/upload", follow_redirects=False,
                           data={"csrf_token": csrf_of(client, f"/counter/cases/{case_id}"), "material": "application"},
                           files={"file": ("lease.pdf", data, "application/pdf")})
    assert response.status_code == 303, response.text
    upload_id = client.get(f"/api/v1/cases/{case_id}").json()["uploads"][-1]["upload_id"]
    [lease] = _read_in_process(site, upload_id)
    return client, case_id, upload_id, lease


def test_a_text_page_image_is_rendered_from_the_original_on_demand(site):
    import cv2
    import numpy as np

    client, case_id, upload_id, lease = _lease_uploaded_and_read(site)
    assert lease.type == "lease_contract" and len(lease.pages) == 3 and not lease.image_keys
    page = client.get(f"/counter/cases/{case_id}")
    assert page.status_code == 200 and f"/documents/{lease.id}/images/1" in page.text
    image = client.get(f"/pages/cases/{case_id}/documents/{lease.id}/images/1")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    pixels = cv2.imdecode(np.frombuffer(image.content, np.uint8), cv2.IMREAD_COLOR)
    assert pixels.shape[:2] == (2339, 1654)  # A4 at 200 dpi
    assert client.get(f"/pages/cases/{case_id}/documents/{lease.id}/images/3").status_code == 404


def test_a_page_image_whose_object_is_gone_answers_404_in_words(site):
    """An original the object store no longer holds (removed by a lifecycle rule, a restore from an older backup) is a
    missing page image to the clerk, not a server error."""
    client, case_id, upload_id, lease = _lease_uploaded_and_read(site)
    assert client.get(f"/pages/cases/{case_id}/documents/{lease.id}/images/0").status_code == 200
    site.state.store.delete(site.state.repo.get_upload(upload_id).object_key)
    image = client.get(f"/pages/cases/{case_id}/documents/{lease.id}/images/0")
    assert image.status_code == 404 and "找不到该页图像" in image.text

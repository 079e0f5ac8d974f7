"""Pages fanned out over real `yichuang worker` processes on the real Redis broker (issue 25): a three-page scan
is read by page tasks that a second worker takes while the first is stuck on its page; the first is killed, and
either the sweeper sends that page alone again within its lease (`yichuang serve`'s sweep, pages first) or, with
pages not swept, the upload's lease runs out and the upload is sent again with only the missing page. Either way
the documents are those of the single-task path, saved once. Reuses the worker harness of
test_worker_integration.py; fake engines keep it fast."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.pipeline.helpers import pdf_bytes

pytestmark = pytest.mark.slow


def _upload_pdf(service, data: bytes) -> str:
    response = service.client.post("/api/v1/documents", headers=service.headers,
                                   files={"file": ("scan.pdf", data, "application/pdf")})
    assert response.status_code == 202, response.text
    return response.json()["documents_url"]


def _scan_with_a_stuck_worker(service_factory, redis_broker):
    """A service on Redis with a 4 s lease and one worker whose engine hangs on any page, and a three-page scan
    posted to it: (service, the stuck worker, the scan, its documents URL, its upload id)."""
    url, prefix = redis_broker
    service = service_factory(YICHUANG_BROKER_URL=url, YICHUANG_REDIS_KEY_PREFIX=prefix, YICHUANG_LEASE_SECONDS="4",
                              YICHUANG_HEARTBEAT_INTERVAL="1")
    stuck = service.start_worker(YICHUANG_OCR_ENGINE="tests.fakes:SlowEngine", YICHUANG_TEST_SLOW_SECONDS="600")
    data = pdf_bytes(pages=3)
    documents_url = _upload_pdf(service, data)
    return service, stuck, data, documents_url, documents_url.rsplit("/", 1)[1]


def _single_task_documents(data: bytes) -> list[dict]:
    from extractors import build_registry
    from pipeline import runner
    from pipeline.confidence import Calibrator
    from pipeline.settings import Limits, Thresholds
    from storage.objects import MemoryStore
    from tests.fakes import FixedEngine
    from validators import build_checks

    deps = runner.Dependencies(engine=FixedEngine(), store=MemoryStore(), types=build_registry(), checks=build_checks(),
                               calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())
    at = dt.datetime.now(dt.timezone.utc)
    return [d.model_dump(mode="json") for d in runner.process(runner.make_upload(data, "scan.pdf", at), data, deps, at)]


def _essentials(doc: dict) -> tuple:
    return doc["type"], doc["pages"], {k: v["value"] for k, v in doc["fields"].items()}


@pytest.mark.integration
def test_a_scan_is_read_by_page_tasks_on_two_workers_and_survives_a_killed_worker(service_factory, redis_broker):
    from storage.page_results import PageResults
    from workers.sweeper import resend, sweep

    service, stuck, data, documents_url, upload_id = _scan_with_a_stuck_worker(service_factory, redis_broker)
    service.wait(documents_url, statuses=("processing",), timeout=90)
    time.sleep(2)  # the first worker takes a page and hangs on it
    service.start_worker(YICHUANG_OCR_ENGINE="tests.fakes:FixedEngine")
    pages = PageResults(service.app.state.repo.engine)
    deadline = time.time() + 90
    while pages.count(upload_id) < 2 and time.time() < deadline:
        time.sleep(0.3)
    assert pages.count(upload_id) == 2, "the second worker read the other pages while the first was stuck"
    assert service.app.state.repo.get_upload(upload_id).status == "processing"
    service.kill(stuck)
    repo = service.app.state.repo
    killed = time.time()
    while time.time() - killed < 40 and not sweep(repo, resend, queued_after=600, max_attempts=3):
        time.sleep(0.5)  # the sweeper's period, shortened
    body = service.wait(documents_url, timeout=90)
    assert body["status"] == "done" and repo.get_upload(upload_id).attempts == 2
    assert [_essentials(d) for d in body["documents"]] == [_essentials(d) for d in _single_task_documents(data)]
    assert pages.count(upload_id) == 0, "page results are dropped once the documents are saved"


def _reading(leases, upload_id: str, timeout: float) -> int:
    """The page a worker has claimed (its lease live), waited for."""
    from storage.page_results import PageLeaseRow

    deadline = time.time() + timeout
    while time.time() < deadline:
        with leases.session() as s:
            held = [r.page for r in s.query(PageLeaseRow).filter_by(upload_id=upload_id, status="reading")]
        if held:
            return held[0]
        time.sleep(0.3)
    pytest.fail("no worker claimed a page")


@pytest.mark.integration
def test_a_worker_killed_mid_page_loses_only_that_page_which_is_read_again_within_the_lease(service_factory,
                                                                                             redis_broker):
    """As an upload's worker-death test (test_worker_integration.py): the page's heartbeat keeps a 4 s lease alive
    while it is read; once its worker is killed, the sweeper sends that page alone again within the lease, the
    upload keeps its first claim, and the documents come out complete and once."""
    from sqlalchemy import func, select

    from storage.models import DocumentRow
    from storage.page_results import PageLeases, PageResults
    from workers.sweeper import resend, sweep

    service, stuck, data, documents_url, upload_id = _scan_with_a_stuck_worker(service_factory, redis_broker)
    repo = service.app.state.repo
    leases, pages = PageLeases(repo.engine), PageResults(repo.engine)
    held = _reading(leases, upload_id, timeout=90)
    time.sleep(8)  # twice the lease: a live page's lease is renewed, so the sweeper sends nothing
    assert sweep(repo, resend, queued_after=600, max_attempts=3, pages=leases, lease_seconds=4) == 0
    second = service.start_worker(YICHUANG_OCR_ENGINE="tests.fakes:FixedEngine")
    deadline = time.time() + 90
    while pages.count(upload_id) < 2 and time.time() < deadline:
        time.sleep(0.3)
    assert pages.count(upload_id) == 2 and not pages.has(upload_id, held), "the other pages are read meanwhile"
    service.kill(stuck)  # the worker dies holding its page
    killed = time.time()
    while time.time() - killed < 30 and not sweep(repo, resend, queued_after=600, max_attempts=3, pages=leases,
                                                  lease_seconds=4):
        time.sleep(0.5)  # the sweeper's period, shortened
    assert time.time() - killed <= 4 + 2, "the page was not sent again within its lease"
    body = service.wait(documents_url, timeout=60)
    assert body["status"] == "done" and repo.get_upload(upload_id).attempts == 1, "only the page was sent again"
    single = _single_task_documents(data)
    assert [_essentials(d) for d in body["documents"]] == [_essentials(d) for d in single]
    with repo.session() as s:
        stored = s.scalar(select(func.count()).select_from(DocumentRow).where(DocumentRow.upload_id == upload_id))
    assert stored == len(single), "the documents are saved once"
    assert pages.count(upload_id) == 0 and leases.pending(upload_id) == 0, "nothing of the pages is left"
    assert second.poll() is None


def test_a_scan_is_fanned_out_on_the_embedded_broker_too(service_factory):
    """`yichuang serve`'s default broker (a folder) carries the page tasks and the join as well."""
    service = service_factory()
    service.start_worker(YICHUANG_OCR_ENGINE="tests.fakes:FixedEngine")
    data = pdf_bytes(pages=3)
    body = service.wait(_upload_pdf(service, data), timeout=120)
    assert [_essentials(d) for d in body["documents"]] == [_essentials(d) for d in _single_task_documents(data)]

"""A real `yichuang worker` process on a real broker: the embedded filesystem broker and Redis.

The API runs in-process; the worker is a subprocess in its own process group with a temporary data
directory. On the shared Redis each test uses its own database number and key prefix and never flushes.
"""

from __future__ import annotations

import time

import pytest

from tests.workers.live_worker import SAMPLE_FRONT, blank_scan

pytestmark = pytest.mark.slow


def _assert_front(body: dict) -> None:
    assert body["status"] == "done"
    [doc] = body["documents"]
    assert doc["type"] == "id_card_front"
    assert doc["fields"]["id_number"]["value"]
    assert doc["source"]


@pytest.mark.skipif(SAMPLE_FRONT is None, reason="committed ID card samples are missing")
def test_round_trip_on_the_embedded_broker_with_real_ocr(service_factory):
    service = service_factory()
    service.start_worker()
    _assert_front(service.wait(service.upload(SAMPLE_FRONT), timeout=180))


@pytest.mark.integration
@pytest.mark.skipif(SAMPLE_FRONT is None, reason="committed ID card samples are missing")
def test_round_trip_over_redis_with_real_ocr(service_factory, redis_broker):
    url, prefix = redis_broker
    service = service_factory(YICHUANG_BROKER_URL=url, YICHUANG_REDIS_KEY_PREFIX=prefix)
    service.start_worker()
    _assert_front(service.wait(service.upload(SAMPLE_FRONT), timeout=180))


def test_worker_killed_mid_task_is_taken_up_again_within_the_lease(service_factory, tmp_path):
    """The heartbeat keeps a 4 s lease alive for as long as the OCR works (far past the lease); once the worker
    is killed, the sweeper finds the row within the lease and a second worker finishes it."""
    from workers.sweeper import enqueue, sweep

    service = service_factory(YICHUANG_LEASE_SECONDS="4", YICHUANG_HEARTBEAT_INTERVAL="1")
    first = service.start_worker(YICHUANG_OCR_ENGINE="tests.fakes:SlowEngine", YICHUANG_TEST_SLOW_SECONDS="600")
    url = service.upload(blank_scan(tmp_path))
    service.wait(url, statuses=("processing",), timeout=60)
    upload_id = url.rsplit("/", 1)[1]
    repo = service.app.state.repo
    time.sleep(8)  # twice the lease: a live worker's lease is renewed, so its upload is not lost
    assert repo.stuck(queued_after=600) == [] and repo.get_upload(upload_id).attempts == 1
    second = service.start_worker(YICHUANG_OCR_ENGINE="tests.fakes:FixedEngine")
    service.kill(first)  # the worker dies holding the row
    killed = time.time()
    while time.time() - killed < 30 and not sweep(repo, enqueue, queued_after=600, max_attempts=3):
        time.sleep(0.5)  # the sweeper's period, shortened
    assert time.time() - killed <= 4 + 1.5, "the upload was not free again within the lease"
    _assert_front(service.wait(url, timeout=60))
    assert repo.get_upload(upload_id).attempts == 2
    assert second.poll() is None


def test_a_soft_time_out_sends_the_upload_again_by_itself(service_factory, tmp_path):
    """No sweeper runs here: the second attempt comes from the message the timed-out task sent."""
    service = service_factory(YICHUANG_TASK_TIME_LIMIT="8", YICHUANG_TASK_SOFT_TIME_LIMIT="3", YICHUANG_MAX_ATTEMPTS="2",
                              YICHUANG_OCR_ENGINE="tests.fakes:SlowEngine", YICHUANG_TEST_SLOW_SECONDS="600")
    service.start_worker()
    url = service.upload(blank_scan(tmp_path))
    body = service.wait(url, timeout=60)
    assert body["status"] == "failed" and body["error"]["code"] == "task.timeout"
    assert service.app.state.repo.get_upload(url.rsplit("/", 1)[1]).attempts == 2


def test_children_that_build_their_engine_slowly_are_not_killed_at_start(service_factory, tmp_path):
    """Two children building a 6 s engine at once. Celery applies its wait for a new child (4 s by default) only to
    children it starts later, not to the first ones, so this shows slow builds work end to end; that the wait is
    our setting is tested in tests/workers/test_lease.py."""
    service = service_factory(YICHUANG_OCR_ENGINE="tests.fakes:SlowStartEngine", YICHUANG_TEST_BUILD_SECONDS="6",
                              YICHUANG_WORKER_CONCURRENCY="2")
    service.start_worker()
    urls = [service.upload(blank_scan(tmp_path)) for _ in range(2)]
    for url in urls:
        assert service.wait(url, timeout=90)["status"] == "done"
    assert "Timed out waiting for UP message" not in service.worker_log()


def test_hung_ocr_hits_the_time_limit_and_fails_with_task_timeout(service_factory, tmp_path):
    from PIL import Image

    image = tmp_path / "scan.png"
    Image.new("RGB", (640, 400), "white").save(image)
    service = service_factory(YICHUANG_TASK_TIME_LIMIT="6", YICHUANG_TASK_SOFT_TIME_LIMIT="3", YICHUANG_MAX_ATTEMPTS="1",
                              YICHUANG_OCR_ENGINE="tests.fakes:SlowEngine", YICHUANG_TEST_SLOW_SECONDS="600")
    service.start_worker()
    body = service.wait(service.upload(image), timeout=60)
    assert body["status"] == "failed" and body["error"]["code"] == "task.timeout"
    assert body["error"]["message"]

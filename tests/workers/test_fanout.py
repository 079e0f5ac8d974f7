"""Pages fanned out (workers/fanout.py, issue 25), the task logic in process with a real database (SQLite and
PostgreSQL) and a recording sender in place of the broker: the page tasks and the join give the documents of the
single-task path, duplicate deliveries change nothing, a claim taken over re-sends only the missing pages, and a
page whose worker died is sent again alone by the sweeper (workers/sweeper.py sweep_pages)."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest

from pipeline import runner
from pipeline.settings import Settings
from storage.cases import CaseRepository
from storage.db import make_engine, migrate
from storage.objects import MemoryStore
from storage.page_results import PageLeases, PageResults
from storage.repository import Repository
from tests.fakes import FixedEngine
from tests.pipeline.helpers import pdf_bytes
from workers import fanout
from workers.cases.intake import upload_of


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def svc(request, tmp_path):
    from extractors import build_registry
    from pipeline.confidence import Calibrator
    from pipeline.settings import Limits, Thresholds
    from validators import build_checks

    url = f"sqlite:///{tmp_path}/t.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    migrate(engine)
    store = MemoryStore()
    deps = runner.Dependencies(engine=FixedEngine(), store=store, types=build_registry(), checks=build_checks(),
                               calibrator=Calibrator.shipped(), limits=Limits(), thresholds=Thresholds())
    yield SimpleNamespace(settings=Settings(lease_seconds=4, heartbeat_interval=1), repo=Repository(engine), store=store,
                          deps=deps, page_results=PageResults(engine), page_leases=PageLeases(engine))
    engine.dispose()


class Outbox:
    """The messages the tasks would send, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list, str]] = []

    def __call__(self, kind: str, args: list, queue: str) -> None:
        self.sent.append((kind, list(args), queue))

    def take(self, kind: str) -> list[list]:
        out = [args for k, args, _ in self.sent if k == kind]
        self.sent = [m for m in self.sent if m[0] != kind]
        return out


def _claimed(svc, data: bytes):
    key = svc.repo.add_key(key_id="0123456789abcdef", key_hash="h" * 64, role="clerk", hall="h1", label="scanner")
    object_key = svc.store.put(data)
    row, _gone = CaseRepository(svc.repo.engine).add_upload(
        owner_key_id=key, hall="h1", case_id=None, object_key=object_key, sha256=object_key.split("/")[-1][:64],
        size=len(data), filename="scan.pdf", media_type="application/pdf", material_hint=None, person_hint=None,
        queue="counter", received_at=dt.datetime(2026, 6, 1, 4, tzinfo=dt.timezone.utc))
    return svc.repo.claim(row.id, 4, 3)


def _documents(svc, upload_id: str) -> list[dict]:
    from storage.models import DocumentRow
    from sqlalchemy import select

    with svc.repo.session() as s:
        bodies = s.scalars(select(DocumentRow.body).where(DocumentRow.upload_id == upload_id).order_by(DocumentRow.position))
        return [{k: v for k, v in b.items() if k != "id"} for b in bodies]


def test_page_tasks_and_the_join_give_the_single_task_documents(svc):
    data = pdf_bytes(pages=3)
    row, out = _claimed(svc, data), Outbox()
    assert fanout.start(svc, row, data, out)
    assert {queue for _kind, _args, queue in out.sent} == {"counter"}  # the upload's queue, its priority kept
    pages = out.take("page")
    assert [args[2] for args in pages] == [1, 2, 3]
    for args in reversed(pages):
        assert fanout.read_page(svc, *args, send=out) == "read"
    assert fanout.read_page(svc, *pages[0], send=out) == "read"  # a duplicate delivery reads nothing again
    joins = out.take("join")
    assert len(joins) == 2 and joins[0] == [row.id, row.attempts, 3]
    status, done = fanout.join(svc, *joins[0])
    assert status == "done" and done.id == row.id
    assert fanout.join(svc, *joins[1]) == ("skipped", None)  # the second join finds the upload finished
    assert svc.repo.get_upload(row.id).status == "done" and svc.page_results.count(row.id) == 0
    single = runner.process(upload_of(svc.repo.get_upload(row.id)), data, svc.deps,
                            at=upload_of(row).received_at)
    assert _documents(svc, row.id) == [d.model_dump(mode="json", exclude={"id"}) for d in single]


def test_a_claim_taken_over_sends_only_the_pages_still_missing(svc):
    data = pdf_bytes(pages=3)
    row, out = _claimed(svc, data), Outbox()
    fanout.start(svc, row, data, out)
    first = out.take("page")
    fanout.read_page(svc, *first[1], send=out)  # page 2 read; the worker with pages 1 and 3 died
    svc.repo.requeue(row.id)  # the sweeper, after the lease ran out
    again = svc.repo.claim(row.id, 4, 3)
    fanout.start(svc, again, data, out)
    assert [args[2:] for args in out.take("page")] == [[1, 3], [3, 3]] and again.attempts == 2
    for args in first[::2]:  # the dead claim's late messages still read their pages: results are the same
        fanout.read_page(svc, *args, send=out)
    late, = out.take("join")
    assert late == [row.id, again.attempts, 3], "the join goes to the claim holding the upload now"
    assert fanout.join(svc, row.id, row.attempts, 3) == ("superseded", None)  # the old claim cannot save
    assert fanout.join(svc, *late)[0] == "done"
    for args in out.take("page"):  # the new claim's messages for pages read meanwhile: nothing to do
        assert fanout.read_page(svc, *args, send=out) == "skipped"


def test_a_single_page_file_is_not_fanned_out(svc):
    data = pdf_bytes(pages=1)
    row, out = _claimed(svc, data), Outbox()
    assert not fanout.start(svc, row, data, out) and out.sent == []
    svc.settings = Settings(page_fanout_min_pages=0)
    assert not fanout.start(svc, row, pdf_bytes(pages=3), out) and out.sent == []


class PageSender:
    """`sweep_pages`'s sender, recording page messages as the tasks' Outbox does."""

    def __init__(self, out: Outbox) -> None:
        self.out = out

    def __call__(self, upload_id: str, attempt: int, number: int, pages: int, queue: str) -> None:
        self.out("page", [upload_id, attempt, number, pages], queue)


def _die_reading(svc, upload_id: str, number: int, pages: int) -> None:
    """A worker claims the page, then dies: no heartbeat renews the lease, which runs out."""
    assert svc.page_leases.claim(upload_id, number, pages, lease_seconds=0.05)
    time.sleep(0.1)


def test_a_page_whose_worker_died_is_sent_again_alone_under_the_same_claim(svc):
    from workers.sweeper import sweep_pages

    data = pdf_bytes(pages=3)
    row, out = _claimed(svc, data), Outbox()
    fanout.start(svc, row, data, out)
    pages = out.take("page")
    _die_reading(svc, row.id, 1, 3)
    assert fanout.read_page(svc, *pages[1], send=out) == "read"
    assert sweep_pages(svc.repo, svc.page_leases, PageSender(out), max_attempts=3, lease_seconds=4) == 1
    assert out.take("page") == [pages[0]], "page 1 alone, under the upload's first claim"
    assert svc.repo.get_upload(row.id).attempts == 1 and svc.repo.stuck(600) == [], "the upload keeps its claim"
    assert sweep_pages(svc.repo, svc.page_leases, PageSender(out), max_attempts=3, lease_seconds=4) == 0
    assert fanout.read_page(svc, *pages[0], send=out) == "read"
    assert fanout.read_page(svc, *pages[2], send=out) == "read"
    assert fanout.read_page(svc, *pages[0], send=out) == "read"  # the dead worker's message handed on late
    assert svc.page_results.count(row.id) == 3, "every page stored once"
    joins = out.take("join")
    assert fanout.join(svc, *joins[0])[0] == "done"
    assert all(fanout.join(svc, *args) == ("skipped", None) for args in joins[1:])
    single = runner.process(upload_of(svc.repo.get_upload(row.id)), data, svc.deps, at=upload_of(row).received_at)
    assert _documents(svc, row.id) == [d.model_dump(mode="json", exclude={"id"}) for d in single]
    assert svc.page_leases.pending(row.id) == 0 and svc.page_results.count(row.id) == 0


def test_a_page_being_read_is_not_read_again_by_a_second_delivery(svc):
    data = pdf_bytes(pages=2)
    row, out = _claimed(svc, data), Outbox()
    fanout.start(svc, row, data, out)
    first, second = out.take("page")
    assert svc.page_leases.claim(row.id, 1, 2, lease_seconds=60)  # a live worker reads page 1
    assert fanout.read_page(svc, *first, send=out) == "held"
    svc.repo.requeue(row.id)  # the upload's lease ran out (its join died, say) and the sweeper sent it again
    again = svc.repo.claim(row.id, 4, 3)
    fanout.start(svc, again, data, out)
    assert [args[2] for args in out.take("page")] == [2], "the page a live worker reads is left to it"


def test_a_page_that_kills_its_worker_every_time_fails_the_upload(svc):
    from workers.sweeper import sweep_pages

    data = pdf_bytes(pages=2)
    row, out = _claimed(svc, data), Outbox()
    fanout.start(svc, row, data, out)
    for _ in range(3):
        _die_reading(svc, row.id, 2, 2)
        sweep_pages(svc.repo, svc.page_leases, PageSender(out), max_attempts=3, lease_seconds=4)
    assert [args[2] for args in out.take("page")] == [1, 2, 2, 2], "sent twice again, then given up"
    failed = svc.repo.get_upload(row.id)
    assert (failed.status, failed.error_code) == ("failed", "task.timeout")
    assert svc.page_leases.pending(row.id) == 0


def test_a_page_saved_twice_is_stored_once_and_its_lease_is_gone(svc):
    """Two workers that read the same page (the first one's lease ran out while it was still alive) both save."""
    data = pdf_bytes(pages=2)
    row, out = _claimed(svc, data), Outbox()
    fanout.start(svc, row, data, out)
    assert svc.page_leases.claim(row.id, 1, 2, lease_seconds=60)
    assert svc.page_results.save(row.id, 1, {"number": 1, "first": True})
    assert not svc.page_results.save(row.id, 1, {"number": 1, "first": False})
    assert svc.page_results.bodies(row.id) == [{"number": 1, "first": True}]
    assert svc.page_leases.pending(row.id) == 1, "page 2's lease only"

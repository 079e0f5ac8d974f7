"""Pages fanned out (issue 25): a multi-page file becomes one task per page, which any worker may take, and a
join that turns the pages' results into the upload's documents once every page is read.

- `start` (from `process_upload`, which holds the upload's claim): when the file has at least
  `page_fanout_min_pages` pages, sends a `read_page` message per page not read yet, on the upload's queue (so a
  counter upload's pages keep the counter's priority), and extends the claim's lease to cover the pages' wait.
- `read_page`: reads one page (pipeline/page_reading.py) under a heartbeat on the upload's claim and saves its
  result once (storage/page_results.py); the task that saves the last page sends the join.
- `join`: builds the documents from all pages and saves them with the claim's compare-and-set; a join that lost
  the race (another finished it) or belongs to a claim taken over saves nothing.

Each page has its own lease (storage/page_results.py `PageLeases`): a page task claims its page before reading it
and renews that lease with the upload's by a heartbeat. A worker that dies mid-page stops renewing it: within
`lease_seconds` the sweeper sends that page alone again (workers/sweeper.py `sweep_pages`), keeping the upload's
claim, and another worker reads it, while the other pages go on. A page that kills its worker `max_attempts` times
fails the upload (`task.timeout`), as an upload does. The upload's own lease stays the backstop (a dead join, a lost
message): once it runs out the sweeper sends the upload again and `start` sends only the pages still missing. A
message delivered twice (Redis hands a dead worker's unacknowledged message to another worker after its visibility
timeout) finds its page read or held and reads nothing; a page saved twice is stored once; the documents are saved
once, by the join that wins the claim's compare-and-set.
Tasks live in workers/tasks.py and only call these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from pipeline import page_reading
from pipeline.errors import InputError
from workers.cases.intake import upload_of
from workers.lease import Heartbeat

logger = logging.getLogger(__name__)

Send = Callable[..., None]  # send(task_name, args, queue)


def original(svc, key: str) -> bytes:
    """The upload's file, kept for the next page task of the same file on this worker process (one file at most:
    pages of one upload follow each other in the queue)."""
    cached = getattr(svc, "last_original", None)
    if cached is None or cached[0] != key:
        svc.last_original = cached = (key, svc.store.get(key))
    return cached[1]


def start(svc, row, data: bytes, send: Send) -> bool:
    """True when the upload was fanned out into page tasks (the caller then leaves it to them)."""
    s = svc.settings
    count = page_reading.pages_to_fan_out(data, svc.deps, s.page_fanout_min_pages)
    if not count:
        return False
    svc.last_original = (row.object_key, data)  # this worker's first page needs no second fetch
    # the pages wait in the queue behind each other: the claim holds for as long as reading them one by one may take
    svc.repo.renew_lease(row.id, row.attempts, s.lease_seconds * count)
    missing = [n for n in range(1, count + 1) if n not in svc.page_results.numbers(row.id)]
    logger.info("upload %s: %d pages, %d to read", row.id, count, len(missing))
    if not missing:
        send("join", [row.id, row.attempts, count], row.queue)
    for number in svc.page_leases.send(row.id, count, missing):  # not a page a live worker is reading
        send("page", [row.id, row.attempts, number, count], row.queue)
    return True


def read_page(svc, upload_id: str, attempt: int, number: int, count: int, send: Send) -> str:
    row = svc.repo.get_upload(upload_id)
    if row is None or row.status != "processing":
        return "skipped"  # finished, failed or sent again meanwhile: nothing to add
    results = svc.page_results
    if not results.has(upload_id, number):
        s = svc.settings
        if not svc.page_leases.claim(upload_id, number, count, s.lease_seconds):
            return "held"  # another worker reads it; if that worker dies, the sweeper sends the page again
        # the claim now covers the pages still to read, one lease each: as pages are read the window shrinks, so a
        # page lost with a dead worker is sent again soon after the others are done
        svc.repo.renew_lease(upload_id, attempt, s.lease_seconds * max(1, count - results.count(upload_id)))
        renew_page = partial(svc.page_leases.renew, upload_id, number, s.lease_seconds)
        with Heartbeat(svc.repo, upload_id, attempt, lease_seconds=s.lease_seconds, interval=s.heartbeat_interval,
                       also=renew_page):
            upload = upload_of(row)
            try:
                result = page_reading.read_page(upload, original(svc, row.object_key), number, svc.deps)
            except InputError:  # checked before fanning out; a page that still fails is left to the whole-file path
                logger.warning("upload %s: page %d could not be read apart", upload_id, number)
                return "unreadable"
        results.save(upload_id, number, result.model_dump(mode="json"))
    if results.count(upload_id) >= count:
        # for the claim holding the upload now: a page read under an earlier claim completes the current one's pages
        latest = svc.repo.get_upload(upload_id)
        if latest is not None and latest.status == "processing":
            send("join", [upload_id, latest.attempts, count], row.queue)
    return "read"


def join(svc, upload_id: str, attempt: int, count: int) -> tuple[str, object]:
    """("done", row) when this join saved the documents, else (why not, None)."""
    row = svc.repo.get_upload(upload_id)
    if row is None or row.status != "processing":
        return "skipped", None
    bodies = svc.page_results.bodies(upload_id)
    if len(bodies) < count:
        return "waiting", None
    s = svc.settings
    with Heartbeat(svc.repo, upload_id, attempt, lease_seconds=s.lease_seconds, interval=s.heartbeat_interval):
        upload = upload_of(row)
        results = [page_reading.PageResult.model_validate(b) for b in bodies]
        documents = page_reading.join(upload, original(svc, row.object_key), results, svc.deps, upload.received_at)
    if not svc.repo.finish(upload_id, documents, attempt=attempt):
        return "superseded", None
    svc.page_results.forget(upload_id)
    logger.info("upload %s done from %d pages: %d documents", upload_id, count, len(documents))
    return "done", row

"""Re-enqueues uploads whose worker died or whose message was lost (embedded brokers cannot hand back a
task whose worker died; a Redis that restarted without its data lost the messages). A live worker renews
its lease by a heartbeat (workers/tasks.py), so only a dead worker's row runs past it. After `max_attempts` a row
becomes `failed` with `task.timeout`. A fanned-out page whose worker died is sent again alone, under the upload's
claim (`sweep_pages`). Cases whose assessment is older than one of their finished uploads get `assess_case` again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pipeline.errors import TaskTimeout

logger = logging.getLogger(__name__)


def sweep(repo, enqueue: Callable[[str, str], None], *, queued_after: int, max_attempts: int,
          assess: Callable[[str, str], None] | None = None, pages=None, lease_seconds: float = 20) -> int:
    """Called periodically by `yichuang serve` and by `yichuang sweep`. Returns how many tasks it re-enqueued.
    `pages` (PageLeases): pages are swept first, so an upload whose lost page is sent again keeps its claim."""
    count = 0
    if pages is not None:
        count += sweep_pages(repo, pages, resend_page, max_attempts=max_attempts, lease_seconds=lease_seconds)
    if assess is not None:
        for case_id, queue in repo.cases_awaiting_assessment(queued_after):
            assess(case_id, queue)
            count += 1
    for row in repo.stuck(queued_after):
        if row.attempts >= max_attempts:
            repo.fail(row.id, TaskTimeout.code, TaskTimeout.message)
            logger.warning("upload %s failed after %d attempts", row.id, row.attempts)
            continue
        if row.status == "processing" and not repo.requeue(row.id, row.attempts, only_expired=True):
            continue  # its worker renewed the lease or another claim took it meanwhile: not lost
        enqueue(row.id, row.queue)
        repo.mark_enqueued(row.id)
        count += 1
    return count


def sweep_pages(repo, leases, send_page: Callable[[str, int, int, int, str], None], *, max_attempts: int,
                lease_seconds: float) -> int:
    """Pages of fanned-out uploads whose worker died mid-page (a `reading` lease run out): each is sent again alone,
    and its upload's claim is renewed for the pages still to read, so the other pages' work is kept. A page read
    `max_attempts` times without a result fails its upload. Returns how many pages it sent."""
    count = 0
    for lease in leases.expired():
        row = repo.get_upload(lease.upload_id)
        if row is None or row.status != "processing":
            leases.forget(lease.upload_id)  # finished or failed meanwhile: nothing to read
            continue
        if lease.reads >= max_attempts:
            repo.fail(row.id, TaskTimeout.code, TaskTimeout.message, attempt=row.attempts)
            leases.forget(row.id)
            logger.warning("upload %s failed: page %d was read %d times", row.id, lease.page, lease.reads)
            continue
        if not leases.requeue(lease.upload_id, lease.page):
            continue  # its worker renewed the lease meanwhile: not lost
        repo.renew_lease(row.id, row.attempts, lease_seconds * max(1, leases.pending(row.id)))
        send_page(row.id, row.attempts, lease.page, lease.pages, row.queue)
        logger.info("upload %s: page %d sent again (its worker died)", row.id, lease.page)
        count += 1
    return count


def resend_page(upload_id: str, attempt: int, number: int, pages: int, queue: str) -> None:
    """`sweep_pages`'s sender: ahead of first sends on Redis, like an upload sent again."""
    from workers.celery_app import publish
    from workers.tasks import read_page

    publish(read_page, [upload_id, attempt, number, pages], queue, resend=True)


def enqueue(upload_id: str, queue: str) -> None:
    from workers.celery_app import publish
    from workers.tasks import process_upload

    publish(process_upload, [upload_id], queue)


def resend(upload_id: str, queue: str) -> None:
    """The sweeper's sender (`yichuang serve`, `yichuang sweep`): ahead of first sends on Redis."""
    from workers.celery_app import publish
    from workers.tasks import process_upload

    publish(process_upload, [upload_id], queue, resend=True)

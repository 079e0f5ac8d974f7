"""Re-enqueues uploads whose worker died or whose message was lost (embedded brokers cannot hand back a
task whose worker died; a Redis that restarted without its data lost the messages). A live worker renews
its lease by a heartbeat (workers/tasks.py), so only a dead worker's row runs past it. After `max_attempts` a row becomes `failed` with `task.timeout`. Cases whose
assessment is older than one of their finished uploads get `assess_case` again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pipeline.errors import TaskTimeout

logger = logging.getLogger(__name__)


def sweep(repo, enqueue: Callable[[str, str], None], *, queued_after: int, max_attempts: int,
          assess: Callable[[str, str], None] | None = None) -> int:
    """Called periodically by `yichuang serve` and by `yichuang sweep`. Returns how many tasks it re-enqueued."""
    count = 0
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


def enqueue(upload_id: str, queue: str) -> None:
    from workers.celery_app import publish
    from workers.tasks import process_upload

    publish(process_upload, [upload_id], queue)


def resend(upload_id: str, queue: str) -> None:
    """The sweeper's sender (`yichuang serve`, `yichuang sweep`): ahead of first sends on Redis."""
    from workers.celery_app import publish
    from workers.tasks import process_upload

    publish(process_upload, [upload_id], queue, resend=True)

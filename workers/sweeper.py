"""Re-enqueues uploads whose worker died or whose message was lost (embedded brokers cannot hand back a
task whose worker died). After `max_attempts` a row becomes `failed` with `task.timeout`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pipeline.errors import TaskTimeout

logger = logging.getLogger(__name__)


def sweep(repo, enqueue: Callable[[str, str], None], *, queued_after: int, max_attempts: int) -> int:
    """Called periodically by `yichuang serve` and by `yichuang sweep`. Returns how many rows it re-enqueued."""
    count = 0
    for row in repo.stuck(queued_after):
        if row.attempts >= max_attempts:
            repo.fail(row.id, TaskTimeout.code, TaskTimeout.message)
            logger.warning("upload %s failed after %d attempts", row.id, row.attempts)
            continue
        if row.status == "processing":
            repo.requeue(row.id)
        enqueue(row.id, row.queue)
        repo.mark_enqueued(row.id)
        count += 1
    return count


def enqueue(upload_id: str, queue: str) -> None:
    from workers.tasks import process_upload

    process_upload.apply_async(args=[upload_id], queue=queue)

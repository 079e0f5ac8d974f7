"""The processing lease's heartbeat: while a task works on an upload, a thread renews the claim's
`lease_until` every `heartbeat_interval` seconds, so the lease can be short (a dead worker's upload is free
again within `lease_seconds`) while a long OCR run keeps its claim. The renewal is a compare-and-set on the
claim's attempt number: a claim taken over by another worker is never renewed again. A page task also renews its
page's own lease (`also`), which does not depend on the upload's claim: the page read stays good under a new claim."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Heartbeat:
    """Used by `process_upload` as a context manager around the pipeline call. `lost` is set when the claim
    was taken over (the row's attempt number changed): the task's result is then not saved."""

    def __init__(self, repo, upload_id: str, attempt: int, *, lease_seconds: float, interval: float,
                 also: Callable[[], object] | None = None) -> None:
        self.repo, self.upload_id, self.attempt = repo, upload_id, attempt
        self.lease_seconds, self.interval, self.also = lease_seconds, interval, also
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{upload_id[:8]}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 1)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if self.also is not None:
                    self.also()
                if not self.lost.is_set() and not self.repo.renew_lease(self.upload_id, self.attempt, self.lease_seconds):
                    logger.warning("upload %s: claim %d was taken over; its result will not be saved",
                                   self.upload_id, self.attempt)
                    self.lost.set()
                    if self.also is None:
                        return
            except Exception:  # noqa: BLE001 - the database may come back before the lease runs out
                logger.warning("upload %s: lease renewal failed; retrying", self.upload_id, exc_info=True)

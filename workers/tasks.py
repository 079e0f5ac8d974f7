"""Thin Celery tasks: load by id, call one pipeline or case-layer function, save idempotently, return a short
status. Retries, time limits and routing are Celery's; what a task does is workers/cases/ and pipeline/runner.py."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from pipeline import runner
from pipeline.errors import InfrastructureError, TaskTimeout
from storage import webhooks as webhook_outbox
from workers import fanout, webhooks
from workers.cases.intake import upload_of
from workers.celery_app import app, publish
from workers.lease import Heartbeat
from workers.wiring import worker_services

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _build_once_per_process(**_kwargs) -> None:
    # The OCR engine is built here, once per worker process; Celery waits `worker_start_timeout` for it
    # (workers/celery_app.py), not its default 4 s, which a loaded machine's 3 s engine build overran.
    worker_services()
    install_webhook_publisher()  # events this worker records (upload.done, case.assessed) go out after commit


@app.task(bind=True, name="yichuang.process_upload", max_retries=3)
def process_upload(self, upload_id: str) -> str:
    svc = worker_services()
    s = svc.settings
    try:
        row = svc.repo.claim(upload_id, s.lease_seconds, s.max_attempts)
    except InfrastructureError as exc:  # the database is away: this message tries again; the sweeper also would
        raise self.retry(exc=exc, countdown=5)
    if row is None:
        return "skipped"  # a duplicate delivery, a row another worker holds, or already finished
    try:
        data = svc.store.get(row.object_key)
        if fanout.start(svc, row, data, send_pages):
            return "fanned_out"  # one task per page, then a join (workers/fanout.py)
        with Heartbeat(svc.repo, upload_id, row.attempts, lease_seconds=s.lease_seconds, interval=s.heartbeat_interval):
            upload = upload_of(row)
            documents = runner.process(upload, data, svc.deps, at=upload.received_at)
    except SoftTimeLimitExceeded:
        return _timed_out(svc, row)
    except InfrastructureError as exc:
        svc.repo.requeue(upload_id, row.attempts)
        raise self.retry(exc=exc, countdown=10 * row.attempts)
    if not svc.repo.finish(upload_id, documents, attempt=row.attempts):
        return "superseded"  # the lease ran out and another claim took the row: its result counts
    logger.info("upload %s done: %d documents", upload_id, len(documents))
    if row.case_id:
        enqueue_assessment(row.case_id, row.queue)
    return "done"


def _timed_out(svc, row) -> str:
    """The soft time limit: another attempt through a new message while attempts remain, else `failed`."""
    if row.attempts < svc.settings.max_attempts:
        if svc.repo.requeue(row.id, row.attempts):
            send_upload(svc.repo, row.id, row.queue)  # the sweeper would find the row anyway, later
        return "timeout"
    svc.repo.fail(row.id, TaskTimeout.code, TaskTimeout.message, attempt=row.attempts)
    if row.case_id:
        enqueue_assessment(row.case_id, row.queue)  # a failed file sends the case to a person
    return "timeout"


def send_upload(repo, upload_id: str, queue: str) -> None:
    """A new message for a row put back to `queued`; a broker that is down leaves it to the sweeper."""
    try:
        publish(process_upload, [upload_id], queue)
        repo.mark_enqueued(upload_id)
    except Exception:  # noqa: BLE001 - the row is queued in the database, the source of truth
        logger.warning("could not enqueue upload %s again; the sweeper will", upload_id, exc_info=True)


@app.task(bind=True, name="yichuang.read_page", max_retries=3)
def read_page(self, upload_id: str, attempt: int, number: int, count: int) -> str:
    """One page of a fanned-out upload; the last page read sends the join."""
    try:
        return fanout.read_page(worker_services(), upload_id, attempt, number, count, send_pages)
    except SoftTimeLimitExceeded:
        return "timeout"  # the lease runs out and the sweeper sends the upload again
    except InfrastructureError as exc:
        raise self.retry(exc=exc, countdown=5)


@app.task(bind=True, name="yichuang.join_pages", max_retries=3)
def join_pages(self, upload_id: str, attempt: int, count: int) -> str:
    try:
        status, row = fanout.join(worker_services(), upload_id, attempt, count)
    except InfrastructureError as exc:
        raise self.retry(exc=exc, countdown=5)
    if row is not None and row.case_id:
        enqueue_assessment(row.case_id, row.queue)
    return status


def send_pages(kind: str, args: list, queue: str) -> None:
    publish(read_page if kind == "page" else join_pages, args, queue)


@app.task(bind=True, name="yichuang.assess_case", max_retries=5)
def assess_case(self, case_id: str) -> str:
    """Recompute the case's assessment from the database and save it with a version check (idempotent)."""
    svc = worker_services()
    try:
        saved = svc.cases.reassess(case_id, svc.assessor)
    except InfrastructureError as exc:  # lost too many races, or the licence library is down: later
        raise self.retry(exc=exc, countdown=2 * (self.request.retries + 1))
    return saved.decision if saved is not None else "no_case"


def enqueue_assessment(case_id: str, queue: str) -> None:
    """After an upload of the case finished; a lost message leaves the previous assessment until the next one."""
    try:
        publish(assess_case, [case_id], queue)
    except Exception:  # noqa: BLE001 - the upload itself is done; never fail it for this
        logger.exception("could not enqueue the assessment of case %s", case_id)


@app.task(bind=True, name="yichuang.deliver_webhook", max_retries=None)
def deliver_webhook(self, delivery_id: str) -> str:
    """One attempt of a webhook delivery; the backoff, the attempt cap and the log are workers/webhooks.py's."""
    svc = worker_services()
    outcome = webhooks.deliver(svc.webhooks, delivery_id, svc.settings.webhooks, svc.secret)
    if outcome.retry_in is not None and outcome.retry_in <= svc.settings.task_time_limit:
        raise self.retry(countdown=outcome.retry_in)
    # A longer wait stays in the database (pending, next_attempt_at): the sweeper sends it when due. Redis hands
    # a message held past its visibility timeout to another worker, so long countdowns would multiply copies.
    return outcome.status


def send_deliveries(delivery_ids: list[str]) -> None:
    """The outbox's publisher (storage/webhooks.py set_publisher): one message per delivery on `webhooks`."""
    for delivery_id in delivery_ids:
        publish(deliver_webhook, [delivery_id], "webhooks")


def send_delivery(delivery_id: str) -> None:
    """The sweeper's sender for a delivery whose message was lost."""
    publish(deliver_webhook, [delivery_id], "webhooks", resend=True)


def sweep_webhooks(engine, grace_seconds: float) -> int:
    """`yichuang serve`'s sweeper and `yichuang sweep`: deliveries whose message was lost, published again."""
    return webhooks.sweep_deliveries(webhook_outbox.WebhookStore(engine), send_delivery, grace_seconds)


def install_webhook_publisher() -> None:
    """Deliveries recorded in this process are published right after their transaction commits (the API with
    Celery configured, `yichuang sweep`); the worker installs it at process start."""
    webhook_outbox.set_publisher(send_deliveries)

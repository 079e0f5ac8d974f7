"""Thin Celery tasks: load by id, call one pipeline function, save idempotently, return a short status."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from pipeline import runner
from pipeline.errors import InfrastructureError, TaskTimeout
from workers import wiring
from workers.celery_app import app, publish

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _build_once_per_process(**_kwargs) -> None:
    wiring.worker_services()  # the OCR engine is built here, once per worker process


@app.task(bind=True, name="yichuang.process_upload", max_retries=3)
def process_upload(self, upload_id: str) -> str:
    svc = wiring.worker_services()
    s = svc.settings
    row = svc.repo.claim(upload_id, s.task_time_limit + s.lease_margin, s.max_attempts)
    if row is None:
        return "skipped"  # a duplicate delivery, or already finished
    try:
        upload = wiring.upload_from_row(row)
        documents = runner.process(upload, svc.store.get(row.object_key), svc.deps, at=upload.received_at)
    except SoftTimeLimitExceeded:
        if row.attempts < s.max_attempts:
            svc.repo.requeue(upload_id)
            return "timeout"
        svc.repo.fail(upload_id, TaskTimeout.code, TaskTimeout.message)
        if row.case_id:
            enqueue_assessment(row.case_id, row.queue)  # a failed file sends the case to a person
        return "timeout"
    except InfrastructureError as exc:
        svc.repo.requeue(upload_id)
        raise self.retry(exc=exc, countdown=10 * row.attempts)
    svc.repo.finish(upload_id, [d.model_dump(mode="json") for d in documents])
    logger.info("upload %s done: %d documents", upload_id, len(documents))
    if row.case_id:
        enqueue_assessment(row.case_id, row.queue)
    return "done"


@app.task(bind=True, name="yichuang.assess_case", max_retries=5)
def assess_case(self, case_id: str) -> str:
    """Recompute the case's assessment from the database and save it with a version check (idempotent)."""
    svc = wiring.worker_services()
    try:
        saved = _case_repository(svc).reassess(case_id, _assessor(svc))
    except InfrastructureError as exc:  # lost too many races, or the licence library is down: later
        raise self.retry(exc=exc, countdown=2 * (self.request.retries + 1))
    return saved.decision if saved is not None else "no_case"


def enqueue_assessment(case_id: str, queue: str) -> None:
    """After an upload of the case finished; a lost message leaves the previous assessment until the next one."""
    try:
        publish(assess_case, [case_id], queue)
    except Exception:  # noqa: BLE001 - the upload itself is done; never fail it for this
        logger.exception("could not enqueue the assessment of case %s", case_id)


def _case_repository(svc):
    from storage.cases import CaseRepository

    if getattr(svc, "cases", None) is None:
        svc.cases = CaseRepository(svc.repo.engine)
    return svc.cases


def _assessor(svc):
    from pipeline.library import NullLicenceLibrary
    from validators.assess import Assessor
    from workers.case_flow import build_calendar

    if getattr(svc, "assessor", None) is None:
        library = getattr(svc, "library", None) or NullLicenceLibrary()
        svc.assessor = Assessor(thresholds=svc.settings.thresholds, types=svc.deps.types, library=library,
                                calendar=build_calendar(svc.settings), checks=svc.deps.checks)
    return svc.assessor

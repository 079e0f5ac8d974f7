"""Runs the stages over one file: decode -> preprocess -> read (-> whole frames for weak crops) -> classify ->
pixels for seals and codes (fast text pages rendered on demand) -> under_seals -> extract (-> cut edges confirmed) -> handwriting -> marks -> check -> text layer evidence
(pipeline/text_layer.py).

Who calls it: the Celery task (workers/tasks.py) and `yichuang verify` (api/cli.py), with dependencies
built once per process by workers/wiring.py. It returns documents; it stores only derived page images
(through the object store it is given) and never changes the original.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from pipeline import capture_review, stages, text_layer
from pipeline.confidence import Calibrator
from pipeline.decode import decode
from pipeline.errors import InputError
from pipeline.interfaces import SHANGHAI, NoSignatureVerifier, ObjectStore, OcrEngine, SignatureVerifier
from pipeline.models import Document, FileError, Reading, Upload
from pipeline.registry import CheckRegistry, TypeRegistry
from pipeline.settings import Limits, Thresholds

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dependencies:
    engine: OcrEngine | None
    store: ObjectStore
    types: TypeRegistry
    checks: CheckRegistry
    calibrator: Calibrator
    limits: Limits
    thresholds: Thresholds
    signatures: SignatureVerifier = NoSignatureVerifier()
    capture: Any = None  # pipeline.capture.CaptureSettings


def make_upload(data: bytes, source: str, received_at: dt.datetime, *, key: str = "", upload_id: str | None = None,
                hints=None) -> Upload:
    from pipeline.models import Hints

    return Upload(
        id=upload_id or str(uuid.uuid4()), key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        source=source, received_at=received_at, hints=hints or Hints(),
    )


def process(upload: Upload, data: bytes, deps: Dependencies, at: dt.datetime, *, cross: bool = True) -> list[Document]:
    """Every file yields at least one document: `unknown` if nothing is recognised, or with `error` set
    when the file cannot be used. Exceptions escape only for broken infrastructure. `cross=False` leaves the
    checks across documents to the caller, who runs them once over a whole batch (`yichuang verify`).
    The same as reading each page apart (`read`, per page in pipeline/page_reading.py) and joining them
    (`documents`)."""
    try:
        kind, raw_pages = decode(data, deps.limits)
    except InputError as exc:
        return [error_document(upload, exc)]
    images = stages.Images(deps.store)
    reading = read(upload, kind, raw_pages, deps, images)
    return documents(upload, data, reading, raw_pages, deps, at, images=images, cross=cross)


def read(upload: Upload, kind: str, raw_pages: list, deps: Dependencies, images: stages.Images) -> Reading:
    """The page stages: capture (preprocess), OCR or the text layer (read), whole frames for weak crops. Each
    page is read on its own: a file's pages may be read by several workers (pipeline/page_reading.py)."""
    container = kind if kind in ("pdf", "ofd") else "image"
    pages = stages.preprocess(upload, container, raw_pages, deps.engine, images, deps.capture)
    reading = stages.read(pages, raw_pages, deps.engine, images)
    return capture_review.read_whole_frames(reading, raw_pages, deps.engine, images, deps.types,
                                            deps.thresholds.type, deps.capture)


def documents(upload: Upload, data: bytes, reading: Reading, raw_pages: list, deps: Dependencies, at: dt.datetime, *,
              images: stages.Images | None = None, cross: bool = True) -> list[Document]:
    """The file stages over all its read pages: signatures, classify (pages joined into documents), then per
    document seals, extraction, handwriting, marks, checks and text layer evidence; checks across documents."""
    today = at.astimezone(SHANGHAI).date()
    images = images or stages.Images(deps.store)
    signatures = ()
    if reading.kind in ("pdf", "ofd"):
        try:
            signatures = tuple(deps.signatures.verify(data, reading.kind, at))
        except InputError as exc:
            return [error_document(upload, exc)]
    out = []
    layers = {r.page: r.layer for r in raw_pages if r.layer is not None}
    for classified in stages.classify(reading, deps.types, deps.thresholds):
        classified = stages.pixels_for(classified, deps.types, raw_pages, images)
        classified, found_seals = stages.under_seals(classified, deps.types, deps.engine, images)
        doc = stages.extract(classified, deps.types, deps.calibrator)
        doc = capture_review.review_edges(doc, classified, deps.types)
        doc = stages.handwriting(doc, classified, deps.types, images)
        doc = stages.marks(doc, classified, deps.types, deps.engine, images, found_seals)
        doc_type = deps.types.get(doc.type)
        classes = doc_type.field_classes if doc_type else {}
        doc = stages.check(doc, deps.checks, today, deps.thresholds, classes)
        doc = text_layer.compare(doc, classified, layers, deps.types, deps.thresholds)
        if signatures and not out:
            # signatures belong to the file: shown once, on its first document
            doc = doc.model_copy(update={"signatures": signatures})
        out.append(doc)
    if not out:  # an OFD without pages: still one document, with the file's signatures
        out.append(Document(id=str(uuid.uuid4()), source=upload.source, type="unknown", signatures=signatures,
                            upload_sha256=upload.sha256))
    return cross_check(out, deps, today) if cross else out


def cross_check(documents: list[Document], deps: Dependencies, today: dt.date) -> list[Document]:
    """Checks across the documents of one file or one `verify` batch (e.g. an ID card's two sides). A finding the
    document already carries is not added again."""
    from pipeline.registry import CheckContext

    ctx = CheckContext(today=today, thresholds=deps.thresholds)
    by_id = {d.id: d for d in documents}
    added: dict[str, list] = {}
    for run in deps.checks.cross_checks():
        for cross in run(documents, ctx):
            involved = [by_id[i] for i in cross.involved if i in by_id]
            classes = [(deps.types.get(d.type).field_classes if deps.types.get(d.type) else {}) for d in involved]
            added.setdefault(cross.document_id, []).append(stages.to_finding(cross.failure, involved, classes, deps.thresholds))
    out = []
    for d in documents:
        new = [f for f in dict.fromkeys(added.get(d.id, ())) if f not in d.findings]  # run twice, said once
        out.append(d.model_copy(update={"findings": d.findings + tuple(new)}) if new else d)
    return out


def error_document(upload: Upload, exc: InputError) -> Document:
    logger.info("file rejected: %s", exc.code)
    return Document(id=str(uuid.uuid4()), source=upload.source, error=FileError(code=exc.code, message=exc.message),
                    upload_sha256=upload.sha256)

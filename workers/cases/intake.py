"""The one intake path: every file that comes in — POST /api/v1/documents (with or without a case), POST
/api/v1/cases/{id}/uploads, the counter page's scan, POST /api/v1/verify — and every chip-reader record joins
the service here. The original is stored first and unchanged, the upload row committed `queued` (in a correction
round, a material's earlier uploads superseded in the same transaction), audited, then enqueued; a broker that is
down leaves the row to the sweeper. Errors as CaseRefused; `at` explicit.

Who calls it: api/app.py, api/cases.py, api/verify.py, api/pages/acts.py. Reading the request body is theirs;
what the bytes are (`inspect`) and where they may go (`check_target`) is decided here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline import case_states
from pipeline.decode import IMAGE_KINDS, MEDIA_TYPES, image_size, sniff
from pipeline.errors import (
    FORBIDDEN, NOT_FOUND, READER_INVALID, REQUEST_INVALID, TRANSITION_NOT_ALLOWED, CaseRefused, InputError,
    TooManyPixels,
)
from pipeline.interfaces import SHANGHAI
from pipeline.models import Document, FieldValue, Hints, Upload
from pipeline.numbers import id_is_valid, id_parse
from pipeline.settings import Limits
from storage.models import UploadRow
from storage.repository import Identity
from workers.wiring import Services

logger = logging.getLogger(__name__)

Enqueue = Callable[[str, str], None]  # (upload id, queue): Celery's in the service, a fake in the tests


@dataclass(frozen=True)
class Incoming:
    """A file as it came in: its bytes (refused already when empty or too large), its kind by content
    (`inspect`), the name the sender gave it and the sender's hints."""

    data: bytes
    kind: str
    filename: str = ""
    material: str | None = None
    person: str | None = None

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


@dataclass(frozen=True)
class Accepted:
    upload: UploadRow
    superseded: list[str]


def inspect(data: bytes, limits: Limits) -> str:
    """The kind of a file by its content, refused before anything is stored when empty, of an unsupported type,
    or (a header check before decoding: bombs refused here) an image of too many pixels."""
    kind = sniff(data)  # FileEmpty / UnsupportedType
    if kind in IMAGE_KINDS:
        try:
            image_size(data, limits)
        except InputError as exc:  # a header it cannot read is the worker's to report, as a document's error
            if exc.code == TooManyPixels.code:
                raise
    return kind


def check_target(svc: Services, who: Identity, case_id: str | None, material: str | None, person: str | None) -> None:
    """Before anything is stored: the case must exist, be visible to the caller and still take materials, and
    hints must name a material / person of the case's item and situation."""
    if case_id is None:
        return
    row = svc.cases.get(case_id)
    if row is None or not who.can_see(row):
        raise CaseRefused(NOT_FOUND, "找不到该办件")
    if row.status not in case_states.OPEN:  # a closed case takes no more materials, chip-reader records included
        raise CaseRefused(TRANSITION_NOT_ALLOWED, f"办件当前为“{case_states.STATES[row.status]}”状态，不能再提交材料")
    item = row.service_item
    codes = [m.code for m in item.materials_for(row.situation)]
    if material is not None and material not in codes:
        raise CaseRefused(REQUEST_INVALID, f"材料代码应为该办件所需材料之一：{'、'.join(codes)}")
    if person is not None and person not in item.persons:
        raise CaseRefused(REQUEST_INVALID, f"人员代码应为 {'、'.join(item.persons)} 之一")


def accept(svc: Services, enqueue: Enqueue, who: Identity, incoming: Incoming, *, case_id: str | None,
           at: dt.datetime, queue: str | None = None, audit: bool = True) -> Accepted:
    """Store, record, audit, enqueue. The caller has checked role, target (`check_target`) and content
    (`inspect`). `queue`: the counter's for a clerk, else bulk, unless the caller says (verify waits on the
    counter's). `audit=False`: the caller audits once it knows the outcome (verify). When an upload superseded
    earlier ones, the case is reassessed at once (their documents leave the assessment)."""
    key = svc.store.put(incoming.data, content_type=incoming.media_type)  # the original, first and unchanged
    queue = queue or ("counter" if who.role == "clerk" else "bulk")
    row, gone = svc.cases.add_upload(
        owner_key_id=who.key_id, hall=who.hall, case_id=case_id, object_key=key, sha256=key.split("/")[1],
        size=len(incoming.data), filename=incoming.filename[:500], media_type=incoming.media_type,
        material_hint=incoming.material, person_hint=incoming.person, queue=queue, received_at=at)
    if audit and case_id is not None:
        svc.repo.audit(who, "case.upload", "case", case_id, upload_id=row.id, size=len(incoming.data),
                       material=incoming.material, superseded=gone)
    elif audit:
        svc.repo.audit(who, "upload.create", "upload", row.id, size=len(incoming.data), media_type=incoming.media_type,
                       queue=queue)
    try:
        enqueue(row.id, queue)
        svc.repo.mark_enqueued(row.id)
    except Exception:  # noqa: BLE001 - the row stays queued; the sweeper enqueues it later
        logger.warning("enqueue failed for upload %s; the sweeper will retry", row.id, exc_info=True)
    if gone:
        svc.cases.reassess(case_id, svc.assessor)
    return Accepted(row, gone)


def upload_of(row: UploadRow) -> Upload:
    """The stage object of an upload row, for the worker (workers/tasks.py) and the tests."""
    received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=dt.timezone.utc)
    return Upload(id=row.id, key=row.object_key, sha256=row.sha256, size=row.size, source=row.filename,
                  media_type=row.media_type, received_at=received.astimezone(SHANGHAI),
                  hints=Hints(material=row.material_hint, person=row.person_hint))


# --- chip-reader records ----------------------------------------------------------------------------------------

READER_FRONT = ("name", "sex", "ethnicity", "birth_date", "address", "id_number")
READER_BACK = ("issuing_authority", "valid_from", "valid_until")


@dataclass(frozen=True)
class ReaderAccepted:
    upload: UploadRow
    documents: list[Document]
    superseded: list[str]
    assessment: Any  # the case's new Assessment, or None


def add_reader_record(svc: Services, who: Identity, case_id: str, *, record: dict[str, Any], photo: bytes | None,
                      material: str | None, person: str | None, at: dt.datetime, via: str | None = None
                      ) -> ReaderAccepted:
    """An ID card reader's record (二代证阅读器), entered by a clerk: authoritative, so one front and one back
    document at confidence 1.0 with source `reader`; the record itself is stored like an original upload; audited
    (`via`: the page it came from), and the case reassessed at once. `record`: the reader's fields as JSON
    values (dates ISO); `photo`: its JPEG, PNG or BMP, checked by the caller."""
    if who.role != "clerk":
        raise CaseRefused(FORBIDDEN, "只有窗口工作人员可以录入读卡器信息")
    check_target(svc, who, case_id, material, person)
    record = {**record, "id_number": record["id_number"].upper()}
    _check_reader(record)
    raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
    key = svc.store.put(raw, content_type="application/json")
    photo_key = svc.store.put(photo, content_type=MEDIA_TYPES[sniff(photo)]) if photo else None

    def fields(names):
        return {n: FieldValue(value=record[n], confidence=1.0, source="reader") for n in names if record.get(n) not in (None, "")}

    front = Document(id=str(uuid.uuid4()), source="chip_reader", type="id_card_front", type_confidence=1.0,
                     fields=fields(READER_FRONT), image_keys=(photo_key,) if photo_key else (), upload_sha256=key.split("/")[1])
    back = Document(id=str(uuid.uuid4()), source="chip_reader", type="id_card_back", type_confidence=1.0,
                    fields=fields(READER_BACK), upload_sha256=key.split("/")[1])
    documents = [front, back]
    upload, gone = svc.cases.add_upload(documents, owner_key_id=who.key_id, hall=who.hall, case_id=case_id,
                                        object_key=key, sha256=key.split("/")[1], size=len(raw),
                                        filename="chip_reader.json", media_type="application/json",
                                        material_hint=material, person_hint=person, queue="counter",
                                        received_at=at, finished_at=at)
    svc.repo.audit(who, "case.reader", "case", case_id, upload_id=upload.id, superseded=gone,
                   **({"via": via} if via else {}))
    return ReaderAccepted(upload, documents, gone, svc.cases.reassess(case_id, svc.assessor))


def _check_reader(record: dict[str, Any]) -> None:
    if not id_is_valid(record["id_number"]):
        raise CaseRefused(READER_INVALID, "读卡器返回的公民身份号码校验不通过，请重新读卡")
    parsed = id_parse(record["id_number"])
    if parsed.birth_date.isoformat() != record["birth_date"] or parsed.sex != record["sex"]:
        raise CaseRefused(READER_INVALID, "读卡器返回的出生日期或性别与公民身份号码不一致，请重新读卡")
    if record["valid_until"] != "长期" and record["valid_until"] < record["valid_from"]:  # both ISO dates
        raise CaseRefused(READER_INVALID, "读卡器返回的有效期截止日期早于起始日期，请重新读卡")

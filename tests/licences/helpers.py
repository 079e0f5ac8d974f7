"""Shared helpers of the licence-library tests: the committed sample library, hand-made documents of the
reference item (as the pipeline would hand them over, checked by the document checks), and an embedded
library loaded from the sample on SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

from extractors import build_registry
from pipeline import stages
from pipeline.assessment import Submitted
from pipeline.interfaces import SHANGHAI
from pipeline.models import Document, FieldValue
from pipeline.settings import Thresholds
from validators import build_checks
from validators.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "licences"
INDEX = SAMPLE / "index.json"
RECORDS = json.loads(INDEX.read_text(encoding="utf-8"))
TODAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
CATALOG = load_catalog()
ITEM = CATALOG.get("individual-business-registration")
TYPES = build_registry()
CHECKS = build_checks()
ZHANG = "110105199003071239"
_ids = itertools.count(1)


def record(holder: str, type_code: str, status: str | None = None) -> dict:
    """The sample record of that holder and type (and source status, when several)."""
    return next(r for r in RECORDS if r["holder"] == holder and r["type_code"] == type_code
                and (status is None or r["status"] == status))


def doc(type_code: str, *, sha: str | None = None, low: tuple[str, ...] = (), **values) -> Document:
    n = next(_ids)
    fields = {k: FieldValue(value=v, confidence=0.5 if k in low else 0.99) for k, v in values.items()}
    d = Document(id=f"{type_code}-{n}", source=f"scan-{n}.jpg", type=type_code, type_confidence=0.97,
                 upload_sha256=sha or f"sha-{n}", fields=fields)
    registered = TYPES.get(type_code)
    return stages.check(d, CHECKS, TODAY, Thresholds(), registered.field_classes if registered else {})


def application(**changes) -> Document:
    values = dict(operator_name="张三", operator_id_number=ZHANG, premises_address="北京市朝阳区建国路1号",
                  business_scope="日用百货零售", phone="13800000000", signed=True, signed_on="2026-11-20")
    return doc("application_form", **{**values, **changes})


def property_certificate() -> Document:
    return doc("property_certificate", certificate_number="京(2020)朝阳区不动产权第0012345号", holder="张三",
               co_ownership="单独所有", location="北京市朝阳区建国路1号", unit_number="110105001001GB00001F00010001",
               right_type="国有建设用地使用权/房屋所有权", usage="商业", area="86.5")


def zhang_card(valid_from: str = "2021-05-10", valid_until: str = "2041-05-10", name: str = "张三",
               id_number: str = ZHANG) -> list[Document]:
    sha = f"card-{next(_ids)}"
    return [doc("id_card_front", sha=sha, name=name, sex="男", ethnicity="汉", birth_date="1990-03-07",
                address="北京市朝阳区建国路1号", id_number=id_number),
            doc("id_card_back", sha=sha, issuing_authority="北京市公安局朝阳分局", valid_from=valid_from,
                valid_until=valid_until)]


def assess(assessor, *documents, situation: str = "self", item=ITEM, at: dt.datetime = AT):
    flat: list[Document] = []
    for entry in documents:
        flat += entry if isinstance(entry, list) else [entry]
    return assessor.assess(item, situation, [Submitted(document=d) for d in flat], at)


def statuses(result) -> dict[str, str]:
    return {m.code: m.status for m in result.materials}


def codes(material, severity: str | None = None) -> set[str]:
    return {f.code for f in material.findings if severity is None or f.severity == severity}

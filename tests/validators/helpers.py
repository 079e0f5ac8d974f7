"""Hand-made documents (no OCR) and a synthetic case assessed against the reference catalog: the builders and
readers the assessment tests share (tests/validators/test_assess.py, test_seals.py, test_joining.py,
test_citizen_text.py, checks/test_identity.py). Plain functions and constants; documents are checked by the
registered checks as the pipeline would hand them over."""

from __future__ import annotations

import datetime as dt
import itertools

from extractors import build_registry
from pipeline import stages
from pipeline.assessment import Submitted
from pipeline.interfaces import SHANGHAI
from pipeline.models import Document, FieldValue, Hints
from pipeline.settings import Thresholds
from validators import build_checks
from validators.assess import Assessor
from validators.catalog import load_catalog

TODAY = dt.date(2026, 11, 23)  # a Monday
AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
CATALOG = load_catalog()
TYPES = build_registry()
CHECKS = build_checks()
ASSESSOR = Assessor(thresholds=Thresholds(), types=TYPES)
_ids = itertools.count(1)

OPERATOR = dict(name="张三", sex="男", birth_date="1990-03-07", id_number="110105199003071239", address="北京市朝阳区建国路1号")
OPERATOR_BACK = dict(issuing_authority="北京市公安局朝阳分局", valid_from="2021-05-10", valid_until="2041-05-10")
AGENT = dict(name="李四", sex="女", birth_date="1988-08-12", id_number="370811198808120420", address="山东省济宁市任城区古槐路8号")
AGENT_BACK = dict(issuing_authority="济宁市公安局任城分局", valid_from="2019-01-15", valid_until="2039-01-15")


def doc(type_code: str, confidence: float = 0.99, *, sha: str | None = None, low: tuple[str, ...] = (),
        checked_on: dt.date = TODAY, **values) -> Document:
    """A document as the pipeline would hand it over: fields with confidences, checked by the ID-card checks.
    Fields named in `low` are read with confidence 0.5."""
    n = next(_ids)
    fields = {k: FieldValue(value=v, confidence=0.5 if k in low else confidence) for k, v in values.items()}
    d = Document(id=f"{type_code}-{n}", source=f"scan-{n}.jpg", type=type_code, type_confidence=0.97,
                 upload_sha256=sha or f"sha-{n}", fields=fields)
    registered = TYPES.get(type_code)
    return stages.check(d, CHECKS, checked_on, Thresholds(), registered.field_classes if registered else {})


def card(person: dict, back: dict, *, low: tuple[str, ...] = (), back_low: tuple[str, ...] = (),
         checked_on: dt.date = TODAY, **changes) -> list[Document]:
    """Front and back of one card photocopied on one sheet (one file)."""
    sha = f"card-{next(_ids)}"
    front_values = {**person, **{k: v for k, v in changes.items() if k in person}}
    back_values = {**back, **{k: v for k, v in changes.items() if k in back}}
    return [doc("id_card_front", sha=sha, low=low, checked_on=checked_on, **front_values),
            doc("id_card_back", sha=sha, low=back_low, checked_on=checked_on, **back_values)]


def application(low: tuple[str, ...] = (), **changes) -> Document:
    values = dict(operator_name="张三", operator_id_number="110105199003071239", premises_address="北京市朝阳区建国路1号",
                  business_scope="日用百货零售", phone="13800000000", signed=True, signed_on="2026-11-20")
    return doc("application_form", low=low, **{**values, **changes})


def property_certificate(**changes) -> Document:
    values = dict(certificate_number="京(2020)朝阳区不动产权第0012345号", holder="张三", co_ownership="单独所有",
                  location="北京市朝阳区建国路1号", unit_number="110105001001GB00001F00010001", right_type="国有建设用地使用权/房屋所有权",
                  usage="商业", area="86.5")
    return doc("property_certificate", **{**values, **changes})


def power_of_attorney(low: tuple[str, ...] = (), **changes) -> Document:
    values = dict(principal_name="张三", principal_id_number="110105199003071239", agent_name="李四",
                  agent_id_number="370811198808120420", matter="代为办理个体工商户设立登记", valid_until="2026-12-31", signed=True)
    return doc("power_of_attorney", low=low, **{**values, **changes})


def submitted(items) -> list[Submitted]:
    out = []
    for entry in items:
        if isinstance(entry, Submitted):
            out.append(entry)
        elif isinstance(entry, list):
            out += submitted(entry)
        else:
            out.append(Submitted(document=entry))
    return out


def hinted(document: Document, material: str | None = None, person: str | None = None) -> Submitted:
    return Submitted(document=document, hints=Hints(material=material, person=person))


def assess(*documents, situation: str = "self", item: str = "individual-business-registration",
           assessor: Assessor = ASSESSOR, at: dt.datetime = AT, **kwargs):
    return assessor.assess(CATALOG.get(item), situation, submitted(documents), at, **kwargs)


def statuses(result) -> dict[str, str]:
    return {m.code: m.status for m in result.materials}


def problems(result) -> dict[str, set[str]]:
    """The definite problems the notice lists, per material: error findings of missing/invalid/tolerated."""
    return {m.code: {f.code for f in m.findings if f.severity == "error"}
            for m in result.materials if m.status in ("missing", "invalid", "tolerated")}


def reviews(result) -> dict[str, set[str]]:
    return {m.code: {f.code for f in m.findings if f.severity == "warning"}
            for m in result.materials if m.status == "needs_review"}


def self_complete() -> list:
    return [application(), card(OPERATOR, OPERATOR_BACK), property_certificate()]


def agent_complete() -> list:
    return [application(), card(OPERATOR, OPERATOR_BACK), property_certificate(), power_of_attorney(), card(AGENT, AGENT_BACK)]


# --- an organisation applying (public-place hygiene licence) -------------------------------------------


def uscc(region: str, org8: str) -> str:
    from pipeline.numbers import org_code_check_char, uscc_check_char

    first17 = "91" + region + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


CREDIT = uscc("110105", "MA3C4K5W")
REP = dict(name="王五", sex="男", birth_date="1975-02-03", id_number="370829197502031512", address="山东省嘉祥县城关镇")
REP_BACK = dict(issuing_authority="嘉祥县公安局", valid_from="2016-04-01", valid_until="长期")


def hygiene_form(**changes) -> Document:
    values = dict(entity_name="北京博远商贸有限公司", credit_code=CREDIT, legal_representative="王五",
                  legal_rep_id_number="370829197502031512", premises_address="北京市朝阳区建国路1号", signed=True)
    return doc("application_form", **{**values, **changes})


def business_licence(**changes) -> Document:
    values = dict(credit_code=CREDIT, name="北京博远商贸有限公司", entity_type="有限责任公司（自然人投资或控股）",
                  legal_representative="王五", registered_capital="100万元", established_on="2020-05-06",
                  address="北京市朝阳区建国路1号", business_scope="日用百货零售")
    return doc("business_licence", **{**values, **changes})

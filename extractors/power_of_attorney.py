"""授权委托书 (power_of_attorney): the principal (委托人) and the agent (受托人 / 代理人) with their ID numbers, the matter
(委托事项, or "代为办理…事宜" in a letter), the end of the validity (委托期限 / 委托有效期限 …至…), and whether the
principal signed.

Two shapes are read: a letter of labelled lines and a sentence, and the market regulator's table. An ID number
belongs to the person whose label comes last above it or on its row."""

from __future__ import annotations

import re

from extractors import _values as v
from extractors._classify import PageEvidence, clamp
from extractors._form import Form, Prose
from extractors._layout import field
from extractors._signature import judge, signature
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType

PRINCIPAL = ("委托人姓名", "委托人名称", "委托人")
AGENT = ("受托人姓名", "受托人", "委托代理人姓名", "委托代理人", "代理人姓名", "代理人", "指定代表姓名")
ID_LABELS = ("身份证件号码", "身份证号码", "公民身份号码", "身份证号")
SIGNATURE = ("委托人签字", "委托人(签字)", "委托人签名", "委托人(签名)", "委托人(签字或盖章)", "委托人签章")
LABELS = (*PRINCIPAL, *AGENT, *ID_LABELS, "委托事项", "委托权限", "委托有效期限", "委托期限", "有效期限", "联系电话",
          "固定电话", "移动电话", *SIGNATURE, "日期")
MATTER_SENTENCE = re.compile(r"代(?:为|表我|表本人|理)?办理(.{2,60}?)(?:事宜|事项|手续|相关事宜)[,，。;；]")
VALIDITY = re.compile(r"(?:委托期限|有效期限|委托有效期限|有效期)[:：]?(.{0,40}?)(?:。|$)")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(("委托书",)):
        score += 0.6
    elif ev.has("授权委托"):
        score += 0.25
    score += 0.1 if ev.has("委托人") else 0.0
    score += 0.1 if ev.has("受托人") or ev.has("代理人") else 0.0
    score += 0.1 if ev.has("委托事项") or ev.has("代为办理") else 0.0
    score += 0.1 if ev.has("委托期限") or ev.has("有效期限") else 0.0
    if ev.other_title("power_of_attorney"):
        score = min(score, 0.3)
    return clamp(score)


def extract(doc: Classified) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for page in doc.pages:
        for name, value in _page_fields(page).items():
            fields.setdefault(name, value)
    return fields


def _page_fields(page: PageReading) -> dict[str, FieldValue]:
    form = Form(page, LABELS)
    prose = Prose(page)
    fields: dict[str, FieldValue] = {}
    people = sorted((h for h in form.hits if h.label in PRINCIPAL + AGENT), key=lambda h: (h.row, h.x0))
    numbers = sorted((h for h in form.hits if h.label in ID_LABELS), key=lambda h: (h.row, h.x0))
    for hit in people:
        role = "principal" if hit.label in PRINCIPAL else "agent"
        if f"{role}_name" not in fields and (f := form.text_field(hit, v.names)):
            fields[f"{role}_name"] = f
    for hit in numbers:
        owner = [h for h in people if (h.row, h.x0) <= (hit.row, hit.x0)]
        if not owner:
            continue
        role = "principal" if owner[-1].label in PRINCIPAL else "agent"
        if f"{role}_id_number" not in fields and (f := form.text_field(hit, v.id_number)):
            fields[f"{role}_id_number"] = f
    if f := form.text_field(form.hit("委托事项", "委托权限"), v.cjk_text, multi=True):
        fields["matter"] = f
    elif f := prose.field(MATTER_SENTENCE, v.cjk_text):
        fields["matter"] = f
    if (hit := form.hit("委托有效期限", "委托期限", "有效期限")) is not None:
        used = [p for line in form.block(hit) for p in line]
        text = "".join(p.text for p in used)
        if until := _until(text):
            fields["valid_until"] = field(until, used, form.page, raw=text)
    if "valid_until" not in fields and (found := prose.search(VALIDITY)):
        if until := _until(found[0]):
            fields["valid_until"] = field(until, found[1], form.page, raw=found[0])
    sig = signature(form, form.hit(*SIGNATURE))
    if "signed" in sig:
        fields["signed"] = sig["signed"]
    return fields


def _until(text: str) -> str | None:
    """The end of a validity "自…至…" (the last date), or 长期."""
    found = v.dates(text)
    if len(found) >= 2 or (found and "至" in text and text.index("至") < text.find(found[0][:4])):
        return found[-1]
    if "长期" in text:
        return "长期"
    return found[0] if found and "至" not in text else None


DOCUMENT_TYPE = DocumentType(
    code="power_of_attorney",
    label="授权委托书",
    recognise=recognise,
    extract=extract,
    handwriting=judge,  # `signed` from the ink of the signature area (extractors/_signature.py)
    field_classes={"principal_name": "name", "principal_id_number": "id_number", "agent_name": "name",
                   "agent_id_number": "id_number", "matter": "text", "valid_until": "date", "signed": "enum"},
    seals=True,  # an organisation's 授权委托书 bears its seal (the catalog's `sealed` rule, validators/assess.py)
)

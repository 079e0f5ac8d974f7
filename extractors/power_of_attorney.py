"""授权委托书 (power_of_attorney): the principal (委托人) and the agent (受托人 / 代理人) with their ID numbers, the matter
(委托事项, or "代为办理…事宜" in a letter), the end of the validity (委托期限 / 委托有效期限 …至…), and whether the
principal signed.

Any layout is read two ways and the readings merged (extractors/_anchors.merge): by geometry (a label and the
value beside or under it; an ID number belongs to the person whose label comes last above it or on its row)
and by anchored wording in reading order (委托人：X，公民身份号码：Y。受托人：… ; 本人X（公民身份号码：Y）委托Z（…）为
我的代理人), where a value belongs to the anchor it follows and stops at the next party's anchor."""

from __future__ import annotations

import re

from extractors import _anchors as anchored
from extractors import _values as v
from extractors._classify import Clue, PageEvidence, anchor_words, clamp
from extractors._form import Form, Hit, Prose
from extractors._layout import field
from extractors._signature import judge, signature
from pipeline.models import Classified, FieldValue, PageReading
from pipeline.registry import DocumentType, FieldSpec

TITLES = ("委托书",)
# recognition evidence, each clue counted once; DocumentType.anchors are their words
CLUES = (Clue(("委托人",)), Clue(("受托人", "代理人")), Clue(("委托事项", "代为办理")), Clue(("委托期限", "有效期限")))
PRINCIPAL = ("委托人姓名", "委托人名称", "委托人")
AGENT = ("受托人姓名", "受托人", "委托代理人姓名", "委托代理人", "代理人姓名", "代理人", "指定代表姓名")
ID_LABELS = ("身份证件号码", "身份证号码", "公民身份号码", "身份证号")
SIGNATURE = ("委托人签字", "委托人(签字)", "委托人签名", "委托人(签名)", "委托人(签字或盖章)", "委托人签章")
LABELS = (*PRINCIPAL, *AGENT, *ID_LABELS, "委托事项", "委托权限", "委托有效期限", "委托期限", "有效期限", "联系电话",
          "固定电话", "移动电话", *SIGNATURE, "日期")
ROLES = {"principal": ("委托人", "委托单位", "委托方", "授权人"), "agent": ("受托人", "委托代理人", "代理人", "被委托人", "受托方")}
# a letter in the first person: 本人X（公民身份号码：Y），现委托Z（公民身份号码：W）为我的（合法/委托）代理人
LETTER = re.compile(r"(?:^|[\n|，,。])(?:本人|我)[|]?(?P<pname>[\u4e00-\u9fff·]{2,6}?)[|]?[（(,，]?[|]?(?:%s)[|]?[:：]?[|]?(?P<pid>[0-9Xx|]{17,21})"
                    r".{0,40}?委托[|]?(?P<aname>[\u4e00-\u9fff·]{2,6}?)[|]?(?:同志|先生|女士)?[|]?[（(,，]?[|]?(?:%s)[|]?[:：]?[|]?"
                    r"(?P<aid>[0-9Xx|]{17,21})" % (anchored._ID_ANCHOR, anchored._ID_ANCHOR), re.S)
MATTER_SENTENCE = re.compile(r"代(?:为|表我|表本人|理)?办理(.{2,60}?)(?:事宜|事项|手续|相关事宜)[,，。;；]")
VALIDITY = re.compile(r"(?:委托期限|有效期限|委托有效期限|有效期)[:：]?(.{0,40}?)(?:。|$)")


def recognise(page: PageReading) -> float:
    ev = PageEvidence.of(page)
    score = 0.0
    if ev.title(TITLES):
        score += 0.6
    elif ev.has("授权委托"):
        score += 0.25
    score = ev.add_clues(score, CLUES)
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
        if f"{role}_name" not in fields and (f := form.text_field(hit, v.first_name)):
            fields[f"{role}_name"] = f
    ordered = anchored.Ordered(page)
    for hit in numbers:
        owner = [h for h in people if (h.row, h.x0) <= (hit.row, hit.x0)]
        if not owner or _other_party_between(ordered, owner[-1], hit):
            continue
        role = "principal" if owner[-1].label in PRINCIPAL else "agent"
        if f"{role}_id_number" not in fields and (f := form.text_field(hit, v.id_number)):
            fields[f"{role}_id_number"] = f
    # whose a value is: the wording says it (委托人…，公民身份号码…。受托人…) better than the last label above it
    fields = anchored.merge(_worded(ordered), fields)
    if f := form.text_field(_printed_label(form, "委托事项", "委托权限"), v.cjk_text, multi=True):
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


def _other_party_between(ordered: anchored.Ordered, owner: Hit, number: Hit) -> bool:
    """A party's anchor inside a sentence (…。受托人：段燕，) stands between the label the geometry takes as the
    number's owner and the number's label: the number is that other party's."""
    start, end = ordered.start_of(owner.used[0]), ordered.start_of(number.used[0])
    if start is None or end is None or end <= start:
        return False
    between = ordered.text[start + len(owner.label):end]
    return any(word in between for words in ROLES.values() for word in words)


def _worded(ordered: anchored.Ordered) -> dict[str, FieldValue]:
    """The parties as the wording names them: a first-person letter, else the anchors 委托人 / 受托人."""
    out: dict[str, FieldValue] = {}
    if m := LETTER.search(ordered.text):
        for key, group, clean in (("principal_name", "pname", v.person_name_value), ("agent_name", "aname", v.person_name_value),
                                  ("principal_id_number", "pid", v.id_number), ("agent_id_number", "aid", v.id_number)):
            value = clean(m.group(group).replace("|", ""))
            if value and (f := ordered.field(value, *m.span(group))):
                out[key] = f
    for key, f in anchored.parties(ordered, ROLES).items():
        out.setdefault(key, f)
    return out


def _until(text: str) -> str | None:
    """The end of a validity "自…至…" (the last date), or 长期."""
    found = v.dates(text)
    if len(found) >= 2 or (found and "至" in text and text.index("至") < text.find(found[0][:4])):
        return found[-1]
    if "长期" in text:
        return "长期"
    return found[0] if found and "至" not in text else None


def _printed_label(form: Form, *labels: str) -> Hit | None:
    """The first of `labels` printed as a label: alone in its cell or followed by a colon. The same words glued
    into running text (受托人在委托权限内办理的事项, a wrapped line starting with them) are a sentence, not a label."""
    for hit in form.hits:
        if hit.label not in labels:
            continue
        if hit.rest is None or len(hit.used) > 1 or re.match(rf"\s*{re.escape(hit.label)}\s*[:：]", hit.used[0].text):
            return hit
    return None


DOCUMENT_TYPE = DocumentType(
    code="power_of_attorney",
    label="授权委托书",
    recognise=recognise,
    anchors=anchor_words(CLUES),
    extract=extract,
    handwriting=judge,  # `signed` from the ink of the signature area (extractors/_signature.py)
    fields={
        "principal_name": FieldSpec("委托人", "name"),
        "principal_id_number": FieldSpec("委托人证件号码", "id_number"),
        "agent_name": FieldSpec("受托人姓名", "name"),
        "agent_id_number": FieldSpec("受托人身份证号码", "id_number"),
        "matter": FieldSpec("委托事项"),
        "valid_until": FieldSpec("有效期截止日期", "date"),
        "signed": FieldSpec("签名", "enum"),
    },
    findings={
        "agent_id_number.birth_date": None,
        "agent_id_number.checksum": None,
        "agent_id_number.format": None,
        "power_of_attorney.expired": "授权委托书已超过委托期限，请提交在委托期限内的授权委托书",
        "power_of_attorney.same_person": "委托人与受托人不能是同一人，请重新提交授权委托书",
        "power_of_attorney.signature_unchecked": None,
        "power_of_attorney.unread": None,
        "power_of_attorney.unsigned": "授权委托书未经委托人签字，请签字后重新提交",
        "principal_id_number.birth_date": None,
        "principal_id_number.checksum": None,
        "principal_id_number.format": None,
    },
    seal_subject="principal_name",
    seal_default="organisation",
    unread_codes={'signed': ('power_of_attorney.signature_unchecked',)},
    titles=TITLES,
    seals=True,  # an organisation's 授权委托书 bears its seal (the catalog's `sealed` rule, validators/assess.py)
)

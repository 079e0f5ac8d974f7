"""Checks on the red seals found on paper (pipeline/seals.py) and on the civil records read by the new extractors
(legal-representative certificates, marriage certificates, household registers).

Seals are looked for only on types whose DocumentType sets `seals` (the budget), and judged by `judge`:
- `seal.missing`: the document must carry its organisation's seal and none was found. An `error` when the page
  shows no red ink at all; when red ink formed no readable seal the stage already gave `seal.unrecognised` (a
  warning) and nothing more is said.
- `seal.organisation_mismatch`: the seal names another organisation than the document's subject. An `error`
  only when the seal's reading is certain and the names differ clearly; a near match (one or two characters
  apart, as OCR misreads them) is `seal.organisation_uncertain`, a warning.

Who needs a seal is the catalog's to say (validators/catalog.SealedRule, judged per material by
validators/assess.py with `judge` and `party_kind`); the check registered here is the default that holds
without a service item (`yichuang verify` without --item): a 法定代表人身份证明书 always bears its organisation's
seal.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from pipeline import numbers
from pipeline.models import Document, Seal
from pipeline.registry import CheckContext, CheckRegistry, Failure
from validators import id_card
from validators.documents import _date, _id_failures, _missing
from validators.vocabulary import SEAL_DEFAULTS, SEAL_SUBJECTS

# Types that bear their organisation's seal whatever the item (checked on the document, before any catalog).
NEEDS_ORGANISATION_SEAL = tuple(t for t, when in SEAL_DEFAULTS.items() if when == "always")
NEAR = 0.7  # similarity at or above which two names differ by what OCR misreads
# Codes `judge` reports and the capture stage's own (pipeline/stages.marks).
SEAL_CODES = frozenset({"seal.missing", "seal.unrecognised", "seal.unread", "seal.organisation_mismatch",
                        "seal.organisation_uncertain"})
# The field stating the number of the party a seal's subject field names (an ID number or a credit code).
PARTY_NUMBER = {"principal_name": "principal_id_number", "organisation_name": "credit_code", "entity_name": "credit_code"}
# Words that end (or, the first group, occur in) the name of an organisation and no personal name.
ORGANISATION_WORDS = ("公司", "有限", "集团", "合作社", "事务所", "委员会", "联合会", "基金会")
ORGANISATION_ENDINGS = ("企业", "中心", "协会", "学会", "商会", "研究院", "研究所", "医院", "卫生院", "学校", "大学", "学院",
                        "幼儿园", "银行", "政府", "办事处", "工作室", "门市部", "经营部", "商行", "商店", "超市", "酒店", "饭店",
                        "宾馆", "诊所", "药房", "分行", "支行", "会所", "厂", "店", "局", "馆", "社", "站", "部", "院", "所", "场")


def _norm(name: str) -> str:
    return re.sub(r"[\s()（）]", "", name).replace("〇", "零")


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, _norm(a), _norm(b)).ratio()


def _best(seals: tuple[Seal, ...], subject: str) -> tuple[Seal, float] | None:
    scored = [(s, similarity(s.organisation, subject)) for s in seals if s.organisation and s.kind != "square"]
    return max(scored, key=lambda sc: sc[1]) if scored else None


def party_kind(name: str | None, number: str | None = None) -> str | None:
    """`organisation`, `person` or None (cannot tell) for the party a document names: by its number when read (a
    valid 公民身份号码 is a person, a 统一社会信用代码 an organisation), else by its name (…有限公司, …合作社 are
    organisations; two to four Chinese characters, or a name with ·, a person)."""
    if number:
        compact = numbers.uscc_compact(str(number))
        if numbers.id_is_valid(compact):
            return "person"
        id_shaped = re.fullmatch(r"\d{17}[\dX]", compact) is not None
        try:
            numbers.uscc_validate(compact, inner=False)
            return "organisation"
        except numbers.InvalidChecksum:
            # a misread ID number, or a credit code (early pilot codes fail the check, docs/domain.md)
            return "person" if id_shaped else "organisation"
        except numbers.ValidationError:
            pass
    text = _norm(str(name or ""))
    if not text:
        return None
    if len(text) >= 4 and (any(w in text for w in ORGANISATION_WORDS)
                           or any(text.endswith(w) and len(text) >= len(w) + 3 for w in ORGANISATION_ENDINGS)):
        return "organisation"
    if re.fullmatch(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]+·[\u4e00-\u9fff·]+", text):
        return "person"
    return None


def judge(doc: Document, subject_field: str, text_threshold: float, *, missing: str = "未加盖单位公章",
          where: str = "证明书中的单位名称") -> Iterator[Failure]:
    """The seal of the organisation `subject_field` names, on a document whose seals were looked for:
    seal.missing (error), seal.organisation_mismatch (error when certain), seal.organisation_uncertain and
    seal.unread (warnings). `where` says in the messages what the seal was compared with."""
    if any(f.code == "seal.unrecognised" for f in doc.findings):
        return  # red ink that is not a readable seal: the capture stage asked a person already
    organisation_seals = tuple(s for s in doc.seals if s.kind != "square")
    if not organisation_seals:
        yield Failure("seal.missing", missing, ())
        return
    subject = doc.value(subject_field)
    if not subject:
        return  # the unread name is reported by the document's own checks
    best = _best(organisation_seals, subject)
    if best is None:
        yield Failure("seal.unread", "未能识别印章上的单位名称，请人工核对", (), severity="warning")
        return
    seal, score = best
    if _norm(seal.organisation) == _norm(subject):
        return
    if score >= NEAR or seal.confidence < text_threshold:
        yield Failure("seal.organisation_uncertain",
                      f"印章上的单位名称（识别为“{seal.organisation}”）与{where}不完全一致，请人工核对",
                      (subject_field,), severity="warning")
    else:
        yield Failure("seal.organisation_mismatch", f"印章上的单位名称“{seal.organisation}”与{where}“{subject}”不一致",
                      (subject_field,))


def register(registry: CheckRegistry) -> None:
    @registry.register("seal.organisation", NEEDS_ORGANISATION_SEAL)
    def organisation_seal(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """seal.missing (error), seal.organisation_mismatch (error when certain), seal.organisation_uncertain
        and seal.unread (warnings)."""
        yield from judge(doc, SEAL_SUBJECTS[doc.type], ctx.thresholds.text)

    # --- 法定代表人身份证明书 -------------------------------------------------------------------

    @registry.register("legal_rep_certificate.fields", ("legal_rep_certificate",))
    def legal_rep_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """representative_id_number.format / .checksum / .birth_date (errors), credit_code.format (error),
        legal_rep_certificate.signed_future (error), legal_rep_certificate.unread (warning)."""
        yield from _id_failures(doc, "representative_id_number", "法定代表人身份证明书中法定代表人的")
        code = doc.value("credit_code")
        if code:
            try:
                numbers.uscc_validate(numbers.uscc_compact(code), inner=False)
            except numbers.InvalidChecksum:
                yield Failure("credit_code.checksum", "统一社会信用代码校验位未通过，请核对", ("credit_code",), severity="warning")
            except numbers.ValidationError:
                yield Failure("credit_code.format", "统一社会信用代码格式错误（应为18位，不含I、O、S、V、Z）", ("credit_code",))
        signed = _date(doc, "signed_on")
        if signed and signed > ctx.today:
            yield Failure("legal_rep_certificate.signed_future", "法定代表人身份证明书的出具日期晚于今天", ("signed_on",))
        yield from _missing(doc, ("organisation_name", "representative_name", "representative_id_number"),
                            "legal_rep_certificate.unread", "法定代表人身份证明书")

    # --- 结婚证 ---------------------------------------------------------------------------------

    @registry.register("marriage_certificate.fields", ("marriage_certificate",))
    def marriage_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """party1_id_number.* / party2_id_number.* (errors), marriage_certificate.registered_future (error),
        marriage_certificate.holder_not_party (warning), marriage_certificate.unread (warning)."""
        yield from _id_failures(doc, "party1_id_number", "结婚证中一方的")
        yield from _id_failures(doc, "party2_id_number", "结婚证中另一方的")
        registered = _date(doc, "registered_on")
        if registered and registered > ctx.today:
            yield Failure("marriage_certificate.registered_future", "结婚证的登记日期晚于今天", ("registered_on",))
        holder = doc.value("holder")
        parties = [doc.value("party1_name"), doc.value("party2_name")]
        if holder and all(parties) and holder not in parties:
            yield Failure("marriage_certificate.holder_not_party", "结婚证持证人不是登记的双方之一，请核对",
                          ("holder", "party1_name", "party2_name"), severity="warning")
        yield from _missing(doc, ("party1_name", "party1_id_number", "party2_name", "party2_id_number"),
                            "marriage_certificate.unread", "结婚证")

    # --- 居民户口簿 -----------------------------------------------------------------------------

    @registry.register("household_register.fields", ("household_register",))
    def household_fields(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
        """id_number.* of a member page (errors: format / checksum / birth_date), household_register.birth_mismatch
        and .sex_mismatch (errors: the number disagrees with the printed birth date or sex),
        household_register.unread (warning)."""
        if doc.value("page_kind") == "head":
            yield from _missing(doc, ("head_name", "address"), "household_register.unread", "户口簿户主页")
            return
        yield from _id_failures(doc, "id_number", "常住人口登记卡中的")
        number, birth, sex = doc.value("id_number"), doc.value("birth_date"), doc.value("sex")
        parsed = id_card.parts(number)  # a wrong check character does not hide a birth date that disagrees
        if parsed is not None:
            if birth and parsed.birth_date.isoformat() != birth:
                yield Failure("household_register.birth_mismatch", "公民身份证件编号中的出生日期与登记的出生日期不一致",
                              ("id_number", "birth_date"))
            if sex in ("男", "女") and parsed.sex != sex:
                yield Failure("household_register.sex_mismatch", "公民身份证件编号的性别位与登记的性别不一致",
                              ("id_number", "sex"))
        yield from _missing(doc, ("name", "id_number"), "household_register.unread", "常住人口登记卡")

"""Judging the red seals found on paper (pipeline/seals.py): whose seal a document bears and whether it is there.

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
    """The seal every document of a type declaring `seal_default="always"` bears (validators/checks/__init__)."""
    registry.register("seal.organisation", NEEDS_ORGANISATION_SEAL)(organisation_seal)


def organisation_seal(doc: Document, ctx: CheckContext) -> Iterator[Failure]:
    """seal.missing (error), seal.organisation_mismatch (error when certain), seal.organisation_uncertain
    and seal.unread (warnings)."""
    yield from judge(doc, SEAL_SUBJECTS[doc.type], ctx.thresholds.text)

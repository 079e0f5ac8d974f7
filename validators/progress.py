"""The public progress answer (办理进度查询): what a case number plus its query code may show anyone who holds the
notice — the state in citizen words, the dates of the steps, the item and the hall; never the applicant, the
agent, the clerk or an opinion. Pure; the lookup, the rate limit and the audit are in api/progress.py.

Query codes are compared in constant time (SHA-256 of both, then `hmac.compare_digest`), so neither the length
nor the first wrong character shows in the time of the answer. The code is kept as printed in `cases.query_code`:
a reprinted notice and the clerk's case view print the same code again, which a one-way hash could not do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from pipeline.interfaces import SHANGHAI
from pipeline.case_facts import ProgressFacts

# The state as a citizen reads it: what is happening and what, if anything, they have to do.
CITIZEN_WORDS: dict[str, str] = {
    "received": "已收到申请材料，正在核验",
    "prereview": "正在预审申请材料",
    "accepted": "已受理，正在审查",
    "accepted_tolerance": "已容缺受理，正在审查；请按容缺受理通知书载明的期限补交材料",
    "correction": "需要补齐补正材料，请按补正通知书的要求补交",
    "not_accepted": "不予受理，详见不予受理通知书",
    "reviewing": "已受理，正在审查",
    "suspended": "暂停办理（补正或特别程序期间），详见通知书",
    "withdrawn": "申请已撤回",
    "delivered": "已办结，办理结果已出件或送达",
    "archived": "已办结归档",
}
DECIDED_WORDS = {"approved": "已办结：准予许可，请按通知领取办理结果", "refused": "已办结：不予许可，详见不予许可决定书"}
STEP_WORDS = {"received": "收件", "accepted": "受理", "accepted_tolerance": "容缺受理", "correction": "补齐补正",
              "not_accepted": "不予受理", "reviewing": "审查", "suspended": "暂停办理", "withdrawn": "撤回",
              "decided": "办结", "delivered": "出件/送达", "archived": "归档"}
QUERY_CODE_LENGTH = 10  # storage/cases.py
UNKNOWN_CODE = "0" * QUERY_CODE_LENGTH  # compared against when the number is unknown: the same work either way


@dataclass(frozen=True)
class Progress:
    case_number: str
    state: str  # citizen words
    item_name: str
    hall: str
    received_on: dt.date
    steps: tuple[tuple[dt.date, str], ...]  # (Shanghai day, step in citizen words), oldest first


def normalized(code: str) -> str:
    """As typed from paper: spaces and dashes dropped, letters upper-cased."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def code_matches(stored: str, given: str) -> bool:
    """Constant-time comparison of the stored and the given query code (an empty stored code never matches)."""
    a = hashlib.sha256(normalized(stored).encode()).digest()
    b = hashlib.sha256(normalized(given).encode()).digest()
    return hmac.compare_digest(a, b) and bool(stored)


def state_words(status: str, outcome: str | None) -> str:
    if status == "decided":
        return DECIDED_WORDS.get(outcome or "", "已办结")
    return CITIZEN_WORDS.get(status, "正在办理")


def progress_of(case_number: str, facts: ProgressFacts, hall_name: str) -> Progress:
    steps = [(facts.received_at.astimezone(SHANGHAI).date(), "收件")]
    for e in facts.events:
        words = STEP_WORDS.get(e.to_state)
        if words and e.to_state != "prereview":
            steps.append((e.at.astimezone(SHANGHAI).date(), words))
    return Progress(case_number=case_number, state=state_words(facts.status, facts.outcome), item_name=facts.item_name,
                    hall=hall_name, received_on=steps[0][0], steps=tuple(steps))

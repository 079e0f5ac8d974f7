"""Case (办件) states and the transition table: which act moves a case from which states to which, and the
roles allowed to perform it (docs/domain.md).

The acceptance acts (受理, 容缺受理, 补齐补正, 不予受理) are the agency's, performed by a clerk; the decision
acts (准予, 不予许可, 退回补正, 挂起) a reviewer's. The machine only recommends: `RECOMMENDED_BY` maps an act to
the assessment decision it confirms; performing an act the machine did not recommend is an override and needs
a reason. `system` is the deadline sweeper (容缺 lapses). Pure data, no storage.
"""

from __future__ import annotations

from pipeline.errors import FORBIDDEN, TRANSITION_NOT_ALLOWED, UNKNOWN_ACT, CaseRefused

from dataclasses import dataclass

STATES: dict[str, str] = {
    "received": "收件",
    "prereview": "预审",
    "accepted": "受理",
    "accepted_tolerance": "容缺受理",
    "correction": "补齐补正",
    "not_accepted": "不予受理",
    "reviewing": "审查",
    "suspended": "挂起",
    "withdrawn": "撤回",
    "decided": "办结",
    "delivered": "出件/送达",
    "archived": "归档",
}
OUTCOMES = {"approved": "准予许可", "refused": "不予许可"}

BEFORE_ACCEPTANCE = ("received", "prereview", "correction")
OPEN = ("received", "prereview", "correction", "accepted", "accepted_tolerance", "reviewing", "suspended")
CLOCK_RUNNING = ("accepted", "accepted_tolerance", "reviewing")  # the promised period runs (art. 42)
NO_NOTICE_YET = ("received", "prereview")  # a notice is due within 5 working days of receipt


@dataclass(frozen=True)
class Transition:
    act: str
    label: str  # what a clerk or reviewer reads
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    reason_required: bool = False  # always, whatever the machine recommended
    outcome: str | None = None  # decided: approved | refused
    suspends_for: str | None = None  # suspended: why the clock stopped (correction | special_procedure)


TRANSITIONS: tuple[Transition, ...] = (
    Transition("prereview", "预审", ("received",), "prereview", ("clerk", "applicant")),
    Transition("accept", "受理", BEFORE_ACCEPTANCE, "accepted", ("clerk",)),
    Transition("accept_tolerance", "容缺受理", BEFORE_ACCEPTANCE, "accepted_tolerance", ("clerk",)),
    Transition("request_correction", "补齐补正", BEFORE_ACCEPTANCE, "correction", ("clerk",)),
    Transition("not_accept", "不予受理", BEFORE_ACCEPTANCE, "not_accepted", ("clerk",), reason_required=True),
    Transition("start_review", "开始审查", ("accepted", "accepted_tolerance"), "reviewing", ("reviewer",)),
    Transition("return_for_correction", "退回补正", ("reviewing",), "suspended", ("reviewer",), reason_required=True,
               suspends_for="correction"),
    Transition("suspend", "挂起（特别程序）", ("reviewing",), "suspended", ("reviewer",), reason_required=True,
               suspends_for="special_procedure"),
    Transition("resume", "恢复审查", ("suspended",), "reviewing", ("reviewer", "clerk")),
    Transition("approve", "准予许可", ("reviewing",), "decided", ("reviewer",), reason_required=True, outcome="approved"),
    Transition("refuse", "不予许可", ("reviewing",), "decided", ("reviewer",), reason_required=True, outcome="refused"),
    Transition("lapse_to_correction", "容缺逾期未补：转补齐补正", ("accepted_tolerance", "reviewing", "suspended"),
               "correction", ("system", "clerk"), reason_required=True),
    Transition("lapse_to_refusal", "容缺逾期未补：不予许可", ("accepted_tolerance", "reviewing", "suspended"),
               "decided", ("system", "clerk"), reason_required=True, outcome="refused"),
    Transition("withdraw", "撤回申请", OPEN, "withdrawn", ("clerk", "applicant"), reason_required=True),
    Transition("deliver", "出件/送达", ("decided",), "delivered", ("clerk",)),
    Transition("archive", "归档", ("delivered", "not_accepted", "withdrawn"), "archived", ("clerk", "admin")),
)
BY_ACT: dict[str, Transition] = {t.act: t for t in TRANSITIONS}

# The assessment decision each acceptance act confirms; any other recommendation makes the act an override.
RECOMMENDED_BY: dict[str, str] = {
    "accept": "accept",
    "accept_tolerance": "accept_with_tolerance",
    "request_correction": "correction_required",
}
LAPSE_ACTS = {"correction": "lapse_to_correction", "refused": "lapse_to_refusal"}


def check(act: str, state: str, role: str) -> Transition:
    """The transition for `act` from `state` by `role`, or CaseRefused saying why not."""
    transition = BY_ACT.get(act)
    if transition is None:
        raise CaseRefused(UNKNOWN_ACT, f"未知的办件操作：{act}")
    if role not in transition.roles:
        allowed = "、".join(ROLE_LABELS.get(r, r) for r in transition.roles)
        raise CaseRefused(FORBIDDEN, f"“{transition.label}”只能由{allowed}办理")
    if state not in transition.sources:
        raise CaseRefused(TRANSITION_NOT_ALLOWED,
                                f"办件当前为“{STATES.get(state, state)}”状态，不能办理“{transition.label}”")
    return transition


def is_override(act: str, recommendation: str | None) -> bool:
    """True when the act does not confirm the machine's recommendation (不予受理 is never recommended)."""
    return act == "not_accept" or (act in RECOMMENDED_BY and RECOMMENDED_BY[act] != recommendation)


ROLE_LABELS = {"clerk": "窗口工作人员", "reviewer": "审批人员", "applicant": "申请人", "admin": "管理员",
               "integrator": "对接系统", "system": "系统"}

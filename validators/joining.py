"""Pages scanned apart that make one document: in a case, a document of a multi-page type that opens without a title
of its own (`Document.continues`: the application's signature page scanned on its own) continues the document of
the same type scanned before it, from another file. The two are judged as one: the first's fields with the
continuation's fields it lacks (`signed`, `signed_on`), the type's checks run again on the whole, the pages' images
and handwriting areas together. Complete documents (each with its title) never join.

A clerk may also join documents by hand (`join_by_person`): two or more shots of one document photographed apart (the
two pages of a 户口簿, a two-page 授权委托书 whose second page has no title) are judged as one by the same `merge`,
in the order the clerk gave; a later `split` act on the first document undoes it. Joins by hand come first, then
the automatic continuations. Both report what they joined (`Joined.parts`): the assessment keeps it, so the pages
and the bundle show the joined document once with its pages in order.

Who calls it: validators/assess.py, after people's corrections and before assignment. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.assessment import PersonAct, Submitted
from pipeline.models import Document, Finding
from validators.person_acts import ROLE_WORDS

Recheck = Callable[[Document], list[Finding]]


@dataclass(frozen=True)
class Joined:
    """The documents after joining, and per joined document the ids of the documents merged into it, in page order
    (its own id not repeated)."""

    submitted: list[Submitted]
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)


def join_all(submitted: Sequence[Submitted], acts: Sequence[PersonAct], recheck: Recheck) -> Joined:
    """The clerk's joins first, then the automatic continuations (which may extend a document joined by hand)."""
    by_hand = join_by_person(submitted, acts, recheck)
    automatic = _continuations(by_hand.submitted, recheck)
    parts = dict(by_hand.parts)
    for head, tails in automatic.parts.items():
        parts[head] = parts.get(head, ()) + tuple(t for tail in tails for t in (tail, *by_hand.parts.get(tail, ())))
    return Joined(automatic.submitted, parts)


def _continuations(submitted: Sequence[Submitted], recheck: Recheck) -> Joined:
    """`submitted` in the order the files arrived; a continuation merges into the nearest earlier document of its type
    from another file that is not a continuation itself, and leaves the list."""
    out = list(submitted)
    parts: dict[str, tuple[str, ...]] = {}
    i = 0
    while i < len(out):
        doc = out[i].document
        head = _head_for(out[:i], doc) if doc.continues and doc.error is None else None
        if head is None:
            i += 1
            continue
        head_id = out[head].document.id
        parts[head_id] = parts.get(head_id, ()) + (doc.id,)
        out[head] = out[head].model_copy(update={"document": merge(out[head].document, doc, recheck)})
        del out[i]
    return Joined(out, parts)


def standing_joins(acts: Sequence[PersonAct]) -> dict[str, PersonAct]:
    """The joins by hand still standing after `acts` (oldest first), by their first document: a `join` act's
    `value` is `{"documents": [ids in page order]}`; a later `split` act naming the first document undoes it."""
    joins: dict[str, PersonAct] = {}
    for act in acts:
        ids = joined_ids(act)
        if act.kind == "join" and len(ids) >= 2:
            joins[ids[0]] = act
        elif act.kind == "split" and act.document:
            joins.pop(act.document, None)
    return joins


def joined_ids(act: PersonAct) -> list[str]:
    value = act.value if isinstance(act.value, dict) else {}
    return [str(d) for d in value.get("documents") or () if d]


def join_by_person(submitted: Sequence[Submitted], acts: Sequence[PersonAct], recheck: Recheck) -> Joined:
    """Each standing join merges its documents into its first, in the clerk's order; a join whose documents are no
    longer all in the case (a shot discarded or superseded since) is left aside: the shots are judged apart again."""
    out = list(submitted)
    parts: dict[str, tuple[str, ...]] = {}
    for head_id, act in standing_joins(acts).items():
        ids = joined_ids(act)
        at = {s.document.id: i for i, s in enumerate(out)}
        if any(d not in at for d in ids) or any(out[at[d]].document.error is not None for d in ids):
            continue
        doc = out[at[head_id]].document
        for tail in ids[1:]:
            doc = merge(doc, out[at[tail]].document, recheck)
        who = ROLE_WORDS.get(act.role, "工作人员")
        note = Finding(code="document.joined", severity="info",
                       message=f"{who}已将{len(ids)}张照片合并为一份材料" + (f"：{act.reason}" if act.reason else ""))
        out[at[head_id]] = out[at[head_id]].model_copy(
            update={"document": doc.model_copy(update={"findings": doc.findings + (note,), "continues": False})})
        out = [s for s in out if s.document.id not in ids[1:]]
        parts[head_id] = tuple(ids[1:])
    return Joined(out, parts)


def _head_for(before: Sequence[Submitted], doc: Document) -> int | None:
    for k in range(len(before) - 1, -1, -1):
        other = before[k].document
        if other.type == doc.type and other.error is None and not other.continues:
            same_file = other.upload_sha256 and other.upload_sha256 == doc.upload_sha256
            return None if same_file else k  # within one file the pages were already joined (or rightly not)
    return None


def merge(head: Document, tail: Document, recheck: Recheck) -> Document:
    """One document of `head` and its continuation `tail`: the checks' findings on `head` alone are replaced by
    those on the whole; its other findings (seals, capture) and the tail's are kept."""
    fields = {**{k: v for k, v in tail.fields.items() if k not in head.fields}, **head.fields}
    alone = {f.code for f in recheck(head.model_copy(update={"findings": ()}))}
    tail_alone = {f.code for f in recheck(tail.model_copy(update={"findings": ()}))}
    kept = [f for f in head.findings if f.code not in alone] + [f for f in tail.findings if f.code not in tail_alone]
    joined = head.model_copy(update={"fields": fields, "findings": (), "handwriting": head.handwriting + tail.handwriting,
                                     "seals": head.seals + tail.seals, "image_keys": head.image_keys + tail.image_keys})
    return joined.model_copy(update={"findings": tuple(dict.fromkeys([*kept, *recheck(joined)]))})

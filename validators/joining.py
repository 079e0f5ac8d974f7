"""Pages scanned apart that make one document: in a case, a document of a multi-page type that opens without a title
of its own (`Document.continues`: the application's signature page scanned on its own) continues the document of
the same type scanned before it, from another file. The two are judged as one: the first's fields with the
continuation's fields it lacks (`signed`, `signed_on`), the type's checks run again on the whole, the pages' images
and handwriting areas together. Complete documents (each with its title) never join.

Who calls it: validators/assess.py, after people's corrections and before assignment. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.assessment import Submitted
from pipeline.models import Document, Finding

Recheck = Callable[[Document], list[Finding]]


def join_continuations(submitted: Sequence[Submitted], recheck: Recheck) -> list[Submitted]:
    """`submitted` in the order the files arrived; a continuation merges into the nearest earlier document of its type
    from another file that is not a continuation itself, and leaves the list."""
    out = list(submitted)
    i = 0
    while i < len(out):
        doc = out[i].document
        head = _head_for(out[:i], doc) if doc.continues and doc.error is None else None
        if head is None:
            i += 1
            continue
        out[head] = out[head].model_copy(update={"document": merge(out[head].document, doc, recheck)})
        del out[i]
    return out


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

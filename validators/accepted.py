"""Accepted sets (docs/architecture.md "From findings to a decision"): a material whose accepted set is fully met is not
`invalid` because another document offered for it failed; what was said about that other document is kept for
information.

Example: 经营场所使用证明 accepts {不动产权证书} (自有房产) or {租赁合同 + 不动产权证书}. An operator who owns the premises
and also hands in an ended lease has met the first set: the lease's problems no longer block the material. A set is
met by documents without any error finding. A set that a larger alternative of the failed document contains (the
lessor's certificate that goes with a lease) stands on its own only where the catalog says when (the material's
`met_when`: the certificate's holder is the operator), and only when that value was read and agrees.

Who calls it: validators/assess.py, per material. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipeline.assessment import CaseFinding
from pipeline.models import Document
from validators import consistency
from validators.catalog import Material, SameRule
from validators.vocabulary import type_label


def met_aside(material: Material, docs: Sequence[Document], findings: Sequence[CaseFinding],
              stated_values: Callable[[str], list[tuple[Document, str, object]]]) -> tuple[Document, ...] | None:
    """The documents of an accepted set met on their own while another document offered for the material failed
    (an error finding), or None. `stated_values(ref)` gives the values a catalog reference points at."""
    failed = {f.document for f in findings if f.severity == "error" and f.document}
    if not failed or not material.accepted:
        return None
    clean = [d for d in docs if d.error is None and d.id not in failed]
    for alternative in material.accepted:
        chosen: list[Document] = []
        for type_code in alternative:
            doc = next((d for d in clean if d.type == type_code and d not in chosen), None)
            if doc is None:
                break
            chosen.append(doc)
        else:
            failed_types = {d.type for d in docs if d.id in failed and d not in chosen}
            if not failed_types:
                continue
            rules = [(rule, d) for rule in material.met_when for d in chosen if d.type == rule.document]
            # a set inside a larger one that the failed document belongs to (the certificate of a lease) stands on
            # its own only where the catalog says when; a set apart from the failed one stands as it is
            inside = any(set(alternative) < set(other) and failed_types & set(other) for other in material.accepted)
            if inside and not rules:
                continue
            if all(_holds(rule, d, stated_values) for rule, d in rules):
                return tuple(chosen)
    return None


def as_information(findings: Sequence[CaseFinding], met: Sequence[Document]) -> list[CaseFinding]:
    """Findings about documents outside the met set, turned into information that says why."""
    kept = {d.id for d in met}
    names = "、".join(dict.fromkeys(type_label(d.type) for d in met))
    out = []
    for f in findings:
        if f.document and f.document not in kept and f.severity != "info":
            f = f.model_copy(update={"severity": "info", "message": f"{f.message}（已提交的{names}已满足本材料要求，此项仅供参考）"})
        out.append(f)
    return out


def _holds(rule: SameRule, doc: Document, stated_values) -> bool:
    """The rule's value on `doc` was read and agrees with a value stated elsewhere (not merely "no finding")."""
    own = [doc.value(name) for name in rule.fields if doc.value(name) not in (None, "")]
    others = [v for ref in rule.refs for _d, _n, v in stated_values(ref) if v not in (None, "")]
    return any(consistency.same(rule.compare, a, b) for a in own for b in others)

"""Which material each document of a case belongs to (docs/architecture.md "Uploads, documents and materials").

Hints first (a `material` the clerk picked before scanning, or a `person` for identity documents); a type
that does not fit the hinted material is a warning. Then by type; identity documents by matching their
number (then their name) to what the application and the power of attorney state for each person, and a
card that matches nobody by elimination to the one identity material still without a card. A back joins
the front from the same file, else the only free front, else the front whose address code fits its issuing
authority (validators.id_card.pair_sides), else the one front whose age fits its validity length.
Who calls it: validators/assess.py. Pure; it only reads the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline.assessment import CaseFinding, Submitted
from pipeline.models import Document
from validators import consistency
from validators.catalog import Material, ServiceItem
from validators.id_card import pair_failures, pair_sides
from validators.vocabulary import COMMITMENT_TYPE, IDENTITY_TYPES, type_label

FRONT_TYPES = ("id_card_front",) + IDENTITY_TYPES  # what identifies a person (the back only completes a card)


@dataclass
class Assignment:
    docs: dict[str, list[Document]]  # material code -> documents
    notes: dict[str, list[CaseFinding]]  # material code -> findings about the assignment itself
    unassigned: list[Document] = field(default_factory=list)
    findings: list[CaseFinding] = field(default_factory=list)  # case level
    maybe: dict[str, list[Document]] = field(default_factory=dict)  # material code -> unassigned documents it may own


def assign(item: ServiceItem, materials: Sequence[Material], submitted: Sequence[Submitted],
           fields_of: Callable[[str], set[str]]) -> Assignment:
    return _Assigner(item, materials, fields_of).run(submitted)


def stated(docs: dict[str, list[Document]], ref: str, fields_of: Callable[[str], set[str]]) -> list[tuple[Document, str, object]]:
    """The values a reference `material.field` (or `material.type.field`) points at: one per document of that
    material whose type has the field (the value may be None when it was not read)."""
    parts = ref.split(".")
    code, name, wanted = parts[0], parts[-1], parts[1] if len(parts) == 3 else None
    return [(d, name, d.value(name)) for d in docs.get(code, ())
            if (wanted is None or d.type == wanted) and d.error is None and name in fields_of(d.type)]


class _Assigner:
    def __init__(self, item: ServiceItem, materials: Sequence[Material], fields_of: Callable[[str], set[str]]) -> None:
        self.item, self.materials, self.fields_of = item, list(materials), fields_of
        self.by_code = {m.code: m for m in self.materials}
        self.out = Assignment(docs={m.code: [] for m in self.materials}, notes={m.code: [] for m in self.materials})

    def run(self, submitted: Sequence[Submitted]) -> Assignment:
        plain = [s for s in submitted if not (s.hints.material or s.hints.person) or not self._hinted(s)]
        fronts, backs = [], []
        for s in plain:
            doc = s.document
            if doc.error is not None:
                self._unassigned(doc, "document.unreadable", f"文件无法读取：{doc.error.message}")
            elif doc.type in FRONT_TYPES:
                fronts.append(doc)
            elif doc.type == "id_card_back":
                backs.append(doc)
            else:
                self._by_type(doc)
        self._fronts(fronts)
        self._backs(backs)
        return self.out

    # --- hints and types ----------------------------------------------------------------------

    def _hinted(self, s: Submitted) -> bool:
        doc, hints = s.document, s.hints
        if hints.material:
            material = self.by_code.get(hints.material)
            if material is not None:
                if material.types() and doc.type not in material.types():
                    self.out.notes[material.code].append(CaseFinding(
                        code="assignment.type_mismatch", severity="warning", document=doc.id,
                        message=f"挂接到本材料的文件识别为“{type_label(doc.type)}”，与本材料要求的文件类型不符，请人工核对"))
                self.out.docs[material.code].append(doc)
                return True
            self.out.findings.append(CaseFinding(
                code="assignment.unknown_hint", severity="warning", document=doc.id,
                message="挂接的材料不属于本事项当前办理情形所需材料，已按文件类型归类，请人工核对"))
        if hints.person and (doc.type in FRONT_TYPES or doc.type in ("id_card_back", "unknown")):
            material = next((m for m in self.materials if m.person == hints.person), None)
            if material is not None:
                if doc.type == "unknown":
                    self.out.notes[material.code].append(CaseFinding(
                        code="assignment.type_mismatch", severity="warning", document=doc.id,
                        message="挂接为身份证明的文件未能识别为身份证件，请人工核对"))
                self.out.docs[material.code].append(doc)
                return True
        return False

    def _by_type(self, doc: Document) -> None:
        candidates = [m for m in self.materials if doc.type in m.types()]
        if not candidates:
            if doc.type == COMMITMENT_TYPE and self.item.allows_tolerance:
                return  # the 容缺受理 act's evidence (workers/cases/flow.py), not a material of the item
            if doc.type == "unknown":
                self._unassigned(doc, "document.unassigned", "无法识别的材料，请人工确认其所属材料")
            else:
                self._unassigned(doc, "document.unassigned",
                                 f"{type_label(doc.type)}不属于本事项当前办理情形所需材料，请人工确认")
            return
        free = [m for m in candidates if not any(d.type == doc.type for d in self.out.docs[m.code])]
        self.out.docs[(free or candidates)[0].code].append(doc)

    def _unassigned(self, doc: Document, code: str, message: str) -> None:
        self.out.unassigned.append(doc)
        self.out.findings.append(CaseFinding(code=code, severity="warning", message=message, document=doc.id))

    # --- identity documents -------------------------------------------------------------------

    def _person_values(self, material: Material, attr: str) -> list[object]:
        person = self.item.persons.get(material.person or "")
        ref = getattr(person, attr) if person else None
        return [v for _d, _f, v in stated(self.out.docs, ref, self.fields_of) if v] if ref else []

    def _fronts(self, fronts: list[Document]) -> None:
        identity = [m for m in self.materials if m.is_identity]
        left = list(fronts)
        for attr, kind in (("id_number", "id_number"), ("name", "name")):
            still = []
            for doc in left:
                value = doc.value(attr)
                hits = [m for m in identity
                        if value and any(consistency.same(kind, value, v) for v in self._person_values(m, attr))]
                if len(hits) == 1:
                    self.out.docs[hits[0].code].append(doc)
                else:
                    still.append(doc)
            left = still
        empty = [m for m in identity if not any(d.type in FRONT_TYPES for d in self.out.docs[m.code])]
        if len(left) == 1 and len(empty) == 1:
            self.out.docs[empty[0].code].append(left[0])  # by elimination; the consistency rules judge it
            return
        for doc in left:
            self._unassigned(doc, "assignment.ambiguous",
                             f"无法确定该{type_label(doc.type)}属于哪一方（证件号码、姓名与申请材料均不对应），请人工核对")
            for material in empty:
                self.out.maybe.setdefault(material.code, []).append(doc)

    def _owner(self) -> dict[str, str]:
        return {d.id: code for code, docs in self.out.docs.items() for d in docs if d.type == "id_card_front"}

    def _free_fronts(self) -> list[Document]:
        """Fronts of materials that have fewer backs than fronts, and fronts nobody took."""
        out = []
        for docs in self.out.docs.values():
            fronts = [d for d in docs if d.type == "id_card_front"]
            if len(fronts) > sum(1 for d in docs if d.type == "id_card_back"):
                out += fronts
        return out + [d for d in self.out.unassigned if d.type == "id_card_front"]

    def _backs(self, backs: list[Document]) -> None:
        if not backs:
            return
        owner = self._owner()
        paired = set()
        for front, back in pair_sides(self._free_fronts() + backs):
            paired.add(back.id)
            if front.id in owner:
                self.out.docs[owner[front.id]].append(back)
            else:
                self._unassigned(back, "assignment.ambiguous", "该身份证国徽面对应的人像面无法确定所属，请人工核对")
        for back in (b for b in backs if b.id not in paired):
            fronts = [f for f in self._free_fronts() if f.id in owner]
            fitting = [f for f in fronts if not _pair_errors(f, back)]
            codes = {owner[f.id] for f in (fitting or fronts)}
            if not fronts:
                codes = {m.code for m in self.materials if m.is_identity
                         and not any(d.type == "id_card_back" for d in self.out.docs[m.code])}
            if len(codes) == 1:
                self.out.docs[codes.pop()].append(back)
            else:
                self._unassigned(back, "assignment.ambiguous", "无法确定该身份证国徽面与哪一张人像面配对，请人工核对")
                for code in codes:
                    self.out.maybe.setdefault(code, []).append(back)


def _pair_errors(front: Document, back: Document) -> bool:
    try:
        return any(f.severity == "error" for f in pair_failures(front, back))
    except ValueError:  # a date that is not ISO: the back's own checks report it
        return False

"""The material-checklist assessment: the verdict a careful clerk would give, listing every problem at once.

    documents + hints ─> assign to materials (validators/assign.py)
      ─> per material: completeness (alternatives of sets), the documents' own findings, the catalog's rules
         (signed, not expired, same value as stated elsewhere), uncertain deciding values, the licence library,
         tolerance (容缺) ─> status
      ─> decision (docs/architecture.md "From findings to a decision", first match wins) ─> one-time notice text

Who calls it: the `assess_case` task and the API (through storage.cases.CaseRepository.reassess) and
`yichuang verify --item`. Pure: a function of the CaseInput, the item, and the Assessor's explicit
dependencies (thresholds, licence library, work calendar, type registry); it changes nothing.

The confidence rule is pipeline/confidence.judged, as for the documents' own checks: a failed rule is an `error`
only when every value involved is at or above its threshold or a second reading agrees; otherwise a `warning`,
and the material is `needs_review` — an OCR misread never sends a citizen home.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pipeline import stages
from pipeline.assessment import Assessment, CaseFinding, CaseInput, MaterialResult, PersonAct, Submitted
from pipeline.confidence import is_uncertain, judged
from pipeline.errors import LibraryUnavailable
from pipeline.interfaces import SHANGHAI
from pipeline.library import LicenceFileChecker, LicenceLibrary, NullLicenceLibrary
from pipeline.models import Document, Finding
from pipeline.registry import CheckRegistry, TypeRegistry
from pipeline.service_item import Material, NotExpiredRule, SameRule, SealedRule, ServiceItem, SignedRule
from pipeline.settings import Thresholds
from validators import accepted, build_checks, consistency, joining, licences, person_acts, seals
from validators.assign import Assignment, assign, stated
from validators.catalog import rules_of, seal_searched_types
from validators.id_card import pair_failures
from validators.notice import WorkCalendar, YearNotCovered, notice_text
from validators.vocabulary import (
    DECIDING_FIELDS, IDENTITY_TYPES, TYPE_FIELDS, UNREAD_CODES, field_class, field_label, type_label,
)

TRUE_WORDS, FALSE_WORDS = {"true", "是", "已签名", "已签字", "yes", "1"}, {"false", "否", "未签名", "未签字", "no", "0"}


@dataclass(frozen=True)
class Assessor:
    """The assessment with its dependencies, built once per process at the edges."""

    thresholds: Thresholds
    library: LicenceLibrary = field(default_factory=NullLicenceLibrary)
    types: TypeRegistry | None = None
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    # Checks a licence's signed file before the library may fill a material; a library that checks its own
    # files (validators.licences.VerifiedLibrary, as the wiring builds) is used when none is given. Without
    # either, a licence's file is trusted as the library names it (its evidence `file` stays None).
    licence_files: LicenceFileChecker | None = None
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(SHANGHAI))
    # The document types' own checks, re-run on a document a person corrected (validators/person_acts.py).
    checks: CheckRegistry = field(default_factory=build_checks)

    @property
    def file_checker(self) -> LicenceFileChecker | None:
        if self.licence_files is not None:
            return self.licence_files
        return self.library if isinstance(self.library, LicenceFileChecker) else None

    def __call__(self, case: CaseInput) -> Assessment:
        """The assessment of `case` against the service item version it carries."""
        return self.assess(case.item, case.situation, case.documents, case.judged_at,
                           pending_uploads=case.pending_uploads, failed_uploads=case.failed_uploads,
                           case_id=case.case_id, input_version=case.version, acts=case.acts)

    def assess(self, item: ServiceItem, situation: str, submitted: Sequence[Submitted], judged_at: dt.datetime, *,
               pending_uploads: int = 0, failed_uploads: int = 0, case_id: str | None = None,
               input_version: int = 0, acts: Sequence[PersonAct] = ()) -> Assessment:
        if item.situation(situation) is None:
            raise ValueError(f"unknown situation {situation!r} of item {item.code!r}")
        run = _Run(self, item, situation, judged_at.astimezone(SHANGHAI).date())
        run.judged_at = judged_at
        run.acts = tuple(acts)  # people's corrections (validators/person_acts.py)
        return run.result(list(submitted), pending_uploads, failed_uploads, case_id, input_version)

    # --- what the run asks of its dependencies ------------------------------------------------

    def fields_of(self, type_code: str) -> set[str]:
        names = set(TYPE_FIELDS.get(type_code, ()))
        registered = self.types.get(type_code) if self.types is not None else None
        return names | set(registered.field_classes) if registered else names

    def classes(self, type_code: str) -> dict[str, str]:
        registered = self.types.get(type_code) if self.types is not None else None
        own = registered.field_classes if registered else {}
        return {name: own.get(name, field_class(name, type_code)) for name in self.fields_of(type_code)}

    def recheck(self, doc: Document, today: dt.date) -> list[Finding]:
        """The findings of `doc`'s type's own checks on `doc` as it stands (after a person's correction)."""
        return list(stages.check(doc, self.checks, today, self.thresholds, self.classes(doc.type)).findings)

    def seals_looked_for(self, type_code: str) -> bool:
        """Whether the capture stage looks for red seals on documents of this type (DocumentType.seals)."""
        if self.types is None:
            return type_code in seal_searched_types()
        registered = self.types.get(type_code)
        return bool(registered and registered.seals)

    def uncertain(self, doc: Document, name: str) -> bool:
        threshold = self.thresholds.for_class(self.classes(doc.type).get(name, field_class(name, doc.type)))
        return is_uncertain(doc.fields.get(name), threshold)


class _Run:
    """One assessment: the state of a single call (never shared)."""

    def __init__(self, assessor: Assessor, item: ServiceItem, situation: str, today: dt.date) -> None:
        self.a, self.item, self.today = assessor, item, today
        self.situation = item.situation(situation)
        self.materials = item.materials_for(situation)
        self.by_code = {m.code: m for m in self.materials}
        self.corroborated: set[tuple[str, str]] = set()  # (document id, field) confirmed by a second reading
        self.extra: dict[str, list[CaseFinding]] = {}  # document id -> findings added at case level
        self.calendar_gap: int | None = None
        self.acts: tuple[PersonAct, ...] = ()
        self.judged_at: dt.datetime | None = None  # the moment signatures of library files are judged at
        self.used_fields = self._used_fields()

    def result(self, submitted: list[Submitted], pending: int, failed: int, case_id: str | None,
               version: int) -> Assessment:
        submitted = person_acts.apply_to_documents(  # corrected fields replace readings and are checked again
            submitted, self.acts, recheck=lambda doc: self.a.recheck(doc, self.today))
        # shots a clerk joined, and a form's untitled later page scanned on its own, are judged as one document
        joined = joining.join_all(submitted, self.acts, lambda doc: self.a.recheck(doc, self.today))
        submitted = joined.submitted
        self.assigned: Assignment = assign(self.item, self.materials, submitted, self.a.fields_of)
        self.docs = self.assigned.docs
        self._pair_sides_across_files()
        # Two passes over the rules: the first only learns which values corroborate each other (`same` rules fill
        # self.corroborated); the second judges every rule knowing that, so a value a later material confirms is
        # not doubted by an earlier rule that ran before the confirmation was seen.
        self._rules_everywhere()
        rule_findings = self._rules_everywhere()
        results = [self._material(m, *rule_findings[m.code]) for m in self.materials]
        findings = list(self.assigned.findings)
        if pending:
            findings.append(CaseFinding(code="case.uploads_pending", severity="warning",
                                        message=f"有{pending}份上传文件尚在识别中，结论可能变化"))
        if failed:
            findings.append(CaseFinding(code="case.uploads_failed", severity="warning",
                                        message=f"有{failed}份上传文件处理失败，请重新上传或人工核验"))
        if self.calendar_gap:
            findings.append(CaseFinding(code="calendar.year_not_covered", severity="warning",
                                        message=f"工作日历未包含{self.calendar_gap}年的节假日安排，容缺补交期限需人工确定"
                                                "（请管理员加载该年度安排）"))
        decision = _decide(results, bool(self.assigned.unassigned) or pending > 0 or failed > 0)
        originals = [m.name for m, r in zip(self.materials, results)
                     if m.originals and r.status not in ("from_library", "not_provided")]
        notice = notice_text(item_name=self.item.name, situation_name=self.situation.name, judged_on=self.today,
                             decision=decision, materials=results, unassigned=len(self.assigned.unassigned),
                             pending=pending + failed, originals=originals)
        return Assessment(item=self.item.code, item_version=self.item.version, item_name=self.item.name,
                          situation=self.situation.code, situation_name=self.situation.name, judged_on=self.today,
                          decision=decision, materials=tuple(results),
                          unassigned=tuple(d.id for d in self.assigned.unassigned), findings=tuple(findings),
                          joined=joined.parts, notice=notice, case_id=case_id, input_version=version)

    # --- findings ----------------------------------------------------------------------------

    def _judge(self, code: str, message: str, severity: str, involved: list[tuple[Document, str]],
               doc: Document) -> CaseFinding:
        uncertain = any(self.a.uncertain(d, f) for d, f in involved if (d.id, f) not in self.corroborated)
        severity, message = judged(severity, message, uncertain)
        names = tuple(dict.fromkeys(f for _d, f in involved))
        return CaseFinding(code=code, severity=severity, message=message, fields=names, document=doc.id)

    def _pair_sides_across_files(self) -> None:
        """Cross-side checks for a front and back that met only in this case (same-file pairs were checked
        when the file was processed)."""
        for docs in self.docs.values():
            fronts = [d for d in docs if d.type == "id_card_front"]
            backs = [d for d in docs if d.type == "id_card_back"]
            if len(fronts) != 1 or len(backs) != 1 or (fronts[0].upload_sha256 and fronts[0].upload_sha256 == backs[0].upload_sha256):
                continue
            front, back = fronts[0], backs[0]
            try:
                failures = list(pair_failures(front, back))
            except ValueError:
                continue
            for failure in failures:
                if any(f.code == failure.code for f in back.findings):
                    continue
                judged = stages.to_finding(failure, [front, back], [self.a.classes(front.type), self.a.classes(back.type)],
                                           self.a.thresholds)
                self.extra.setdefault(back.id, []).append(CaseFinding.on(judged, back.id))

    def _doc_findings(self, doc: Document, seal_not_asked: bool = False) -> list[CaseFinding]:
        """The document's own findings as the material shows them. `seal_not_asked`: the item says this
        material needs no seal (a `sealed` rule with `when: never`), so what was said about its seal is for
        information only."""
        out = []
        if doc.error is not None:
            out.append(CaseFinding(code="document.unreadable", severity="warning", document=doc.id,
                                   message=f"文件无法读取：{doc.error.message}"))
        if doc.quality is not None and not doc.quality.ok:
            issues = "、".join(i.message for i in doc.quality.issues if i.severity == "error")
            out.append(CaseFinding(code="document.quality", severity="warning", document=doc.id,
                                   message=f"图像质量不合格（{issues}），请重新扫描或人工核对"))
        if doc.type in IDENTITY_TYPES:
            out.append(CaseFinding(code="identity.unreadable_kind", severity="warning", document=doc.id,
                                   message=f"{type_label(doc.type)}的持证人暂不能自动与申请材料比对，请人工核验"))
        used = self.used_fields.get(doc.type, set())
        for f in doc.findings:
            if f.severity == "warning" and f.code.endswith("unread") and f.fields and not set(f.fields) & used:
                f = f.model_copy(update={"severity": "info"})  # a value this item never uses: not a reason to look
            elif seal_not_asked and f.code in seals.SEAL_CODES and f.severity != "info":
                f = f.model_copy(update={"severity": "info", "message": f"{f.message}（本事项不要求加盖公章）"})
            out.append(CaseFinding.on(f, doc.id))
        return out + self.extra.get(doc.id, [])

    def _used_fields(self) -> dict[str, set[str]]:
        """Per document type, the fields this item and situation decide anything on."""
        used: dict[str, set[str]] = {t: set(names) for t, names in DECIDING_FIELDS.items()}

        def add(ref: str | None) -> None:
            if not ref:
                return
            parts = ref.split(".")
            material = self.by_code.get(parts[0])
            for type_code in ([parts[1]] if len(parts) == 3 else material.types() if material else ()):
                used.setdefault(type_code, set()).add(parts[-1])

        for m in self.materials:
            for rule in rules_of(self.item, m):
                used.setdefault(rule.document, set()).update(rule.fields if isinstance(rule, SameRule) else [rule.field])
                for ref in rule.refs if isinstance(rule, SameRule) else ():
                    add(ref)
            add(m.source.holder_code)
            add(m.source.holder_name)
        for person in self.item.persons.values():
            add(person.name)
            add(person.id_number)
        return used

    # --- rules -------------------------------------------------------------------------------

    def _rules_everywhere(self) -> dict[str, tuple[list[CaseFinding], list[tuple[Document, str]]]]:
        out = {}
        for material in self.materials:
            findings: list[CaseFinding] = []
            deciding: list[tuple[Document, str]] = []
            docs = [d for d in self.docs[material.code] if d.error is None]
            for rule in rules_of(self.item, material):
                for doc in (d for d in docs if d.type == rule.document):
                    if isinstance(rule, SignedRule):
                        found, decided = self._signed(rule, doc)
                    elif isinstance(rule, NotExpiredRule):
                        found, decided = self._not_expired(rule, doc)
                    elif isinstance(rule, SealedRule):
                        found, decided = self._sealed(rule, doc), []
                    else:
                        found, decided = self._same(rule, doc), []
                    findings += found
                    deciding += decided
            deciding += [(d, name) for d in docs for name in DECIDING_FIELDS.get(d.type, ())]
            out[material.code] = (findings, deciding)
        return out

    def _unread(self, doc: Document, what: str) -> CaseFinding:
        return CaseFinding(code="field.unread", severity="warning", document=doc.id, message=f"未能读取{what}，请人工核对")

    def _known(self, doc: Document) -> set[str]:
        return {f.code for f in doc.findings} | {f.code for f in self.extra.get(doc.id, [])}

    def _said_unread(self, doc: Document, name: str) -> bool:
        """The document's own checks already report that this value could not be read or checked."""
        return bool(self._known(doc) & UNREAD_CODES.get((doc.type, name), frozenset())) or any(
            f.severity == "warning" and name in f.fields and f.code.endswith("unread") for f in doc.findings)

    def _signed(self, rule: SignedRule, doc: Document):
        if rule.code in self._known(doc):
            return [], []  # the document's own checks already said so
        value = doc.value(rule.field)
        text = str(value).strip().lower() if value is not None else ""
        if value is True or text in TRUE_WORDS:
            return [], [(doc, rule.field)]
        if value is False or text in FALSE_WORDS:
            message = rule.message or f"{type_label(doc.type)}未签名"
            return [self._judge(rule.code, message, "error", [(doc, rule.field)], doc)], []
        if self._said_unread(doc, rule.field):
            return [], []
        return [self._unread(doc, f"{type_label(doc.type)}是否已签名")], []

    def _not_expired(self, rule: NotExpiredRule, doc: Document):
        if rule.code in self._known(doc):
            return [], []  # the document's own checks already said so
        value = doc.value(rule.field)
        label = f"{type_label(doc.type)}的{field_label(doc.type, rule.field)}"
        if value in (None, ""):
            if rule.if_absent == "ok" or self._said_unread(doc, rule.field):
                return [], []
            return [self._unread(doc, label)], []
        if value == "长期":
            return [], [(doc, rule.field)]
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return [self._unread(doc, label)], []
        if day >= self.today:
            return [], [(doc, rule.field)]
        message = f"{rule.message or type_label(doc.type) + '已过期'}（{field_label(doc.type, rule.field)}为{day.year}年{day.month:02d}月{day.day:02d}日）"
        return [self._judge(rule.code, message, "error", [(doc, rule.field)], doc)], []

    def _sealed(self, rule: SealedRule, doc: Document) -> list[CaseFinding]:
        """The catalog asks for the seal of the organisation the document names (validators/seals.py judges it).
        Nothing when the item asks for no seal, when the party is a natural person (or cannot be told: its unread
        name is reported by the document's own checks), or when the document's own checks already judged its
        seal; `seal.unchecked` (a person looks) when this type's seals are not looked for."""
        if rule.when == "never" or self._known(doc) & seals.SEAL_CODES:
            return []
        involved: list[tuple[Document, str]] = []
        if rule.when == "organisation":
            number_field = seals.PARTY_NUMBER.get(rule.field)
            number = doc.value(number_field) if number_field else None
            if seals.party_kind(doc.value(rule.field), number) != "organisation":
                return []
            involved = [(doc, n) for n in (rule.field, number_field) if n and doc.value(n) not in (None, "")]
        label = type_label(doc.type)
        subject = doc.value(rule.field)
        whose = f"{subject}的公章" if subject else "单位公章"
        if not self.a.seals_looked_for(doc.type):
            return [CaseFinding(code="seal.unchecked", severity="warning", document=doc.id, fields=(rule.field,),
                                message=f"{label}应加盖{whose}，系统未检测该类文件上的印章，请人工核对")]
        out = []
        where = f"{label}中的{field_label(doc.type, rule.field)}"
        for failure in seals.judge(doc, rule.field, self.a.thresholds.text, missing=f"{label}未加盖{whose}", where=where):
            code, message = failure.code, failure.message
            if code == "seal.missing":
                code, message = rule.code, rule.message or message
            out.append(self._judge(code, message, failure.severity, involved + [(doc, n) for n in failure.fields], doc))
        return out

    def _same(self, rule: SameRule, doc: Document) -> list[CaseFinding]:
        own = [(doc, name, doc.value(name)) for name in rule.fields]
        others = [entry for ref in rule.refs for entry in stated(self.docs, ref, self.a.fields_of)]
        if not others:
            return []  # nothing stated to compare with: that material is reported missing on its own
        own_values = [e for e in own if e[2] not in (None, "")]
        other_values = [e for e in others if e[2] not in (None, "")]
        if not own_values:
            labels = "或".join(field_label(doc.type, n) for n in rule.fields)
            return [self._unread(doc, f"{type_label(doc.type)}的{labels}，无法核对")]
        if not other_values:
            labels = "、".join(dict.fromkeys(f"{self._owner_name(d)}中的{field_label(d.type, n)}" for d, n, _ in others))
            return [self._unread(doc, f"{labels}，无法核对")]
        matched = False
        for d1, n1, v1 in own_values:
            for d2, n2, v2 in other_values:
                if consistency.same(rule.compare, v1, v2):
                    matched = True
                    self.corroborated |= {(d1.id, n1), (d2.id, n2)}
        if matched:
            return []
        first_other = other_values[0]
        message = rule.message or (f"{type_label(doc.type)}的{field_label(doc.type, own_values[0][1])}与"
                                   f"{self._owner_name(first_other[0])}中的{field_label(first_other[0].type, first_other[1])}不一致")
        involved = [(d, n) for d, n, _ in own_values + other_values]
        return [self._judge(rule.code, message, rule.severity, involved, doc)]

    def _stated(self, ref: str) -> list[tuple[Document, str, object]]:
        return stated(self.docs, ref, self.a.fields_of)

    def _owner_name(self, doc: Document) -> str:
        code = next((c for c, docs in self.docs.items() if any(d.id == doc.id for d in docs)), None)
        return self.by_code[code].name if code else type_label(doc.type)

    # --- one material ------------------------------------------------------------------------

    def _material(self, m: Material, rule_findings: list[CaseFinding], deciding: list[tuple[Document, str]]) -> MaterialResult:
        docs = self.docs[m.code]
        findings = list(self.assigned.notes[m.code])
        not_asked = {r.document for r in rules_of(self.item, m) if isinstance(r, SealedRule) and r.when == "never"}
        for doc in docs:
            findings += self._doc_findings(doc, doc.type in not_asked)
        findings += rule_findings
        findings += self._uncertain_values(deciding, findings)
        if m.manual and docs:
            findings.append(CaseFinding(code="material.manual", severity="warning", message="本材料需工作人员人工核验内容"))

        readable = [d for d in docs if d.error is None and d.type != "unknown"]
        present = {d.type for d in readable}
        missing_parts: tuple[str, ...] = ()
        if m.accepted and not any(set(alt) <= present for alt in m.accepted):
            closest = max(m.accepted, key=lambda alt: len(set(alt) & present))
            missing_parts = tuple(t for t in closest if t not in present)
        complete = bool(docs) if not m.accepted else not missing_parts
        # An unreadable or unrecognised document, one hinted here whose type does not fit, or an identity
        # document nobody could place (`maybe`) may be the missing part (the reading may be wrong, the clerk may
        # be right): a person looks, nobody is sent home.
        doubtful = (len(readable) < len(docs) or any(m.types() and d.type not in m.types() for d in docs)
                    or bool(self.assigned.maybe.get(m.code)))
        findings = person_acts.apply_to_findings(findings, self.acts, m.code)  # confirmed / dismissed by people
        hand = person_acts.checked_by_hand(self.acts, m.code)
        if hand is not None:  # checked by hand without a scan: present, and a person has looked
            complete, doubtful, missing_parts = True, False, ()
            findings = [f for f in findings if f.code != "material.manual"] + [person_acts.hand_check_finding(hand)]

        if complete and hand is None and (met := accepted.met_aside(m, docs, findings, self._stated)) is not None:
            findings = accepted.as_information(findings, met)  # a failed alternative does not spoil a met set
        errors = [f for f in findings if f.severity == "error"]
        if not complete:
            status = "needs_review" if doubtful else "missing"
        elif errors:
            status = "invalid"
        elif (m.manual and hand is None) or any(f.severity == "warning" for f in findings):
            status = "needs_review"
        else:
            status = "ok"

        licence = record = None
        if m.source.channel == "licence_library":
            status, licence, record, notes = self._library(m, status, readable if complete else [])
            # Filled from the library: what was said about the paper it supersedes is for information only.
            findings = [f.model_copy(update={"severity": "info"}) if status == "from_library" and f.code.startswith("library.")
                        and f.severity != "info" else f for f in findings + notes]

        due = None
        tolerance = m.tolerance if m.necessity == "tolerable" else None
        if status in ("missing", "invalid") and tolerance is not None:
            if all(f.code in tolerance.checks for f in errors):
                status = "tolerated"
                try:
                    due = self.a.calendar.add_working_days(self.today, tolerance.deadline_working_days)
                except YearNotCovered as exc:
                    self.calendar_gap = exc.year  # flagged, never guessed
        if status == "missing" and m.necessity == "optional":
            status = "not_provided"  # 非必要: absent or partial, it blocks nothing

        if not complete and status != "from_library":
            severity = {"missing": "error", "tolerated": "error", "invalid": "error"}.get(status, "info" if status == "not_provided" else "warning")
            if not docs:
                head = CaseFinding(code="material.missing", severity=severity, message="未提交")
            else:
                head = CaseFinding(code="material.incomplete", severity=severity,
                                   message=f"缺少{'、'.join(type_label(t) for t in missing_parts)}")
            findings.insert(0, head)
        return MaterialResult(
            code=m.code, name=m.name, status=status, necessity=m.necessity, documents=tuple(d.id for d in docs),
            findings=tuple(findings), missing=missing_parts if not complete else (), due=due,
            due_working_days=tolerance.deadline_working_days if status == "tolerated" and tolerance else None,
            commitment_required=bool(status == "tolerated" and tolerance and tolerance.commitment), licence=licence,
            library_record=record,
            originals=m.originals, copies=m.copies)

    def _uncertain_values(self, deciding: list[tuple[Document, str]], findings: list[CaseFinding]) -> list[CaseFinding]:
        """A value that decides acceptance, read below its threshold with no second reading agreeing, and not
        already named by a finding: a person must look."""
        named = {(f.document, n) for f in findings for n in f.fields}
        out, seen = [], set()
        for doc, name in deciding:
            key = (doc.id, name)
            if key in seen or key in named or key in self.corroborated or not self.a.uncertain(doc, name):
                continue
            seen.add(key)
            out.append(CaseFinding(code="field.uncertain", severity="warning", document=doc.id, fields=(name,),
                                   message=f"{type_label(doc.type)}的{field_label(doc.type, name)}识别置信度不足，请人工核对"))
        return out

    def _library(self, m: Material, status: str, presented: list[Document]):
        """The licence library for a material whose source may be the library (docs/architecture.md; docs/domain.md): a
        presented licence is reconciled with the holder's records (disagreements are findings); a material not
        fine as presented is filled (`from_library`) only from a VALID licence of the right type and holder
        covering the judging day whose signed file was fetched and verified (when a file checker is wired).
        A failed lookup sends a material that is not fine as presented to a person (`needs_review`).
        Returns (status, evidence of the licence used, evidence of the record reconciled with, findings)."""
        source = m.source
        codes = [(d, n, v) for d, n, v in stated(self.docs, source.holder_code, self.a.fields_of)
                 if v and ((d.id, n) in self.corroborated or not self.a.uncertain(d, n))]
        if not codes:
            return status, None, None, []  # no certain holder code to ask about
        holder_code = consistency.code_key(codes[0][2])
        names = [v for _d, _n, v in stated(self.docs, source.holder_name, self.a.fields_of) if v] if source.holder_name else []
        looked_up_at = self.a.clock()
        where = getattr(self.a.library, "source", None) or getattr(self.a.library, "kind", None)
        try:
            found = self.a.library.by_holder(holder_code, source.holder_code_type, source.licence_type, self.today)
        except LibraryUnavailable as exc:
            if status == "ok":  # fine as presented: only the comparison with the library could not be made
                return status, None, None, [CaseFinding(code="library.unavailable", severity="info",
                                                        message=f"{exc.message}，未能与电子证照库记录核对")]
            return "needs_review", None, None, [CaseFinding(code="library.unavailable", severity="warning", message=exc.message)]
        found = [lic for lic in found if lic.type_code == source.licence_type and lic.holder_code_type == source.holder_code_type
                 and consistency.code_key(lic.holder_code) == holder_code]
        notes: list[CaseFinding] = []
        record = None
        if presented and status != "missing":
            disagreements, compared = licences.reconcile(presented, found, self.today)
            for d in disagreements:
                fields = list(d.involved)
                notes.append(self._judge(d.code, d.message, d.severity, fields, d.document) if d.severity != "info" else
                             CaseFinding(code=d.code, severity="info", message=d.message, document=d.document.id,
                                         fields=tuple(dict.fromkeys(n for _doc, n in fields))))
            notes = person_acts.apply_to_findings(notes, self.acts, m.code)  # a person may confirm or dismiss them
            if compared is not None:
                record = licences.evidence(compared, self.today, looked_up_at, where)
            if any(f.severity == "error" for f in notes) and status in ("ok", "needs_review"):
                status = "invalid"
            elif any(f.severity == "warning" for f in notes) and status == "ok":
                status = "needs_review"
        if status == "ok" or any(f.code in licences.BLOCKING and f.severity != "info" for f in notes):
            return status, None, record, notes  # fine as presented, or a paper the library contradicts: a person looks
        checker = self.a.file_checker
        unusable = []
        for lic in found:
            why = licences.qualifies(lic, source.licence_type, source.holder_code_type, holder_code, names, self.today)
            if why:
                unusable.append(f"{lic.name}（{lic.valid_from or '?'}起）{why}")
                continue
            file = None
            if checker is not None:
                try:
                    file = checker.check_file(lic, self.judged_at or looked_up_at)
                except LibraryUnavailable as exc:
                    return "needs_review", None, record, notes + [CaseFinding(code="library.unavailable", severity="warning",
                                                                              message=exc.message)]
                if not file.verified:
                    notes.append(CaseFinding(code="library.file_unverified", severity="warning",
                                             message=f"电子证照库中的{lic.name}（有效）的证照文件未通过核验：{'；'.join(file.problems)}；"
                                                     "不能直接调取，请人工核验"))
                    status = "needs_review"
                    continue
            evidence = licences.evidence(lic, self.today, looked_up_at, where, file)
            return "from_library", evidence, record, notes + [CaseFinding(code="library.found", severity="info",
                                                                          message=f"已从电子证照库调取{lic.name}（有效）")]
        if unusable:
            notes.append(CaseFinding(code="library.not_usable", severity="info",
                                     message="电子证照库中的证照不能调取：" + "；".join(unusable)))
        return status, None, record, notes


def _decide(materials: Sequence[MaterialResult], unsettled_documents: bool) -> str:
    """The case's decision from its materials' statuses and whether documents are still unsettled (unassigned,
    pending or failed): the first match of docs/architecture.md "From findings to a decision" wins."""
    statuses = {m.status for m in materials}
    if "needs_review" in statuses or unsettled_documents:
        return "needs_review"
    if statuses & {"missing", "invalid"}:
        return "correction_required"
    if "tolerated" in statuses:
        return "accept_with_tolerance"
    return "accept"


def assess_documents(assessor: Assessor, item: ServiceItem, situation: str, documents: Sequence[Document],
                     at: dt.datetime) -> Assessment:
    """`yichuang verify --item`: the documents of the files given, without hints."""
    return assessor.assess(item, situation, [Submitted(document=d) for d in documents], at)

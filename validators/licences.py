"""Using the licence library in a case: checking a licence's signed file, and reconciling a presented paper
licence with the library's record (docs/domain.md "Verifying a licence presented in a case").

- `VerifiedLibrary` wraps any `LicenceLibrary` that can hand out its files (embedded, external service) and is
  its own `LicenceFileChecker`: it fetches the file, checks its hash against the record, keeps the bytes in the
  object store (the case bundle keeps them byte for byte) and verifies the e-seal with the signature Verifier —
  every signature intact, trusted, covering the whole file, no later changes, and the signer being the issuer.
- `reconcile` compares what a presented document says (number, holder, validity) with the holder's records of
  that licence type, and reports the status the library gives it.

Who calls it: the wiring builds VerifiedLibrary once per process; validators/assess.py calls `reconcile`,
`qualifies` and `evidence`. Pure apart from VerifiedLibrary's fetches and store writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extractors import declared
from pipeline.assessment import LicenceEvidence
from pipeline.errors import InputError, ObjectNotFound
from pipeline.interfaces import SHANGHAI, ObjectStore, SignatureVerifier
from pipeline.library import STATUS_LABELS, FileCheck, Licence, LicenceLibrary, LicenceStatus
from pipeline.models import Document
from validators import consistency
from validators.vocabulary import type_label

logger = logging.getLogger(__name__)

# Which field of a presented document carries the licence's number, holder and validity (DocumentType.licence_fields).
DOC_FIELDS: dict[str, dict[str, str]] = {t.code: dict(t.licence_fields) for t in declared() if t.licence_fields}


# Disagreements that keep the library from filling the material in place of the paper presented: the paper
# names another holder or a number the library does not know. (An older edition — other dates, a cancelled
# predecessor — is superseded by a VALID licence from the library.)
BLOCKING = frozenset({"library.holder_mismatch", "library.number_mismatch"})


class VerifiedLibrary:
    """A licence library whose files are checked before the assessment may use them (see module doc)."""

    def __init__(self, inner: LicenceLibrary, verifier: SignatureVerifier, store: ObjectStore, *,
                 source: str | None = None) -> None:
        self.inner, self.verifier, self.store = inner, verifier, store
        self.source = source or getattr(inner, "kind", type(inner).__name__)

    def by_identifier(self, identifier: str) -> Licence | None:
        return self.inner.by_identifier(identifier)

    def by_holder(self, holder_code: str, holder_code_type: str, licence_type: str, on: dt.date) -> list[Licence]:
        return self.inner.by_holder(holder_code, holder_code_type, licence_type, on)

    def file(self, licence: Licence) -> bytes:
        fetch: Callable[[Licence], bytes] | None = getattr(self.inner, "file", None)
        if fetch is None:
            raise ObjectNotFound(detail="this library hands out no files")
        return fetch(licence)

    def check_file(self, licence: Licence, at: dt.datetime) -> FileCheck:
        """Fetch, hash, keep and verify the licence's file at `at`. Raises LibraryUnavailable when the library
        cannot hand the file over; every other problem is a FileCheck that is not verified."""
        now = dt.datetime.now(SHANGHAI)
        if not licence.file_key:
            return FileCheck(problems=("电子证照库中该证照没有证照文件",), checked_at=now)
        try:
            data = self.file(licence)
        except ObjectNotFound:
            return FileCheck(problems=("电子证照库中找不到该证照的证照文件",), checked_at=now)
        sha = hashlib.sha256(data).hexdigest()
        kind = licence.file_kind or ("pdf" if data.startswith(b"%PDF-") else "ofd")
        key = self.store.put(data, content_type="application/pdf" if kind == "pdf" else "application/ofd")
        base = dict(file_key=key, sha256=sha, size=len(data), kind=kind, checked_at=now)
        if licence.file_key.startswith("sha256/") and licence.file_key != f"sha256/{sha}":
            return FileCheck(**base, problems=("证照文件与电子证照库记录的文件摘要不一致（文件可能被替换或篡改）",))
        try:
            results = self.verifier.verify(data, kind, at)
        except InputError as exc:
            return FileCheck(**base, problems=(f"证照文件无法读取：{exc.message}",))
        problems = _signature_problems(results, licence)
        first = results[0] if results else None
        return FileCheck(**base, verified=not problems, problems=tuple(problems),
                         signed_by=first.signed_by if first else None, signed_at=first.signed_at if first else None)


def _signature_problems(results, licence: Licence) -> list[str]:
    if not results:
        return ["证照文件没有电子签章"]
    problems = []
    for r in results:
        if not r.intact:
            problems.append("证照文件的电子签章校验失败（文件在签章后被修改）")
        if not r.trusted:
            problems.append("证照文件的签章证书不受信任（未链接到已配置的信任根）")
        if not r.covers_whole_file or r.later_changes not in ("none",):
            problems.append("证照文件在签章后有追加修改")
        problems += [f.message for f in r.findings if f.severity == "error"]
    if licence.issuer and not any(_signer_is_issuer(r.signed_by, licence) for r in results):
        problems.append(f"证照文件的签章人与颁发机构“{licence.issuer}”不一致")
    return list(dict.fromkeys(problems))


def _signer_is_issuer(signed_by: str | None, licence: Licence) -> bool:
    if not signed_by:
        return False
    signer = consistency.name_key(signed_by)
    issuer = consistency.name_key(licence.issuer or "")
    # The signer's name is the issuer's, perhaps with a suffix (…电子印章); or it carries the issuer's credit code.
    return bool(issuer and issuer in signer) or bool(licence.issuer_code and licence.issuer_code in signed_by)


# --- which licences a material may use ------------------------------------------------------------

# Trust levels of platforms (docs/domain.md): A issued by the agency itself, B checked by window staff — usable;
# C uploaded and D made by the user — the window must still check the original.
USABLE_TRUST = frozenset({"A", "B"})
TRUST_LABELS = {"A": "发证机关签发", "B": "窗口核验", "C": "用户上传", "D": "用户自制"}


def qualifies(licence: Licence, licence_type: str, holder_code_type: str, holder_code: str, holder_names: Sequence[str],
              day: dt.date) -> str | None:
    """None if the licence may fill the material (VALID, right type and holder, covers `day`, trust level A or B,
    file named), else the reason in Chinese."""
    if licence.type_code != licence_type or licence.holder_code_type != holder_code_type:
        return "证照类型不符"
    if consistency.code_key(licence.holder_code) != consistency.code_key(holder_code):
        return "持证主体代码不符"
    if holder_names and licence.holder and not any(consistency.same("name", licence.holder, n) for n in holder_names):
        return "持证主体名称与申请材料不一致"
    if licence.status != LicenceStatus.VALID:
        return f"证照状态为{STATUS_LABELS[licence.status.value]}"
    if not licence.covers(day):
        return "不在有效期内"
    if licence.trust_level not in USABLE_TRUST:
        return f"可信等级为{licence.trust_level}（{TRUST_LABELS[licence.trust_level]}），需核验原件"
    if not licence.file_key:
        return "没有证照文件"
    return None


# --- reconciling a presented licence ----------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One result of reconciliation; assess.py turns it into a CaseFinding (an error on an uncertain reading
    becomes a warning there)."""

    code: str
    severity: str
    message: str
    involved: tuple[tuple[Document, str], ...]
    document: Document


def _date(value: object) -> dt.date | None | str:
    text = str(value).strip() if value is not None else ""
    if text == "长期":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return "?"


def _show(day: dt.date | None) -> str:
    return "长期" if day is None else f"{day.year}年{day.month:02d}月{day.day:02d}日"


def reconcile(docs: Sequence[Document], licences: Sequence[Licence], day: dt.date) -> tuple[list[Disagreement], Licence | None]:
    """Compare the presented documents of one material with the holder's records of that licence type.
    Returns the disagreements (or one `library.reconciled` info) and the record compared with."""
    said: dict[str, tuple[Document, str, object]] = {}
    for doc in docs:
        for what, name in DOC_FIELDS.get(doc.type, {}).items():
            value = doc.value(name)
            if value not in (None, "") and what not in said:
                said[what] = (doc, name, value)
    if not licences or not said:
        return [], None
    anchor = next(iter(said.values()))[0]
    label = type_label(anchor.type)
    candidates = list(licences)
    if "number" in said:
        doc, name, value = said["number"]
        numbered = [lic for lic in licences if lic.number]
        same = [lic for lic in numbered if consistency.code_key(lic.number) == consistency.code_key(value)]
        if numbered and not same:
            return [Disagreement("library.number_mismatch", "warning",
                                 f"所交{label}的编号在电子证照库中没有记录（库中该持证主体有{len(numbered)}份此类证照），请人工核对",
                                 ((doc, name),), doc)], None
        candidates = same + [lic for lic in licences if not lic.number] if same else candidates
    if "valid_until" in said:
        presented_until = _date(said["valid_until"][2])
        exact = [lic for lic in candidates if presented_until != "?" and lic.valid_until == presented_until]
        candidates = exact or candidates
    record = next((lic for lic in candidates if lic.status == LicenceStatus.VALID), candidates[0])
    out: list[Disagreement] = []
    where = tuple((d, n) for d, n, _v in said.values())
    if record.status != LicenceStatus.VALID:
        shown = f"（来源状态：{record.source_status}）" if record.source_status and record.source_status != record.status.value else ""
        out.append(Disagreement("library.licence_not_valid", "error",
                                f"电子证照库显示所交{label}已{STATUS_LABELS[record.status.value]}{shown}，不能作为有效证明",
                                where, anchor))
    elif not record.covers(day):
        out.append(Disagreement("library.licence_not_valid", "error",
                                f"电子证照库记录的{label}有效期为{_show(record.valid_from)}至{_show(record.valid_until)}，受理当日不在有效期内",
                                where, anchor))
    if "holder" in said and record.holder:
        doc, name, value = said["holder"]
        if not consistency.same("name", value, record.holder):
            out.append(Disagreement("library.holder_mismatch", "error",
                                    f"所交{label}上的持证人与电子证照库记录不一致", ((doc, name),), doc))
    mismatched = []
    for what in ("valid_from", "valid_until"):
        if what in said:
            doc, name, value = said[what]
            presented = _date(value)
            if presented != "?" and presented != getattr(record, what) and not (what == "valid_from" and record.valid_from is None):
                mismatched.append((doc, name))
    if mismatched:
        out.append(Disagreement("library.validity_mismatch", "warning",
                                f"所交{label}的有效期与电子证照库记录（{_show(record.valid_from)}至{_show(record.valid_until)}）不一致，"
                                "可能不是最新的证照，请人工核对", tuple(mismatched), mismatched[0][0]))
    if not out:
        out.append(Disagreement("library.reconciled", "info", f"所交{label}已与电子证照库记录核对一致", where, anchor))
    return out, record


def evidence(licence: Licence, day: dt.date, looked_up_at: dt.datetime, source: str | None,
             file: FileCheck | None = None) -> LicenceEvidence:
    """The evidence kept in the assessment for a licence the case used or was reconciled with."""

    return LicenceEvidence(
        identifier=licence.identifier, name=licence.name, type_code=licence.type_code, number=licence.number,
        issuer=licence.issuer, holder_code_type=licence.holder_code_type, status=licence.status.value,
        trust_level=licence.trust_level, valid_until=licence.valid_until,
        file_key=(file.file_key if file and file.file_key else licence.file_key), looked_up_on=day,
        holder=licence.holder, valid_from=licence.valid_from, source_status=licence.source_status, source=source,
        looked_up_at=looked_up_at, answer=licence.model_dump(mode="json"), file=file)

"""Registries: document types (filled by extractors/) and checks (filled by validators/).

pipeline/ defines them and imports nothing of ours; the wiring code builds them once per process.
Registering the same code twice is an error, so a renamed or copied module cannot shadow another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pipeline.models import Classified, Document, FieldValue, PageReading
from pipeline.settings import Thresholds


class DuplicateRegistration(ValueError):
    pass


@dataclass(frozen=True)
class FieldSpec:
    """One field of a document type: the Chinese label people read, its class for the confidence thresholds
    (pipeline/settings.Thresholds: name, id_number, code, date, enum, text), and whether the extractor reads it.
    `read=False`: the paper states it but no extractor reads it yet (a catalog rule on it makes the material
    needs_review rather than failing validation)."""

    label: str
    kind: str = "text"
    read: bool = True


@dataclass(frozen=True)
class DocumentType:
    """Everything the service knows about one document type, declared in its module extractors/<code>.py.

    Reading: `recognise(page)` returns a score in 0..1 (evidence that the page is of this type); `extract(doc)`
    returns the fields read from the classified pages. The rest is declaration that the central tables
    (validators/vocabulary.py, extractors/_classify.titles, the catalog's known types, the licence library's
    field mapping, the default seal rules) are derived from; tests/test_registry.py fails when a registered type
    lacks any of it."""

    code: str
    label: str  # Chinese name as printed on the paper (its title)
    recognise: Callable[[PageReading], float]
    extract: Callable[[Classified], dict[str, FieldValue]]
    fields: Mapping[str, FieldSpec] = field(default_factory=dict)
    titles: tuple[str, ...] = ()  # its title words: another type's recogniser is capped when a page's head says one
    anchors: tuple[str, ...] = ()  # printed labels (or words) of its form that the recogniser counts as evidence
    findings: Mapping[str, str | None] = field(default_factory=dict)  # finding codes its checks report -> the
    # applicant's words on a notice (None: the words follow from the code's last part or the material's standard)
    shown_as: str = ""  # the shorter name people read in lists and messages, when it differs from `label`
    # the fields of a paper copy carrying the licence library's number / holder / valid_from / valid_until
    licence_fields: Mapping[str, str] = field(default_factory=dict)
    seal_subject: str = ""  # the field naming the organisation whose seal the paper bears (judged when asked)
    seal_default: str = ""  # "always" / "organisation": asked by default without a catalog rule saying so
    deciding: tuple[str, ...] = ()  # values that decide acceptance even when no catalog rule names them
    unread_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # field -> check codes that already
    # say it could not be read or checked (the assessment adds no second finding)
    identity: bool = False  # an identity document (ID materials accept it)
    multi_page: bool = False  # consecutive pages of this type form one document
    seals: bool = False  # look for red seals on the paper (pipeline/seals.py): its checks judge them
    codes: bool = False  # it carries a QR code: decode it (pipeline/qr.py)
    # judges handwriting areas from the page pixels after extraction (extractors/_signature.judge):
    # (pages, fields, pixels(image_key) -> BGR array) -> (fields to replace, handwriting records)
    handwriting: Callable[[Classified, dict[str, FieldValue], Callable], tuple[dict[str, FieldValue], tuple]] | None = None

    @property
    def field_classes(self) -> dict[str, str]:
        """Class of every field the extractor reads (the confidence calibration and thresholds)."""
        return {name: spec.kind for name, spec in self.fields.items() if spec.read}

    @property
    def name(self) -> str:
        """What people read for this type (lists, messages, notices)."""
        return self.shown_as or self.label


class TypeRegistry:
    def __init__(self) -> None:
        self._types: dict[str, DocumentType] = {}

    def register(self, doc_type: DocumentType) -> DocumentType:
        if doc_type.code in self._types:
            raise DuplicateRegistration(f"document type {doc_type.code!r} registered twice")
        self._types[doc_type.code] = doc_type
        return doc_type

    def get(self, code: str) -> DocumentType | None:
        return self._types.get(code)

    def __iter__(self) -> Iterator[DocumentType]:
        return iter(self._types.values())

    def codes(self) -> list[str]:
        return list(self._types)


# --- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides the document: the judging day and the thresholds."""

    today: dt.date
    thresholds: Thresholds


@dataclass(frozen=True)
class Failure:
    """What a check reports. The check runner turns it into a Finding and decides the severity by
    docs/architecture.md's confidence rule: `error` only when every field involved is at or above its threshold
    (or corroborated); otherwise `warning`, so that an OCR misread never sends a citizen home."""

    code: str
    message: str
    fields: tuple[str, ...] = ()
    severity: str = "error"  # the severity when the readings are certain


CheckFn = Callable[[Document, CheckContext], Iterable[Failure]]


@dataclass(frozen=True)
class Check:
    code: str
    types: frozenset[str]
    run: CheckFn


@dataclass(frozen=True)
class CrossFailure:
    """A failure found across documents: reported on `document_id`, judged on the fields of `involved`."""

    document_id: str
    failure: Failure
    involved: tuple[str, ...]  # ids of the documents whose fields the failure names


CrossCheckFn = Callable[[list[Document], CheckContext], Iterable[CrossFailure]]


class CheckRegistry:
    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}
        self._cross: dict[str, CrossCheckFn] = {}

    def register_cross(self, code: str) -> Callable[[CrossCheckFn], CrossCheckFn]:
        """A check over a batch of documents (e.g. the front and back of one ID card)."""

        def decorator(fn: CrossCheckFn) -> CrossCheckFn:
            if code in self._cross or code in self._checks:
                raise DuplicateRegistration(f"check {code!r} registered twice")
            self._cross[code] = fn
            return fn

        return decorator

    def cross_checks(self) -> list[CrossCheckFn]:
        return list(self._cross.values())

    def register(self, code: str, types: Iterable[str]) -> Callable[[CheckFn], CheckFn]:
        def decorator(fn: CheckFn) -> CheckFn:
            if code in self._checks:
                raise DuplicateRegistration(f"check {code!r} registered twice")
            self._checks[code] = Check(code=code, types=frozenset(types), run=fn)
            return fn

        return decorator

    def for_type(self, type_code: str) -> list[Check]:
        return [c for c in self._checks.values() if type_code in c.types]

    def codes(self) -> list[str]:
        return list(self._checks) + list(self._cross)

"""Registries: document types (filled by extractors/) and checks (filled by validators/).

pipeline/ defines them and imports nothing of ours; the wiring code builds them once per process.
Registering the same code twice is an error, so a renamed or copied module cannot shadow another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pipeline.models import Classified, Document, FieldValue, PageReading
from pipeline.settings import Thresholds


class DuplicateRegistration(ValueError):
    pass


@dataclass(frozen=True)
class DocumentType:
    """How to recognise one document type and how to read its fields.

    `recognise(page)` returns a score in 0..1 (evidence that the page is of this type);
    `extract(doc)` returns the fields read from the classified pages."""

    code: str
    label: str  # Chinese name shown to people
    recognise: Callable[[PageReading], float]
    extract: Callable[[Classified], dict[str, FieldValue]]
    field_classes: dict[str, str] = field(default_factory=dict)  # field -> class for thresholds
    identity: bool = False  # an identity document (ID materials accept it)
    multi_page: bool = False  # consecutive pages of this type form one document
    seals: bool = False  # its checks judge the red seals on the paper: look for them (pipeline/seals.py)
    codes: bool = False  # it carries a QR code: decode it (pipeline/qr.py)
    # judges handwriting areas from the page pixels after extraction (extractors/_signature.judge):
    # (pages, fields, pixels(image_key) -> BGR array) -> (fields to replace, handwriting records)
    handwriting: Callable[[Classified, dict[str, FieldValue], Callable], tuple[dict[str, FieldValue], tuple]] | None = None


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

"""Stage objects and the result model.

Data flows one way: Upload -> Pages -> Reading -> Classified -> Document. Each stage object is a
frozen pydantic model holding storage keys and plain values (never arrays or open files); a stage
returns a new object and never changes its input. `Document` and `Result` are also the public
result JSON of docs/contracts.md "Result JSON", shared by `yichuang verify --json` and the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Severity = Literal["error", "warning", "info"]
Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the stored, straightened page


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(Frozen):
    """A problem found in a document or a case: stable code, severity, message in Chinese."""

    code: str
    severity: Severity
    message: str
    fields: tuple[str, ...] = ()


class FileError(Frozen):
    code: str
    message: str


# --- upload ---------------------------------------------------------------------------------


class Hints(Frozen):
    material: str | None = None
    person: str | None = None


class Upload(Frozen):
    """An original file as received. Its bytes sit in the object store under `key`."""

    id: str
    key: str
    sha256: str
    size: int
    source: str  # file name or path as given; shown only to authorised roles, never logged
    media_type: str | None = None
    received_at: dt.datetime
    hints: Hints = Hints()


# --- capture --------------------------------------------------------------------------------


class Capture(Frozen):
    rotation: int = 0  # degrees clockwise applied to make the page upright: 0, 90, 180, 270
    deskew_degrees: float = 0.0
    crop: tuple[Point, Point, Point, Point] | None = None  # quadrilateral in the decoded image
    exif_rotation: int = 0
    # "frame": the crop lacked what a document of a known type shows and the whole frame read better
    # (pipeline.capture_review); `frame_compared`: the whole frame was read too and the crop kept
    read_from: Literal["crop", "frame"] = "crop"
    frame_compared: bool = False


class QualityIssue(Frozen):
    code: str
    severity: Severity
    message: str
    sides: tuple[str, ...] = ()  # `cropped`: sides of the upright page cut or touching the frame (top, right, bottom, left)


class Quality(Frozen):
    score: float = 1.0
    issues: tuple[QualityIssue, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


class Page(Frozen):
    """One image to read: a whole page of the upload, or one region of it (a card on a copy)."""

    page: int  # 1-based page number within the upload
    region: tuple[Point, Point, Point, Point] | None = None
    image_key: str | None = None  # straightened image in the object store (PNG)
    width: int
    height: int
    capture: Capture = Capture()
    quality: Quality = Quality()
    has_text_layer: bool = False  # born-digital PDF page: read with pdfplumber, not OCR


class Pages(Frozen):
    upload: Upload
    kind: Literal["image", "pdf", "ofd"]
    pages: tuple[Page, ...]


# --- reading --------------------------------------------------------------------------------


class TextLine(Frozen):
    """One recognised text box: its text, the engine's raw score and its box in page pixels."""

    text: str
    score: float
    box: Box
    angle: int = 0  # 180 when PP-OCR's direction classifier found the line upside down


class PageReading(Frozen):
    page: Page
    lines: tuple[TextLine, ...]
    source: Literal["ocr", "pdf_text", "reader"]
    engine: str


class Reading(Frozen):
    upload: Upload
    kind: Literal["image", "pdf", "ofd"]
    pages: tuple[PageReading, ...]


# --- classification -------------------------------------------------------------------------


class Candidate(Frozen):
    type: str
    confidence: float


class Classified(Frozen):
    """A document cut from a reading: the page(s) it covers and its type."""

    upload: Upload
    pages: tuple[PageReading, ...]
    type: str
    type_confidence: float
    candidates: tuple[Candidate, ...] = ()


# --- the document (result JSON) -------------------------------------------------------------


class FieldValue(Frozen):
    value: Any
    confidence: float
    page: int | None = None
    box: Box | None = None
    raw: str | None = None  # text as read before normalisation
    source: Literal["ocr", "pdf_text", "reader", "person"] = "ocr"


class Seal(Frozen):
    text: str
    organisation: str
    kind: Literal["round", "oval", "square"]
    page: int
    box: Box
    confidence: float


class Code(Frozen):
    """A machine-readable code printed on the paper (the QR code of a licence), decoded."""

    format: str  # zxing-cpp's name: "QRCode", "DataMatrix", …
    text: str
    page: int
    box: Box


class Handwriting(Frozen):
    """An area of the paper meant for handwriting (the signature area) as judged from its pixels: whether ink
    was seen there (`signed`) and whether the judgement is `certain` (the whole area seen at a usable resolution,
    clearly blank or clearly inked)."""

    area: str
    page: int
    box: Box
    signed: bool | None = None
    certain: bool = False


class SignatureResult(Frozen):
    signed_by: str | None = None
    signed_at: str | None = None
    intact: bool
    trusted: bool
    covers_whole_file: bool
    later_changes: Literal["none", "form_filling", "annotations", "other"] = "none"
    revocation: Literal["good", "revoked", "unknown"] = "unknown"
    findings: tuple[Finding, ...] = ()
    kind: Literal["pdf", "ofd"] = "pdf"
    details: dict[str, Any] = Field(default_factory=dict)


class QualityOut(Frozen):
    ok: bool
    score: float
    issues: tuple[QualityIssue, ...] = ()


class Document(Frozen):
    id: str
    source: str
    pages: tuple[int, ...] = ()
    region: tuple[Point, Point, Point, Point] | None = None
    type: str = "unknown"
    type_confidence: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    capture: Capture | None = None
    quality: QualityOut | None = None
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    seals: tuple[Seal, ...] = ()
    handwriting: tuple[Handwriting, ...] = ()
    codes: tuple[Code, ...] = ()
    signatures: tuple[SignatureResult, ...] = ()
    image_keys: tuple[str, ...] = ()
    upload_sha256: str | None = None
    error: FileError | None = None
    # a multi-page type's document that opens without a title of its own (a form's later page scanned alone): in a
    # case it continues the same type's document before it (validators/joining.py)
    continues: bool = False
    # what a document of unknown type says (no fields were read): its pages' text in reading order
    # (pipeline/page_text.py); None for a document of a known type, whose fields say it
    text: str | None = None

    def value(self, name: str) -> Any:
        field = self.fields.get(name)
        return None if field is None else field.value


class Result(Frozen):
    schema_version: int = SCHEMA_VERSION
    documents: tuple[Document, ...] = ()
    case: dict[str, Any] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"documents": {"__all__": {"image_keys", "upload_sha256"}}})

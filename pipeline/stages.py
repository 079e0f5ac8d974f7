"""The stage functions, in order: preprocess -> read -> classify -> extract -> handwriting -> check.

Each is a pure function of its input stage object and explicit dependencies; none reads settings or
changes its input. Page images travel between stages as storage keys; `Images` keeps the decoded arrays
of the current file in memory so that nothing is decoded twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.confidence import Calibrator, is_uncertain, judged, layout_factor, support
from pipeline.decode import RawPage
from pipeline.models import (
    Candidate, Capture, Classified, Document, FieldValue, Finding, Page, PageReading, Pages, Quality, QualityOut,
    Reading, TextLine, Upload,
)
from pipeline.page_text import document_text
from pipeline.registry import CheckContext, CheckRegistry, Failure, TypeRegistry
from pipeline.settings import Thresholds

if TYPE_CHECKING:
    import numpy as np

    from pipeline.interfaces import ObjectStore, OcrEngine


@dataclass
class Images:
    """Decoded page images of the file being processed, by storage key (per call, never global)."""

    store: "ObjectStore"
    arrays: dict[str, "np.ndarray"] = field(default_factory=dict)

    def put(self, image: "np.ndarray", *, lossless: bool = True, encoded: bytes | None = None) -> str:
        """Store a page image: PNG for scans (what OCR read, kept exactly); JPEG (quality 90, ~8x faster to
        encode) for born-digital pages, whose text comes from the PDF and whose original file is kept. The PNG
        uses the "up" filter on every row: libpng's adaptive choice tries all five filters per row and takes
        about three times as long (100 against 35 ms on a 200-dpi page) for files within 2 % of the size. `encoded`:
        PNG bytes that decode to exactly `image` (the uploaded file of a flat scan that capture left as it was),
        stored as they are: encoding a 200-dpi page again costs about 35 ms."""
        import cv2

        if encoded is not None:
            key = self.store.put(encoded, content_type="image/png")
            self.arrays[key] = image
            return key
        if lossless:
            ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1,
                                                        cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP])
        else:
            ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        key = self.store.put(encoded.tobytes(), content_type="image/png" if lossless else "image/jpeg")
        self.arrays[key] = image
        return key

    def get(self, key: str) -> "np.ndarray":
        if key not in self.arrays:
            import cv2
            import numpy as np

            self.arrays[key] = cv2.imdecode(np.frombuffer(self.store.get(key), np.uint8), cv2.IMREAD_COLOR)
        return self.arrays[key]


# --- preprocess -----------------------------------------------------------------------------


def preprocess(upload: Upload, kind: str, raw_pages: list[RawPage], engine: "OcrEngine | None", images: Images,
               capture_settings=None) -> Pages:
    """Find, straighten and quality-check each page (capture), and store the straightened images.
    Born-digital PDF pages are kept as rendered (their text layer is in page pixel space)."""
    from pipeline import capture

    pages: list[Page] = []
    for raw in raw_pages:
        if raw.text_lines and not raw.rendered:
            # the fast text path: no image until a stage needs one (`pixels_for`), none stored
            pages.append(Page(page=raw.page, width=raw.width, height=raw.height, has_text_layer=True,
                              capture=Capture(exif_rotation=raw.exif_rotation)))
            continue
        h, w = raw.image.shape[:2]
        if raw.text_lines or raw.digital:
            # born-digital: no capture; a rendered OFD page (`digital`) is straight already but read by OCR
            key = images.put(raw.image, lossless=False)
            pages.append(Page(page=raw.page, image_key=key, width=w, height=h, has_text_layer=bool(raw.text_lines),
                              capture=Capture(exif_rotation=raw.exif_rotation)))
            continue
        settings = capture_settings or capture.CaptureSettings()
        results = capture.capture(raw.image, engine, settings)
        whole = len(results) == 1
        for image, cap, quality, region in results:
            key = images.put(image, encoded=raw.encoded if image is raw.image else None)
            ih, iw = image.shape[:2]
            pages.append(Page(
                page=raw.page,
                region=None if whole else tuple(tuple(map(float, p)) for p in region.quad),
                image_key=key, width=iw, height=ih,
                capture=cap.model_copy(update={"exif_rotation": raw.exif_rotation}),
                quality=quality,
            ))
    return Pages(upload=upload, kind=kind, pages=tuple(pages))


# --- read -----------------------------------------------------------------------------------


def read(pages: Pages, raw_pages: list[RawPage], engine: "OcrEngine | None", images: Images, engine_name: str = "") -> Reading:
    """Born-digital pages from their text layer (pdfplumber); others with OCR. A page that PP-OCR's
    direction classifier finds mostly upside down is turned and read again."""
    text_layers = {r.page: r.text_lines for r in raw_pages if r.text_lines}
    overlays = {r.page: r.overlay for r in raw_pages if r.overlay}
    readings: list[PageReading] = []
    for page in pages.pages:
        if page.has_text_layer:
            readings.append(PageReading(page=page, lines=tuple(text_layers[page.page]), source="pdf_text", engine="pdfplumber"))
            continue
        if engine is None:
            readings.append(PageReading(page=page, lines=(), source="ocr", engine="none"))
            continue
        image = images.get(page.image_key)
        lines = engine.read(image)
        if _mostly_upside_down(lines):
            import cv2

            turned = cv2.rotate(image, cv2.ROTATE_180)
            key = images.put(turned)
            rotation = (page.capture.rotation + 180) % 360
            page = page.model_copy(update={"image_key": key, "capture": page.capture.model_copy(update={"rotation": rotation})})
            lines = engine.read(turned)
        if page.page in overlays:
            from pipeline.ofd import overlay_lines

            lines = overlay_lines(lines, overlays[page.page])
        readings.append(PageReading(page=page, lines=tuple(lines), source="ocr", engine=engine_name or engine.name))
    return Reading(upload=pages.upload, kind=pages.kind, pages=tuple(readings))


def _mostly_upside_down(lines: list[TextLine]) -> bool:
    weight = sum(len(line.text) for line in lines)
    flipped = sum(len(line.text) for line in lines if line.angle == 180)
    return weight > 0 and flipped > 0.6 * weight


# --- classify -------------------------------------------------------------------------------


def classify(reading: Reading, types: TypeRegistry, thresholds: Thresholds) -> list[Classified]:
    """Type each page; consecutive pages of one multi-page type form one document, others one each.
    Below the type threshold a page is `unknown`, with the top candidates listed.

    A page that follows a multi-page document (a contract's second page, a form's signature page) joins it
    when that type is the page's best candidate, even with weaker evidence than a first page needs (half
    the threshold): continuation pages rarely repeat the title. A page that carries the type's title of its own
    (`opens_document`) is a complete first page and starts a new document: complete pages never join each other.
    A joined page that agrees does not lower the document's confidence; the document is as certain as its most
    certain page."""
    out: list[Classified] = []
    for page in reading.pages:
        scores = sorted(((t.code, float(t.recognise(page))) for t in types), key=lambda s: -s[1])
        candidates = tuple(Candidate(type=c, confidence=round(s, 3)) for c, s in scores[:3] if s > 0)
        best, best_score = scores[0] if scores else ("unknown", 0.0)
        margin = best_score - (scores[1][1] if len(scores) > 1 else 0.0)
        confidence = round(min(best_score, 0.5 + margin), 3)
        code = best if confidence >= thresholds.type else "unknown"
        previous = out[-1] if out else None
        previous_type = types.get(previous.type) if previous is not None else None
        continues = (previous_type is not None and previous_type.multi_page and best == previous.type
                     and confidence >= thresholds.type / 2 and previous.pages[-1].page.page == page.page.page - 1
                     and page.page.region is None and previous.pages[-1].page.region is None
                     and not opens_document(page, previous_type.label))
        if continues:
            out[-1] = previous.model_copy(update={"pages": previous.pages + (page,),
                                                  "type_confidence": max(previous.type_confidence, confidence)})
            continue
        out.append(Classified(upload=reading.upload, pages=(page,), type=code,
                              type_confidence=confidence if code != "unknown" else round(1 - best_score, 3),
                              candidates=candidates))
    return out


def opens_document(page: PageReading, label: str) -> bool:
    """The page carries the title of a document of this type (its label, as printed or nearly, in the top third
    of the page, and not marked 续 "continued"): a complete first page, which starts a document of its own even
    right after another of the same type (two applications scanned together are two documents)."""
    import difflib

    target = _bare(label)
    top = (page.page.height or max((line.box[3] for line in page.lines), default=0.0)) / 3
    for line in page.lines:
        text = _bare(line.text)
        if line.box[1] > top or "续" in text or len(text) < 2:
            continue
        if target in text or (abs(len(text) - len(target)) <= 3
                              and difflib.SequenceMatcher(None, text, target).ratio() >= 0.75):
            return True
    return False


def _bare(text: str) -> str:
    """Text without spaces and brackets, full width folded (a title as OCR may read it)."""
    import re
    import unicodedata

    return re.sub(r"[\s()（）【】\[\]:：]", "", unicodedata.normalize("NFKC", text))


# --- extract --------------------------------------------------------------------------------


def extract(classified: Classified, types: TypeRegistry, calibrator: Calibrator) -> Document:
    doc_type = types.get(classified.type)
    fields: dict[str, FieldValue] = {}
    if doc_type is not None:
        layout = layout_factor(anchors_found(classified, doc_type.anchors), len(doc_type.anchors))
        for name, value in doc_type.extract(classified).items():
            field_class = doc_type.field_classes.get(name, "text")
            source = "pdf_text" if classified.pages[0].source == "pdf_text" else value.source
            raw = support(value.confidence, layout)
            confidence = 1.0 if source == "pdf_text" else calibrator(field_class, raw, value.value)
            fields[name] = value.model_copy(update={"confidence": confidence, "source": source})
    first = classified.pages[0].page
    quality = _merge_quality([p.page.quality for p in classified.pages])
    findings: tuple[Finding, ...] = ()
    if classified.type == "unknown":
        findings = (Finding(code="document.unknown_type", severity="warning", message="无法识别的材料类型，请人工确认"),)
    return Document(
        id=str(uuid.uuid4()),
        source=classified.upload.source,
        pages=tuple(p.page.page for p in classified.pages),
        region=first.region,
        type=classified.type,
        type_confidence=classified.type_confidence,
        candidates=classified.candidates if classified.type == "unknown" else (),
        capture=first.capture,
        quality=quality,
        fields=fields,
        findings=findings,
        image_keys=tuple(p.page.image_key for p in classified.pages if p.page.image_key),
        upload_sha256=classified.upload.sha256,
        continues=bool(doc_type is not None and doc_type.multi_page and classified.type != "unknown"
                       and not opens_document(classified.pages[0], doc_type.label)),
        text=(document_text([p.lines for p in classified.pages]) or None) if classified.type == "unknown" else None,
    )


def anchors_found(classified: Classified, anchors: Iterable[str]) -> int:
    """How many of a type's declared anchors occur (exactly, spaces and brackets aside) on the document's pages."""
    text = "".join(_bare(line.text) for page in classified.pages for line in page.lines)
    return sum(1 for anchor in anchors if _bare(anchor) and _bare(anchor) in text)


def _merge_quality(qualities: Iterable[Quality]) -> QualityOut:
    qualities = list(qualities)
    issues = tuple(i for q in qualities for i in q.issues)
    score = min((q.score for q in qualities), default=1.0)
    return QualityOut(ok=not any(i.severity == "error" for i in issues), score=round(score, 3), issues=issues)


# --- handwriting: signature areas judged from the pixels ------------------------------------


def handwriting(doc: Document, classified: Classified, types: TypeRegistry, images: Images) -> Document:
    """For a type that declares a handwriting judge (DocumentType.handwriting: the signature area of forms and
    letters), let it look at the page pixels: it replaces the fields it judges (`signed`) and reports the areas it
    looked at (`handwriting`). Other types pass through untouched."""
    doc_type = types.get(doc.type)
    if doc_type is None or doc_type.handwriting is None:
        return doc
    fields, areas = doc_type.handwriting(classified, doc.fields, images.get)
    if not fields and not areas:
        return doc
    return doc.model_copy(update={"fields": {**doc.fields, **fields}, "handwriting": doc.handwriting + tuple(areas)})


# --- pixels on demand for the fast text path -------------------------------------------------


def pixels_for(classified: Classified, types: TypeRegistry, raw_pages: list[RawPage], images: Images) -> Classified:
    """Fast text pages (read from their text layer, not rendered) of a document whose type looks at the paper
    (DocumentType.seals / .codes) are rendered now and stored like every born-digital page image, so that
    `under_seals` and `marks` see them. Other documents pass through and pay nothing."""
    doc_type = types.get(classified.type)
    if doc_type is None or not (doc_type.seals or doc_type.codes):
        return classified
    raw = {r.page: r for r in raw_pages}
    pages = []
    for reading in classified.pages:
        source = raw.get(reading.page.page)
        if reading.page.image_key is None and source is not None and source.render is not None:
            key = images.put(source.pixels(), lossless=False)
            reading = reading.model_copy(update={"page": reading.page.model_copy(update={"image_key": key})})
        pages.append(reading)
    return classified.model_copy(update={"pages": tuple(pages)})


# --- marks: seals and codes on the paper -----------------------------------------------------


def under_seals(classified: Classified, types: TypeRegistry, engine: "OcrEngine | None", images: Images
                ) -> tuple[Classified, dict[str, list]]:
    """For a type whose checks judge seals (DocumentType.seals): the seals of each page, and the print under a seal
    that the page's OCR missed (a certificate's date is stamped over) read again without the red ink and added to
    the page's lines, so that extraction sees it. Returns the document's pages with those lines and the seals
    found, by page image key, for `marks`. Other types pass through untouched and pay nothing."""
    doc_type = types.get(classified.type)
    if doc_type is None or not doc_type.seals:
        return classified, {}
    from pipeline import seals

    found: dict[str, list] = {}
    pages = []
    for reading in classified.pages:
        if not reading.page.image_key:
            pages.append(reading)
            continue
        image = images.get(reading.page.image_key)
        found[reading.page.image_key] = on_page = seals.find_seals(image)
        lines = list(reading.lines)
        if engine is not None and reading.source == "ocr":
            for seal in on_page:
                lines = seals.merge_lines(lines, seals.read_under(image, seal, lines, engine))
        if len(lines) != len(reading.lines) or any(a is not b for a, b in zip(lines, reading.lines)):
            lines.sort(key=lambda ln: (ln.box[1], ln.box[0]))
            reading = reading.model_copy(update={"lines": tuple(lines)})
        pages.append(reading)
    return classified.model_copy(update={"pages": tuple(pages)}), found


def marks(doc: Document, classified: Classified, types: TypeRegistry, engine: "OcrEngine | None", images: Images,
          found_seals: dict[str, list] | None = None) -> Document:
    """Red seals (pipeline/seals.py) and QR codes (pipeline/qr.py) on the document's pages, looked for only
    when its type asks (DocumentType.seals / .codes), so other pages never pay for it. A page with red ink that
    looks like a seal but is not recognised as one gets a `seal.unrecognised` warning for a person to look at.
    `found_seals` (by page image key, from `under_seals`) spares finding them again."""
    doc_type = types.get(doc.type)
    if doc_type is None or not (doc_type.seals or doc_type.codes):
        return doc
    from pipeline import qr, seals

    found, codes, unrecognised = [], [], False
    for reading in classified.pages:
        if not reading.page.image_key:
            continue
        image = images.get(reading.page.image_key)
        if doc_type.seals:
            known = (found_seals or {}).get(reading.page.image_key)
            on_page = seals.seals_on_page(image, reading.page.page, engine, known)
            found += on_page
            unrecognised |= not on_page and seals.seal_like_ink(image)
        if doc_type.codes:
            codes += qr.read_codes(image, reading.page.page)
    findings = doc.findings
    if unrecognised and not found:
        findings += (Finding(code="seal.unrecognised", severity="warning",
                             message="页面上有红色印迹，但未能识别为印章，请人工核对是否加盖印章"),)
    return doc.model_copy(update={"seals": tuple(found), "codes": tuple(codes), "findings": findings})


# --- check ----------------------------------------------------------------------------------


def check(doc: Document, checks: CheckRegistry, today: dt.date, thresholds: Thresholds, field_classes: dict[str, str]) -> Document:
    ctx = CheckContext(today=today, thresholds=thresholds)
    findings = list(doc.findings)
    for registered in checks.for_type(doc.type):
        for failure in registered.run(doc, ctx):
            findings.append(to_finding(failure, [doc], [field_classes], thresholds))
    return doc.model_copy(update={"findings": tuple(findings)})


def to_finding(failure: Failure, docs: list[Document], classes: list[dict[str, str]], thresholds: Thresholds,
               corroborated: frozenset[str] = frozenset()) -> Finding:
    """A check's failure as a finding, its severity by the confidence rule (pipeline/confidence.judged) over the
    values of `failure.fields` in `docs` (field classes in `classes`, one per document)."""
    uncertain = any(is_uncertain(doc.fields.get(name), thresholds.for_class(field_classes.get(name, "text")))
                    for name in failure.fields if name not in corroborated
                    for doc, field_classes in zip(docs, classes))
    severity, message = judged(failure.severity, failure.message, uncertain)
    return Finding(code=failure.code, severity=severity, message=message, fields=failure.fields)

"""Second looks at the capture stage's choices once the text is known (runner: after read; after extract).

Capture decides from pixels alone where a document is and whether it is whole. Two of its choices can
only be judged with the reading:

- `read_whole_frames` (after `read`): a frame cropped to an outline whose reading shows no document
  type (a card photo filling a small frame, cropped to the portrait on it) is read again as a whole
  frame, and the better reading is kept. Crops that read as a known type are not read twice.
- `review_edges` (after `extract`): `cropped` is confirmed or lifted. A document whose outline touches
  the frame but whose every expected field was read, with no text line running off an edge, is whole
  (the issue becomes `info`); a `cropped` issue, or text cut at an edge, on a document missing expected
  fields is an `error` naming the sides.

Both return new stage objects and change nothing else; neither raises on odd input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pipeline.capture_quality import SIDES, cropped_issue, is_whole_image
from pipeline.models import Classified, Document, Page, PageReading, Pages, QualityIssue, QualityOut, Reading
from pipeline.registry import TypeRegistry

if TYPE_CHECKING:
    from pipeline.decode import RawPage
    from pipeline.interfaces import OcrEngine
    from pipeline.stages import Images

EDGE_MARGIN = 0.004  # an OCR box this close to the page edge (share of its size, at least 2 px) touches it
MORE_TEXT = 1.5  # with no type either way, the frame wins when it holds this many times the crop's text


def best_type_score(reading: PageReading, types: TypeRegistry) -> float:
    return max((float(t.recognise(reading)) for t in types), default=0.0)


def _text_amount(reading: PageReading) -> float:
    return sum(len(line.text.strip()) * float(line.score) for line in reading.lines)


def read_whole_frames(reading: Reading, raw_pages: list[RawPage], engine: OcrEngine | None, images: Images,
                      types: TypeRegistry, type_threshold: float, settings=None) -> Reading:
    """Never worse than reading the frame as it came: each OCR'd page that capture cropped to one outline
    and that no type recognises is compared with the whole frame (turned and graded by
    `capture.whole_frame`), and the frame's reading is kept when a type recognises it (or, with no type
    either way, when it holds clearly more text). The choice is recorded in `Capture.read_from` /
    `frame_compared`. Pages split into several regions, text-layer pages and whole frames pass through."""
    if engine is None:
        return reading
    from pipeline import capture, stages

    frames = {r.page: r for r in raw_pages}
    pages = []
    for page_reading in reading.pages:
        page = page_reading.page
        raw = frames.get(page.page)
        if (page_reading.source != "ocr" or page.region is not None or page.capture.crop is None or raw is None
                or is_whole_image(np.asarray(page.capture.crop, np.float32), raw.pixels().shape)):
            pages.append(page_reading)
            continue
        crop_score = best_type_score(page_reading, types)
        if crop_score >= type_threshold:
            pages.append(page_reading)
            continue
        image, cap, quality, _ = capture.whole_frame(raw.pixels(), engine, settings or capture.CaptureSettings())
        h, w = image.shape[:2]
        frame_page = Page(page=page.page, image_key=images.put(image), width=w, height=h, quality=quality,
                          capture=cap.model_copy(update={"exif_rotation": page.capture.exif_rotation,
                                                         "read_from": "frame", "frame_compared": True}))
        frame_reading = stages.read(Pages(upload=reading.upload, kind=reading.kind, pages=(frame_page,)),
                                    raw_pages, engine, images, page_reading.engine).pages[0]
        frame_score = best_type_score(frame_reading, types)
        better = (frame_score >= type_threshold and frame_score > crop_score) or (
            frame_score >= crop_score and _text_amount(frame_reading) > MORE_TEXT * _text_amount(page_reading))
        if better:
            pages.append(frame_reading)
        else:
            kept = page.model_copy(update={"capture": page.capture.model_copy(update={"frame_compared": True})})
            pages.append(page_reading.model_copy(update={"page": kept}))
    return reading.model_copy(update={"pages": tuple(pages)})


def cut_sides(reading: PageReading) -> set[str]:
    """Sides of the page image that OCR text lines touch (print running off the page)."""
    page = reading.page
    if reading.source != "ocr" or page.width <= 0 or page.height <= 0:
        return set()
    mx = max(2.0, EDGE_MARGIN * page.width)
    my = max(2.0, EDGE_MARGIN * page.height)
    sides: set[str] = set()
    for line in reading.lines:
        if not line.text.strip():
            continue
        x0, y0, x1, y1 = line.box
        sides |= {s for s, hit in zip(SIDES, (y0 <= my, x1 >= page.width - mx, y1 >= page.height - my, x0 <= mx),
                                      strict=True) if hit}
    return sides


def review_edges(doc: Document, classified: Classified, types: TypeRegistry) -> Document:
    """Confirm or lift capture's `cropped` issues with the extraction's result (see the module)."""
    if doc.quality is None:
        return doc
    doc_type = types.get(doc.type)
    expected = set(doc_type.field_classes) if doc_type is not None else set()
    missing = expected - set(doc.fields)
    cut: set[str] = set()
    for page_reading in classified.pages:
        cut |= cut_sides(page_reading)
    issues: list[QualityIssue] = []
    seen = False
    for issue in doc.quality.issues:
        if issue.code != "cropped":
            issues.append(issue)
            continue
        seen = True
        sides = set(issue.sides) | cut
        if doc_type is not None and not missing and not cut:
            issues.append(cropped_issue("info", sides))  # touches the frame, yet everything was read
        elif doc_type is not None and missing:
            issues.append(cropped_issue("error", sides))  # expected fields lost at the edge
        else:
            issues.append(issue)
    if not seen and cut:
        if doc_type is not None and missing:
            issues.append(cropped_issue("error", cut))
        elif doc_type is None:
            issues.append(cropped_issue("warning", cut))
    if issues == list(doc.quality.issues):
        return doc
    ok = not any(i.severity == "error" for i in issues)
    score = doc.quality.score
    if ok and not doc.quality.ok:
        score = max(score, 0.8)
    elif not ok and doc.quality.ok:
        score = min(score, 0.4)
    quality = QualityOut(ok=ok, score=round(score, 3), issues=tuple(issues))
    return doc.model_copy(update={"quality": quality})

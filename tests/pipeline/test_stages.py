"""Storing page images (pipeline/stages.Images): a flat scan as uploaded, a straightened page as a PNG written fast."""

import datetime as dt
import zlib
from pathlib import Path

import numpy as np
import pytest

from pipeline import decode as d
from pipeline.settings import Limits

LIMITS = Limits()
SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.parametrize(("name", "as_uploaded"), [("application_form_s7-0000_p1_clean.png", True),
                                                   ("application_form_s7-0000_p1_camera.jpg", False)])
def test_a_flat_scan_is_stored_as_uploaded_and_a_straightened_photo_as_a_new_png(name, as_uploaded):
    """A flat scan that capture leaves as it is (the same pixels) is stored as its own file, not encoded again;
    a photo that capture straightens is stored as the straightened page, losslessly."""
    import cv2

    from pipeline import stages
    from pipeline.runner import make_upload
    from storage.objects import MemoryStore, key_for

    data = (SAMPLES / "application_form" / name).read_bytes()
    _kind, raw_pages = d.decode(data, LIMITS)
    images = stages.Images(MemoryStore())
    pages = stages.preprocess(make_upload(data, name, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)), "image",
                              raw_pages, None, images)
    [page] = pages.pages
    stored = images.store.get(page.image_key)
    assert (page.image_key == key_for(data)) is as_uploaded
    assert stored.startswith(b"\x89PNG")
    decoded = cv2.imdecode(np.frombuffer(stored, np.uint8), cv2.IMREAD_COLOR)
    assert np.array_equal(decoded, images.arrays[page.image_key])
    assert np.array_equal(decoded, raw_pages[0].image) is as_uploaded


def _png_row_filters(data: bytes) -> set[int]:
    """The filter type byte of every row of an 8-bit PNG (IHDR width and colour type give the row length)."""
    import struct

    pos, idat, width, channels = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, channels = struct.unpack(">I", body[:4])[0], {0: 1, 2: 3, 4: 2, 6: 4}[body[9]]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * channels
    return {raw[i] for i in range(0, len(raw), stride)}


def test_a_page_png_is_written_with_the_up_filter_on_every_row():
    """Stored page PNGs use one row filter ("up"): libpng's adaptive choice of all five per row takes about three
    times as long for files within 2 % of the size. The pixels are kept exactly."""
    import cv2

    from pipeline import stages
    from storage.objects import MemoryStore

    page = cv2.imread(str(SAMPLES / "application_form" / "application_form_s7-0000_p1_camera.jpg"))
    images = stages.Images(MemoryStore())
    stored = images.store.get(images.put(page))
    assert _png_row_filters(stored) == {2}
    assert np.array_equal(cv2.imdecode(np.frombuffer(stored, np.uint8), cv2.IMREAD_COLOR), page)

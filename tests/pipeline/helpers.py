"""Plain helpers the pipeline tests share (and the workers' fan-out tests): blank PDFs of a given page count."""

from __future__ import annotations

import io

import pikepdf


def pdf_bytes(pages: int = 1, **save_kw) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buf = io.BytesIO()
    pdf.save(buf, **save_kw)
    return buf.getvalue()

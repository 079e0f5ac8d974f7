"""Plain helpers the bundle tests share: read a bundle PDF as a downstream system would."""

from __future__ import annotations

import io

import pikepdf


def attachments(data: bytes) -> dict[str, bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}


def page_texts(data: bytes) -> list[str]:
    """What a downstream system reads: pdfplumber, as the project itself reads born-digital PDFs."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]

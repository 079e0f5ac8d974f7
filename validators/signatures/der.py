"""A minimal DER reader: tags and exact byte slices.

asn1crypto decodes strictly and re-raises on the odd string types some Chinese CAs put in names;
signatures cover exact bytes anyway. This reader never interprets content, so callers can compare
and hash raw DER and decode text leniently.
"""

from __future__ import annotations

import dataclasses


class SesError(ValueError):
    """Bytes that are not the DER structure expected (seal, signature, certificate)."""



@dataclasses.dataclass(frozen=True)
class Tlv:
    cls: int  # 0 universal, 1 application, 2 context, 3 private
    constructed: bool
    tag: int
    raw: bytes  # header + contents, exactly as found
    contents: bytes


def read_tlv(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """One DER element at `pos`; returns it and the position after it. Raises SesError."""
    try:
        first = data[pos]
        cls, constructed, tag = first >> 6, bool(first & 0x20), first & 0x1F
        i = pos + 1
        if tag == 0x1F:
            tag = 0
            while True:
                byte = data[i]
                i += 1
                tag = (tag << 7) | (byte & 0x7F)
                if not byte & 0x80:
                    break
        length = data[i]
        i += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 4:
                raise SesError("indefinite or oversized length")
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        end = i + length
        if end > len(data):
            raise SesError("element runs past the end of the data")
        return Tlv(cls, constructed, tag, data[pos:end], data[i:end]), end
    except IndexError as exc:
        raise SesError("truncated DER") from exc


def children(data: bytes) -> list[Tlv]:
    """The elements inside one constructed element `data` (which must span all of `data`)."""
    outer, end = read_tlv(data)
    if end != len(data):
        raise SesError("trailing bytes after the outer element")
    if not outer.constructed:
        raise SesError("expected a constructed element")
    out, pos, body = [], 0, outer.contents
    while pos < len(body):
        item, pos = read_tlv(body, pos)
        out.append(item)
    return out



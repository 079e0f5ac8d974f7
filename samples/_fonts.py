"""Font lookup for the sample generators: which CJK fonts exist here and which glyphs they have.

Used by generate_idcards.py. Fonts are looked up at fixed Debian paths (fonts-noto-cjk,
fonts-wqy-microhei, fonts-arphic-ukai/uming, fonts-dejavu) so the same seed picks the same fonts on
every machine with those packages; a missing font is left out of the pools (the output then
differs from a machine that has it, but stays deterministic on this one).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

_NOTO = Path("/usr/share/fonts/opentype/noto")
_TT = Path("/usr/share/fonts/truetype")


@dataclass(frozen=True)
class FontFace:
    key: str
    path: Path
    index: int = 0  # face inside a .ttc collection


# Face indices checked with ImageFont.getname(): Noto CJK .ttc index 2 is "SC", 7 "Mono CJK SC".
FACES: dict[str, FontFace] = {
    f.key: f
    for f in (
        FontFace("noto_sans", _NOTO / "NotoSansCJK-Regular.ttc", 2),
        FontFace("noto_sans_bold", _NOTO / "NotoSansCJK-Bold.ttc", 2),
        FontFace("noto_sans_mono", _NOTO / "NotoSansCJK-Regular.ttc", 7),
        FontFace("noto_serif", _NOTO / "NotoSerifCJK-Regular.ttc", 2),
        FontFace("noto_serif_bold", _NOTO / "NotoSerifCJK-Bold.ttc", 2),
        FontFace("wqy", _TT / "wqy/wqy-microhei.ttc", 0),
        FontFace("wqy_mono", _TT / "wqy/wqy-microhei.ttc", 1),
        FontFace("uming", _TT / "arphic/uming.ttc", 0),  # AR PL UMing CN
        FontFace("ukai", _TT / "arphic/ukai.ttc", 0),  # AR PL UKai CN
        FontFace("dejavu_mono", _TT / "dejavu/DejaVuSansMono.ttf", 0),
        FontFace("dejavu_mono_bold", _TT / "dejavu/DejaVuSansMono-Bold.ttf", 0),
        FontFace("dejavu_sans", _TT / "dejavu/DejaVuSans.ttf", 0),
    )
}

# Tried in this order when the chosen face lacks a glyph; Noto Sans CJK SC covers GB 18030's BMP part.
FALLBACK_ORDER = ("noto_sans", "noto_serif", "wqy", "uming")


def available(keys: tuple[str, ...] | list[str]) -> list[str]:
    """The keys among `keys` whose font file exists on this machine, in the given order."""
    return [k for k in keys if k in FACES and FACES[k].path.exists()]


@functools.lru_cache(maxsize=None)
def _codepoints(key: str) -> frozenset[int]:
    face = FACES[key]
    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def has_glyphs(key: str, text: str) -> bool:
    """True when font `key` has a glyph for every non-space character of `text`."""
    if not FACES[key].path.exists():
        return False
    cmap = _codepoints(key)
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


def covering(key: str, text: str) -> str:
    """`key` if it renders all of `text`, else the first fallback face that does.

    Raises LookupError when no installed face can render the text (the caller then picks other text).
    """
    if has_glyphs(key, text):
        return key
    for other in FALLBACK_ORDER:
        if has_glyphs(other, text):
            return other
    raise LookupError(f"no installed font renders {text!r}")


@functools.lru_cache(maxsize=256)
def load(key: str, size: int) -> ImageFont.FreeTypeFont:
    face = FACES[key]
    return ImageFont.truetype(str(face.path), size=size, index=face.index)

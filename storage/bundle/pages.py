"""Generated pages of the case bundle: one fpdf2 document with an embedded (subset) Chinese font, and the
few drawing primitives the bundle's pages are made of (titles, lines, key/value tables, grids, image pages).

Who calls it: storage/bundle/render.py. It draws only what it is given.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from pipeline.errors import ConfigurationError

# (regular, bold, face index in the collection). WenQuanYi Micro Hei (TrueType outlines) first: fpdf2 embeds
# Noto Sans CJK's CFF outlines with an encoding pdfminer/pdfplumber cannot map back to text, and a bundle
# whose text a downstream system cannot extract is worth less. Noto Sans CJK SC (fonts-noto-cjk) is the
# fallback for the characters WenQuanYi lacks (rare name characters such as 䶮 or 𠮷): drawn right, always.
FONTS = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), None, 0),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"), 2),
)


def find_fonts() -> list[tuple[Path, Path | None, int]]:
    """The installed faces, in order of preference; ConfigurationError when there is none."""
    found = [(regular, bold if bold and bold.exists() else None, index)
             for regular, bold, index in FONTS if regular.exists()]
    if not found:
        raise ConfigurationError("未安装中文字体，无法生成材料包，请联系管理员",
                                 detail="no CJK font found (install fonts-wqy-microhei / fonts-noto-cjk: scripts/setup)")
    return found


@functools.lru_cache(maxsize=8)
def _covered(path: str, index: int) -> frozenset[int]:
    """The code points a face has glyphs for (read once per process)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


class Generated:
    """The generated pages, all in one fpdf2 document so that the font is embedded (subset) once. The fallback
    faces are loaded only when some text needs them (parsing a CJK face costs about a second)."""

    def __init__(self, footer: str) -> None:
        from fpdf import FPDF

        (regular, bold, index), *self._fallbacks = find_fonts()
        self._covers = _covered(str(regular), index)
        text = footer

        class _Doc(FPDF):
            def footer(self) -> None:  # noqa: D401 - fpdf2 hook
                self.set_y(-12)
                self.set_font("cjk", size=7)
                self.set_text_color(110)
                self.cell(0, 5, text, align="C")
                self.set_text_color(0)

        self.pdf = _Doc(format="A4")
        self.pdf.set_auto_page_break(True, margin=16)
        self.pdf.set_margins(16, 16, 16)
        self.pdf.add_font("cjk", "", str(regular), collection_font_number=index)
        self.bold = ""
        if bold is not None:
            self.pdf.add_font("cjk", "B", str(bold), collection_font_number=index)
            self.bold = "B"
        self.pdf.set_font("cjk", size=10)
        self.scale = 1.0  # < 1: a compact cover that would otherwise spill a few lines onto a page of its own
        self._need(footer)

    def _need(self, *texts: str) -> None:
        """Load the fallback faces the first time a character the main face lacks is about to be drawn."""
        if not self._fallbacks or all(ord(ch) in self._covers for t in texts for ch in t if not ch.isspace()):
            return
        names = []
        for i, (regular, _bold, index) in enumerate(self._fallbacks, 1):
            self.pdf.add_font(f"cjk{i}", "", str(regular), collection_font_number=index)
            names.append(f"cjk{i}")
        self.pdf.set_fallback_fonts(names, exact_match=False)
        self._fallbacks = []

    def page(self) -> None:
        self.pdf.add_page()

    def title(self, text: str, size: float = 16) -> None:
        self._need(text)
        size *= self.scale
        self.pdf.set_font("cjk", self.bold, size)
        self.pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
        self.pdf.ln(2)
        self.pdf.set_font("cjk", "", 10)

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.title(text, 12)

    def line(self, text: str, size: float = 10, color: int = 0) -> None:
        """A paragraph broken by pipeline.typeset (禁则: no closing punctuation first on a line; bullets and item
        numbers hang)."""
        from pipeline.typeset import wrap

        self._need(text)
        size *= self.scale
        self.pdf.set_font("cjk", "", size)
        self.pdf.set_text_color(color)
        height = size * 0.52
        for paragraph in text.split("\n"):
            for piece in wrap(paragraph, self.pdf.epw, self.pdf.get_string_width):
                if self.pdf.get_y() + height > self.pdf.page_break_trigger:
                    self.pdf.add_page()
                self.pdf.set_x(self.pdf.l_margin + piece.indent)
                self.pdf.cell(self.pdf.epw - piece.indent, height, piece.text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        if not rows:
            return
        self._need(*(cell for row in rows for cell in row))
        self.pdf.set_font("cjk", "", 10 * self.scale)
        with self.pdf.table(col_widths=(32, 146), first_row_as_headings=False, wrapmode="CHAR", line_height=5.5 * self.scale,
                            text_align="LEFT") as table:
            for key, value in rows:
                table.row((key, value or "—"))
        self.pdf.ln(2)

    def grid(self, head: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...], size: float = 9) -> None:
        from fpdf.fonts import FontFace

        self._need(*head, *(cell for row in rows for cell in row))
        size *= self.scale
        self.pdf.set_font("cjk", "", size)
        with self.pdf.table(col_widths=widths, wrapmode="CHAR", line_height=size * 0.55, text_align="LEFT",
                            headings_style=FontFace(emphasis=self.bold or None, fill_color=(235, 235, 235))) as table:
            table.row(head)
            for row in rows:
                table.row(row)
        self.pdf.set_font("cjk", "", 10)
        self.pdf.ln(2)

    def image(self, png: bytes, caption: str) -> None:
        from PIL import Image

        with Image.open(io.BytesIO(png)) as img:
            width, height = img.size
        self.pdf.add_page(orientation="L" if width > height * 1.15 else "P")
        self.line(caption, 8, 90)
        top = self.pdf.get_y() + 2
        box_w, box_h = self.pdf.epw, self.pdf.eph - (top - self.pdf.t_margin)
        self.pdf.image(io.BytesIO(png), x=self.pdf.l_margin, y=top, w=box_w, h=box_h, keep_aspect_ratio=True)

    def count(self) -> int:
        return self.pdf.page_no()

    def last_page_fill(self) -> float:
        """How much of the current page's body is used (0..1)."""
        top, bottom = self.pdf.t_margin, self.pdf.page_break_trigger
        return (self.pdf.get_y() - top) / (bottom - top)

    def output(self) -> bytes:
        return bytes(self.pdf.output())

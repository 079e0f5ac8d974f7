"""Generated pages of the case bundle: one fpdf2 document with an embedded (subset) Chinese font, and the
few drawing primitives the bundle's pages are made of (titles, lines, key/value tables, grids, image pages).

Who calls it: storage/bundle/render.py. It draws only what it is given.
"""

from __future__ import annotations

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


class Generated:
    """The generated pages, all in one fpdf2 document so that the font is embedded (subset) once."""

    def __init__(self, footer: str) -> None:
        from fpdf import FPDF

        fonts = find_fonts()
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
        for i, (regular, bold, index) in enumerate(fonts):
            family = "cjk" if i == 0 else f"cjk{i}"
            self.pdf.add_font(family, "", str(regular), collection_font_number=index)
            self.pdf.add_font(family, "B", str(bold or regular), collection_font_number=index)
        self.pdf.set_fallback_fonts([f"cjk{i}" for i in range(1, len(fonts))])
        self.pdf.set_font("cjk", size=10)

    def page(self) -> None:
        self.pdf.add_page()

    def title(self, text: str, size: int = 16) -> None:
        self.pdf.set_font("cjk", "B", size)
        self.pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
        self.pdf.ln(2)
        self.pdf.set_font("cjk", "", 10)

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.title(text, 12)

    def line(self, text: str, size: float = 10, color: int = 0) -> None:
        self.pdf.set_font("cjk", "", size)
        self.pdf.set_text_color(color)
        self.pdf.multi_cell(0, size * 0.52, text, new_x="LMARGIN", new_y="NEXT", wrapmode="CHAR")
        self.pdf.set_text_color(0)

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        if not rows:
            return
        with self.pdf.table(col_widths=(32, 146), first_row_as_headings=False, wrapmode="CHAR", line_height=5.5,
                            text_align="LEFT") as table:
            for key, value in rows:
                table.row((key, value or "—"))
        self.pdf.ln(2)

    def grid(self, head: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...], size: float = 9) -> None:
        self.pdf.set_font("cjk", "", size)
        with self.pdf.table(col_widths=widths, wrapmode="CHAR", line_height=size * 0.55, text_align="LEFT") as table:
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

    def output(self) -> bytes:
        return bytes(self.pdf.output())

"""The leadership briefing as a multi-page PDF, laid out by reportlab (no hand-written PDF).

Mongolian Cyrillic needs a TrueType font with Cyrillic glyphs: DejaVu Sans (Debian's
fonts-dejavu-core, installed by the project's set-up) or Noto Sans / Liberation Sans.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from pages.exports import Stamp

FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
FONT_CANDIDATES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
)
PAGE = landscape(A4)
TABLE_ROWS_PER_PAGE = 18


@dataclass(frozen=True, kw_only=True)
class BriefingSection:
    """One page of the briefing: a heading, short paragraphs, an optional chart and table."""

    heading: str
    paragraphs: Sequence[str] = ()
    image_png: bytes | None = None
    table: pd.DataFrame | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def _find_font(name: str) -> Path | None:
    for folder in FONT_FOLDERS:
        if folder.is_dir():
            found = next(folder.rglob(name), None)
            if found:
                return found
    return None


@cache
def _fonts() -> tuple[str, str]:
    """Register a Cyrillic-capable regular and bold font once; their names for the styles."""
    for regular, bold in FONT_CANDIDATES:
        regular_path, bold_path = _find_font(regular), _find_font(bold)
        if regular_path and bold_path:
            pdfmetrics.registerFont(TTFont("BriefingSans", str(regular_path)))
            pdfmetrics.registerFont(TTFont("BriefingSans-Bold", str(bold_path)))
            return "BriefingSans", "BriefingSans-Bold"
    raise FileNotFoundError(
        "no TrueType font with Cyrillic letters found (install fonts-dejavu-core)"
    )


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=20, leading=24, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName=bold, fontSize=15, leading=19, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14),
        "small": ParagraphStyle(
            "small", fontName=regular, fontSize=8.5, leading=11, textColor=colors.grey
        ),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
        "header_cell": ParagraphStyle("header_cell", fontName=bold, fontSize=8.5, leading=10.5),
    }


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    # Paragraph reads a small markup language: data must not be taken for tags.
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(frame: pd.DataFrame, styles: dict[str, ParagraphStyle]) -> Table:
    shown = frame.head(TABLE_ROWS_PER_PAGE)
    rows = [[Paragraph(_text(column), styles["header_cell"]) for column in shown.columns]]
    rows += [
        [Paragraph(_text(value), styles["cell"]) for value in row]
        for row in shown.itertuples(index=False)
    ]
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b7c0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _image(png: bytes, *, max_width: float, max_height: float) -> Image:
    width, height = ImageReader(io.BytesIO(png)).getSize()
    ratio = min(max_width / width, max_height / height)
    return Image(io.BytesIO(png), width=width * ratio, height=height * ratio)


def briefing_pdf(*, title: str, stamp: Stamp, sections: Sequence[BriefingSection]) -> bytes:
    """A landscape A4 PDF: a cover block with the stamp, then one page per section, every page
    footed with the as-of date and source."""
    styles = _styles()
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output,
        pagesize=PAGE,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=title,
        author=stamp.source_line,
    )
    regular, _ = _fonts()

    def footer(canvas, page_document) -> None:
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            14 * mm, 7 * mm, f"{stamp.as_of_line} · {stamp.source_line} · {page_document.page}"
        )
        canvas.restoreState()

    story: list = [
        Paragraph(_text(title), styles["title"]),
        Paragraph(_text(stamp.filters_line), styles["body"]),
        Paragraph(_text(stamp.as_of_line), styles["small"]),
        Spacer(1, 4 * mm),
    ]
    usable_width = PAGE[0] - 28 * mm
    for index, section in enumerate(sections):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(_text(section.heading), styles["heading"]))
        story += [Paragraph(_text(text), styles["body"]) for text in section.paragraphs]
        story.append(Spacer(1, 3 * mm))
        if section.image_png:
            story.append(_image(section.image_png, max_width=usable_width, max_height=110 * mm))
        if section.table is not None and not section.table.empty:
            story += [Spacer(1, 3 * mm), _table(section.table, styles)]
        story += [Paragraph(_text(text), styles["small"]) for text in section.notes]
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return output.getvalue()

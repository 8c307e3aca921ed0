"""The PDF briefing: valid, one page per section, Cyrillic text extractable, data never markup."""

from __future__ import annotations

import io

import pandas as pd
import plotly.graph_objects as go
from pypdf import PdfReader

from pages.briefing import BriefingSection, briefing_pdf
from pages.exports import Stamp, figure_bytes

STAMP = Stamp(
    title="Удирдлагын товч мэдээлэл",
    filters_line="Хугацаа 2025 · Аймаг: Бүгд",
    as_of_line="Өгөгдлийн огноо 2025-11-30",
    source_line="Эх сурвалж: нэгдсэн сан",
)


def test_briefing_has_a_page_per_section_with_readable_cyrillic():
    chart = figure_bytes(
        go.Figure(go.Bar(x=["Ховд", "Увс"], y=[1, 2])), stamp=STAMP, image_format="png"
    )
    sections = [
        BriefingSection(heading="Гол үзүүлэлтүүд", paragraphs=["Төлөвлөгөөний биелэлт 77.7 %"]),
        BriefingSection(heading="Газрын зураг", image_png=chart),
        BriefingSection(
            heading="Хамгийн муу аймгууд",
            table=pd.DataFrame({"Нэр": ["Завхан", "<b>Ховд</b>"], "Хувь": [64.0, None]}),
        ),
    ]
    pdf = briefing_pdf(title=STAMP.title, stamp=STAMP, sections=sections)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    texts = [page.extract_text() for page in reader.pages]
    assert "Удирдлагын товч мэдээлэл" in texts[0]
    assert "Гол үзүүлэлтүүд" in texts[0]
    assert "Газрын зураг" in texts[1]
    assert "<b>Ховд</b>" in texts[2]
    assert all("2025-11-30" in text for text in texts)
    assert reader.pages[1].images, "the chart is embedded as an image"

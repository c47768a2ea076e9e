"""An inquiry letter as a Word document in the official layout of a 函 (GB/T 9704, simplified):
文号 on the right under the top margin, the title centred, 主送 (the addressee and a colon),
the text with a two-character indent, the closing request, and the 落款 (issuing body) with
the date written as 2026年11月26日, right-aligned."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from renda.budget.models import Inquiry

ISSUER = "冷水江市人大常委会预算工作委员会"
BODY_FONT, TITLE_FONT = "仿宋_GB2312", "方正小标宋简体"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def letter_date(inquiry: Inquiry) -> dt.date:
    """The date the letter bears: when it was sent, or today for a draft."""
    from django.utils import timezone

    return (
        timezone.localtime(inquiry.issued_at).date() if inquiry.issued_at else timezone.localdate()
    )


def closing_request(inquiry: Inquiry) -> str:
    if inquiry.due_at is not None:
        from django.utils import timezone

        return f"请于{chinese_date(timezone.localtime(inquiry.due_at).date())}前书面答复。"
    return f"请于收到本函后{inquiry.response_days}个工作日内书面答复。"


def _run_font(paragraph: object, text: str, *, font: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run._element.rPr.rFonts.set(qn("w:eastAsia"), font)


def letter_docx(inquiry: Inquiry) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def paragraph(
        text: str,
        *,
        align: WD_ALIGN_PARAGRAPH | None = None,
        indent: bool = False,
        size: float = 16,
        font: str = BODY_FONT,
        bold: bool = False,
    ) -> None:
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.line_spacing = Pt(28)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        _run_font(p, text, font=font, size=size, bold=bold)

    paragraph(inquiry.number, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(inquiry.title, align=WD_ALIGN_PARAGRAPH.CENTER, size=22, font=TITLE_FONT)
    paragraph(f"{inquiry.addressee.name}：")
    for line in inquiry.questions.splitlines():
        if line.strip():
            paragraph(line.strip(), indent=True)
    paragraph(closing_request(inquiry), indent=True)
    paragraph("")
    paragraph(ISSUER, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(chinese_date(letter_date(inquiry)), align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

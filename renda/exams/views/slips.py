"""Admission slips (准考证): the same content as a printed page (one slip per sheet, print
CSS) and as a Word file (python-docx, one slip per page, the QR code as a picture). The QR
code holds only the slip number: the proctor scans it against the enrolment list."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import segno
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from ..models import Enrolment

ISSUER = "冷水江市人大常委会"
FONT = "仿宋_GB2312"
RULES = (
    "凭本准考证和身份证件入场，按座位号就座。",
    "考试开始后由监考人员宣布考场口令，输入口令后开始作答。",
    "考试期间不得携带书籍资料，不得离开考试页面；离开页面会被记录。",
    "考试时间以系统时间为准，到时自动交卷。",
)


def qr_svg(text: str, *, scale: int = 4) -> str:
    return str(segno.make(text, error="m").svg_inline(scale=scale, dark="#000", light="#fff"))


def qr_png(text: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def _day(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日"


def time_label(enrolment: Enrolment) -> str:
    sitting = enrolment.sitting
    start, end = timezone.localtime(sitting.starts_at), timezone.localtime(sitting.ends_at)
    ends = f"{end:%H:%M}" if start.date() == end.date() else f"{_day(end)} {end:%H:%M}"
    return f"{_day(start)} {start:%H:%M}–{ends}（作答 {sitting.duration_minutes} 分钟）"


def slip_rows(enrolment: Enrolment) -> list[tuple[str, str]]:
    return [
        ("姓名", enrolment.user.name or enrolment.user.username),
        ("准考证号", enrolment.slip_number),
        ("考试名称", enrolment.sitting.title),
        ("考试时间", time_label(enrolment)),
        ("考场", enrolment.sitting.venue),
        ("座位号", f"{enrolment.seat:02d}"),
    ]


def slip_context(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "enrolment": enrolment,
        "rows": slip_rows(enrolment),
        "qr": qr_svg(enrolment.slip_number),
        "rules": RULES,
        "issuer": ISSUER,
    }


def _run(paragraph: Any, text: str, *, size: float = 14, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def slips_docx(enrolments: Sequence[Enrolment]) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    for index, enrolment in enumerate(enrolments):
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(title, "任前法律考试准考证", size=22, bold=True)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in slip_rows(enrolment):
            cells = table.add_row().cells
            _run(cells[0].paragraphs[0], label, bold=True)
            _run(cells[1].paragraphs[0], value)
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(qr_png(enrolment.slip_number)), width=Cm(3.5))
        caption = document.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(caption, f"准考证号 {enrolment.slip_number}", size=10)
        _run(document.add_paragraph(), "考试须知", size=14, bold=True)
        for number, rule in enumerate(RULES, start=1):
            _run(document.add_paragraph(), f"{number}. {rule}", size=12)
        issuer = document.add_paragraph()
        issuer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(issuer, ISSUER)
        if index < len(enrolments) - 1:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

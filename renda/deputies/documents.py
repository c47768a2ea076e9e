"""Word documents (python-docx) in the house style of official papers (仿宋 三号, a 黑体 title),
and the deputy's yearly duty report (年度履职报告). Apps above deputies build their letters on
the same helpers."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def new_document() -> Any:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(16)  # 三号, the size of official documents
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    return doc


def add_title(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(22)  # 二号
    run.font.name = "SimHei"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")


def cn_date(day: dt.date | dt.datetime) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def document_bytes(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def duty_report(context: dict[str, Any]) -> bytes:
    """The report of `selectors.reports.report_context` as a Word document."""
    deputy = context["deputy"]
    score = context["score"]
    doc = new_document()
    add_title(doc, f"{deputy.name}代表{context['year']}年度履职报告")
    doc.add_paragraph(
        f"{deputy.term}代表，{deputy.region.name}，"
        f"{deputy.delegation.name if deputy.delegation else ''}。"
    )
    doc.add_paragraph(f"本年度履职记录 {score.records} 项，履职积分 {score.total} 分。")
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("履职类别", "次数", "积分", "说明"), strict=True):
        cell.text = text
    for k in score.kinds:
        cells = table.add_row().cells
        cells[0].text = k.label
        cells[1].text = str(k.count)
        cells[2].text = str(k.points)
        cells[3].text = f"已达年度上限 {k.cap}" if k.capped else ""
    for panel in context.get("panels", ()):
        doc.add_paragraph(panel.sentence)
    doc.add_paragraph()
    doc.add_paragraph("一、履职记录")
    for record in context["records"]:
        doc.add_paragraph(
            f"{record.occurred_on:%Y-%m-%d}　{record.get_kind_display()}　{record.title}"
        )
    doc.add_paragraph("二、提出建议及办理情况")
    for s in context["suggestions"]:
        doc.add_paragraph(
            f"{s.code or '（未编号）'}《{s.title}》：{s.get_state_display()}"
            f"{'，' + s.get_satisfaction_display() if s.satisfaction else ''}"
        )
    doc.add_paragraph(f"生成日期：{cn_date(timezone.localdate())}")
    return document_bytes(doc)

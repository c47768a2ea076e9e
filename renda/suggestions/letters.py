"""Word documents staff and units send out (python-docx): the reply letter (答复函) for the unit
to sign and seal, and a deputy's annual duty report (年度履职报告)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .models import Reply, Suggestion

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _document() -> Any:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(16)  # 三号, the size of official documents
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    return doc


def _title(doc: Any, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(22)  # 二号
    run.font.name = "SimHei"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")


def _cn_date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _bytes(doc: Any) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def reply_letter(reply: Reply, deputies: Iterable[str]) -> bytes:
    suggestion: Suggestion = reply.suggestion
    doc = _document()
    stamp = doc.add_paragraph()
    stamp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    stamp_run = stamp.add_run(f"{reply.reply_class}")
    stamp_run.bold = True
    stamp_run.font.size = Pt(22)
    _title(doc, f"{reply.unit.name}\n关于{suggestion.code}代表建议的答复")
    names = "、".join(deputies)
    doc.add_paragraph(f"{names}代表：")
    doc.add_paragraph(f"您提出的《{suggestion.title}》（{suggestion.code}）收悉，现答复如下：")
    for line in reply.content.splitlines():
        if line.strip():
            doc.add_paragraph(line.strip()).paragraph_format.first_line_indent = Pt(32)
    doc.add_paragraph("感谢您对我们工作的关心和支持，欢迎继续提出宝贵意见。")
    doc.add_paragraph()
    for text in (
        f"签发人：{reply.signer}",
        reply.unit.name,
        _cn_date(timezone.localtime(reply.created_at)),
    ):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if reply.contact_person:
        doc.add_paragraph(f"联系人：{reply.contact_person}")
    doc.add_paragraph("抄送：市人大常委会代表工作机构，市人民政府办公室。")
    return _bytes(doc)


def duty_report(context: dict[str, Any]) -> bytes:
    deputy = context["deputy"]
    year = context["year"]
    score = context["score"]
    doc = _document()
    _title(doc, f"{deputy.name}代表{year}年度履职报告")
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
    doc.add_paragraph(f"生成日期：{_cn_date(timezone.localdate())}")
    return _bytes(doc)


def docx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

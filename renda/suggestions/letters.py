"""The reply letter (答复函) a unit signs and seals, as a Word document (on deputies' document
helpers, which also build the duty report)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from renda.deputies.documents import add_title, cn_date, document_bytes, new_document

from .models import Reply, Suggestion


def reply_letter(reply: Reply, deputies: Iterable[str]) -> bytes:
    suggestion: Suggestion = reply.suggestion
    doc = new_document()
    stamp = doc.add_paragraph()
    stamp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    stamp_run = stamp.add_run(f"{reply.reply_class}")
    stamp_run.bold = True
    stamp_run.font.size = Pt(22)
    add_title(doc, f"{reply.unit.name}\n关于{suggestion.code}代表建议的答复")
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
        cn_date(timezone.localtime(reply.created_at)),
    ):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if reply.contact_person:
        doc.add_paragraph(f"联系人：{reply.contact_person}")
    doc.add_paragraph("抄送：市人大常委会代表工作机构，市人民政府办公室。")
    return document_bytes(doc)

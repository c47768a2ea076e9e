"""Test data for 知情知政, built through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from renda.deputies.models import Deputy
from renda.documents import services
from renda.documents.models import Document
from renda.documents.rules import Audience, Kind, ReleaseMode
from renda.documents.samples import make_docx, make_pdf
from renda.documents.services import Release
from renda.meetings import services as meeting_services
from renda.meetings.models import AgendaItem, Meeting
from renda.meetings.tests.factories import make_meeting

BODY = [
    "各位代表：现在，我代表市人民政府，向大会报告工作，请予审议。",
    "全市地区生产总值增长百分之六。",
]


def pdf_file(
    name: str = "政府工作报告.pdf", paragraphs: Sequence[str] = BODY
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf("政府工作报告", paragraphs), "application/pdf")


def docx_file(
    name: str = "预算报告.docx",
    paragraphs: Sequence[str] = ("一、预算执行情况", "一般公共预算收入完成二十五亿元。"),
    table: Sequence[Sequence[str]] = (("项目", "金额（万元）"), ("收入", "250000")),
) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, make_docx("预算报告", paragraphs, table), "application/octet-stream"
    )


def publish(
    world: Any,
    *,
    file: SimpleUploadedFile | None = None,
    title: str = "2026年市人民政府工作报告",
    kind: str = Kind.GOVERNMENT_WORK,
    audience: str = Audience.ALL_DEPUTIES,
    mode: str = ReleaseMode.NOW,
    at: dt.datetime | None = None,
    item: AgendaItem | None = None,
    recipients: Sequence[Deputy] = (),
    confidential: bool = False,
    year: int = 2026,
) -> Document:
    return services.publish_document(
        actor=world.staff,
        file=file or pdf_file(),
        title=title,
        kind=kind,
        year=year,
        release=Release(
            audience=audience, mode=mode, at=at, recipients=recipients, confidential=confidential
        ),
        agenda_item=item,
    )


def notified_item(
    world: Any, *, title: str = "听取和审议政府工作报告", **fields: Any
) -> AgendaItem:
    """An agenda item of a notified meeting (starting in ten minutes unless `start_at`)."""
    meeting: Meeting = make_meeting(world, **fields)
    item = meeting_services.put_on_agenda(
        actor=world.staff, meeting=meeting, title=title, source=None
    )
    meeting_services.notify_members(actor=world.staff, meeting=meeting)
    return item


def meeting_document(world: Any, item: AgendaItem, **fields: Any) -> Document:
    fields.setdefault("kind", Kind.REPORT)
    fields.setdefault("title", "市人民政府工作报告（审议稿）")
    return publish(world, audience=Audience.MEETING, item=item, **fields)

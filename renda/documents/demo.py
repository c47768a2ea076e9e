"""Demo documents for `seed_demo`: the year's library (政府工作报告, 预算、决算、审计、计划报告 as
real PDF and Word files, a 常委会通知 to the standing committee's members, one confidential
document for a few chosen deputies), meeting documents on the demo meetings' agenda (one
released before the upcoming session, one only at its start), and read receipts from about
two in three deputies with accounts, so the read report and the 待办 list have something to
show. Once only; through the services."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from renda.deputies.models import Deputy
from renda.meetings.models import AgendaItem, Meeting

from . import services
from .models import Document
from .rules import Audience, Kind, ReleaseMode
from .samples import make_docx, make_pdf
from .selectors import is_released
from .services import Release

PARAGRAPHS: dict[str, list[str]] = {
    Kind.GOVERNMENT_WORK: [
        "各位代表：现在，我代表市人民政府，向大会报告工作，请予审议，并请市政协委员和其他列席人员提出意见。",
        "过去一年，全市经济运行稳中有进，地区生产总值增长百分之五点八，一般公共预算收入增长百分之四点二。",
        "今年的主要目标是：地区生产总值增长百分之六左右，城镇新增就业四千人以上，居民收入增长与经济增长同步。",
        "我们将办好十件民生实事：老旧小区改造、农村供水保障、义务教育学位扩容、养老服务中心建设等。",
    ],
    Kind.BUDGET: [
        "受市人民政府委托，现将全市和市本级预算执行情况与预算草案提请审议。",
        "全市一般公共预算收入完成二十五点三亿元，为预算的百分之一百零二；支出完成五十八点六亿元。",
        "今年市本级一般公共预算收入安排十二点八亿元，增长百分之三，三公经费继续只减不增。",
    ],
    Kind.FINAL_ACCOUNTS: [
        "市本级决算收入十二点四亿元，决算支出三十一点九亿元，收支平衡。",
        "政府性基金预算收入六点二亿元，主要是国有土地使用权出让收入。",
    ],
    Kind.AUDIT: [
        "根据审计法规定，市审计局对上年度市本级预算执行和其他财政收支情况进行了审计。",
        "审计发现的主要问题：部分项目资金拨付滞后，个别单位存在无预算、超预算支出。",
        "审计指出的问题，相关部门正在整改，整改情况将向市人大常委会专题报告。",
    ],
    Kind.PLAN: [
        "现将国民经济和社会发展计划执行情况与今年计划草案提请审议。",
        "今年安排重点建设项目一百二十个，年度计划投资八十五亿元。",
    ],
    Kind.SC_NOTICE: [
        "市人大常委会定于下月中旬召开第二十三次会议，请各位组成人员提前安排好工作，准时出席。",
        "会前请阅读本期知情知政中的各项报告，围绕议题做好审议准备。",
    ],
}
BUDGET_TABLE = [
    ["项目", "预算数（万元）", "执行数（万元）"],
    ["一般公共预算收入", "248000", "253100"],
    ["一般公共预算支出", "590000", "586200"],
]


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
    return SimpleUploadedFile(name, content, content_type=kind)


def _file(title: str, kind: str, *, docx: bool) -> SimpleUploadedFile:
    paragraphs = PARAGRAPHS.get(kind, PARAGRAPHS[Kind.GOVERNMENT_WORK])
    if docx:
        table = BUDGET_TABLE if kind == Kind.BUDGET else ()
        return _upload(f"{title}.docx", make_docx(title, paragraphs, table))
    return _upload(f"{title}.pdf", make_pdf(title, paragraphs))


LIBRARY = (
    # title, kind, Word file?, audience
    ("{year}年市人民政府工作报告", Kind.GOVERNMENT_WORK, False, Audience.ALL_DEPUTIES),
    ("关于{last}年预算执行情况和{year}年预算草案的报告", Kind.BUDGET, True, Audience.ALL_DEPUTIES),
    ("关于{last}年市本级决算的报告", Kind.FINAL_ACCOUNTS, False, Audience.ALL_DEPUTIES),
    (
        "关于{last}年度市本级预算执行和其他财政收支的审计工作报告",
        Kind.AUDIT,
        True,
        Audience.ALL_DEPUTIES,
    ),
    (
        "关于{last}年国民经济和社会发展计划执行情况与{year}年计划草案的报告",
        Kind.PLAN,
        False,
        Audience.ALL_DEPUTIES,
    ),
    ("关于召开市人大常委会第二十三次会议的通知", Kind.SC_NOTICE, True, Audience.SC_MEMBERS),
)


def _library(actor: Any, year: int, deputies: list[Deputy]) -> list[Document]:
    released = timezone.now() - dt.timedelta(days=30)
    made = []
    for title, kind, docx, audience in LIBRARY:
        name = title.format(year=year, last=year - 1)
        made.append(
            services.publish_document(
                actor=actor,
                file=_file(name, kind, docx=docx),
                title=name,
                kind=kind,
                year=year,
                release=Release(audience=audience, mode=ReleaseMode.AT_TIME, at=released),
            )
        )
    name = "审计发现问题整改情况通报（内部）"
    made.append(
        services.publish_document(
            actor=actor,
            file=_file(name, Kind.AUDIT, docx=False),
            title=name,
            kind=Kind.AUDIT,
            year=year,
            release=Release(
                audience=Audience.CHOSEN,
                mode=ReleaseMode.NOW,
                recipients=deputies[:5],
                confidential=True,
            ),
        )
    )
    return made


def _meeting_documents(actor: Any, year: int) -> list[Document]:
    """On the upcoming session's first two items: the draft plan before it, the government
    work report only at its start; on the past standing meeting, the report it heard."""
    made = []
    upcoming = Meeting.objects.filter(kind=Meeting.Kind.CONGRESS, agenda__isnull=False)
    session = upcoming.exclude(state="closed").order_by("start_at").first()
    if session is not None:
        items = list(session.agenda.order_by("order")[:2])
        plans: list[tuple[AgendaItem, str, str, str]] = []
        if items:
            plans.append(
                (items[0], "市人民政府工作报告（代表审议稿）", Kind.REPORT, ReleaseMode.AT_MEETING)
            )
        if len(items) > 1:
            plans.append((items[1], "国民经济和社会发展计划草案", Kind.DRAFT, ReleaseMode.NOW))
        for item, title, kind, mode in plans:
            made.append(
                services.publish_document(
                    actor=actor,
                    file=_file(
                        title,
                        Kind.PLAN if kind == Kind.DRAFT else Kind.GOVERNMENT_WORK,
                        docx=kind == Kind.DRAFT,
                    ),
                    title=title,
                    kind=kind,
                    year=year,
                    release=Release(audience=Audience.MEETING, mode=mode),
                    agenda_item=item,
                )
            )
    standing = Meeting.objects.filter(
        kind=Meeting.Kind.STANDING, state="closed", agenda__isnull=False
    )
    heard = (
        AgendaItem.objects.filter(meeting__in=standing)
        .order_by("meeting__start_at", "order")
        .first()
    )
    if heard is not None:
        title = "关于本年度预算执行情况的报告"
        made.append(
            services.publish_document(
                actor=actor,
                file=_file(title, Kind.BUDGET, docx=False),
                title=title,
                kind=Kind.REPORT,
                year=year,
                release=Release(
                    audience=Audience.MEETING,
                    mode=ReleaseMode.AT_TIME,
                    at=heard.meeting.start_at - dt.timedelta(days=3),
                ),
                agenda_item=heard,
            )
        )
    return made


# Receipts for the first deputies with accounts only: enough for the report to show both kinds.
READERS = 80


def seed_documents(*, actor: Any = None) -> dict[str, int]:
    """Create the demo documents once; returns counts of what was created."""
    if Document.objects.exists():
        return {}
    year = timezone.localdate().year
    rng = random.Random(15)  # fixed: the same demo every time
    with transaction.atomic():
        deputies = list(
            Deputy.objects.filter(status=Deputy.Status.ACTIVE, user__isnull=False)
            .select_related("user")
            .order_by("pk")
        )
        documents = _library(actor, year, deputies) + _meeting_documents(actor, year)
        receipts = 0
        for document in documents:
            for deputy in deputies[:READERS]:
                if rng.random() < 0.65 and is_released(deputy.user, document):
                    services.record_read(actor=deputy.user, document=document)
                    receipts += 1
    return {"知情知政文件": len(documents), "阅读回执": receipts}

"""What the standing committee reads before it appoints (任前考试情况): each list before it with
every nominee's exam status, and the report of each sitting once its results are released,
printable and in Word for the meeting's papers. Members never see a question; opening a
report is audited like any result."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.roles import Duty, has_duty

from .. import selectors
from ..permissions import get_released_sitting_for_committee, require_committee_reader
from ..services import results as result_services
from ..services.appointments import statuses
from ..services.results import SittingReport
from .results import _run, _score
from .sittings import _docx
from .slips import ISSUER


def sitting_report_docx(report: SittingReport) -> bytes:
    """The sitting report as Word: title, sitting, the counts, one row per examinee."""
    sitting = report.sitting
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "任前法律考试成绩报告", size=20, bold=True)
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        head,
        f"{sitting.title} · {sitting.starts_at:%Y年%-m月%-d日} · 及格分 {_score(sitting.pass_mark)} 分",
    )
    counts = document.add_paragraph()
    text = (
        f"应考 {len(report.rows)} 人，实考 {report.sat} 人，合格 {report.passed} 人，"
        f"不合格 {report.failed} 人，缺考 {report.absent} 人"
    )
    if report.pending:
        text += f"，评阅中 {report.pending} 人"
    _run(counts, text + "。")
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, label in zip(
        table.rows[0].cells, ("座位", "姓名", "准考证号", "总分", "结论"), strict=True
    ):
        _run(cell.paragraphs[0], label, bold=True)
    for row in report.rows:
        cells = table.add_row().cells
        for cell, value in zip(
            cells,
            (f"{row.seat:02d}", row.name, row.slip, _score(row.total), row.status),
            strict=True,
        ):
            _run(cell.paragraphs[0], value, bold=value == "不合格")
    issuer = document.add_paragraph()
    issuer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(issuer, ISSUER)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@login_required
def committee_home(request: AuthenticatedRequest) -> HttpResponse:
    require_committee_reader(request.user)
    lists = selectors.committee_lists()
    found = {s.nomination.pk: s for s in statuses(n for _, rows in lists for n in rows)}
    return render(
        request,
        "exams/committee/home.html",
        {
            "lists": [(x, [found[n.pk] for n in rows]) for x, rows in lists],
            "sittings": selectors.released_sittings(),
            "staff_menu": has_duty(request.user, Duty.EXAMS),
            "menu": "committee",
        },
    )


def _report(request: AuthenticatedRequest, pk: int, kind: str) -> SittingReport:
    sitting = get_released_sitting_for_committee(request.user, pk)
    result_services.record_result_view(actor=request.user, target=sitting, kind=kind)
    return result_services.sitting_report(sitting, released_only=True)


@login_required
def committee_sitting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, "committee")
    return render(
        request,
        "exams/committee/sitting.html",
        {
            "sitting": report.sitting,
            "report": report,
            "issuer": ISSUER,
            "staff_menu": has_duty(request.user, Duty.EXAMS),
            "menu": "committee",
        },
    )


@login_required
def committee_sitting_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk, "committee_docx")
    return _docx(sitting_report_docx(report), f"任前法律考试成绩报告-{report.sitting.pk}.docx")

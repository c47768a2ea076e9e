"""Results pages: the sitting report for the standing committee (printable), one examinee's
score report (printable HTML and Word), the nominee's own result once released, and item
statistics. Opening a result is audited."""

from __future__ import annotations

import io
from functools import partial
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.roles import Duty, Role, duty_required, role_required

from ..models import Attempt, AttemptState, ExamSitting
from ..permissions import get_own_released_attempt, get_sitting_for_user
from ..services import results as result_services
from ..services import statistics
from ..services.results import ScoreReport
from . import slips
from .sittings import _docx, _require
from .slips import ISSUER

# One run helper for the exam papers (slips.py): results are set in 12 pt, slips in 14.
_run = partial(slips._run, size=12)


def _score(value: Any) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def report_docx(report: ScoreReport) -> bytes:
    """The score report as Word: title, the examinee, the lines, total and verdict."""
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, "任前法律考试成绩单", size=20, bold=True)
    head = document.add_table(rows=0, cols=2)
    head.style = "Table Grid"
    for label, value in (
        ("姓名", report.name),
        ("准考证号", report.slip),
        ("考试", report.sitting.title),
        ("考试时间", f"{report.sitting.starts_at:%Y-%m-%d}"),
    ):
        cells = head.add_row().cells
        _run(cells[0].paragraphs[0], label, bold=True)
        _run(cells[1].paragraphs[0], value)
    document.add_paragraph()
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("题型", "满分", "得分"), strict=True):
        _run(cell.paragraphs[0], text, bold=True)
    for line in report.lines:
        cells = table.add_row().cells
        _run(cells[0].paragraphs[0], line.label)
        _run(cells[1].paragraphs[0], _score(line.score))
        _run(cells[2].paragraphs[0], _score(line.earned))
    cells = table.add_row().cells
    _run(cells[0].paragraphs[0], "总分", bold=True)
    _run(cells[1].paragraphs[0], _score(report.full), bold=True)
    _run(cells[2].paragraphs[0], _score(report.total), bold=True)
    verdict = document.add_paragraph()
    _run(
        verdict,
        f"及格分 {_score(report.sitting.pass_mark)} 分，考试结果：{report.verdict}",
        size=14,
        bold=True,
    )
    issuer = document.add_paragraph()
    issuer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(issuer, ISSUER)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sitting_attempt(request: AuthenticatedRequest, pk: int, attempt: int) -> Attempt:
    sitting = get_sitting_for_user(request.user, pk)
    return get_object_or_404(
        Attempt.objects.select_related("enrolment__sitting", "enrolment__user"),
        pk=attempt,
        enrolment__sitting=sitting,
        state=AttemptState.SUBMITTED,
    )


@duty_required(Duty.EXAMS)
def results_sitting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sitting = get_sitting_for_user(request.user, pk)
    result_services.record_result_view(actor=request.user, target=sitting, kind="sitting")
    report = result_services.sitting_report(sitting)
    return render(
        request,
        "exams/results_sitting.html",
        {
            "sitting": sitting,
            "report": report,
            "released_any": any(r.released for r in report.rows),
            # Marked or being marked and not yet published: what 发布成绩 would release.
            "to_release": any(
                not r.released and r.status in ("合格", "不合格", "评阅中") for r in report.rows
            ),
            "menu": "sittings",
        },
    )


@duty_required(Duty.EXAMS)
def results_report(request: AuthenticatedRequest, pk: int, attempt: int) -> HttpResponse:
    row = _sitting_attempt(request, pk, attempt)
    result_services.record_result_view(actor=request.user, target=row.enrolment, kind="print")
    return render(
        request,
        "exams/results_report.html",
        {
            "report": result_services.score_report(row),
            "docx_url": reverse("exams:results_report_docx", args=[pk, row.pk]),
            "back_url": reverse("exams:results_sitting", args=[pk]),
        },
    )


@duty_required(Duty.EXAMS)
def results_report_docx(request: AuthenticatedRequest, pk: int, attempt: int) -> HttpResponse:
    row = _sitting_attempt(request, pk, attempt)
    result_services.record_result_view(actor=request.user, target=row.enrolment, kind="docx")
    report = result_services.score_report(row)
    return _docx(report_docx(report), f"成绩单-{report.slip}.docx")


@role_required(Role.NOMINEE)
def my_result(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    row = get_own_released_attempt(request.user, pk)
    result_services.record_result_view(actor=request.user, target=row.enrolment, kind="print")
    return render(
        request,
        "exams/results_report.html",
        {
            "report": result_services.score_report(row),
            "docx_url": reverse("exams:my_result_docx", args=[pk]),
            "back_url": reverse("exams:my_exams"),
        },
    )


@role_required(Role.NOMINEE)
def my_result_docx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    row = get_own_released_attempt(request.user, pk)
    result_services.record_result_view(actor=request.user, target=row.enrolment, kind="docx")
    report = result_services.score_report(row)
    return _docx(report_docx(report), f"成绩单-{report.slip}.docx")


@duty_required(Duty.EXAMS)
def item_stats(request: AuthenticatedRequest) -> HttpResponse:
    _require(request)
    sitting = None
    chosen = request.GET.get("sitting", "")
    if chosen.isascii() and chosen.isdecimal():  # "²".isdigit() is True too
        sitting = get_object_or_404(ExamSitting, pk=int(chosen))
    rules = statistics.flag_rules()
    return render(
        request,
        "exams/item_stats.html",
        {
            "rows": statistics.item_statistics(sitting, rules),
            "rules": rules,
            "sitting": sitting,
            "sittings": ExamSitting.objects.order_by("-starts_at"),
            "menu": "stats",
        },
    )

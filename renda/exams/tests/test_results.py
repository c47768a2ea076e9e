"""Results: the sitting report lists everybody enrolled (who sat, the score, passed or
failed, absent), the score report (printable page and Word) holds the examinee's total and
verdict, the nominee opens only their own released result, and every look is audited."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from renda.core.models import AuditEvent
from renda.exams.services.grading import release_results
from renda.exams.services.results import score_report, sitting_report

from .builders import nominees
from .test_grading_flow import examinee, sit

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _three(world: Any) -> tuple[Any, Any, Any, Any]:
    from .attempt_setup import open_sitting

    passed, failed, absent = world.nominee, examinee("nb", "乙考生"), examinee("nc", "丙考生")
    sitting = open_sitting(
        world.staff, [passed, failed, absent], short=False, pass_mark=Decimal(20)
    )
    good = sit(sitting, passed)  # 30 of 30
    sit(sitting, failed, right=False)  # 0
    return sitting, good, failed, absent


def test_the_sitting_report_counts_who_sat_passed_failed_and_was_absent(
    world: Any, client_for: Any
) -> None:
    sitting, good, _, _ = _three(world)
    report = sitting_report(sitting)
    by_name = {r.name: (r.status, r.total) for r in report.rows}
    assert by_name == {
        "测试nominee": ("合格", Decimal(30)),
        "乙考生": ("不合格", Decimal(0)),
        "丙考生": ("缺考", None),
    }
    assert (report.sat, report.passed, report.failed, report.absent) == (2, 1, 1, 1)
    page = client_for("staff").get(reverse("exams:results_sitting", args=[sitting.pk]))
    text = page.content.decode()
    assert "应考 3 人，实考 2 人，合格 1 人，不合格 1 人，缺考 1 人" in text
    assert text.count('data-testid="results-row"') == 3
    assert AuditEvent.objects.filter(action="exam.result_view", details__kind="sitting").exists()


def test_the_score_report_page_and_word_file_hold_the_score(world: Any, client_for: Any) -> None:
    sitting, good, _, _ = _three(world)
    report = score_report(good)
    assert (report.total, report.full, report.verdict) == (Decimal(30), Decimal(30), "合格")
    assert sum(line.earned or 0 for line in report.lines) == Decimal(30)
    client = client_for("staff")
    page = client.get(reverse("exams:results_report", args=[sitting.pk, good.pk])).content
    assert "测试nominee" in page.decode() and 'data-testid="report-total">30<' in page.decode()
    response = client.get(reverse("exams:results_report_docx", args=[sitting.pk, good.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(response.content)
    assert "任前法律考试成绩单" in text and "测试nominee" in text
    assert good.enrolment.slip_number in text
    assert "30" in text and "考试结果：合格" in text
    assert AuditEvent.objects.filter(action="exam.result_view", details__kind="docx").exists()


def test_the_nominee_opens_only_their_own_released_result(world: Any, client_for: Any) -> None:
    sitting, good, failed, _ = _three(world)
    release_results(actor=world.staff, sitting=sitting)
    client = client_for("nominee")
    own = client.get(reverse("exams:my_result_docx", args=[good.enrolment_id]))
    assert own.status_code == 200
    assert "30" in _docx_text(own.content) and "合格" in _docx_text(own.content)
    other = failed.exam_enrolments.get()
    assert client.get(reverse("exams:my_result", args=[other.pk])).status_code == 404
    assert client.get(reverse("exams:my_result_docx", args=[other.pk])).status_code == 404
    # Staff pages stay closed to the nominee.
    assert client.get(reverse("exams:results_sitting", args=[sitting.pk])).status_code == 403


def test_an_attempt_without_short_answers_has_its_result_at_submission(world: Any) -> None:
    from .attempt_setup import open_sitting

    (person,) = nominees(1)
    sitting = open_sitting(world.staff, [person], short=False, pass_mark=Decimal(28))
    attempt = sit(sitting, person, right=False)
    assert (attempt.objective_score, attempt.total_score, attempt.passed) == (
        Decimal(0),
        Decimal(0),
        False,
    )
    assert attempt.released_at is None

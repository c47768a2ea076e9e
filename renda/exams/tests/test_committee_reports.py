"""What the standing committee reads before it appoints: each list before it with every
nominee's exam status, and each sitting's report once released — on the page, printable, and
in Word — never a score before the release, never a question."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from renda.core.models import AuditEvent
from renda.core.tests.personas import PERSONAS
from renda.exams.models import Attempt
from renda.exams.services.grading import release_results

from .appointment_setup import make_list, sit_for
from .test_grading_flow import examinee

pytestmark = pytest.mark.django_db


def _docx_rows(content: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    table = document.tables[0]
    return text, [[c.text for c in row.cells] for row in table.rows]


def test_members_see_the_lists_before_them_with_each_nominees_status(
    world: Any, client_for: Any
) -> None:
    second = examinee("nd", "丁拟任")
    appointment_list = make_list(world, [world.nominee, second])
    first, other = appointment_list.nominations.order_by("order")
    sit_for(world, [first, other], [True, False])
    page = client_for("sc_member").get(reverse("exams:committee_home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert appointment_list.title in html
    names = [str(first.user.name), "丁拟任"]
    assert all(name in html for name in names)
    statuses = page.context["lists"][0][1]
    assert [s.label for s in statuses] == ["考试合格", "不合格，可补考一次"]
    # the sitting they sat is listed with its counts
    (sitting,) = page.context["sittings"]
    assert (sitting.enrolled, sitting.passed_count, sitting.failed_count) == (2, 1, 1)
    assert sitting.absent_count == 0


def test_a_draft_list_is_not_before_the_committee(world: Any, client_for: Any) -> None:
    draft = make_list(world, [world.nominee], submit=False)
    page = client_for("sc_member").get(reverse("exams:committee_home"))
    assert draft.title not in [x.title for x, _ in page.context["lists"]]


def test_the_sitting_report_prints_and_downloads_with_the_released_scores(
    world: Any, client_for: Any
) -> None:
    appointment_list = make_list(world, [world.nominee])
    (nomination,) = appointment_list.nominations.all()
    sit_for(world, [nomination], [True])
    attempt = Attempt.objects.get(enrolment__user=world.nominee)
    sitting = attempt.enrolment.sitting
    member = client_for("sc_member")
    page = member.get(reverse("exams:committee_sitting", args=[sitting.pk]))
    assert page.status_code == 200
    report = page.context["report"]
    assert [(r.name, r.status, r.total) for r in report.rows] == [
        (world.nominee.name, "合格", attempt.total_score)
    ]
    html = page.content.decode()
    assert "data-print" in html and "应考 1 人，实考 1 人，合格 1 人" in html
    word = member.get(reverse("exams:committee_sitting_docx", args=[sitting.pk]))
    assert word.status_code == 200
    assert word["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    text, rows = _docx_rows(word.content)
    assert "任前法律考试成绩报告" in text and sitting.title in text
    assert "应考 1 人，实考 1 人，合格 1 人，不合格 0 人，缺考 0 人。" in text
    assert rows[0] == ["座位", "姓名", "准考证号", "总分", "结论"]
    total = f"{attempt.total_score:.2f}".rstrip("0").rstrip(".")
    assert rows[1][1:] == [world.nominee.name, attempt.enrolment.slip_number, total, "合格"]
    kinds = set(
        AuditEvent.objects.filter(action="exam.result_view", target_id=sitting.pk).values_list(
            "details__kind", flat=True
        )
    )
    assert {"committee", "committee_docx"} <= kinds


def test_before_the_release_the_committee_finds_no_report(world: Any, client_for: Any) -> None:
    from renda.exams.tests.matrix import _a_submitted_attempt

    attempt = _a_submitted_attempt(world, short=False)
    sitting = attempt.enrolment.sitting
    assert attempt.total_score is not None  # marked, not released
    member = client_for("sc_member")
    assert member.get(reverse("exams:committee_sitting", args=[sitting.pk])).status_code == 404
    assert member.get(reverse("exams:committee_sitting_docx", args=[sitting.pk])).status_code == 404
    assert sitting.pk not in [
        s.pk for s in member.get(reverse("exams:committee_home")).context["sittings"]
    ]
    release_results(actor=world.staff, sitting=sitting)
    assert member.get(reverse("exams:committee_sitting", args=[sitting.pk])).status_code == 200


def test_only_members_and_exam_staff_read_the_reports(world: Any, client_for: Any) -> None:
    got = {p: client_for(p).get(reverse("exams:committee_home")).status_code for p in PERSONAS}
    assert {p for p, code in got.items() if code == 200} == {"staff", "sc_member"}
    assert got["nominee"] == got["deputy"] == 403


def test_the_release_button_is_offered_only_while_there_is_something_to_release(
    world: Any, client_for: Any
) -> None:
    from renda.exams.tests.matrix import _a_submitted_attempt

    attempt = _a_submitted_attempt(world, short=False)
    url = reverse("exams:results_sitting", args=[attempt.enrolment.sitting_id])
    staff = client_for("staff")
    assert 'data-testid="release"' in staff.get(url).content.decode()
    release_results(actor=world.staff, sitting=attempt.enrolment.sitting)
    page = staff.get(url).content.decode()
    assert 'data-testid="release"' not in page
    assert 'data-testid="report-docx"' in page  # the committee's Word report instead

"""Sittings and enrolment: IP ranges validated with ipaddress, the password encrypted at rest
yet shown to the proctor, enrolment only of nominees, with a reason, audited; the admission
slip as a Word file names the examinee; a nominee sees only their own sittings and slips and
never a question."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from docx import Document

from renda.core.models import AuditEvent
from renda.exams.models import ExamSitting
from renda.exams.services import papers as paper_services
from renda.exams.services.sittings import (
    address_allowed,
    enrol,
    parse_networks,
    regenerate_password,
    update_sitting,
)

from .builders import blueprint, enrol_all, nominees, sitting, small_bank

pytestmark = pytest.mark.django_db


def test_ip_ranges_are_validated_and_normalised() -> None:
    assert parse_networks("10.12.0.0/16\n192.168.1.20，2001:db8::/32") == [
        "10.12.0.0/16",
        "192.168.1.20/32",
        "2001:db8::/32",
    ]
    with pytest.raises(ValidationError) as refused:
        parse_networks("10.12.3.4/16\n300.1.1.1\nintranet")
    errors = refused.value.message_dict["allowed_networks"]
    assert "“10.12.3.4/16”含主机位，网段应写作 10.12.0.0/16" in errors
    assert any("300.1.1.1" in e for e in errors) and any("intranet" in e for e in errors)


def test_a_sitting_checks_its_addresses_window_and_pass_mark(world: Any) -> None:
    small_bank(world.staff)
    exam = sitting(world.staff, blueprint(world.staff))
    assert exam.allowed_networks == ["10.12.0.0/16", "192.168.1.20/32"]
    assert address_allowed(exam, "10.12.200.1") and not address_allowed(exam, "10.13.0.1")
    assert not address_allowed(exam, "not-an-ip")
    with pytest.raises(ValidationError) as refused:
        update_sitting(
            actor=world.staff, sitting=exam, allowed_networks="10.0.0.1/8", pass_mark=100
        )
    assert "allowed_networks" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        update_sitting(actor=world.staff, sitting=exam, allowed_networks="", pass_mark=100)
    assert "不超过试卷总分 45 分" in refused.value.message_dict["pass_mark"][0]
    with pytest.raises(ValidationError, match="超过了开考到截止"):
        update_sitting(actor=world.staff, sitting=exam, allowed_networks="", duration_minutes=500)


def test_the_password_is_encrypted_at_rest_and_shown_to_the_proctor(
    world: Any, client_for: Any
) -> None:
    small_bank(world.staff)
    exam = sitting(world.staff, blueprint(world.staff))
    assert len(exam.password) == 6 and exam.password.isdigit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM exams_examsitting WHERE id = %s", [exam.pk])
        stored = cursor.fetchone()[0]
    assert exam.password not in stored
    old = exam.password
    new = regenerate_password(actor=world.staff, sitting=exam)
    assert ExamSitting.objects.get(pk=exam.pk).password == new
    event = AuditEvent.objects.get(action="exam.sitting_password")
    assert old not in str(event.details) and new not in str(event.details)
    page = client_for("staff").get(reverse("exams:sitting_detail", args=[exam.pk]))
    assert new in page.content.decode()


def test_enrolment_needs_a_nominee_and_a_reason_and_is_audited(world: Any) -> None:
    small_bank(world.staff)
    exam = sitting(world.staff, blueprint(world.staff))
    with pytest.raises(ValidationError) as refused:
        enrol(actor=world.staff, sitting=exam, user=world.nominee, reason="  ")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError, match="拟任命人员"):
        enrol(actor=world.staff, sitting=exam, user=world.deputy, reason="代表")
    first = enrol(actor=world.staff, sitting=exam, user=world.nominee, reason="拟任市住建局局长")
    with pytest.raises(ValidationError, match="已在本场考试名单中"):
        enrol(actor=world.staff, sitting=exam, user=world.nominee, reason="再加一次")
    second = enrol_all(world.staff, exam, nominees(1))[0]
    assert (first.seat, second.seat) == (1, 2)
    assert first.slip_number != second.slip_number
    event = AuditEvent.objects.get(action="exam.enrol", target_id=str(first.pk))
    assert event.actor == world.staff
    assert event.details["reason"] == "拟任市住建局局长"
    assert event.details["slip"] == first.slip_number


def test_an_appointment_list_can_enrol_as_a_source(world: Any) -> None:
    from renda.core.sources import Source, sources_of

    small_bank(world.staff)
    plan = blueprint(world.staff)
    exam = sitting(world.staff, plan)
    # Any model stands in for the appointment list of a later issue.
    enrolment = enrol(
        actor=world.staff,
        sitting=exam,
        user=world.nominee,
        reason="提请任命名单",
        source=Source(plan, "2026年1月提请任命名单"),
    )
    assert [link.label for link in sources_of(enrolment)] == ["2026年1月提请任命名单"]


def test_the_admission_slip_docx_opens_and_names_the_examinee(world: Any, client_for: Any) -> None:
    small_bank(world.staff)
    exam = sitting(world.staff, blueprint(world.staff))
    enrolment = enrol(actor=world.staff, sitting=exam, user=world.nominee, reason="拟任局长")
    enrol_all(world.staff, exam, nominees(1))
    for persona, url in (
        ("nominee", reverse("exams:my_slip_docx", args=[enrolment.pk])),
        ("staff", reverse("exams:sitting_slips_docx", args=[exam.pk])),
    ):
        response = client_for(persona).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        document = Document(io.BytesIO(response.content))
        text = "\n".join(
            cell.text for table in document.tables for row in table.rows for cell in row.cells
        )
        assert world.nominee.name in text and enrolment.slip_number in text
        assert exam.venue in text
        assert document.inline_shapes  # the QR code
    assert len(Document(io.BytesIO(response.content)).tables) == 2  # one slip per examinee
    assert AuditEvent.objects.filter(action="exam.slip_view").count() == 2


def test_slips_print_one_per_page(world: Any, client_for: Any) -> None:
    small_bank(world.staff)
    exam = sitting(world.staff, blueprint(world.staff))
    enrol_all(world.staff, exam, nominees(3))
    page = client_for("staff").get(reverse("exams:sitting_slips", args=[exam.pk])).content.decode()
    assert page.count('data-testid="slip"') == 3
    assert "break-after: page" in page and "<svg" in page


def test_a_nominee_sees_only_their_own_sittings_and_slips_and_never_a_question(
    world: Any, client_for: Any
) -> None:
    small_bank(world.staff)
    mine = sitting(world.staff, blueprint(world.staff), title="我的场次")
    theirs = sitting(world.staff, mine.blueprint, title="别人的场次")
    own = enrol(actor=world.staff, sitting=mine, user=world.nominee, reason="拟任局长")
    other = enrol_all(world.staff, theirs, nominees(1))[0]
    paper_services.generate_papers(actor=world.staff, sitting=mine)
    client = client_for("nominee")
    page = client.get(reverse("exams:my_exams")).content.decode()
    assert "我的场次" in page and "别人的场次" not in page
    assert mine.password not in page
    slip = client.get(reverse("exams:my_slip", args=[own.pk])).content.decode()
    assert own.slip_number in slip and world.nominee.name in slip
    # Nothing of the paper: no stem, no option, no answer.
    for text in (page, slip):
        assert "宪法single" not in text and "甲" not in text and "监察法" not in text
    assert client.get(reverse("exams:my_slip", args=[other.pk])).status_code == 404
    assert client.get(reverse("exams:my_slip_docx", args=[other.pk])).status_code == 404
    for url in (
        reverse("exams:sitting_detail", args=[mine.pk]),
        reverse("exams:sitting_slips", args=[mine.pk]),
        reverse("exams:blueprint_edit", args=[mine.blueprint_id]),
        reverse("exams:bank"),
    ):
        assert client.get(url).status_code == 403

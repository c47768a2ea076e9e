"""Appointment lists for the tests, built through the services: a standing-committee meeting
(with members, so the vote's majority is checked), a nominating body, a list submitted in
time, and sittings the list enrols its nominees in, sat right or wrong and released through
the grading service (so 'passed' comes from a graded, released attempt)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from renda.core.models import Organization
from renda.exams.models import AppointmentList, Attempt, ExamSitting, Nomination
from renda.exams.services import appointments as services
from renda.exams.services.grading import release_results
from renda.exams.services.papers import generate_papers
from renda.exams.services.sittings import create_sitting
from renda.meetings.models import Meeting

from .attempt_setup import exam_bank, exam_blueprint

_serial = itertools.count(1)
MEMBERS = 5


def government(world: Any) -> Organization:
    found = Organization.objects.filter(code="ZF").first()
    return found or Organization.objects.create(
        name="冷水江市人民政府",
        code="ZF",
        kind=Organization.Kind.OTHER,
        region=world.county,
    )


def standing_meeting(world: Any, *, days: int = 15, members: int = MEMBERS) -> Meeting:
    from renda.deputies.models import Membership
    from renda.meetings.tests.factories import (
        a_deputy,
        make_meeting,
        seat_on_committee,
        standing_committee,
    )

    seated = Membership.objects.filter(organization=standing_committee(world)).count()
    for _ in range(members - seated):
        seat_on_committee(world, a_deputy(world))
    start = timezone.now() + dt.timedelta(days=days)
    return make_meeting(world, kind=Meeting.Kind.STANDING, start_at=start)


def make_list(
    world: Any,
    users: list[Any],
    *,
    days: int = 15,
    submit: bool = True,
    meeting: Meeting | None = None,
) -> AppointmentList:
    meeting = meeting or standing_meeting(world, days=days)
    appointment_list = services.create_list(
        actor=world.staff,
        title="市人民政府提请任命名单",
        nominating_body=government(world),
        meeting=meeting,
    )
    for number, user in enumerate(users, start=1):
        services.add_nomination(
            actor=world.staff,
            appointment_list=appointment_list,
            user=user,
            post=f"冷水江市第{number}局局长",
            position_category="government",
        )
    if submit:
        services.submit_list(actor=world.staff, appointment_list=appointment_list)
    return AppointmentList.objects.get(pk=appointment_list.pk)


def sitting(world: Any) -> ExamSitting:
    """An open sitting (objective questions only, 30 points, pass mark 20)."""
    from renda.exams.models import Blueprint

    blueprint = Blueprint.objects.filter(name="客观题规则").first()
    if blueprint is None:
        exam_bank(world.staff)
        blueprint = exam_blueprint(world.staff, short=False)
    now = timezone.now()
    return create_sitting(
        actor=world.staff,
        title=f"任前法律考试第{next(_serial)}场",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
        duration_minutes=60,
        pass_mark=Decimal(20),
        venue="三楼会议室",
        blueprint=blueprint,
    )


def sit_for(world: Any, nominations: list[Nomination], results: list[bool]) -> list[Attempt]:
    """One sitting: enrol each nomination through the list, sit right (True) or wrong, and
    release the results. Returns the released attempts."""
    from .test_grading_flow import sit

    exam = sitting(world)
    for nomination in nominations:
        services.enrol_nominee(actor=world.staff, nomination=nomination, sitting=exam)
    generate_papers(actor=world.staff, sitting=exam)
    attempts = [
        sit(exam, nomination.user, right=right)
        for nomination, right in zip(nominations, results, strict=True)
    ]
    release_results(actor=world.staff, sitting=exam)
    return [Attempt.objects.get(pk=a.pk) for a in attempts]

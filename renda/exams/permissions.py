"""Who may see the question bank. The bank is confidential (任前考试 fails when questions
leak): only exam administrators open it. Standing-committee members, deputies and above all
nominees — the people who sit the exam — never see a question outside their own paper.

For now every staff account administers exams; a later issue splits the work between the
人事 and 选联 committees. `can_manage_bank` is the one function to change then."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from renda.core.roles import Duty, Role, has_duty, has_role

from .models import (
    AppointmentList,
    AppointmentRecord,
    Attempt,
    Blueprint,
    Enrolment,
    ExamSitting,
    ListState,
    Nomination,
    Question,
    QuestionVersion,
    StudyMaterial,
    Topic,
)

BANK_ROLES = (Role.STAFF,)
DENIED = "题库是保密的，只有考试管理员可以查看。"


def can_manage_bank(user: Any) -> bool:
    """Exam administrators: staff whose office holds the exams duty (the personnel office).
    The bank is confidential, so other staff do not read it either."""
    return has_role(user, *BANK_ROLES) and has_duty(user, Duty.EXAMS)


def require_bank_manager(actor: Any) -> None:
    """For services: an exam administrator, or None (the demo loader, a command)."""
    if actor is not None and not can_manage_bank(actor):
        raise PermissionDenied(DENIED)


def get_question_for_user(user: Any, pk: int) -> Question:
    if not can_manage_bank(user):
        raise PermissionDenied(DENIED)
    return get_object_or_404(
        Question.objects.select_related("topic", "current", "topic__parent"), pk=pk
    )


def get_version_for_user(user: Any, pk: int) -> QuestionVersion:
    if not can_manage_bank(user):
        raise PermissionDenied(DENIED)
    return get_object_or_404(QuestionVersion.objects.select_related("question"), pk=pk)


def get_topic_for_user(user: Any, pk: int) -> Topic:
    if not can_manage_bank(user):
        raise PermissionDenied(DENIED)
    return get_object_or_404(Topic, pk=pk)


# --- blueprints, sittings, admission slips ---------------------------------------------------

SITTING_ROLES = (Role.STAFF,)
SITTINGS_DENIED = "只有考试管理员可以管理组卷规则和考试场次。"


def can_manage_sittings(user: Any) -> bool:
    """Blueprints, sittings, enrolment, papers and the lot: exam administrators (staff)."""
    return has_role(user, *SITTING_ROLES) and has_duty(user, Duty.EXAMS)


def require_sitting_manager(actor: Any) -> None:
    if actor is not None and not can_manage_sittings(actor):
        raise PermissionDenied(SITTINGS_DENIED)


def get_blueprint_for_user(user: Any, pk: int) -> Blueprint:
    if not can_manage_sittings(user):
        raise PermissionDenied(SITTINGS_DENIED)
    return get_object_or_404(Blueprint, pk=pk)


def get_sitting_for_user(user: Any, pk: int) -> ExamSitting:
    if not can_manage_sittings(user):
        raise PermissionDenied(SITTINGS_DENIED)
    return get_object_or_404(ExamSitting.objects.select_related("blueprint"), pk=pk)


def get_own_enrolment(user: Any, pk: int) -> Enrolment:
    """A nominee's own enrolment (their admission slip); anybody else's is 404, not 403, so
    slip numbers cannot be probed."""
    if not has_role(user, Role.NOMINEE):
        raise PermissionDenied("只有考生本人可以查看自己的准考证。")
    return get_object_or_404(Enrolment.objects.select_related("sitting", "user"), pk=pk, user=user)


# --- attempts ----------------------------------------------------------------------------------


def get_own_attempt(user: Any, enrolment_pk: int) -> Attempt:
    """The examinee's own started attempt, with its sitting; anybody else's is 404."""
    if not has_role(user, Role.NOMINEE):
        raise PermissionDenied("只有考生本人可以作答。")
    return get_object_or_404(
        Attempt.objects.select_related("enrolment__sitting"),
        enrolment_id=enrolment_pk,
        enrolment__user=user,
    )


def get_sitting_attempt_for_user(user: Any, sitting_pk: int, attempt_pk: int) -> Attempt:
    """An attempt of a sitting, for its proctor (exam administrators)."""
    if not can_manage_sittings(user):
        raise PermissionDenied(SITTINGS_DENIED)
    return get_object_or_404(
        Attempt.objects.select_related("enrolment__sitting", "enrolment__user"),
        pk=attempt_pk,
        enrolment__sitting_id=sitting_pk,
    )


# --- grading and results ---------------------------------------------------------------------

GRADING_ROLES = (Role.STAFF,)
GRADING_DENIED = "只有阅卷人可以评阅答卷。"


def can_grade(user: Any) -> bool:
    """Graders mark short answers (blind: a paper code, never a name): exam administrators
    (staff) for now; a later issue may name graders per sitting."""
    return has_role(user, *GRADING_ROLES) and has_duty(user, Duty.EXAMS)


def require_grader(actor: Any) -> None:
    if actor is not None and not can_grade(actor):
        raise PermissionDenied(GRADING_DENIED)


def get_grading_sitting_for_user(user: Any, pk: int) -> ExamSitting:
    if not can_grade(user):
        raise PermissionDenied(GRADING_DENIED)
    return get_object_or_404(ExamSitting, pk=pk)


def get_own_released_attempt(user: Any, enrolment_pk: int) -> Attempt:
    """The nominee's own result, only once released: before that it does not exist for
    them (404, so nobody can tell whether it is graded)."""
    if not has_role(user, Role.NOMINEE):
        raise PermissionDenied("只有考生本人可以查看自己的成绩。")
    return get_object_or_404(
        Attempt.objects.select_related("enrolment__sitting", "enrolment__user"),
        enrolment_id=enrolment_pk,
        enrolment__user=user,
        released_at__isnull=False,
    )


# --- the standing committee's reading: lists before it and released results ----------------

COMMITTEE_DENIED = "只有常委会组成人员和任前法律考试的工作人员可以查看考试情况报告。"


def can_read_committee_reports(user: Any) -> bool:
    """The sitting reports and the exam status of the lists before the committee: its
    members (who vote on the appointments) and exam administrators. Never the questions."""
    return has_role(user, Role.SC_MEMBER) or has_duty(user, Duty.EXAMS)


def require_committee_reader(user: Any) -> None:
    if not can_read_committee_reports(user):
        raise PermissionDenied(COMMITTEE_DENIED)


def get_released_sitting_for_committee(user: Any, pk: int) -> ExamSitting:
    """A sitting the committee may read: one whose results have been released; before the
    release it does not exist for the committee (404)."""
    require_committee_reader(user)
    return get_object_or_404(
        ExamSitting.objects.filter(enrolments__attempt__released_at__isnull=False).distinct(),
        pk=pk,
    )


# --- appointment lists (the gate), study material -----------------------------------------

APPOINTMENT_ROLES = (Role.STAFF,)
APPOINTMENTS_DENIED = "只有任前法律考试的工作人员可以办理提请任命名单。"


def can_manage_appointments(user: Any) -> bool:
    """Appointment lists, exemptions, vote results, 任命书 and oaths: exam administrators."""
    return has_role(user, *APPOINTMENT_ROLES) and has_duty(user, Duty.EXAMS)


def require_appointment_manager(actor: Any) -> None:
    if actor is not None and not can_manage_appointments(actor):
        raise PermissionDenied(APPOINTMENTS_DENIED)


def get_list_for_user(user: Any, pk: int) -> AppointmentList:
    if not can_manage_appointments(user):
        raise PermissionDenied(APPOINTMENTS_DENIED)
    return get_object_or_404(
        AppointmentList.objects.select_related("nominating_body", "meeting"), pk=pk
    )


def get_nomination_for_user(user: Any, pk: int) -> Nomination:
    if not can_manage_appointments(user):
        raise PermissionDenied(APPOINTMENTS_DENIED)
    return get_object_or_404(
        Nomination.objects.select_related(
            "user", "appointment_list__meeting", "appointment_list__nominating_body"
        ),
        pk=pk,
    )


def get_record_for_user(user: Any, pk: int) -> AppointmentRecord:
    if not can_manage_appointments(user):
        raise PermissionDenied(APPOINTMENTS_DENIED)
    return get_object_or_404(
        AppointmentRecord.objects.select_related(
            "user", "nominating_body", "nomination__appointment_list__meeting"
        ),
        pk=pk,
    )


def get_public_list(pk: int) -> AppointmentList:
    """人大之家 任免名单: only a list whose vote is over exists for the public."""
    return get_object_or_404(
        AppointmentList.objects.select_related("meeting", "nominating_body"),
        pk=pk,
        state=ListState.VOTED,
    )


MATERIALS_DENIED = "只有考试管理员可以编辑学习资料。"


def can_manage_materials(user: Any) -> bool:
    return has_role(user, *SITTING_ROLES) and has_duty(user, Duty.EXAMS)


def require_material_manager(actor: Any) -> None:
    if actor is not None and not can_manage_materials(actor):
        raise PermissionDenied(MATERIALS_DENIED)


def get_material_for_user(user: Any, pk: int) -> StudyMaterial:
    """Staff see every material; a nominee only a published one (404 otherwise)."""
    if can_manage_materials(user):
        return get_object_or_404(StudyMaterial.objects.select_related("topic"), pk=pk)
    if has_role(user, Role.NOMINEE):
        return get_object_or_404(
            StudyMaterial.objects.select_related("topic"), pk=pk, published=True
        )
    raise PermissionDenied("学习资料只向拟任命人员和考试管理员开放。")

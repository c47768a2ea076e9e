"""The question bank is confidential: only exam administrators (staff, for now) open any of
it; standing-committee members, deputies, nominees and everybody else get 403."""

from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, everyone, expect

ADMINS = ["staff"]


def a_question(world: Any) -> list[int]:
    from renda.exams.tests.factories import make_question

    return [make_question(world.staff).pk]


def a_retired_question(world: Any) -> list[int]:
    from renda.exams import services
    from renda.exams.models import Question

    question = Question.objects.get(pk=a_question(world)[0])
    services.retire_question(actor=world.staff, question=question)
    return [question.pk]


def a_topic(world: Any) -> list[int]:
    from renda.exams.models import Topic

    return [Topic.objects.get(name="宪法", parent=None).pk]


MATRIX = {
    "exams:bank": Entry(expect(ADMINS)),
    "exams:question_create": Entry(expect(ADMINS)),
    "exams:question_detail": Entry(expect(ADMINS), args=a_question),
    "exams:question_edit": Entry(expect(ADMINS), args=a_question),
    "exams:question_ready": Entry(expect(ADMINS, ok=302), args=a_question, method="post"),
    "exams:question_retire": Entry(expect(ADMINS, ok=302), args=a_question, method="post"),
    "exams:question_restore": Entry(expect(ADMINS, ok=302), args=a_retired_question, method="post"),
    "exams:bank_import": Entry(expect(ADMINS)),
    "exams:bank_export": Entry(expect(ADMINS), query="format=gift"),
    "exams:topics": Entry(expect(ADMINS)),
    "exams:topic_edit": Entry(expect(ADMINS), args=a_topic),
}


# --- blueprints, sittings, papers (exam administrators), the nominee's own pages -------------


def _a_bank_and_blueprint(world: Any) -> Any:
    from renda.exams.services.blueprints import save_blueprint
    from renda.exams.tests.builders import cell, stock

    stock(world.staff, "宪法", "single", [1, 2, 3])
    return save_blueprint(
        actor=world.staff,
        blueprint=None,
        name="矩阵规则",
        position_category="government",
        parallel_forms=2,
        cells=[cell("宪法", "single", 1)],
    )


def a_blueprint(world: Any) -> list[int]:
    return [_a_bank_and_blueprint(world).pk]


def _a_sitting(world: Any, **kw: Any) -> Any:
    from renda.exams.services.sittings import enrol
    from renda.exams.tests.builders import sitting

    exam = sitting(world.staff, _a_bank_and_blueprint(world), pass_mark=1, **kw)
    enrol(actor=world.staff, sitting=exam, user=world.nominee, reason="拟任局长")
    return exam


def a_sitting(world: Any) -> list[int]:
    return [_a_sitting(world).pk]


def a_forms_sitting(world: Any) -> list[int]:
    from renda.exams.services.papers import generate_forms

    exam = _a_sitting(world, mode="forms", form_count=2)
    generate_forms(actor=world.staff, sitting=exam)
    return [exam.pk]


def the_nominees_enrolment(world: Any) -> list[int]:
    return [_a_sitting(world).enrolments.get().pk]


NOMINEE = ["nominee"]

MATRIX.update(
    {
        "exams:blueprints": Entry(expect(ADMINS)),
        "exams:blueprint_create": Entry(expect(ADMINS)),
        "exams:blueprint_edit": Entry(expect(ADMINS), args=a_blueprint),
        "exams:blueprint_check": Entry(expect(ADMINS), method="post"),
        "exams:sittings": Entry(expect(ADMINS)),
        "exams:sitting_create": Entry(expect(ADMINS)),
        "exams:sitting_detail": Entry(expect(ADMINS), args=a_sitting),
        "exams:sitting_edit": Entry(expect(ADMINS), args=a_sitting),
        "exams:sitting_password": Entry(expect(ADMINS, ok=302), args=a_sitting, method="post"),
        "exams:sitting_papers": Entry(expect(ADMINS, ok=302), args=a_sitting, method="post"),
        "exams:sitting_forms": Entry(expect(ADMINS, ok=302), args=a_sitting, method="post"),
        "exams:sitting_lot": Entry(expect(ADMINS, ok=302), args=a_forms_sitting, method="post"),
        "exams:sitting_slips": Entry(expect(ADMINS), args=a_sitting),
        "exams:sitting_slips_docx": Entry(expect(ADMINS), args=a_sitting),
        "exams:my_exams": Entry(expect(NOMINEE)),
        "exams:my_slip": Entry(expect(NOMINEE), args=the_nominees_enrolment),
        "exams:my_slip_docx": Entry(expect(NOMINEE), args=the_nominees_enrolment),
    }
)


# --- taking the exam (the examinee's own attempt) and the proctor's pages --------------------


def _a_started_attempt(world: Any) -> Any:
    from renda.exams.tests.attempt_setup import open_sitting, start

    # The test client comes from 127.0.0.1: the sitting's network allows it.
    exam = open_sitting(world.staff, [world.nominee], allowed_networks="127.0.0.0/8")
    return start(exam, world.nominee, ip="127.0.0.1")


def the_nominees_attempt(world: Any) -> list[int]:
    return [_a_started_attempt(world).enrolment_id]


def a_proctored_sitting(world: Any) -> list[int]:
    return [_a_started_attempt(world).enrolment.sitting_id]


def a_proctored_attempt(world: Any) -> list[int]:
    attempt = _a_started_attempt(world)
    return [attempt.enrolment.sitting_id, attempt.pk]


MATRIX.update(
    {
        "exams:attempt": Entry(expect(NOMINEE), args=the_nominees_attempt),
        "exams:attempt_save": Entry(
            expect(NOMINEE),
            args=the_nominees_attempt,
            method="post",
            data={"q": 1, "v": 0, "value": "null"},
        ),
        "exams:attempt_event": Entry(
            expect(NOMINEE), args=the_nominees_attempt, method="post", data={"kind": "lost"}
        ),
        "exams:attempt_state": Entry(expect(NOMINEE), args=the_nominees_attempt),
        "exams:attempt_submit": Entry(
            expect(NOMINEE, ok=302), args=the_nominees_attempt, method="post"
        ),
        "exams:proctor": Entry(expect(ADMINS), args=a_proctored_sitting),
        "exams:proctor_attempt": Entry(expect(ADMINS), args=a_proctored_attempt),
        "exams:proctor_extend": Entry(
            expect(ADMINS, ok=302),
            args=a_proctored_attempt,
            method="post",
            data={"minutes": 5, "reason": "考生手机故障，更换设备"},
        ),
    }
)


# --- marking, results, item statistics --------------------------------------------------------


def _a_submitted_attempt(world: Any, *, short: bool = True) -> Any:
    from renda.exams.services.attempts import submit_attempt
    from renda.exams.tests.attempt_setup import open_sitting, start

    exam = open_sitting(world.staff, [world.nominee], short=short, allowed_networks="")
    attempt = start(exam, world.nominee, ip="127.0.0.1")
    return submit_attempt(actor=world.nominee, attempt=attempt, ip="127.0.0.1")


def a_short_answer_to_mark(world: Any) -> list[int]:
    from renda.exams.models import Answer

    attempt = _a_submitted_attempt(world)
    answer = Answer.objects.get(attempt=attempt, question__version__type="short_answer")
    return [attempt.enrolment.sitting_id, answer.pk]


def a_graded_sitting(world: Any) -> list[int]:
    return [_a_submitted_attempt(world).enrolment.sitting_id]


def a_result(world: Any) -> list[int]:
    attempt = _a_submitted_attempt(world)
    return [attempt.enrolment.sitting_id, attempt.pk]


def the_nominees_released_result(world: Any) -> list[int]:
    from renda.exams.services.grading import release_results

    attempt = _a_submitted_attempt(world, short=False)
    release_results(actor=world.staff, sitting=attempt.enrolment.sitting)
    return [attempt.enrolment_id]


def a_released_sitting(world: Any) -> list[int]:
    from renda.exams.services.grading import release_results

    attempt = _a_submitted_attempt(world, short=False)
    release_results(actor=world.staff, sitting=attempt.enrolment.sitting)
    return [attempt.enrolment.sitting_id]


MATRIX.update(
    {
        "exams:grading_queue": Entry(expect(ADMINS), args=a_graded_sitting),
        "exams:grading_mark": Entry(expect(ADMINS), args=a_short_answer_to_mark),
        "exams:grading_regrade": Entry(expect(ADMINS), args=a_graded_sitting),
        "exams:results_sitting": Entry(expect(ADMINS), args=a_graded_sitting),
        "exams:results_release": Entry(
            expect(ADMINS, ok=302), args=a_graded_sitting, method="post"
        ),
        "exams:results_report": Entry(expect(ADMINS), args=a_result),
        "exams:results_report_docx": Entry(expect(ADMINS), args=a_result),
        "exams:item_stats": Entry(expect(ADMINS)),
        "exams:my_result": Entry(expect(NOMINEE), args=the_nominees_released_result),
        "exams:my_result_docx": Entry(expect(NOMINEE), args=the_nominees_released_result),
        # The committee reads the lists before it and the released reports; never a question.
        "exams:committee_home": Entry(expect(["staff", "sc_member"])),
        "exams:committee_sitting": Entry(expect(["staff", "sc_member"]), args=a_released_sitting),
        "exams:committee_sitting_docx": Entry(
            expect(["staff", "sc_member"]), args=a_released_sitting
        ),
    }
)


# --- appointment lists (exam administrators), study material, the public 任免名单 ------------


def _a_list(world: Any, *, sat: bool = False) -> Any:
    from renda.exams.tests.appointment_setup import make_list, sit_for

    appointment_list = make_list(world, [world.nominee])
    if sat:
        sit_for(world, list(appointment_list.nominations.all()), [True])
    return appointment_list


def a_list(world: Any) -> list[int]:
    return [_a_list(world).pk]


def a_nomination(world: Any) -> list[int]:
    return [_a_list(world).nominations.get().pk]


def a_failed_nomination(world: Any) -> list[int]:
    from renda.exams.tests.appointment_setup import make_list, sit_for

    nomination = make_list(world, [world.nominee]).nominations.get()
    sit_for(world, [nomination], [False])
    sit_for(world, [nomination], [False])
    return [nomination.pk]


def _voting(world: Any) -> Any:
    from renda.exams.services.appointment_votes import open_vote

    return open_vote(actor=world.staff, appointment_list=_a_list(world, sat=True))


def a_voting_nomination(world: Any) -> list[int]:
    return [_voting(world).nominations.get().pk]


def _a_record(world: Any) -> Any:
    from renda.exams.services.appointment_votes import record_result

    nomination = _voting(world).nominations.get()
    record_result(
        actor=world.staff,
        nomination=nomination,
        result="passed",
        votes_for=5,
        votes_against=0,
        abstentions=0,
    )
    return nomination.record


def a_record(world: Any) -> list[int]:
    return [_a_record(world).pk]


def a_voted_list(world: Any) -> list[int]:
    return [_a_record(world).nomination.appointment_list_id]


def _a_material(world: Any, *, published: bool = True, attachment: bool = False) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from renda.exams.services.study import save_material, set_published

    material = save_material(
        actor=world.staff,
        material=None,
        title="宪法（节选）",
        topic=None,
        body="第二条　中华人民共和国的一切权力属于人民。",
        attachment=SimpleUploadedFile("xianfa.pdf", b"%PDF-1.4\n") if attachment else None,
    )
    if published:
        set_published(actor=world.staff, material=material, published=True)
    return material


def a_material(world: Any) -> list[int]:
    return [_a_material(world).pk]


def a_material_file(world: Any) -> list[int]:
    return [_a_material(world, attachment=True).pk]


STAFF_AND_NOMINEE = ["staff", "nominee"]

MATRIX.update(
    {
        "exams:applists": Entry(expect(ADMINS)),
        "exams:applist_create": Entry(expect(ADMINS)),
        "exams:applist_detail": Entry(expect(ADMINS), args=a_list),
        "exams:applist_submit": Entry(expect(ADMINS, ok=302), args=a_list, method="post"),
        "exams:applist_vote": Entry(expect(ADMINS, ok=302), args=a_list, method="post"),
        "exams:nomination_enrol": Entry(expect(ADMINS, ok=302), args=a_nomination, method="post"),
        "exams:nomination_exempt": Entry(expect(ADMINS), args=a_nomination),
        "exams:nomination_advice": Entry(expect(ADMINS), args=a_failed_nomination),
        "exams:nomination_result": Entry(expect(ADMINS), args=a_voting_nomination),
        "exams:record_oath": Entry(
            expect(ADMINS, ok=302), args=a_record, method="post", data={"oath_on": "2026-12-01"}
        ),
        "exams:record_letter": Entry(expect(ADMINS), args=a_record),
        "exams:materials": Entry(expect(ADMINS)),
        "exams:material_create": Entry(expect(ADMINS)),
        "exams:material_edit": Entry(expect(ADMINS), args=a_material),
        "exams:material_publish": Entry(expect(ADMINS, ok=302), args=a_material, method="post"),
        "exams:material_file": Entry(expect(STAFF_AND_NOMINEE), args=a_material_file),
        "exams:my_appointments": Entry(expect(NOMINEE)),
        "exams:my_materials": Entry(expect(NOMINEE)),
        "exams:my_material": Entry(expect(NOMINEE), args=a_material),
        "exams:public_appointments": Entry(everyone()),
        "exams:public_appointment": Entry(everyone(), args=a_voted_list),
    }
)

"""The question bank is confidential: only exam administrators (staff, for now) open any of
it; standing-committee members, deputies, nominees and everybody else get 403."""

from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect

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

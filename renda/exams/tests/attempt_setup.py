"""A sitting under way, for the attempt tests: a bank whose every key, explanation and
article carries the word 秘钥 (so a test can say no page or JSON ever shows one), a blueprint
with every question type, papers drawn, and helpers that answer a paper right or wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from renda.exams.formats.content import OptionData, QuestionData
from renda.exams.models import Answer, Attempt, Enrolment, ExamSitting, QuestionStatus
from renda.exams.services import create_question
from renda.exams.services.attempts import start_attempt
from renda.exams.services.blueprints import save_blueprint
from renda.exams.services.papers import generate_papers
from renda.exams.services.sittings import create_sitting, enrol

from .builders import cell
from .factories import law

NETWORK = "10.12.0.0/16"
INSIDE = "10.12.3.4"
OUTSIDE = "10.99.0.1"
SECRET = "秘钥"


def _data(kind: str, index: int) -> QuestionData:
    common: dict[str, Any] = {
        "type": kind,
        "stem": f"第{index}道{kind}题的题干",
        "explanation": f"解析{SECRET}{index}",
        "article": "第二条",
        "article_text": f"条文{SECRET}{index}",
        "difficulty": 1 + index % 5,
    }
    if kind == "single":
        options = (
            OptionData(f"单选对{index}", Decimal(100), f"反馈{SECRET}"),
            OptionData(f"单选错{index}a"),
            OptionData(f"单选错{index}b"),
            OptionData(f"单选错{index}c"),
        )
        return QuestionData(options=options, **common)
    if kind == "multiple":
        options = (
            OptionData(f"多选对{index}a", Decimal(50)),
            OptionData(f"多选对{index}b", Decimal(50)),
            OptionData(f"多选扣分{index}", Decimal(-50)),
            OptionData(f"多选错{index}"),
        )
        return QuestionData(options=options, **common)
    if kind == "true_false":
        return QuestionData(truth=index % 2 == 0, **common)
    if kind == "fill_in":
        return QuestionData(accepted=(f"填空{SECRET}{index}", f"FILL{index}"), **common)
    return QuestionData(reference_answer=f"简答要点{SECRET}{index}", **common)


def exam_bank(actor: Any) -> None:
    index = 0
    for kind, count in (
        ("single", 4),
        ("multiple", 2),
        ("true_false", 2),
        ("fill_in", 2),
        ("short_answer", 2),
    ):
        for _ in range(count):
            index += 1
            create_question(
                actor=actor, topic=law("宪法"), data=_data(kind, index), status=QuestionStatus.READY
            )


def exam_blueprint(actor: Any, *, short: bool = True) -> Any:
    cells = [
        cell("宪法", "single", 2, score="5"),
        cell("宪法", "multiple", 1, score="10"),
        cell("宪法", "true_false", 1, score="5"),
        cell("宪法", "fill_in", 1, score="5"),
    ]
    if short:
        cells.append(cell("宪法", "short_answer", 1, score="20"))
    return save_blueprint(
        actor=actor,
        blueprint=None,
        name="作答测试规则" if short else "客观题规则",
        position_category="government",
        parallel_forms=1,
        cells=cells,
    )


def open_sitting(
    actor: Any, users: list[Any], *, short: bool = True, **overrides: Any
) -> ExamSitting:
    """A sitting whose window is open now (started 5 minutes ago, 2 hours long, 60 minutes
    to answer), every user enrolled and given a paper."""
    exam_bank(actor)
    now = timezone.now()
    values: dict[str, Any] = {
        "title": "任前法律考试（作答测试）",
        "starts_at": now - dt.timedelta(minutes=5),
        "ends_at": now + dt.timedelta(hours=2),
        "duration_minutes": 60,
        "pass_mark": Decimal(20),
        "venue": "三楼会议室",
        "blueprint": exam_blueprint(actor, short=short),
        "allowed_networks": NETWORK,
    }
    values.update(overrides)
    sitting = create_sitting(actor=actor, **values)
    for user in users:
        enrol(actor=actor, sitting=sitting, user=user, reason="拟任局长")
    generate_papers(actor=actor, sitting=sitting)
    return sitting


def enrolment_of(sitting: ExamSitting, user: Any) -> Enrolment:
    return Enrolment.objects.select_related("sitting").get(sitting=sitting, user=user)


def start(sitting: ExamSitting, user: Any, ip: str = INSIDE) -> Attempt:
    enrolment = enrolment_of(sitting, user)
    attempt = start_attempt(actor=user, enrolment=enrolment, password=sitting.password, ip=ip)
    return Attempt.objects.select_related("enrolment__sitting").get(pk=attempt.pk)


def right_value(answer: Answer) -> Any:
    """The right answer to one question, in the positions the examinee was shown."""
    question = answer.question
    version = question.version
    order = question.option_order or list(range(len(version.options)))
    weights = [Decimal(str(version.options[i]["weight"])) for i in order]
    if version.type == "single":
        return next(p for p, w in enumerate(weights) if w > 0)
    if version.type == "multiple":
        return [p for p, w in enumerate(weights) if w > 0]
    if version.type == "true_false":
        return version.answer["truth"]
    if version.type == "fill_in":
        return version.answer["accepted"][0]
    return "我的简答"


def answers_of(attempt: Attempt) -> list[Answer]:
    return list(
        Answer.objects.filter(attempt=attempt).select_related("question__version").order_by("order")
    )

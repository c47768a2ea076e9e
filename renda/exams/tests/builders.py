"""Data for the blueprint, paper and sitting tests, made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from renda.exams.formats.content import OptionData, QuestionData
from renda.exams.models import Blueprint, ExamSitting, QuestionStatus, Section
from renda.exams.services.blueprints import CellSpec, save_blueprint
from renda.exams.services.sittings import create_sitting, enrol

from .factories import law


def stock(
    actor: Any,
    law_name: str,
    kind: str,
    difficulties: list[int],
    *,
    status: str = QuestionStatus.READY,
    prefix: str = "",
) -> list[int]:
    """Ready questions of one law and type, one per difficulty given; returns their pks."""
    from renda.exams.services import create_question

    topic = law(law_name)
    made = []
    for index, difficulty in enumerate(difficulties):
        stem = f"{law_name}{kind}{prefix}第{index}题（{difficulty}）"
        if kind in ("single", "multiple"):
            options = (
                (
                    OptionData("甲", Decimal(100)),
                    OptionData("乙"),
                    OptionData("丙"),
                    OptionData("丁"),
                )
                if kind == "single"
                else (
                    OptionData("甲", Decimal(50)),
                    OptionData("乙", Decimal(50)),
                    OptionData("丙"),
                    OptionData("丁"),
                )
            )
            data = QuestionData(type=kind, stem=stem, options=options, difficulty=difficulty)
        elif kind == "true_false":
            data = QuestionData(type=kind, stem=stem, truth=True, difficulty=difficulty)
        elif kind == "fill_in":
            data = QuestionData(
                type=kind, stem=stem + "____", accepted=("人民",), difficulty=difficulty
            )
        else:
            data = QuestionData(
                type=kind, stem=stem, reference_answer="要点", difficulty=difficulty
            )
        made.append(create_question(actor=actor, topic=topic, data=data, status=status).pk)
    return made


def cell(
    law_name: str,
    kind: str,
    count: int,
    *,
    section: str = Section.COMMON,
    difficulty: tuple[int, int] = (1, 5),
    score: str = "2",
) -> CellSpec:
    return CellSpec(
        section, law(law_name), kind, difficulty[0], difficulty[1], count, Decimal(score)
    )


def small_bank(actor: Any) -> None:
    """宪法: 10 single (difficulties 1–5 twice), 6 true/false; 监察法: 4 single."""
    stock(actor, "宪法", "single", [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    stock(actor, "宪法", "true_false", [1, 2, 2, 3, 3, 4])
    stock(actor, "监察法", "single", [2, 3, 3, 4])


def blueprint(actor: Any, *, forms: int = 1, name: str = "监察委任前考试") -> Blueprint:
    return save_blueprint(
        actor=actor,
        blueprint=None,
        name=name,
        position_category="supervisory",
        parallel_forms=forms,
        cells=[
            cell("宪法", "single", 3, score="5"),
            cell("宪法", "true_false", 2, score="5"),
            cell("监察法", "single", 2, section=Section.POSITION, score="10"),
        ],
    )


def sitting(actor: Any, plan: Blueprint, **overrides: Any) -> ExamSitting:
    start = timezone.now() + dt.timedelta(days=3)
    values: dict[str, Any] = {
        "title": "2026年第一次任前法律考试",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "duration_minutes": 60,
        "pass_mark": Decimal(30),
        "venue": "市人大机关三楼会议室",
        "blueprint": plan,
        "allowed_networks": "10.12.0.0/16\n192.168.1.20",
    }
    values.update(overrides)
    return create_sitting(actor=actor, **values)


def nominees(count: int) -> list[Any]:
    # Straight rows: hashing a password per examinee (PBKDF2-SM3) would dominate the tests.
    from renda.accounts.models import User
    from renda.core.roles import Role

    start = User.objects.filter(username__startswith="nominee").count()
    return [
        User.objects.create(username=f"nominee{i}", name=f"考生{i}", role=Role.NOMINEE)
        for i in range(start, start + count)
    ]


def enrol_all(actor: Any, exam: ExamSitting, users: list[Any]) -> list[Any]:
    return [enrol(actor=actor, sitting=exam, user=u, reason="拟任监察委委员") for u in users]

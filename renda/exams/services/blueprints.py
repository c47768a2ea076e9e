"""Blueprints: cells, their pools and the feasibility check.

Each blueprint cell draws from its own pool — the ready questions (current version) of its
type, law subtree and difficulty range — and cells may not overlap, so a blueprint can be
satisfied k times without shared questions exactly when every pool holds count × k. That is
checked when the blueprint is saved (and again before a draw, in services.papers, because the
bank may have lost questions since), and the refusal names every short cell and how many
questions it lacks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from renda.core import audit

from ..models import (
    Blueprint,
    BlueprintCell,
    Paper,
    ParallelForm,
    PositionCategory,
    QuestionStatus,
    QuestionType,
    QuestionVersion,
    Section,
    Topic,
)
from ..permissions import require_sitting_manager


@dataclass(frozen=True)
class CellSpec:
    section: str
    topic: Topic
    type: str
    difficulty_min: int
    difficulty_max: int
    count: int
    score: Decimal

    @classmethod
    def of(cls, cell: BlueprintCell) -> CellSpec:
        return cls(
            cell.section,
            cell.topic,
            cell.type,
            cell.difficulty_min,
            cell.difficulty_max,
            cell.count,
            cell.score,
        )

    def label(self, category: str = "") -> str:
        section = (
            f"{PositionCategory(category).label}部分"
            if self.section == Section.POSITION and category
            else Section(self.section).label
        )
        difficulty = (
            f"难度 {self.difficulty_min}"
            if self.difficulty_min == self.difficulty_max
            else f"难度 {self.difficulty_min}–{self.difficulty_max}"
        )
        return (
            f"{section} · {self.topic.path_label} · {QuestionType(self.type).label} · {difficulty}"
        )


@dataclass(frozen=True)
class CellCheck:
    order: int
    spec: CellSpec
    label: str
    needed: int
    available: int

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.available)

    def message(self, forms: int) -> str:
        times = f"（{forms} 套 × {self.spec.count} 题）" if forms > 1 else ""
        return (
            f"第 {self.order} 行（{self.label}）：需要 {self.needed} 题{times}，"
            f"题库中可用 {self.available} 题，缺 {self.missing} 题。"
        )


@dataclass(frozen=True)
class PoolItem:
    version_id: int
    difficulty: int
    type: str
    option_count: int


# --- pools -----------------------------------------------------------------------------------


def _descendants() -> dict[int, set[int]]:
    """Every topic's subtree (itself and everything below), from one query."""
    children: dict[int | None, list[int]] = defaultdict(list)
    topics: list[int] = []
    for pk, parent in Topic.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
        topics.append(pk)
    memo: dict[int, set[int]] = {}

    def walk(pk: int) -> set[int]:
        if pk not in memo:
            found = {pk}
            for child in children.get(pk, ()):
                found |= walk(child)
            memo[pk] = found
        return memo[pk]

    for topic in topics:
        walk(topic)
    return memo


def ready_versions() -> QuerySet[QuestionVersion]:
    """What may be drawn: the current version of every ready question."""
    return QuestionVersion.objects.filter(
        question__status=QuestionStatus.READY, question__current=F("pk")
    )


def pools(specs: Sequence[CellSpec]) -> list[list[PoolItem]]:
    """Each cell's pool, in one query over the bank."""
    tree = _descendants()
    subtrees = [tree.get(s.topic.pk, {s.topic.pk}) for s in specs]
    topic_ids = set().union(*subtrees) if subtrees else set()
    types = {s.type for s in specs}
    rows = ready_versions().filter(question__topic_id__in=topic_ids, type__in=types)
    out: list[list[PoolItem]] = [[] for _ in specs]
    for pk, topic_id, kind, difficulty, options in rows.values_list(
        "pk", "question__topic_id", "type", "difficulty", "options"
    ).order_by("pk"):
        item = PoolItem(pk, difficulty, kind, len(options or ()))
        for index, spec in enumerate(specs):
            if (
                kind == spec.type
                and topic_id in subtrees[index]
                and spec.difficulty_min <= difficulty <= spec.difficulty_max
            ):
                out[index].append(item)
    return out


def overlaps(specs: Sequence[CellSpec]) -> list[str]:
    """Cells of one blueprint must be disjoint strata, else "enough per cell" means nothing."""
    tree = _descendants()
    problems = []
    for i, a in enumerate(specs):
        for j in range(i + 1, len(specs)):
            b = specs[j]
            same_topics = tree.get(a.topic.pk, {a.topic.pk}) & tree.get(b.topic.pk, {b.topic.pk})
            if (
                a.type == b.type
                and same_topics
                and a.difficulty_min <= b.difficulty_max
                and b.difficulty_min <= a.difficulty_max
            ):
                problems.append(
                    f"第 {i + 1} 行与第 {j + 1} 行的范围重叠（同为{QuestionType(a.type).label}，"
                    "法律和难度有交叉）：请合并为一行，或把难度范围分开。"
                )
    return problems


def feasibility(
    specs: Sequence[CellSpec], *, forms: int = 1, category: str = ""
) -> list[CellCheck]:
    found = pools(specs)
    return [
        CellCheck(i + 1, spec, spec.label(category), spec.count * forms, len(found[i]))
        for i, spec in enumerate(specs)
    ]


def _require_feasible(specs: Sequence[CellSpec], *, forms: int, category: str) -> None:
    short = [c for c in feasibility(specs, forms=forms, category=category) if c.missing]
    if short:
        raise ValidationError(
            ["题库中可用（“可用”状态）的试题不够，不能保存：", *(c.message(forms) for c in short)]
        )


# --- blueprints ------------------------------------------------------------------------------


def blueprint_in_use(blueprint: Blueprint) -> bool:
    return (
        Paper.objects.filter(enrolment__sitting__blueprint=blueprint).exists()
        or ParallelForm.objects.filter(sitting__blueprint=blueprint).exists()
    )


@transaction.atomic
def save_blueprint(
    *,
    actor: Any,
    blueprint: Blueprint | None,
    name: str,
    position_category: str,
    parallel_forms: int,
    cells: Sequence[CellSpec],
    note: str = "",
) -> Blueprint:
    """Create or replace a blueprint with its cells — only if the bank can satisfy it
    `parallel_forms` times over without shared questions."""
    require_sitting_manager(actor)
    creating = blueprint is None
    if blueprint is not None:
        blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
        if blueprint_in_use(blueprint):
            raise ValidationError("已有试卷按此规则生成，不能再修改；请新建一个规则。")
    else:
        blueprint = Blueprint(created_by=actor if _is_user(actor) else None)
    blueprint.name = name.strip()
    blueprint.position_category = position_category
    blueprint.parallel_forms = parallel_forms
    blueprint.note = note.strip()
    if not cells:
        raise ValidationError("组卷规则至少要有一行。")
    sections = {c.section for c in cells}
    if Section.COMMON not in sections:
        raise ValidationError("组卷规则要有公共部分。")
    for cell in cells:
        if not (1 <= cell.difficulty_min <= cell.difficulty_max <= 5):
            raise ValidationError("难度范围应在 1–5 之间，下限不大于上限。")
        if cell.count < 1 or not (0 < cell.score <= 100):
            raise ValidationError("每行题数至少 1 题，每题分值在 0–100 分之间。")
    if Blueprint.objects.filter(name=blueprint.name).exclude(pk=blueprint.pk).exists():
        raise ValidationError({"name": f"已有名为“{blueprint.name}”的组卷规则"})
    problems = overlaps(cells)
    if problems:
        raise ValidationError(problems)
    blueprint.full_clean(validate_constraints=False, validate_unique=False)
    _require_feasible(cells, forms=parallel_forms, category=position_category)
    blueprint.save()
    blueprint.cells.all().delete()
    BlueprintCell.objects.bulk_create(
        BlueprintCell(
            blueprint=blueprint,
            order=i + 1,
            section=c.section,
            topic=c.topic,
            type=c.type,
            difficulty_min=c.difficulty_min,
            difficulty_max=c.difficulty_max,
            count=c.count,
            score=c.score,
        )
        for i, c in enumerate(cells)
    )
    audit.record(
        actor=actor,
        action="exam.blueprint_create" if creating else "exam.blueprint_edit",
        target=blueprint,
        details={
            "name": blueprint.name,
            "category": position_category,
            "forms": parallel_forms,
            "cells": len(cells),
            "questions": sum(c.count for c in cells),
            "total": str(sum((c.score * c.count for c in cells), Decimal(0))),
        },
    )
    return blueprint


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def specs_of(blueprint: Blueprint) -> list[CellSpec]:
    return [CellSpec.of(c) for c in blueprint.cells.select_related("topic", "topic__parent")]


# --- the draw --------------------------------------------------------------------------------

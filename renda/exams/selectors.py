"""Reads of the question bank (the list's filters, shared by the page and the exports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict

from renda.core.params import int_param

from .models import Question, QuestionStatus, QuestionType, Topic


def subtree_ids(topic_id: int) -> list[int]:
    parents: dict[int | None, list[int]] = {}
    for pk, parent in Topic.objects.values_list("pk", "parent_id"):
        parents.setdefault(parent, []).append(pk)
    found, todo = [], [topic_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def bank_filters(query: QueryDict) -> dict[str, Any]:
    """The list's filters from a query string; bad values are ignored."""
    filters: dict[str, Any] = {}
    topic = int_param(query, "topic")
    if topic:
        filters["topic"] = topic
    if query.get("type") in QuestionType.values:
        filters["type"] = query["type"]
    difficulty = int_param(query, "difficulty")
    if difficulty and 1 <= difficulty <= 5:
        filters["difficulty"] = difficulty
    if query.get("status") in QuestionStatus.values:
        filters["status"] = query["status"]
    q = (query.get("q") or "").strip()[:100]
    if q:
        filters["q"] = q
    return filters


def bank_questions(filters: Mapping[str, Any]) -> QuerySet[Question]:
    qs = Question.objects.select_related("topic", "topic__parent", "current").prefetch_related(
        "tags"
    )
    if "topic" in filters:
        qs = qs.filter(topic_id__in=subtree_ids(filters["topic"]))
    if "type" in filters:
        qs = qs.filter(current__type=filters["type"])
    if "difficulty" in filters:
        qs = qs.filter(current__difficulty=filters["difficulty"])
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    if "q" in filters:
        q = filters["q"]
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(current__stem__icontains=q)
            | Q(current__article__icontains=q)
            | Q(tags__name=q)
        ).distinct()
    return qs.order_by("topic__order", "topic__name", "code")

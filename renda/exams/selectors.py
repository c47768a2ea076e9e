"""Reads of the question bank (the list's filters, shared by the page and the exports), and
what the standing committee reads: the lists before it and the sittings with released results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from renda.core.params import int_param

from .models import (
    AppointmentList,
    Attempt,
    AttemptState,
    ExamSitting,
    ListState,
    Nomination,
    Question,
    QuestionStatus,
    QuestionType,
    Topic,
)


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


# --- the standing committee's reading -------------------------------------------------------

COMMITTEE_ROWS = 30  # the latest lists and sittings; older ones are in the archive of meetings


def committee_lists() -> list[tuple[AppointmentList, list[Nomination]]]:
    """The latest lists put before the committee (submitted or later), newest meeting first,
    each with its nominations in list order (statuses are derived by the caller)."""
    lists = list(
        AppointmentList.objects.exclude(state=ListState.DRAFT)
        .select_related("meeting", "nominating_body")
        .order_by("-meeting__start_at", "-pk")[:COMMITTEE_ROWS]
    )
    by_list: dict[int, list[Nomination]] = {x.pk: [] for x in lists}
    for nomination in (
        Nomination.objects.filter(appointment_list__in=lists)
        .select_related("user")
        .order_by("appointment_list", "order")
    ):
        by_list[nomination.appointment_list_id].append(nomination)
    return [(x, by_list[x.pk]) for x in lists]


def released_sittings() -> QuerySet[ExamSitting]:
    """Sittings whose results have been released, newest first, with their counts: enrolled,
    passed and failed (released results), absent (never started)."""
    released = Attempt.objects.filter(enrolment__sitting=OuterRef("pk"), released_at__isnull=False)
    done = Q(enrolments__attempt__released_at__isnull=False)
    return (
        ExamSitting.objects.filter(Exists(released))
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            passed_count=Count("enrolments", filter=done & Q(enrolments__attempt__passed=True)),
            failed_count=Count("enrolments", filter=done & Q(enrolments__attempt__passed=False)),
            absent_count=Count(
                "enrolments",
                filter=Q(enrolments__attempt__isnull=True)
                | Q(enrolments__attempt__state=AttemptState.NOT_STARTED),
            ),
        )
        .order_by("-starts_at", "-pk")[:COMMITTEE_ROWS]
    )

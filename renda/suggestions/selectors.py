"""Reads that are more than a one-line filter: list pages (a bounded number of queries at any
size: the handling units come from one prefetch per page, not a query per row), statistics, similar items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from renda.core.workflow import overdue_q
from renda.deputies.models import Deputy

from . import similarity
from .models import (
    Assignment,
    Evaluation,
    Field,
    Motion,
    Reply,
    Satisfaction,
    Signature,
    Suggestion,
)
from .workflows import ANSWERED_STATES, HANDLING_STATES, SUGGESTION

LIST_FIELDS = (
    "id",
    "code",
    "title",
    "state",
    "due_at",
    "field",
    "is_key",
    "reply_class",
    "satisfaction",
    "submitted_at",
    "created_at",
    "rehandle_count",
    "published_at",
    "mode",
    "source",
    "lead_deputy__name",
    "lead_deputy__id",
)


# Lead (主办) first, then split parts (分办), then co-units (协办): never by the role's text, in
# which "co" sorts before "lead".
_ROLE_RANK = Case(
    When(role=Assignment.Role.LEAD, then=Value(0)),
    When(role=Assignment.Role.SPLIT, then=Value(1)),
    default=Value(2),
)
LEAD_ROLES = (Assignment.Role.LEAD, Assignment.Role.SPLIT)


def active_assignments() -> QuerySet[Assignment]:
    """The units handling items now, lead first."""
    return (
        Assignment.objects.filter(active=True)
        .select_related("unit")
        .only("id", "suggestion_id", "role", "unit__id", "unit__name", "unit__short_name")
        .order_by(_ROLE_RANK, "id")
    )


@dataclass(frozen=True)
class Handlers:
    """Who handles one suggestion: the lead unit (or the split units) and the co-units."""

    lead: list[str]
    co: list[str]
    roles: dict[int, str]  # unit id -> role code

    @property
    def lead_text(self) -> str:
        return "、".join(self.lead)

    @property
    def co_text(self) -> str:
        return "、".join(self.co)

    def role_label(self, unit_id: int | None) -> str:
        code = self.roles.get(unit_id) if unit_id is not None else None
        return Assignment.Role(code).label if code else ""


def _unit_label(assignment: Assignment) -> str:
    # The short name when the unit has one ("住建局"), else the full name.
    return assignment.unit.short_name or assignment.unit.name


def handlers(suggestion: Suggestion) -> Handlers:
    """The handling units of an item read through `with_units` (no query here; an item read
    without it is asked once)."""
    found = getattr(suggestion, "active_assignments", None)
    rows: list[Assignment] = (
        list(found)
        if found is not None
        else list(active_assignments().filter(suggestion=suggestion))
    )
    return Handlers(
        lead=[_unit_label(a) for a in rows if a.role in LEAD_ROLES],
        co=[_unit_label(a) for a in rows if a.role == Assignment.Role.CO],
        roles={a.unit_id: a.role for a in rows},
    )


def with_units(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    """Each item with its handling units (one query for a page or a chunk, read them with
    `handlers`) and its number of confirmed signers."""
    return qs.prefetch_related(
        Prefetch("assignments", queryset=active_assignments(), to_attr="active_assignments")
    ).annotate(
        signer_count=Subquery(
            Signature.objects.filter(suggestion=OuterRef("pk"), confirmed_at__isnull=False)
            .values("suggestion")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
    )


def list_queryset(qs: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    return with_units(qs.select_related("lead_deputy").only(*LIST_FIELDS)).order_by(
        "-created_at", "-id"
    )


def filter_suggestions(qs: QuerySet[Suggestion], data: dict[str, Any]) -> QuerySet[Suggestion]:
    if data.get("state"):
        qs = qs.filter(state=data["state"])
    if data.get("field"):
        qs = qs.filter(field=data["field"])
    if data.get("unit"):
        qs = qs.filter(handled_by(data["unit"].pk))
    if data.get("sitting"):
        qs = qs.filter(sitting=data["sitting"])
    if data.get("overdue"):
        qs = qs.filter(overdue_q(SUGGESTION), state__in=HANDLING_STATES)
    if data.get("key"):
        qs = qs.filter(is_key=True)
    if data.get("reply_class"):
        qs = qs.filter(reply_class=data["reply_class"])
    if data.get("satisfaction"):
        qs = qs.filter(satisfaction=data["satisfaction"])
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(lead_deputy__name=q))
    return qs


def handled_by(unit_id: int) -> Exists:
    return Exists(
        Assignment.objects.filter(suggestion=OuterRef("pk"), unit_id=unit_id, active=True)
    )


def unconfirmed_signers(subject: Suggestion | Motion) -> list[str]:
    """Names of invited co-signers who have not confirmed: submitting drops them."""
    return list(
        subject.signatures.filter(confirmed_at__isnull=True, is_lead=False)
        .order_by("id")
        .values_list("deputy__name", flat=True)
    )


def state_counts(qs: QuerySet[Suggestion]) -> dict[str, int]:
    rows = qs.order_by().values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}


def public_suggestions() -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(published_at__isnull=False).exclude(
        state__in=("merged", "withdrawn", "not_accepted")
    )


def filter_public(qs: QuerySet[Suggestion], data: dict[str, Any]) -> QuerySet[Suggestion]:
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(public_title__icontains=q)
            | Q(code__icontains=q)
            | Q(lead_deputy__name=q)
            | Q(public_content__icontains=q)
        )
    if data.get("field"):
        qs = qs.filter(field=data["field"])
    if data.get("state"):
        qs = qs.filter(state=data["state"])
    return qs


def similar_to(
    suggestion: Suggestion, *, limit: int = 5, pool: int = 5000
) -> list[similarity.Match]:
    """Earlier items of the same term that read alike (candidates for 并案)."""
    if not suggestion.shingles:
        return []
    candidates = (
        Suggestion.objects.filter(term_id=suggestion.term_id)
        .exclude(pk=suggestion.pk)
        .exclude(state__in=("draft", "merged", "withdrawn", "not_accepted"))
        .exclude(shingles="")
        .only("id", "code", "title", "state", "shingles", "lead_deputy__name")
        .select_related("lead_deputy")
        .order_by("-id")[:pool]
    )
    return similarity.rank(suggestion.shingles, candidates, limit=limit)


# --- statistics -------------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit_id: int
    name: str
    assigned: int = 0
    replied_first: int = 0
    on_time_first: int = 0
    overdue_open: int = 0
    classes: dict[str, int] | None = None
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0

    @property
    def on_time_rate(self) -> float | None:
        base = self.replied_first + self.overdue_open
        return self.on_time_first / base if base else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意 + 基本满意 among rated answers (the figure governments publish)."""
        return (self.satisfied + self.basic) / self.rated if self.rated else None

    @property
    def satisfied_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def _scope(qs: QuerySet[Any], prefix: str, term_id: int | None, year: int | None) -> QuerySet[Any]:
    if term_id:
        qs = qs.filter(**{f"{prefix}term_id": term_id})
    if year:
        qs = qs.filter(**{f"{prefix}submitted_at__year": year})
    return qs


def _add_ratings(rows: dict[int, UnitRow], term_id: int | None, year: int | None) -> None:
    """A rating is about the answers of its round: it counts for each unit that answered then."""
    ratings = (
        _scope(
            Evaluation.objects.filter(suggestion__replies__round=F("round")),
            "suggestion__",
            term_id,
            year,
        )
        .values("suggestion__replies__unit_id")
        .annotate(
            n=Count("id"),
            s=Count("id", filter=Q(rating=Satisfaction.SATISFIED)),
            b=Count("id", filter=Q(rating=Satisfaction.BASIC)),
            d=Count("id", filter=Q(rating=Satisfaction.DISSATISFIED)),
        )
    )
    for r in ratings:
        found = rows.get(r["suggestion__replies__unit_id"])
        if found is not None:
            row = found
            row.rated, row.satisfied, row.basic, row.dissatisfied = r["n"], r["s"], r["b"], r["d"]


def stats_by_unit(*, term_id: int | None = None, year: int | None = None) -> list[UnitRow]:
    """Per unit (lead and split parts only: co-handling units do not answer the deputy):
    on-time reply rate of first answers, A/B/C/D mix, satisfaction, re-handling count."""
    now = timezone.now()
    rows: dict[int, UnitRow] = {}
    assigned = (
        _scope(
            Assignment.objects.filter(active=True, role__in=("lead", "split")),
            "suggestion__",
            term_id,
            year,
        )
        .values("unit_id", "unit__name")
        .annotate(
            n=Count("suggestion", distinct=True),
            overdue=Count(
                "suggestion",
                distinct=True,
                filter=Q(suggestion__state__in=HANDLING_STATES, suggestion__due_at__lt=now)
                & ~Q(suggestion__replies__round=1),
            ),
        )
    )
    for r in assigned:
        rows[r["unit_id"]] = UnitRow(
            r["unit_id"], r["unit__name"], assigned=r["n"], overdue_open=r["overdue"]
        )
    replies = (
        _scope(Reply.objects.all(), "suggestion__", term_id, year)
        .values("unit_id", "unit__name")
        .annotate(
            first=Count("id", filter=Q(round=1)),
            on_time=Count("id", filter=Q(round=1, on_time=True)),
            a=Count("id", filter=Q(reply_class="A")),
            b=Count("id", filter=Q(reply_class="B")),
            c=Count("id", filter=Q(reply_class="C")),
            d=Count("id", filter=Q(reply_class="D")),
        )
    )
    for r in replies:
        row = rows.setdefault(r["unit_id"], UnitRow(r["unit_id"], r["unit__name"]))
        row.replied_first = r["first"]
        row.on_time_first = r["on_time"]
        row.classes = {"A": r["a"], "B": r["b"], "C": r["c"], "D": r["d"]}
    _add_ratings(rows, term_id, year)
    for row in rows.values():
        row.classes = row.classes or {"A": 0, "B": 0, "C": 0, "D": 0}
    return sorted(rows.values(), key=lambda r: (-r.assigned, r.name))


def stats_by_field(*, term_id: int | None = None, year: int | None = None) -> list[dict[str, Any]]:
    qs = _scope(Suggestion.objects.exclude(state="draft"), "", term_id, year)
    rows = (
        qs.order_by()
        .values("field")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(state__in=ANSWERED_STATES)),
            closed=Count("id", filter=Q(state="closed")),
            key=Count("id", filter=Q(is_key=True)),
            satisfied=Count("id", filter=Q(satisfaction__in=("satisfied", "basic"))),
            rated=Count("id", filter=~Q(satisfaction="")),
        )
        .order_by("-total")
    )
    labels = dict(Field.choices)
    return [{**r, "label": labels.get(r["field"], "未分类")} for r in rows]


def stats_by_delegation(
    *, term_id: int | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    qs = _scope(Suggestion.objects.exclude(state="draft"), "", term_id, year)
    rows = (
        qs.order_by()
        .values("lead_deputy__delegation__name")
        .annotate(
            total=Count("id"),
            deputies=Count("lead_deputy", distinct=True),
            answered=Count("id", filter=Q(state__in=ANSWERED_STATES)),
            closed=Count("id", filter=Q(state="closed")),
            satisfied=Count("id", filter=Q(satisfaction__in=("satisfied", "basic"))),
            rated=Count("id", filter=~Q(satisfaction="")),
        )
        .order_by("-total")
    )
    return [{**r, "label": r["lead_deputy__delegation__name"] or "未编团"} for r in rows]


def due_soon(qs: QuerySet[Suggestion], *, until: dt.datetime) -> QuerySet[Suggestion]:
    return qs.filter(state__in=HANDLING_STATES, due_at__gte=timezone.now(), due_at__lte=until)


def duty_report_part(deputy: Deputy, year: int) -> dict[str, Any]:
    """What suggestions adds to a deputy's yearly duty report (deputies'
    `selectors.reports`): the suggestions they led and the motions they signed that year, and
    how many evaluations they gave."""
    return {
        "suggestions": list(
            Suggestion.objects.filter(lead_deputy=deputy, submitted_at__year=year).order_by(
                "submitted_at"
            )
        ),
        "motions": list(Motion.objects.filter(signatures__deputy=deputy, submitted_at__year=year)),
        "evaluations": Evaluation.objects.filter(deputy=deputy, created_at__year=year).count(),
    }


def year_summary(year: int) -> dict[str, int]:
    """The year's suggestions (提出年度: submitted that year, drafts never count) in one query,
    each item counted once whatever the number of its units: received, answered (the states
    of `ANSWERED_STATES`), answered on time (answered, and no first-round answer of any of its
    units came after the deadline in force then, extensions included), the class of its
    latest answer (A/B/C/D) and the lead deputy's latest rating."""
    late_first = Reply.objects.filter(suggestion=OuterRef("pk"), round=1, on_time=False)
    answered = Q(state__in=ANSWERED_STATES)
    counts = (
        Suggestion.objects.filter(submitted_at__year=year)
        .exclude(state="draft")
        .order_by()
        .aggregate(
            received=Count("id"),
            answered=Count("id", filter=answered),
            on_time=Count("id", filter=answered & ~Exists(late_first)),
            **{f"class_{c}": Count("id", filter=answered & Q(reply_class=c)) for c in "ABCD"},
            **{
                f"rating_{value}": Count("id", filter=Q(satisfaction=value))
                for value in Satisfaction.values
            },
        )
    )
    return {key: value or 0 for key, value in counts.items()}

"""Duty scores (履职积分), computed from duty records by versioned score rules — never typed in.

Rule in force: a record scores the points of the newest `ScoreRule` of its kind whose
`valid_from` is on or before the record's date (no rule → 0 points).
Yearly cap: a kind's points in a year are capped by the cap of the rule in force on the last
day of that year (for the current year: today), so a cap raised mid-year applies to the year.
Negative points (e.g. leave from a sitting) are summed and never capped.
Only what stands counts: records stay append-only, so when their source no longer stands (a
suggestion withdrawn, merged into another or not accepted; a motion withdrawn) the source's app
appends a reversal (`services.revoke_duty`: same deputy, kind and source id, source type
prefixed with `REVERSAL_PREFIX`). A reversed record and the reversal itself score nothing and
are not counted (`standing`).

The points are summed in the database (one query for any number of deputies); caps are applied
in Python on the (deputy × kind) rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils import timezone

from ..models import Deputy, DutyRecord, ScoreRule

ZERO = Decimal("0")
REVERSAL_PREFIX = "reversal:"


def reversal_of() -> Exists:
    """True for a record (OuterRef) that a later reversal takes back."""
    return Exists(
        DutyRecord.objects.filter(
            deputy_id=OuterRef("deputy_id"),
            kind=OuterRef("kind"),
            source_type=Concat(
                Value(REVERSAL_PREFIX), OuterRef("source_type"), output_field=CharField()
            ),
            source_id=OuterRef("source_id"),
        )
    )


def standing(records: QuerySet[DutyRecord]) -> QuerySet[DutyRecord]:
    """The records that count: neither a reversal nor reversed."""
    return records.exclude(source_type__startswith=REVERSAL_PREFIX).exclude(
        ~Q(source_type="") & reversal_of()
    )


@dataclass
class KindScore:
    kind: str
    label: str
    count: int
    points: Decimal  # after the cap
    raw: Decimal  # before the cap
    cap: Decimal | None

    @property
    def capped(self) -> bool:
        return self.points != self.raw


@dataclass
class Score:
    deputy_id: int
    year: int
    kinds: list[KindScore] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((k.points for k in self.kinds), ZERO)

    @property
    def records(self) -> int:
        return sum(k.count for k in self.kinds)


def rules_by_kind() -> dict[str, list[ScoreRule]]:
    found: dict[str, list[ScoreRule]] = defaultdict(list)
    for rule in ScoreRule.objects.order_by("kind", "valid_from"):
        found[rule.kind].append(rule)
    return found


def rule_on(rules: list[ScoreRule], day: dt.date) -> ScoreRule | None:
    current = None
    for rule in rules:  # sorted by valid_from
        if rule.valid_from <= day:
            current = rule
    return current


def _points_case(rules: dict[str, list[ScoreRule]]) -> Case:
    whens = []
    for kind, versions in rules.items():
        for index, rule in enumerate(versions):
            condition = Q(kind=kind, occurred_on__gte=rule.valid_from)
            if index + 1 < len(versions):
                condition &= Q(occurred_on__lt=versions[index + 1].valid_from)
            whens.append(When(condition, then=Value(rule.points)))
    return Case(
        *whens, default=Value(ZERO), output_field=DecimalField(max_digits=12, decimal_places=2)
    )


def scores(deputies: QuerySet[Deputy] | None, year: int) -> dict[int, Score]:
    """Score of each deputy (in `deputies`, or everybody with a record) for `year`."""
    rules = rules_by_kind()
    end = dt.date(year, 12, 31)
    cap_day = min(end, timezone.localdate())
    labels = dict(DutyRecord.Kind.choices)
    records = standing(DutyRecord.objects.filter(occurred_on__year=year))
    if deputies is not None:
        records = records.filter(deputy__in=deputies)
    rows = (
        records.order_by()
        .values("deputy_id", "kind")
        .annotate(n=Count("id"), raw=Sum(_points_case(rules)))
    )
    result: dict[int, Score] = {}
    for r in rows:
        raw = r["raw"] or ZERO
        rule = rule_on(rules.get(r["kind"], []), cap_day)
        cap = rule.yearly_cap if rule else None
        points = min(raw, cap) if cap is not None and raw > cap else raw
        score = result.setdefault(r["deputy_id"], Score(r["deputy_id"], year))
        score.kinds.append(
            KindScore(r["kind"], labels.get(r["kind"], r["kind"]), r["n"], points, raw, cap)
        )
    for score in result.values():
        score.kinds.sort(key=lambda k: -k.points)
    return result


def deputy_score(deputy: Deputy, year: int) -> Score:
    return scores(Deputy.objects.filter(pk=deputy.pk), year).get(deputy.pk, Score(deputy.pk, year))


@dataclass
class Ranked:
    deputy: Deputy
    score: Decimal
    records: int
    rank: int = 0


def ranking(deputies: QuerySet[Deputy], year: int) -> list[Ranked]:
    """All the given deputies, best first; deputies without records score 0. Equal scores
    share a rank (1, 2, 2, 4)."""
    found = scores(deputies, year)
    rows = [
        Ranked(
            d,
            found[d.pk].total if d.pk in found else ZERO,
            found[d.pk].records if d.pk in found else 0,
        )
        for d in deputies.select_related("delegation", "region")
    ]
    rows.sort(key=lambda r: (-r.score, r.deputy.name, r.deputy.pk))
    previous: Decimal | None = None
    for index, row in enumerate(rows, start=1):
        row.rank = index if row.score != previous else rows[index - 2].rank
        previous = row.score
    return rows


def group_summary(rows: list[Ranked], key: Any) -> list[dict[str, Any]]:
    """Average and total score per delegation or township."""
    groups: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        groups[key(row.deputy)].append(row.score)
    summary = [
        {
            "label": label,
            "deputies": len(values),
            "total": sum(values, ZERO),
            "average": (sum(values, ZERO) / len(values)).quantize(Decimal("0.01")),
        }
        for label, values in groups.items()
    ]
    return sorted(summary, key=lambda g: -g["average"])

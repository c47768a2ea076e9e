"""Alerts as plain records for scripts, CSV/JSON exports and the API: rule, level, subject,
period, figures, status."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from renda.budget.models import Alert, AlertLevel

FIELDS = (
    "id",
    "rule",
    "rule_name",
    "level",
    "level_name",
    "region",
    "year",
    "period",
    "subject_type",
    "subject",
    "subject_name",
    "amount",
    "status",
    "handling",
    "explanation",
    "figures",
    "rule_version",
    "raised_at",
)


def filtered(
    qs: QuerySet[Alert],
    *,
    year: int | None = None,
    rule: str | None = None,
    level: int | None = None,
    status: str | None = None,
    period: str | None = None,
) -> QuerySet[Alert]:
    if year:
        qs = qs.filter(year=year)
    if rule:
        qs = qs.filter(rule__code=rule.upper())
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if period:  # "2026-04"
        y, m = (int(x) for x in period.split("-"))
        qs = qs.filter(period__year=y, period__month=m)
    return qs


def record(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "rule": alert.rule.code,
        "rule_name": alert.rule.name,
        "level": alert.level,
        "level_name": AlertLevel(alert.level).label,
        "region": alert.region.code,
        "year": alert.year,
        "period": alert.period.strftime("%Y-%m"),
        "subject_type": alert.subject_type,
        "subject": alert.subject_key,
        "subject_name": alert.subject_label,
        "amount": str(alert.amount),
        "status": alert.status,
        "handling": alert.handling,
        "explanation": alert.explanation,
        "figures": alert.figures,
        "rule_version": alert.rule_version,
        "raised_at": alert.raised_at.isoformat(),
    }


def records(qs: QuerySet[Alert]) -> Iterator[dict[str, Any]]:
    for alert in (
        qs.select_related("rule", "region")
        .order_by("period", "rule__code", "subject_key")
        .iterator(chunk_size=2000)
    ):
        yield record(alert)


def write_csv(rows: Iterable[dict[str, Any]], out: io.TextIOBase) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({**row, "figures": json.dumps(row["figures"], ensure_ascii=False)})
        n += 1
    return n

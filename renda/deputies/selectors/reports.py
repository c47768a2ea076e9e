"""The yearly duty report (年度履职报告) of one deputy. Deputies knows the duty records and the
score; the apps above it add what they hold (suggestions: the deputy's suggestions and motions
with their handling) by registering a part with `contribute` when they start. Deputies never
imports them, and the report works without them (empty lists)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import Deputy, DutyRecord
from .scoring import deputy_score

ReportPart = Callable[[Deputy, int], dict[str, Any]]
_parts: list[ReportPart] = []


def contribute(part: ReportPart) -> ReportPart:
    """Register a part of the report: `part(deputy, year)` returns values for the report
    (`suggestions`, `motions`, `evaluations`)."""
    if part not in _parts:
        _parts.append(part)
    return part


def report_context(deputy: Deputy, year: int) -> dict[str, Any]:
    context: dict[str, Any] = {
        "deputy": deputy,
        "year": year,
        "score": deputy_score(deputy, year),
        "records": list(
            DutyRecord.objects.filter(deputy=deputy, occurred_on__year=year).order_by("occurred_on")
        ),
        "suggestions": [],
        "motions": [],
        "evaluations": 0,
    }
    for part in _parts:
        context.update(part(deputy, year))
    return context

"""The yearly duty report (年度履职报告) of one deputy. Deputies knows the duty records and the
score; the apps above it add what they hold (suggestions: the deputy's suggestions and motions
with their handling) by registering a part with `contribute` when they start. Deputies never
imports them, and the report works without them (empty lists).

The apps above also add boxes of figures to the duty pages (the deputy's own page and the
yearly report staff read) with `contribute_panel`: meetings adds the year's attendance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DutyFigure:
    label: str
    value: str


@dataclass(frozen=True)
class DutyPanel:
    """A box of figures on the duty pages, e.g. 会议出席: 出席 3 / 请假 1 / 缺席 0 / 出席率 75%.
    `key` names it for tests and styles; `note` says what it counts."""

    key: str
    title: str
    figures: tuple[DutyFigure, ...]
    note: str = ""

    @property
    def sentence(self) -> str:
        """The figures in one line, for the Word report."""
        return f"{self.title}：" + "，".join(f"{f.label} {f.value}" for f in self.figures) + "。"


PanelPart = Callable[[Deputy, int], DutyPanel | None]
_panels: list[PanelPart] = []


def contribute_panel(part: PanelPart) -> PanelPart:
    """Register a box for the duty pages: `part(deputy, year)` returns a DutyPanel, or None
    when it has nothing to show for that deputy."""
    if part not in _panels:
        _panels.append(part)
    return part


def duty_panels(deputy: Deputy, year: int) -> list[DutyPanel]:
    return [panel for part in _panels if (panel := part(deputy, year)) is not None]


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
        "panels": duty_panels(deputy, year),
    }
    for part in _parts:
        context.update(part(deputy, year))
    return context

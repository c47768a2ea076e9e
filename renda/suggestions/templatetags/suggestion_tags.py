"""Labels and colours of workflow states for list rows (one source: workflows.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from .. import selectors
from ..models import Field, Suggestion
from ..workflows import HANDLING_STATES, MOTION, SUGGESTION

register = template.Library()
FIELDS = dict(Field.choices)


@register.filter
def state_label(code: str) -> str:
    return SUGGESTION.label(code)


@register.filter
def state_tone(code: str) -> str:
    found = SUGGESTION.state(code)
    return found.tone if found else "secondary"


@register.filter
def motion_state_label(code: str) -> str:
    return MOTION.label(code)


@register.filter
def motion_state_tone(code: str) -> str:
    found = MOTION.state(code)
    return found.tone if found else "secondary"


@register.filter
def field_label(code: str) -> str:
    return FIELDS.get(code, "未分类") if code else "未分类"


@register.filter
def late(item: Any) -> bool:
    """Overdue for a unit: in handling and past its due time (red AND the word 逾期)."""
    due: dt.datetime | None = getattr(item, "due_at", None)
    return bool(due and item.state in HANDLING_STATES and due < timezone.now())


@register.filter
def handlers(item: Suggestion) -> selectors.Handlers:
    """`{% with h=s|handlers %}`: the lead unit(s) and co-units of a list row."""
    return selectors.handlers(item)


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"

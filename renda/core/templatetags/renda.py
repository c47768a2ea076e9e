from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from renda.core import event_labels as labels
from renda.core.roles import has_duty
from renda.lib.richtext import sanitize_html

register = template.Library()


@register.filter
def rich(value: str | None) -> SafeString:
    """Render stored rich text after sanitising it (XSS-safe even if bad HTML was stored)."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - sanitised by nh3 just above


@register.filter
def wanyuan(value: Decimal | int | float | None) -> str:
    """元 → 万元 with two decimals and thousands separators (docs/architecture.md §8)."""
    if value is None:
        return "—"
    return f"{Decimal(value) / Decimal(10000):,.2f}"


@register.filter
def event_label(action: str) -> str:
    """An audit event's Chinese name (core/event_labels.py)."""
    return labels.event_label(action)


@register.filter
def readable_details(details: dict[str, Any] | None) -> str:
    return labels.readable_details(details)


@register.filter
def holds_duty(user: Any, duty: str) -> bool:
    """`{% if request.user|holds_duty:"budget" %}`: core.roles.has_duty for templates."""
    return has_duty(user, duty)

"""Number formats of the budget pages (docs/architecture.md §8): 元 with thousands separators and two
decimals in tables and lists (`yuan`), 万元 with two decimals and separators on dashboards
(`wan`, or `grouped` for a figure already in 万元).

Django's `floatformat:"2g"` groups by the locale, and zh-hans has no thousands separator, so
688323476.12 came out as it is stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()

TEN_THOUSAND = Decimal(10_000)
CENT = Decimal("0.01")


@register.filter
def wan(value: Any) -> str:
    """Decimal 元 → '1,234.56' (万元)."""
    if value is None or value == "":
        return "—"
    amount = (Decimal(value) / TEN_THOUSAND).quantize(CENT)
    return f"{amount:,.2f}"


@register.filter
def yuan(value: Any) -> str:
    """Decimal 元 → '688,323,476.12'."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)).quantize(CENT):,.2f}"


@register.filter
def grouped(value: Any) -> str:
    """A figure already in 万元 (the big screen's feed) → '68,832.35'."""
    return yuan(value)


@register.filter
def pct(value: Any) -> str:
    """A rate in per cent → '12.3%', or '—' when there is nothing to divide by."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):.1f}%"


@register.filter
def points(value: Any) -> str:
    """Percentage points against time progress, signed: '+1.2' / '-3.4'."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):+.1f}"


@register.filter
def gap_tone(value: Any) -> str:
    """Bootstrap text colour for a gap: 20 points behind is red, 10 behind orange."""
    if value is None or value == "":
        return "text-muted"
    number = Decimal(value)
    if number <= -20:
        return "text-danger"
    if number <= -10:
        return "text-warning-emphasis"
    return "text-body"


@register.filter
def sees_payees(user: Any) -> bool:
    """`{% if request.user|sees_payees %}`: budget.permissions.can_view_payees."""
    from renda.budget.permissions import can_view_payees

    return can_view_payees(user)

from __future__ import annotations

from django import template

from renda.budget.ingest.kinds import KINDS

register = template.Library()


@register.filter
def kind_title(kind: str) -> str:
    """'budget.payments' → '支付凭证'."""
    spec = KINDS.get(kind.removeprefix("budget."))
    return spec.title if spec else kind

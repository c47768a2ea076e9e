"""The budget part of the demo data set (called by `seed_demo`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from renda.accounts.models import User

from .models import Payment
from .services import load_demo_year


def load_demo_budget(*, actor: Any = None) -> dict[str, int]:
    """Load last year's county-scale fiscal data for 冷水江 once (≈10^5 payments, with the
    generator's planted anomalies), a complete budget year with no payment dated in the
    future, and run the rules as the nightly job would have month by month. Idempotent: a
    year already loaded is left alone."""
    year = timezone.localdate().year - 1
    if Payment.objects.filter(year=year).exists():
        return {}
    # Import batches need a person behind them; the demo budget-committee clerk is that person.
    importer = actor or User.objects.filter(username="staff").first()
    if importer is None:
        return {}
    load_demo_year(actor=importer, year=year, monthly_history=True)
    return {"预算支付凭证": Payment.objects.filter(year=year).count()}

"""The alert list's amount total counts only the alerts that stand: a monthly alert replaced
by a later month's (superseded) is the record of its month, and adding it again would count
the same shortfall once a month (issue 14 item 15)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from renda.budget.models import Alert, AlertLevel
from renda.budget.tests.alert_data import make_alert

pytestmark = pytest.mark.django_db


def test_the_amount_total_leaves_out_superseded_monthly_alerts(world: Any, client_for: Any) -> None:
    for month in (3, 4):  # the same subject judged in March and April, replaced by May
        make_alert(
            world,
            code="B01",
            level=AlertLevel.WARNING,
            period=dt.date(2025, month, 1),
            subject_key="U101",
            amount=Decimal("1000000.00"),
            status=Alert.Status.SUPERSEDED,
        )
    make_alert(
        world,
        code="B01",
        level=AlertLevel.WARNING,
        period=dt.date(2025, 5, 1),
        subject_key="U101",
        amount=Decimal("1200000.00"),
    )
    make_alert(world, amount=Decimal("300.00"), status=Alert.Status.CLEARED)

    response = client_for("staff").get(reverse("budget:alerts"), {"year": "2025"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 4  # every month is still listed
    assert response.context["totals"]["amount"] == Decimal("1200300.00")
    assert "1,200,300.00" in response.content.decode()


def test_a_list_of_superseded_alerts_only_totals_zero(world: Any, client_for: Any) -> None:
    make_alert(world, amount=Decimal("500.00"), status=Alert.Status.SUPERSEDED)

    response = client_for("staff").get(reverse("budget:alerts"), {"status": "superseded"})

    assert response.context["totals"]["amount"] in (None, Decimal("0"))

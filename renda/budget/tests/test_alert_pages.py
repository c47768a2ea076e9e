"""The alert list and detail pages: filters, level badges, totals, export, evidence one click
away, history, linked letters; bounded queries; who may read."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from renda.budget.models import Alert, AlertChange, AlertLevel
from renda.budget.tests.alert_data import issued_inquiry, load_payments, make_alert, make_rule


@pytest.fixture
def mixed(world: Any) -> dict[str, Alert]:
    return {
        "april_severe": make_alert(world, level=AlertLevel.SEVERE, period=dt.date(2025, 4, 1)),
        "april_notice": make_alert(
            world, code="B05", level=AlertLevel.NOTICE, period=dt.date(2025, 4, 1)
        ),
        "may_warning": make_alert(
            world,
            code="B01",
            level=AlertLevel.WARNING,
            period=dt.date(2025, 5, 1),
            subject_label="冷水江市人民医院",
            amount=Decimal("0"),
        ),
        "cleared": make_alert(
            world,
            level=AlertLevel.WARNING,
            period=dt.date(2024, 11, 1),
            status=Alert.Status.CLEARED,
            handling=Alert.Handling.RESOLVED,
        ),
    }


def pks(response: Any) -> set[int]:
    return {a.pk for a in response.context["page"]}


def test_the_list_shows_level_badges_with_words_and_totals(
    world: Any, mixed: dict[str, Alert], client_for: Any
) -> None:
    response = client_for("staff").get(reverse("budget:alerts"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="badge text-bg-danger" data-testid="level">严重' in html
    assert 'class="badge text-bg-info" data-testid="level">提示' in html
    assert 'class="badge text-bg-warning" data-testid="level">警告' in html
    totals = response.context["totals"]
    assert (totals["notice"], totals["warning"], totals["severe"]) == (1, 2, 1)
    assert totals["amount"] == Decimal("18000000.00")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"year": "2025"}, {"april_severe", "april_notice", "may_warning"}),
        ({"year": "2025", "month": "4"}, {"april_severe", "april_notice"}),
        ({"level": str(AlertLevel.SEVERE)}, {"april_severe"}),
        ({"status": "cleared"}, {"cleared"}),
        ({"handling": "resolved"}, {"cleared"}),
        ({"unit": "人民医院"}, {"may_warning"}),
    ],
)
def test_the_filters(
    world: Any, mixed: dict[str, Alert], client_for: Any, query: dict[str, str], expected: set[str]
) -> None:
    response = client_for("sc_member").get(reverse("budget:alerts"), query)
    assert pks(response) == {mixed[name].pk for name in expected}


def test_the_rule_filter(world: Any, mixed: dict[str, Alert], client_for: Any) -> None:
    rule = make_rule("B05")
    response = client_for("staff").get(reverse("budget:alerts"), {"rule": rule.code})
    assert pks(response) == {mixed["april_notice"].pk}


def test_a_bad_filter_value_is_ignored_with_a_message(
    world: Any, mixed: dict[str, Alert], client_for: Any
) -> None:
    response = client_for("staff").get(reverse("budget:alerts"), {"level": "9"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert len(pks(response)) == 4


def test_only_staff_get_the_checkboxes_to_issue_a_letter(
    world: Any, mixed: dict[str, Alert], client_for: Any
) -> None:
    staff = client_for("staff").get(reverse("budget:alerts")).content.decode()
    member = client_for("sc_member").get(reverse("budget:alerts")).content.decode()
    assert 'data-testid="issue-inquiry"' in staff and 'name="alert"' in staff
    assert 'data-testid="issue-inquiry"' not in member and 'name="alert"' not in member


def test_the_export_follows_the_filters(
    world: Any, mixed: dict[str, Alert], client_for: Any
) -> None:
    response = client_for("staff").get(reverse("budget:alerts_export"), {"year": "2025"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "规则编号" and len(rows) == 4
    assert {r[2] for r in rows[1:]} == {"严重", "提示", "警告"}


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_uses_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any, count: int
) -> None:
    for n in range(count):
        make_alert(world, level=1 + n % 3)
    client = client_for("staff")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("budget:alerts"))
    assert len(response.context["page"]) == count
    with django_assert_max_num_queries(15):
        assert client.get(reverse("budget:agenda")).status_code == 200


def test_the_detail_shows_rule_figures_evidence_and_history(
    world: Any, client_for: Any, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    payments = load_payments(world, tmp_path, count=3)
    alert = make_alert(world, payments=payments[:2], unit=payments[0].unit)
    AlertChange.objects.create(
        alert=alert,
        kind=AlertChange.Kind.ESCALATED,
        from_level=AlertLevel.WARNING,
        to_level=AlertLevel.SEVERE,
        at=alert.raised_at,
    )
    inquiry = issued_inquiry(world, [alert])
    client = client_for("sc_member")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("budget:alert_detail", args=[alert.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert alert.explanation in html
    assert "B06 大额支付" in html and "第 1 版" in html and "单笔金额（元）" in html
    assert "大额标准（元）" in html
    evidence = [p.voucher_no for p in response.context["payments"]]
    assert evidence == [payments[0].voucher_no, payments[1].voucher_no]
    assert payments[2].voucher_no not in html
    assert "级别升高" in html and "警告 → 严重" in html
    assert inquiry.number in html
    # A reader sees no handling forms.
    assert reverse("budget:alert_agenda", args=[alert.pk]) not in html


def test_the_evidence_is_capped(world: Any, client_for: Any) -> None:
    alert = make_alert(world)
    Alert.objects.filter(pk=alert.pk).update(
        evidence={"payments": list(range(1, 351)), "indicators": ["x", 5]}
    )
    response = client_for("staff").get(reverse("budget:alert_detail", args=[alert.pk]))
    assert response.context["payment_count"] == 350
    assert "显示前 200 笔" in response.content.decode()


def test_people_outside_the_congress_cannot_read_alerts(world: Any, client_for: Any) -> None:
    alert = make_alert(world)
    for persona in ("data_provider", "deputy", "handling_officer"):
        client = client_for(persona)
        assert client.get(reverse("budget:alerts")).status_code == 403
        assert client.get(reverse("budget:alert_detail", args=[alert.pk])).status_code == 403
    assert client_for("staff").get(reverse("budget:alert_detail", args=[999999])).status_code == 404


def test_creating_a_letter_without_a_selection_goes_back_to_the_list(
    world: Any, client_for: Any
) -> None:
    response = client_for("staff").get(reverse("budget:inquiry_create"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("budget:alerts")
    assert "请先在预警列表中勾选" in response.content.decode()

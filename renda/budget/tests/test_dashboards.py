"""Dashboards: the figures on hand-made data, drill-down sums, alert counts, bounded queries,
the big screen's JSON, and the public budget page's privacy."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from renda.budget.models import AlertLevel, BudgetUnit, FinanceRegion, SummaryState
from renda.budget.selectors import dashboards, drilldown
from renda.budget.tests.dashboard_data import (
    SECRET_ACCOUNTS,
    SECRET_PAYEES,
    SECRET_VOUCHERS,
    april_alerts,
    fiscal_data,
    make_alert,
    make_inquiry,
)
from renda.budget.tests.factories import REGION, YEAR, indicator_row, load, payment_row

D = Decimal


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the overview cache of one test must not serve the next


@pytest.fixture
def region(world: Any, tmp_path: Any) -> FinanceRegion:
    return fiscal_data(world.staff, tmp_path)


def inline_scripts_without_nonce(html: str) -> list[str]:
    """Inline scripts the CSP would block: neither a file, nor JSON data, nor a nonce."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return [
        t for t in tags if "src=" not in t and "application/json" not in t and "nonce=" not in t
    ]


def by_code(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in rows}


# --- dates and rates -----------------------------------------------------------------------


def shown(value: D) -> D:
    """A rate, progress or gap as the pages show it (one decimal)."""
    return value.quantize(D("0.1"))


def test_time_progress_is_day_of_year_over_days_in_year() -> None:
    # exact; the pages round it to one decimal
    assert dashboards.time_progress(dt.date(2025, 4, 30)) == D(120) * 100 / 365  # 32.876…
    assert dashboards.time_progress(dt.date(2025, 12, 31)) == D("100")
    assert dashboards.time_progress(dt.date(2024, 12, 31)) == D("100")  # leap year
    assert dashboards.time_progress(dt.date(2024, 2, 29)) == D(60) * 100 / 366  # 16.393…


def test_as_of_is_the_last_payment_date_else_today_clipped_to_the_year(db: Any) -> None:
    assert dashboards.as_of_date(None, 2025, today=dt.date(2026, 3, 1)) == dt.date(2025, 12, 31)
    assert dashboards.as_of_date(None, 2026, today=dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert dashboards.as_of_date(None, 2027, today=dt.date(2026, 3, 1)) == dt.date(2027, 1, 1)


def test_as_of_comes_from_the_summary_state(world: Any, region: FinanceRegion) -> None:
    assert SummaryState.objects.get(region=region, year=YEAR).last_pay_date == dt.date(2025, 4, 30)
    assert dashboards.as_of_date(region, YEAR) == dt.date(2025, 4, 30)


def test_debt_ratio_tiers() -> None:
    assert dashboards.debt_level(D("119.9")) is None
    assert dashboards.debt_level(D("120")) == AlertLevel.NOTICE
    assert dashboards.debt_level(D("199.9")) == AlertLevel.NOTICE
    assert dashboards.debt_level(D("200")) == AlertLevel.WARNING
    assert dashboards.debt_level(D("300")) == AlertLevel.SEVERE
    assert dashboards.debt_level(None) is None


# --- the overview's figures ------------------------------------------------------------------


def test_execution_of_the_four_budgets_against_time_progress(
    world: Any, region: FinanceRegion
) -> None:
    ov = dashboards.overview(region, YEAR)
    assert ov["as_of"] == dt.date(2025, 4, 30)
    assert shown(ov["progress"]) == D("32.9")
    # Available = indicators + 调减 (negative) + adjustments in − out; voided voucher left out,
    # refund netted.
    assert ov["totals"]["available"] == D("340000.00")
    assert ov["totals"]["paid"] == D("166000.00")
    assert ov["totals"]["rate"] == D("48.8")
    assert shown(ov["totals"]["gap"]) == D("15.9")
    assert ov["totals"]["count"] == 6  # V4 is void
    funds = by_code(ov["funds"])
    assert [f["code"] for f in ov["funds"]] == ["1", "2", "3", "4"]
    assert funds["1"]["name"] == "一般公共预算"
    assert (funds["1"]["available"], funds["1"]["paid"]) == (D("290000.00"), D("126000.00"))
    assert funds["1"]["rate"] == D("43.4")
    assert (funds["2"]["available"], funds["2"]["paid"], funds["2"]["rate"]) == (
        D("50000.00"),
        D("40000.00"),
        D("80.0"),
    )
    assert funds["3"]["rate"] is None and funds["4"]["available"] == 0


def test_functional_classes_add_up_to_the_totals(world: Any, region: FinanceRegion) -> None:
    ov = dashboards.overview(region, YEAR)
    classes = by_code(ov["classes"])
    assert set(classes) == {"201", "205", "210", "212"}
    assert classes["205"]["name"] == "教育支出"
    assert (classes["205"]["available"], classes["205"]["paid"]) == (D("190000"), D("90000"))
    assert (classes["210"]["available"], classes["210"]["paid"]) == (D("90000"), D("30000"))
    assert sum(c["available"] for c in ov["classes"]) == ov["totals"]["available"]
    assert sum(c["paid"] for c in ov["classes"]) == ov["totals"]["paid"]
    assert ov["classes"][0]["code"] == "205"  # largest budget first


def test_monthly_cumulative_execution(world: Any, region: FinanceRegion) -> None:
    months = dashboards.overview(region, YEAR)["months"]
    assert months[2]["paid"] == D("50000.00")  # March
    assert months[3]["paid"] == D("116000.00")  # April: 45,000 − 5,000 + 30,000 + 40,000 + 6,000
    assert months[3]["cumulative"] == D("166000.00")
    assert months[3]["rate"] == D("48.8")
    assert shown(months[3]["progress"]) == D("32.9")


def test_slowest_and_fastest_units(world: Any, region: FinanceRegion, tmp_path: Any) -> None:
    # A unit under 100,000 of indicators is left out, however slow.
    load(
        world.staff,
        tmp_path,
        "indicators",
        [indicator_row("ZB009", unit="105", amount="99999.00")],
    )
    units = dashboards.overview(region, YEAR)["units"]
    assert [u["name"] for u in units["slowest"]] == ["冷水江市人民医院", "冷水江市第一中学"]
    assert units["slowest"][0]["rate"] == D("36.0")  # 36,000 / 100,000
    assert shown(units["slowest"][0]["gap"]) == D("3.1")
    assert units["fastest"][0]["name"] == "冷水江市第一中学"
    assert units["fastest"][0]["rate"] == D("54.2")  # 130,000 / 240,000
    assert units["counted"] == 2 and units["behind"] == 0


def test_three_public_revenue_debt_and_projects(world: Any, region: FinanceRegion) -> None:
    ov = dashboards.overview(region, YEAR)
    thr = by_code(ov["three_public"]["rows"])
    assert (thr["reception"]["available"], thr["reception"]["paid"]) == (D("10000"), D("6000"))
    assert thr["reception"]["rate"] == D("60.0")
    assert thr["vehicle"]["rate"] is None
    assert ov["three_public"]["total"]["rate"] == D("60.0")

    revenue = by_code(ov["revenue"]["rows"])
    # A receipt under a finer code (1010101) counts under its budget class 10101.
    assert (revenue["10101"]["received"], revenue["10101"]["rate"]) == (D("350000"), D("35.0"))
    assert revenue["10101"]["name"] == "增值税"
    assert revenue["10119"]["rate"] == D("10.0")
    assert set(revenue) == {"10101", "10119"}
    assert ov["revenue"]["total"]["rate"] == D("30.8")  # 370,000 / 1,200,000

    debt = ov["debt"]["rows"]
    assert [r["ratio"] for r in debt] == [D("110.0"), D("150.0"), D("250.0"), D("320.0")]
    assert [r["level"] for r in debt] == [
        None,
        AlertLevel.NOTICE,
        AlertLevel.WARNING,
        AlertLevel.SEVERE,
    ]
    assert ov["debt"]["latest"]["level_label"] == "严重"

    projects = by_code(ov["projects"])
    assert set(projects) == {"ZD001", "ZD002"}
    assert projects["ZD001"]["report_date"] == dt.date(2025, 4, 30)  # the latest report only
    assert projects["ZD001"]["rate"] == D("25.0")
    assert shown(projects["ZD001"]["gap"]) == D("-7.9")
    assert projects["ZD002"]["rate"] == D("40.0")
    assert ov["projects"][0]["code"] == "ZD001"  # furthest behind first


def test_alerts_by_month_and_level(world: Any, region: FinanceRegion) -> None:
    april_alerts(region)
    make_alert(region, period=dt.date(YEAR - 1, 12, 1), level=AlertLevel.SEVERE)  # another year
    alerts = dashboards.overview(region, YEAR)["alerts"]
    assert alerts["by_month"][3]["counts"] == [4, 4, 6]  # April: 提示, 警告, 严重
    assert alerts["by_month"][3]["total"] == 14
    assert alerts["by_month"][2]["counts"] == [1, 0, 1]  # March
    assert alerts["this_month"]["month"] == 4 and alerts["this_month"]["counts"] == [4, 4, 6]
    assert [lv["count"] for lv in alerts["this_month"]["by_level"]] == [4, 4, 6]
    totals = alerts["totals"]
    assert totals["all"] == 16 and totals["severe"] == 7
    assert totals["open"] == 14
    assert totals["severe_unhandled"] == 4  # 3 in April + 1 in March; cleared ones not
    assert totals["open_amount"] == D("62000.00")
    assert totals["handled"] == 1
    assert alerts["open_by_level"] == [5, 4, 5]
    severe = alerts["open_severe"]
    assert len(severe) == 5 and severe[0]["amount"] == D("20000.00")
    assert severe[0]["handled"] is True


def test_inquiry_progress(world: Any, region: FinanceRegion) -> None:
    alerts = april_alerts(region)
    make_inquiry(world, alerts[:2], state="issued", overdue=True)
    make_inquiry(world, alerts[2:3], state="issued")
    make_inquiry(world, alerts[3:4], state="closed", overdue=True)  # closed: not overdue
    make_inquiry(world, [], state="draft")  # about no alert of this treasury: not counted
    inquiries = dashboards.overview(region, YEAR)["inquiries"]
    counts = {s["code"]: s["count"] for s in inquiries["states"]}
    assert counts["issued"] == 2 and counts["closed"] == 1 and counts["draft"] == 0
    assert inquiries["total"] == 3 and inquiries["overdue"] == 1
    assert inquiries["closed_rate"] == D("33.3")


def test_overview_cache_follows_the_data(world: Any, region: FinanceRegion) -> None:
    first = dashboards.overview(region, YEAR)
    assert first["alerts"]["totals"]["all"] == 0
    make_alert(region, period=dt.date(YEAR, 4, 1), level=AlertLevel.SEVERE)
    assert dashboards.overview(region, YEAR)["alerts"]["totals"]["all"] == 1


# --- drill-down -------------------------------------------------------------------------------


def test_drill_down_sums_equal_the_class_and_unit_rows(world: Any, region: FinanceRegion) -> None:
    ov = dashboards.overview(region, YEAR)
    for cls in ov["classes"]:
        detail = drilldown.function_detail(region, YEAR, cls["code"])
        assert detail["total"]["available"] == cls["available"], cls["code"]
        assert detail["total"]["paid"] == cls["paid"], cls["code"]
        for row in detail["rows"]:
            unit = BudgetUnit.objects.get(pk=row["id"])
            drill = drilldown.unit_detail(unit, cls["code"])
            assert drill["total"]["available"] == row["available"]
            assert drill["total"]["paid"] == row["paid"]
            assert drill["total"]["count"] == row["count"]


def test_unit_drill_folds_reductions_and_counts_adjustments(
    world: Any, region: FinanceRegion
) -> None:
    unit = BudgetUnit.objects.get(code="105001")
    detail = drilldown.unit_detail(unit)
    rows = {r["bgt_id"]: r for r in detail["rows"]}
    assert set(rows) == {"ZB001", "ZB003"}  # ZB004 (调减) folded into ZB001
    assert rows["ZB001"]["available"] == D("190000.00")
    assert rows["ZB001"]["paid"] == D("90000.00")
    assert rows["ZB001"]["count"] == 3
    assert detail["total"]["available"] == D("240000.00")


def test_payments_without_a_known_indicator_form_their_own_row(
    world: Any, region: FinanceRegion, tmp_path: Any
) -> None:
    from renda.budget.services import summaries

    load(
        world.staff,
        tmp_path,
        "payments",
        [payment_row("PZNOIND1", amount="800.00", bgt_id="", pay_date="2025-04-02")],
    )
    summaries.refresh_payment_summary(region_id=region.pk, year=YEAR, months=[4])
    detail = drilldown.unit_detail(BudgetUnit.objects.get(code="105001"), "205")
    assert detail["rows"][-1]["bgt_id"] == "" and detail["rows"][-1]["paid"] == D("800.00")
    assert detail["total"]["paid"] == D("90800.00")


# --- pages ------------------------------------------------------------------------------------


def test_overview_page_shows_figures_tables_and_chart_data(
    world: Any, region: FinanceRegion, client_for: Any
) -> None:
    april_alerts(region)
    response = client_for("sc_member").get(reverse("budget:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="dashboard-data"' in html and "budget/dashboard.js" in html
    assert "四本预算执行" in html and "一般公共预算" in html
    assert "48.8%" in html and "32.9%" in html
    assert reverse("budget:dashboard_function", args=["205"]) in html
    assert reverse("budget:bigscreen") in html
    assert response.context["chart"]["alerts"]["thisMonth"] == [4, 4, 6]
    assert not inline_scripts_without_nonce(html)


def test_year_selector(world: Any, region: FinanceRegion, client_for: Any) -> None:
    client = client_for("staff")
    response = client.get(reverse("budget:dashboard"), {"year": "1999"})
    assert response.status_code == 200 and response.context["year"] == YEAR
    response = client.get(reverse("budget:dashboard"), {"year": str(YEAR)})
    assert response.context["ov"]["year"] == YEAR


def test_empty_dashboard_says_there_is_no_data(world: Any, client_for: Any) -> None:
    response = client_for("staff").get(reverse("budget:dashboard"))
    assert response.status_code == 200
    assert "还没有预算数据" in response.content.decode()


def test_unit_drill_links_to_the_filtered_payments_list(
    world: Any, region: FinanceRegion, client_for: Any
) -> None:
    unit = BudgetUnit.objects.get(code="105001")
    response = client_for("staff").get(
        reverse("budget:dashboard_unit", args=[unit.pk]), {"func": "205"}
    )
    html = response.content.decode()
    link = f"{reverse('budget:payments')}?year={YEAR}&amp;unit=105001&amp;bgt_id=ZB001&amp;func_code=205"
    assert link in html
    # The link's filters are the payments page's: it lists exactly the indicator's payments.
    listed = client_for("staff").get(
        reverse("budget:payments"),
        {"year": YEAR, "unit": "105001", "bgt_id": "ZB001", "func_code": "205"},
    )
    assert listed.context["total"] == D("90000.00")


def test_function_page_lists_units(world: Any, region: FinanceRegion, client_for: Any) -> None:
    response = client_for("staff").get(
        reverse("budget:dashboard_function", args=["210"]), {"year": YEAR}
    )
    assert response.status_code == 200
    assert "冷水江市人民医院" in response.content.decode()
    assert (
        client_for("staff").get(reverse("budget:dashboard_function", args=["abc"])).status_code
        == 404
    )


def test_bigscreen_is_standalone_and_its_json_updates(
    world: Any, region: FinanceRegion, client_for: Any
) -> None:
    client = client_for("staff")
    page = client.get(reverse("budget:bigscreen")).content.decode()
    assert "budget/layout" not in page and "navbar" not in page  # full screen, no site chrome
    assert "budget/bigscreen.js" in page and "budget/bigscreen.css" in page
    assert "http://" not in page and "https://" not in page  # no external resources
    assert not inline_scripts_without_nonce(page)
    data = client.get(reverse("budget:bigscreen_data")).json()
    assert data["totals"]["paid"] == 16.6  # 万元
    assert data["alerts"]["thisMonth"] == [0, 0, 0]
    make_alert(region, period=dt.date(YEAR, 4, 1), level=AlertLevel.SEVERE, label="新预警")
    data = client.get(reverse("budget:bigscreen_data")).json()
    assert data["alerts"]["thisMonth"] == [0, 0, 1]
    assert data["alerts"]["openSevere"][0]["subject"] == "新预警"


def _more_data(actor: Any, directory: Any, n: int) -> None:
    """n more indicators and 3n more payments for the first school, in other classes."""
    from renda.budget.services import summaries

    classes = ("2010101", "2040201", "2080201", "2130101", "2140101", "2240101")
    load(
        actor,
        directory,
        "indicators",
        [
            indicator_row(f"ZX{i:03d}", amount="150000.00", func_code=classes[i % len(classes)])
            for i in range(n)
        ],
    )
    load(
        actor,
        directory,
        "payments",
        [
            payment_row(
                f"PX{i:03d}{k}",
                amount="1000.00",
                bgt_id=f"ZX{i:03d}",
                func_code=classes[i % len(classes)],
                pay_date=f"2025-0{1 + k}-1{k}",
            )
            for i in range(n)
            for k in range(3)
        ],
    )
    region = FinanceRegion.objects.get(code=REGION)
    summaries.refresh_payment_summary(region_id=region.pk, year=YEAR)


def test_pages_use_a_bounded_number_of_queries(
    world: Any,
    region: FinanceRegion,
    client_for: Any,
    tmp_path: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for("staff")
    unit = BudgetUnit.objects.get(code="105001")
    urls = [
        reverse("budget:dashboard"),
        reverse("budget:dashboard_function", args=["201"]),
        reverse("budget:dashboard_unit", args=[unit.pk]),
        reverse("budget:bigscreen"),
        reverse("budget:bigscreen_data"),
        reverse("portal:budget"),
    ]
    april_alerts(region)
    small = {}
    for url in urls:
        cache.clear()
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)
    _more_data(world.staff, tmp_path, 30)
    april_alerts(region)
    for url in urls:
        cache.clear()
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_cached_overview_costs_only_the_key_queries(
    world: Any, region: FinanceRegion, django_assert_max_num_queries: Any
) -> None:
    dashboards.overview(region, YEAR)
    with django_assert_max_num_queries(5):
        dashboards.overview(region, YEAR)


# --- the public page ----------------------------------------------------------------------------


def test_public_budget_page_shows_classes_and_budgets(
    world: Any, region: FinanceRegion, client_for: Any
) -> None:
    response = client_for("anonymous").get(reverse("portal:budget"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算"):
        assert text in html
    assert "教育支出" in html and "卫生健康支出" in html
    assert "34.00" in html  # 340,000 元 available = 34.00 万元
    assert "48.8%" in html


def test_public_budget_page_has_no_payee_account_voucher_or_unit(
    world: Any, region: FinanceRegion, client_for: Any
) -> None:
    april_alerts(region)
    html = client_for("anonymous").get(reverse("portal:budget")).content.decode()
    for secret in (*SECRET_PAYEES, *SECRET_ACCOUNTS, *SECRET_VOUCHERS):
        assert secret not in html, secret
    for unit_name in BudgetUnit.objects.values_list("name", flat=True):
        assert unit_name not in html, unit_name
    for indicator in ("ZB001", "ZB002", "ZB003"):
        assert indicator not in html
    assert "对象" not in html  # no alert subject either


def test_public_budget_page_without_data(world: Any, client_for: Any) -> None:
    response = client_for("anonymous").get(reverse("portal:budget"), {"year": "abcd"})
    assert response.status_code == 200
    assert "尚未公开" in response.content.decode()


def test_portal_home_links_to_the_budget_page(world: Any, client_for: Any) -> None:
    html = client_for("anonymous").get(reverse("portal:home")).content.decode()
    assert reverse("portal:budget") in html

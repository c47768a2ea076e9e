"""Issue 14, item 4: every coded column takes the code or the exact name of that year's code,
and the batch says which code it understood ("一般公共预算 → 1"). A name that stands for
several codes, or for none, is an error, and a refused file writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from renda.budget.models import BudgetIndicator, BudgetUnit, Payment, RevenueBudget
from renda.budget.tests.factories import (
    REGION,
    YEAR,
    indicator_row,
    load,
    payment_row,
    with_indicator,
)
from renda.core.models import ImportBatch


@pytest.fixture
def ready(world: Any, tmp_path: Path) -> Path:
    with_indicator(world.staff, tmp_path)
    return tmp_path


def texts(batch: ImportBatch) -> list[str]:
    return [e["text"] for e in batch.errors]


def understood(batch: ImportBatch) -> set[tuple[str, str, str, int]]:
    return {(u["column"], u["value"], u["code"], u["rows"]) for u in batch.summary["understood"]}


def test_payments_take_names_for_their_codes(world, ready, client_for):
    batch = load(
        world.data_provider,
        ready,
        "payments",
        [
            payment_row(
                "N1",
                fund_type="一般公共预算",
                func_code="教育支出",
                gov_eco_code="机关商品和服务支出",
                dep_eco_code="商品和服务支出",
                agency_code="冷水江市人民医院",
                agency_name="",
                mof_div_code="冷水江市",
            ),
            payment_row("N2", fund_type="一般公共预算"),
            payment_row("N3"),  # codes, as before
        ],
    )
    assert batch.status == ImportBatch.Status.COMMITTED, texts(batch)
    paid = Payment.objects.select_related("unit", "region").get(voucher_no="N1")
    assert (paid.fund_type, paid.func_code, paid.gov_eco_code, paid.dep_eco_code) == (
        "1",
        "205",
        "502",
        "302",
    )
    assert paid.unit.code == "119001" and paid.region.code == REGION
    assert Payment.objects.get(voucher_no="N2").fund_type == "1"
    assert understood(batch) == {
        ("资金性质", "一般公共预算", "1", 2),
        ("功能分类", "教育支出", "205", 1),
        ("政府经济分类", "机关商品和服务支出", "502", 1),
        ("部门经济分类", "商品和服务支出", "302", 1),
        ("单位编码", "冷水江市人民医院", "119001", 1),
        ("财政区划", "冷水江市", REGION, 1),
    }
    page = client_for("data_provider").get(reverse("budget:batch_detail", args=[batch.pk]))
    html = page.content.decode()
    assert (
        "按名称识别" in html and "一般公共预算 → 1" in html and "冷水江市人民医院 → 119001" in html
    )


def test_a_name_of_several_codes_is_an_error_that_lists_them(world, ready):
    extra = [
        ["支出功能分类", YEAR, "20599", "其他支出（示意）", ""],
        ["支出功能分类", YEAR, "20899", "其他支出（示意）", ""],
    ]
    assert load(world.staff, ready, "codes", extra).status == ImportBatch.Status.COMMITTED
    batch = load(world.staff, ready, "payments", [payment_row("A1", func_code="其他支出（示意）")])
    assert batch.status == ImportBatch.Status.INVALID
    assert (
        "第 2 行「功能分类」：「其他支出（示意）」在 2025 年度的支出功能分类中对应多个编码"
        "（20599、20899），请填写编码"
    ) in texts(batch), texts(batch)
    assert not Payment.objects.exists()


def test_an_unknown_name_is_refused_and_nothing_is_written(world, ready):
    batch = load(
        world.staff,
        ready,
        "payments",
        [payment_row("B1", fund_type="一般公共预算"), payment_row("B2", fund_type="专项资金")],
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert "第 3 行「资金性质」：「专项资金」不在 2025 年度的资金性质中" in texts(batch)
    assert not Payment.objects.exists()


def test_names_are_those_of_the_files_year(world, ready):
    """A name is looked up in the year of its row: 2026 has no codes loaded."""
    batch = load(
        world.staff,
        ready,
        "indicators",
        [indicator_row("ZB2026", fiscal_year=2026, fund_type="一般公共预算", doc_date="")],
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert any("「一般公共预算」不在 2026 年度的资金性质中" in t for t in texts(batch)), texts(
        batch
    )


def test_indicators_and_revenue_budgets_take_names(world, ready):
    batch = load(
        world.staff,
        ready,
        "indicators",
        [indicator_row("ZB010", unit="冷水江市第一中学", fund_type="政府性基金预算")],
    )
    assert batch.status == ImportBatch.Status.COMMITTED, texts(batch)
    indicator = BudgetIndicator.objects.get(bgt_id="ZB010")
    assert indicator.fund_type == "2" and indicator.unit.code == "105001"
    budget = load(
        world.staff,
        ready,
        "revenue-budget",
        [[YEAR, REGION, "增值税", "一般公共预算", "120000.00"]],
    )
    assert budget.status == ImportBatch.Status.COMMITTED, texts(budget)
    assert RevenueBudget.objects.get().revenue_code == "10101"
    assert ("收入分类", "增值税", "10101", 1) in understood(budget)


def test_a_units_file_names_its_department(world, ready):
    batch = load(
        world.staff,
        ready,
        "units",
        [
            [YEAR, REGION, "120", "冷水江市自然资源局", ""],
            [YEAR, REGION, "120001", "冷水江市不动产登记中心", "冷水江市自然资源局"],
            [YEAR, REGION, "119002", "冷水江市疾病预防控制中心", "冷水江市卫生健康局"],
        ],
    )
    assert batch.status == ImportBatch.Status.COMMITTED, texts(batch)
    assert BudgetUnit.objects.get(year=YEAR, code="120001").department.code == "120"
    assert BudgetUnit.objects.get(year=YEAR, code="119002").department.code == "119"
    assert ("主管部门编码", "冷水江市自然资源局", "120", 1) in understood(batch)

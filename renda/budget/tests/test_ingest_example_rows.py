"""Issue 14, item 3: a template's example row never becomes data, and a unit name that
contradicts the unit code is an error.

A user who deleted only the hint row of the payments template imported the example payment
ZF2025-00012345 (12,800 元) as real. The template now marks its example and hint rows in a
示例标记 column; a marked row, or a row identical to the example in its key and amounts (a
template downloaded before the marker), is refused with a Chinese message on its cell."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from renda.budget.ingest.kinds import KINDS
from renda.budget.models import Payment
from renda.budget.services import batches
from renda.budget.tests.factories import load, payment_row, with_indicator
from renda.core.models import ImportBatch


@pytest.fixture
def ready(world: Any, tmp_path: Path) -> Path:
    with_indicator(world.staff, tmp_path)
    return tmp_path


def texts(batch: ImportBatch) -> list[str]:
    return [e["text"] for e in batch.errors]


def downloaded_template(client: Any, kind: str = "payments") -> list[list[Any]]:
    response = client.get(reverse("budget:template", args=[kind]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def save_xlsx(directory: Path, rows: list[list[Any]], name: str = "file.xlsx") -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = directory / name
    workbook.save(path)
    return path


def import_rows(world: Any, directory: Path, rows: list[list[Any]]) -> ImportBatch:
    return batches.import_path(
        actor=world.data_provider, kind="payments", path=save_xlsx(directory, rows)
    )


def test_the_template_marks_its_example_and_hint_rows(world, client_for):
    rows = downloaded_template(client_for("data_provider"))
    header, example, hint = rows[0], rows[1], rows[2]
    assert header[-1] == "示例标记"
    assert str(example[-1]).startswith("示例") and str(hint[-1]).startswith("说明")
    assert example[0] == "ZF2025-00012345"


def test_the_example_row_is_refused_when_only_the_hint_row_was_deleted(world, ready, client_for):
    header, example, _hint = downloaded_template(client_for("data_provider"))
    batch = import_rows(world, ready, [header, example])
    assert batch.status == ImportBatch.Status.INVALID
    assert any(
        t.startswith("第 2 行「示例标记」：「示例")
        and "这是模板的示例行，不会导入。请删除这一行" in t
        for t in texts(batch)
    ), texts(batch)
    assert not Payment.objects.exists()


def test_the_untouched_template_is_refused_row_by_row(world, ready, client_for):
    rows = downloaded_template(client_for("data_provider"))
    batch = import_rows(world, ready, rows)
    assert batch.status == ImportBatch.Status.INVALID
    found = texts(batch)
    assert any(t.startswith("第 2 行「示例标记」") and "示例行" in t for t in found), found
    assert any(t.startswith("第 3 行「示例标记」") and "说明行" in t for t in found), found
    assert not Payment.objects.exists()


def test_real_rows_under_the_template_header_import(world, ready, client_for):
    header, _example, _hint = downloaded_template(client_for("data_provider"))
    real = [*payment_row("ZF2025-REAL-1"), None]
    batch = import_rows(world, ready, [header, real])
    assert batch.status == ImportBatch.Status.COMMITTED, texts(batch)
    assert Payment.objects.filter(voucher_no="ZF2025-REAL-1").exists()


def test_the_example_of_an_old_template_without_the_marker_is_refused(world, ready):
    """A template downloaded before the marker: the example row has the example's voucher,
    treasury, year and amount."""
    spec = KINDS["payments"]
    example = [c.example for c in spec.columns]
    batch = load(world.data_provider, ready, "payments", [example, payment_row("V1")])
    assert batch.status == ImportBatch.Status.INVALID
    assert (
        "第 2 行「凭证号」：与模板的示例行相同（凭证号「ZF2025-00012345」、预算年度「2025」、"
        "财政区划「431381」、金额「12800.00」）：这是示例数据，不会导入，请删除这一行"
    ) in texts(batch), texts(batch)
    assert not Payment.objects.exists()


def test_a_payment_that_only_shares_the_example_voucher_number_imports(world, ready):
    batch = load(
        world.data_provider, ready, "payments", [payment_row("ZF2025-00012345", amount="99.00")]
    )
    assert batch.status == ImportBatch.Status.COMMITTED, texts(batch)


def test_a_unit_name_that_contradicts_the_unit_code_is_a_cell_error(world, ready):
    batch = load(
        world.data_provider,
        ready,
        "payments",
        [
            payment_row("V1"),  # 105001 冷水江市第一中学: right
            payment_row("V2", agency_name="第一中学"),  # a short name: right
            payment_row("V3", agency_name="冷水江市人民医院"),  # 119001's name
            payment_row("V4", agency_code="119001", agency_name="冷水江市第一中学"),
        ],
    )
    assert batch.status == ImportBatch.Status.INVALID
    found = texts(batch)
    assert (
        "第 4 行「单位名称」：单位名称「冷水江市人民医院」与单位编码「105001」不符："
        "2025 年度的预算单位中 105001 是「冷水江市第一中学」（请核对单位编码或单位名称）"
    ) in found, found
    assert any(
        t.startswith("第 5 行「单位名称」：单位名称「冷水江市第一中学」与单位编码「119001」不符")
        for t in found
    )
    assert not any(t.startswith(("第 2 行", "第 3 行")) for t in found), found
    assert batch.summary["rejected"] == 2
    assert not Payment.objects.exists()


def test_indicators_check_the_unit_name_too(world, ready):
    from renda.budget.tests.factories import indicator_row

    batch = load(
        world.staff,
        ready,
        "indicators",
        [indicator_row("ZB900", unit="119001", agency_name="冷水江市教育局")],
    )
    assert batch.status == ImportBatch.Status.INVALID
    assert any("「冷水江市卫生健康局」" not in t and "119001" in t for t in texts(batch))
    assert any("是「冷水江市人民医院」" in t for t in texts(batch)), texts(batch)

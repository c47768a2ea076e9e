"""Bad input: one Chinese error per bad cell, nothing written, the batch keeps the errors."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from renda.budget.ingest import kinds
from renda.budget.models import BudgetIndicator, Payment
from renda.budget.services import batches
from renda.budget.tests.factories import indicator_row, load, payment_row, with_indicator, write_csv
from renda.core.models import ImportBatch


@pytest.fixture
def ready(world, tmp_path):
    with_indicator(world.staff, tmp_path)
    return tmp_path


def texts(batch: ImportBatch) -> list[str]:
    return [e["text"] for e in batch.errors]


def test_it_reports_every_bad_cell_with_its_row_and_writes_nothing(world, ready):
    batch = load(
        world.staff,
        ready,
        "payments",
        [
            payment_row("V1"),  # row 2: fine
            payment_row("V2", agency_code="999999"),  # row 3: unknown unit
            payment_row("V3", func_code="9990101"),  # row 4: unknown functional class
            payment_row("V4", pay_date="2025-02-30"),  # row 5: no such date
            payment_row("V5", amount="一千元"),  # row 6: not a number
            payment_row("V6", amount="0"),  # row 7: zero
            payment_row("V1"),  # row 8: duplicate voucher in the file
            payment_row("V8", pay_date="2024-12-31"),  # row 9: outside the fiscal year
            payment_row("V9", fiscal_year="20x5"),  # row 10: not a year
            payment_row("V10", payee_type="公司"),  # row 11: not a choice
        ],
    )
    assert batch.status == ImportBatch.Status.INVALID
    found = texts(batch)
    expected = [
        "第 3 行「单位编码」：单位编码「999999」在 2025 年度的预算单位中不存在（请先导入该年度的预算单位）",
        "第 4 行「功能分类」：「9990101」不在 2025 年度的支出功能分类中",
        "第 5 行「支付日期」：「2025-02-30」不是有效日期（应为 2025-03-31 这样的日期）",
        "第 6 行「金额」：「一千元」不是有效金额（以元为单位，最多两位小数）",
        "第 7 行「金额」：金额不能为零",
        "第 8 行「凭证号」：「V1」在本文件中重复（与第 2 行相同）",
        "第 9 行「支付日期」：支付日期 2024-12-31 不在 2025 预算年度内",
        "第 10 行「预算年度」：「20x5」不是有效的预算年度（应为四位数字，如 2025）",
        "第 11 行「收款人类型」：「公司」不是可选的值（可填：单位、个人）",
    ]
    for text in expected:
        assert text in found, f"missing: {text}\nfound: {found}"
    assert batch.summary["rejected"] >= 9
    assert not Payment.objects.exists()


def test_it_rejects_a_missing_column_and_says_which(world, ready):
    from renda.budget.ingest.kinds import KINDS

    headers = [c.header for c in KINDS["payments"].columns if c.header != "金额"]
    row = payment_row("V1")
    del row[[c.header for c in KINDS["payments"].columns].index("金额")]
    batch = load(world.staff, ready, "payments", [row], headers=headers)
    assert batch.status == ImportBatch.Status.INVALID
    assert "缺少必需的列：金额（PAY_APP_AMT）" in texts(batch)[0]


def test_it_finds_the_header_below_a_title_row(world, ready):
    from renda.budget.ingest.kinds import KINDS

    path = ready / "titled.csv"
    path.write_text(
        "冷水江市2025年国库集中支付明细表,,\n"
        + ",".join(c.header for c in KINDS["payments"].columns)
        + "\n"
        + ",".join(str(v) for v in payment_row("V1"))
        + "\n",
        encoding="utf-8",
    )
    batch = batches.import_path(actor=world.staff, kind="payments", path=path)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors


def test_it_says_so_when_there_is_no_header_at_all(world, ready):
    path = ready / "noheader.csv"
    path.write_text(",".join(str(v) for v in payment_row("V1")) + "\n", encoding="utf-8")
    batch = batches.import_path(actor=world.staff, kind="payments", path=path)
    assert batch.status == ImportBatch.Status.INVALID
    assert "没有找到「支付凭证」的表头" in texts(batch)[0]


def test_it_reports_a_file_cut_off_in_the_middle(world, ready):
    path = write_csv(ready, "payments", [payment_row("V1"), payment_row("V2")])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 60])  # the last row loses its tail
    batch = batches.import_path(actor=world.staff, kind="payments", path=path)
    assert batch.status == ImportBatch.Status.INVALID
    assert any(
        "第 3 行" in t and ("列数" in t or "列，少于" in t or "截断" in t) for t in texts(batch)
    ), texts(batch)
    assert not Payment.objects.exists()


def test_it_reads_gb18030_text(world, ready):
    batch = load(
        world.staff,
        ready,
        "payments",
        [payment_row("V1", payee_name="冷水江市锡矿山街道𠮷祥餐饮店")],
        encoding="gb18030",
    )
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    assert Payment.objects.get(voucher_no="V1").payee_name == "冷水江市锡矿山街道𠮷祥餐饮店"


def test_it_imports_excel_and_explains_merged_header_cells(world, ready):
    from renda.budget.ingest.kinds import KINDS

    headers = [c.header for c in KINDS["indicators"].columns]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    sheet.append(indicator_row("ZB100", amount=250000))
    good = ready / "ok.xlsx"
    book.save(good)
    batch = batches.import_path(actor=world.staff, kind="indicators", path=good)
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    assert BudgetIndicator.objects.get(bgt_id="ZB100").amount == 250000

    sheet.merge_cells("A1:B1")  # 指标编号 spans 预算年度: the second header cell is gone
    merged = ready / "merged.xlsx"
    book.save(merged)
    batch = batches.import_path(actor=world.staff, kind="indicators", path=merged)
    assert batch.status == ImportBatch.Status.INVALID
    assert "缺少必需的列：预算年度（FISCAL_YEAR）" in texts(batch)[0]
    assert "合并单元格" in texts(batch)[0]


def test_it_rejects_a_broken_excel_file(world, ready):
    path = ready / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    batch = batches.import_path(actor=world.staff, kind="payments", path=path)
    assert batch.status == ImportBatch.Status.INVALID
    assert "不是有效的 Excel 文件" in texts(batch)[0] or "已损坏" in texts(batch)[0]


def test_an_import_killed_half_way_leaves_no_rows(world, ready, monkeypatch):
    from renda.budget.ingest import pipeline as ingest

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(ingest, "after_merge", crash)  # after the rows were written
    path = write_csv(ready, "payments", [payment_row("V1"), payment_row("V2")])
    with pytest.raises(RuntimeError):
        batches.import_path(actor=world.staff, kind="payments", path=path)
    assert not Payment.objects.exists()
    batch = ImportBatch.objects.get(kind="budget.payments")
    assert batch.status == ImportBatch.Status.FAILED
    assert "未写入任何数据" in batch.errors[0]["text"]


def test_it_rejects_an_unknown_kind(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="未知的数据类型"):
        kinds.get_spec("salaries")

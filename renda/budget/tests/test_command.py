"""`manage.py import_budget KIND FILE`: a summary, and a non-zero exit on rejection."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from renda.budget.models import Payment
from renda.budget.tests.factories import payment_row, with_indicator, write_csv


def test_it_prints_a_summary(world, tmp_path, capsys):
    with_indicator(world.staff, tmp_path)
    path = write_csv(tmp_path, "payments", [payment_row("C1"), payment_row("C2")])
    call_command("import_budget", "payments", str(path), "--user", "data_provider")
    out = capsys.readouterr().out
    assert "已导入" in out and "共 2 行，新增 2" in out
    assert Payment.objects.count() == 2


def test_it_exits_non_zero_and_lists_errors_when_the_file_is_rejected(world, tmp_path, capsys):
    with_indicator(world.staff, tmp_path)
    path = write_csv(tmp_path, "payments", [payment_row("C1", pay_date="2025-13-01")])
    with pytest.raises(CommandError, match="没有写入任何数据"):
        call_command("import_budget", "payments", str(path))
    assert "第 2 行「支付日期」" in capsys.readouterr().err
    assert not Payment.objects.exists()


def test_it_refuses_a_missing_file(world):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_budget", "payments", "/nonexistent.csv")


def test_the_demo_loader_imports_a_year(world, settings):
    from renda.budget.demo import seed

    manifest = seed.load_demo_year(actor=world.staff, year=2025, payments=1500)
    assert set(manifest["batches"]) >= {
        "codes",
        "units",
        "indicators",
        "payments",
        "revenue",
        "debt",
    }
    assert Payment.objects.count() == manifest["counts"]["payments"]

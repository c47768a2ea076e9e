"""Planner statistics after an import (ingest.pipeline._analyse_after_writes): a load that
changes a tenth of the payments table or more is analysed at once, a smaller batch (a day's
push) is left to autovacuum, whose threshold is the same tenth."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renda.budget.ingest.pipeline import needs_analyse
from renda.budget.tests.factories import load, payment_row, with_indicator


def test_the_threshold_is_a_tenth_of_the_known_rows() -> None:
    assert needs_analyse(changed=1, known=-1)  # never analysed
    assert needs_analyse(changed=1, known=0)  # believed empty: the plans that cost minutes
    assert needs_analyse(changed=10_000, known=100_000)
    assert not needs_analyse(changed=100, known=100_000)  # a day's push


def _analysed(world: Any, tmp_path: Any, rows: list[list[Any]]) -> bool:
    with CaptureQueriesContext(connection) as queries:
        assert load(world.data_provider, tmp_path, "payments", rows).status == "committed"
    return any(q["sql"] == "ANALYZE budget_payment" for q in queries.captured_queries)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_a_small_batch_is_not_analysed_and_a_tenth_is(world: Any, tmp_path: Any) -> None:
    with_indicator(world.staff, tmp_path)
    first = [payment_row(f"A{n}", pay_date=f"2025-03-{1 + n % 28:02d}") for n in range(60)]
    load(world.data_provider, tmp_path, "payments", first)
    with connection.cursor() as cursor:
        # The planner's count is kept across tests (ANALYZE writes pg_class in place): set
        # it from this test's rows.
        cursor.execute("ANALYZE budget_payment")
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'budget_payment'")
        assert cursor.fetchone()[0] == 60
    assert not _analysed(world, tmp_path, [payment_row("B1"), payment_row("B2")])  # 2 of 60
    big = [payment_row(f"C{n}", pay_date=f"2025-04-{1 + n % 28:02d}") for n in range(7)]
    assert _analysed(world, tmp_path, big)  # 7 of 62: more than a tenth

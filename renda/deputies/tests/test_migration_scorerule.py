"""The score rules moved from suggestions to deputies with their rows: on a database filled
before the move, every rule is still there after it, with the same values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("deputies", "0003_duty_record"), ("suggestions", "0001_initial")]
AFTER = [("deputies", "0004_scorerule"), ("suggestions", "0002_scorerule_to_deputies")]
FIELDS = ("kind", "points", "yearly_cap", "valid_from", "note")


@pytest.mark.django_db(transaction=True)
def test_score_rules_survive_the_move_to_deputies() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("suggestions", "ScoreRule")
        old.objects.create(
            kind="suggestion",
            points=Decimal("3"),
            yearly_cap=Decimal("12"),
            valid_from=dt.date(2022, 1, 1),
            note="常委会主任会议决定",
        )
        old.objects.create(kind="suggestion", points=Decimal("5"), valid_from=dt.date(2024, 7, 1))
        old.objects.create(
            kind="meeting_leave", points=Decimal("-1"), valid_from=dt.date(2022, 1, 1)
        )
        rows_before = sorted(old.objects.values_list("pk", *FIELDS))

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("deputies", "ScoreRule")
        assert new._meta.db_table == "deputies_scorerule"
        assert sorted(new.objects.values_list("pk", *FIELDS)) == rows_before
        # New versions go on after the moved ones (the id sequence came along).
        later = new.objects.create(
            kind="inspection", points=Decimal("2"), valid_from=dt.date(2025, 1, 1)
        )
        assert later.pk > max(row[0] for row in rows_before)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

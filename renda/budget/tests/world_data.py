"""Objects the permission matrix needs (created through services)."""

from __future__ import annotations

from typing import Any

from renda.budget.models import BudgetUnit, PushToken
from renda.budget.services import batches, tokens
from renda.core.models import ImportBatch


def make_unit(world: Any) -> BudgetUnit:
    import tempfile
    from pathlib import Path

    from renda.budget.tests.factories import reference_data

    with tempfile.TemporaryDirectory() as tmp:
        reference_data(world.staff, Path(tmp))
    return BudgetUnit.objects.get(code="105001")


def make_batch(world: Any, user: Any) -> ImportBatch:
    return batches.create_batch(
        actor=user,
        kind="payments",
        source=ImportBatch.Source.FILE,
        file_name="支付.csv",
        sha256="0" * 64,
    )


def make_token(world: Any) -> PushToken:
    token, _ = tokens.issue_push_token(
        actor=world.security_admin, name="财政一体化系统", user=world.data_provider
    )
    return token

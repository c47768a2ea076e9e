"""Background jobs of the budget module (Huey; immediate in tests)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def run_uploaded_batch(batch_id: int, expected_year: int | None = None) -> None:
    from .services import process_uploaded_batch

    process_uploaded_batch(batch_id, expected_year)

"""Background jobs of the budget module (Huey; immediate in tests)."""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from renda.budget.ingest.merging import touched_years
from renda.budget.models import FinanceRegion, RuleRun, SummaryState
from renda.budget.selectors.dashboards import overview
from renda.budget.services.batches import (
    orphaned_uploads,
    process_uploaded_batch,
    set_rules_phase,
)
from renda.budget.services.engine import run_rules
from renda.budget.services.inquiries import remind_overdue_inquiries
from renda.budget.services.summaries import months_of_batch
from renda.core.models import ImportBatch

logger = logging.getLogger(__name__)

# Set while a caller loads several files in a row and runs the rules once at the end
# (the demo seed), so that each import does not start a run of its own.
_after_import_paused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "budget_after_import_paused", default=False
)


@contextlib.contextmanager
def rules_paused() -> Iterator[None]:
    token = _after_import_paused.set(True)
    try:
        yield
    finally:
        _after_import_paused.reset(token)


def on_upload_stored(
    sender: object, batch: ImportBatch, expected_year: int | None, **kwargs: Any
) -> None:
    run_uploaded_batch(batch.pk, expected_year)


@db_task()
def run_uploaded_batch(batch_id: int, expected_year: int | None = None) -> None:
    process_uploaded_batch(batch_id, expected_year)


@db_periodic_task(crontab(minute="*"))
def requeue_orphaned_uploads() -> None:
    """An upload whose consumer was killed mid-import is queued again (the import left
    nothing half-written: it commits in one transaction, or marks the batch failed)."""
    for batch_id in orphaned_uploads():
        logger.warning("budget upload %s lost its job; queued again", batch_id)
        run_uploaded_batch(batch_id)


def on_data_imported(sender: object, kind: str, batch: ImportBatch, **kwargs: Any) -> None:
    """After every committed import, run the rules that read its kind of data: over just the
    new payments for a payments import (the import itself already brought the summaries up
    to date, in its own transaction), in full for the other kinds."""
    if _after_import_paused.get():
        return
    batch_id = batch.pk
    # The batch page keeps showing progress (运行规则) until the run below is over.
    set_rules_phase(batch_id=batch_id, running=True)
    transaction.on_commit(lambda: rules_after_import(batch_id, kind))


@db_task()
def rules_after_import(batch_id: int, kind: str) -> None:
    try:
        _run_rules_after_import(batch_id, kind)
    finally:
        set_rules_phase(batch_id=batch_id, running=False)


def _run_rules_after_import(batch_id: int, kind: str) -> None:
    if kind == "payments":
        touched = list(months_of_batch(batch_id))
        incremental = True
    else:
        touched = touched_years(batch_id, kind)
        incremental = False
    for region_id, year in touched:
        region = FinanceRegion.objects.get(pk=region_id)
        run_rules(
            actor=None,
            region=region,
            year=year,
            trigger=RuleRun.Trigger.IMPORT,
            batch_id=batch_id if incremental else None,
            kinds={kind},
        )
        _warm_dashboard(region, year)


@db_periodic_task(crontab(hour="3", minute="10"))
def nightly_budget_rules() -> None:
    """Every treasury's current and previous year, in full."""

    for state in SummaryState.objects.select_related("region").order_by("region", "-year"):
        try:
            run_rules(
                actor=None, region=state.region, year=state.year, trigger=RuleRun.Trigger.NIGHTLY
            )
        except Exception:  # one treasury's failure must not stop the others
            logger.exception("nightly rules failed for %s %s", state.region_id, state.year)
        else:
            _warm_dashboard(state.region, state.year)


def _warm_dashboard(region: FinanceRegion, year: int) -> None:
    """Compute the dashboard overview for the data just changed, so that the first reader
    after an import or the nightly run gets it from the cache instead of waiting for it
    (its key follows the data, see dashboards._cache_key). Best effort: a failure here must
    not undo the rules run."""

    try:
        overview(region, year)
    except Exception:
        logger.exception("warming the budget dashboard failed for %s %s", region.pk, year)


@db_periodic_task(crontab(hour="8", minute="20"))
def daily_inquiry_reminders() -> None:
    """At the start of the working day: remind the addressees of late inquiry letters
    (skips days off; each letter at most once a day)."""

    remind_overdue_inquiries()


# --- background exports (services/exports.py) --------------------------------------------


@db_task()
def run_export_job(job_id: int) -> None:
    from renda.budget.services.exports import run_export

    run_export(job_id)


@db_periodic_task(crontab(hour="4", minute="0"))
def purge_budget_exports() -> None:
    """Exported files are kept a week, then removed (the job row stays, 已过期)."""
    from renda.budget.services.exports import purge_old_exports

    purge_old_exports()

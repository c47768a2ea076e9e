"""Periodic jobs of `suggestions`, run by the Huey consumer (`manage.py run_huey`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.reminders import run_reminders


@db_periodic_task(crontab(hour="6", minute="10"))
def nightly_suggestion_deadlines() -> None:
    """Before the working day starts: remind, flag overdue items, escalate."""
    run_reminders()

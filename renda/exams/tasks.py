"""Periodic jobs of the exams module, run by the Huey consumer."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.attempts import close_overdue_attempts


@db_periodic_task(crontab(minute="*"))
def submit_overdue_attempts() -> int:
    """Every minute: attempts past their deadline (and the grace) are submitted and graded on
    the server, whether or not a browser is still open. Pages also do it when touched."""
    return close_overdue_attempts()

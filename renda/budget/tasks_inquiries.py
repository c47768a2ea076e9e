"""Periodic jobs of the inquiry letters, run by the Huey consumer (`manage.py run_huey`).

Huey discovers only modules named `tasks`; budget/tasks.py imports this module."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .inquiries import remind_overdue_inquiries

__all__ = ["daily_inquiry_reminders"]


@db_periodic_task(crontab(hour="8", minute="20"))
def daily_inquiry_reminders() -> None:
    """At the start of the working day: remind the addressees of late letters (skips days
    off; each letter at most once a day)."""
    remind_overdue_inquiries()

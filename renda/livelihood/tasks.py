"""Periodic jobs of the livelihood module, run by the Huey consumer."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.implementation import remind_overdue


@db_periodic_task(crontab(hour="8", minute="30"))
def remind_overdue_livelihood_items() -> None:
    """催办 each morning: overdue sub-items and milestones to their owner unit (once a day)."""
    remind_overdue()

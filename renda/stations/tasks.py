"""Periodic jobs of the stations module, run by the Huey consumer."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import remind_overdue_opinions


@db_periodic_task(crontab(hour="8", minute="10"))
def remind_overdue_station_opinions() -> None:
    """催办 each morning: overdue opinions to their unit and station (once a day per item)."""
    remind_overdue_opinions()

"""Huey tasks of the SMS channel (imported by renda/core/tasks.py so the consumer finds them)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from . import delivery


@db_task()
def deliver_sms(message_id: int) -> None:
    """Send one queued message; a transient failure asks Huey to run it again after the
    message's backoff (the attempts are counted on the row, not by Huey)."""
    delay = delivery.deliver(message_id)
    if delay is not None:
        raise RetryTask(delay=delay)


@db_periodic_task(crontab(minute="*"))
def dispatch_due_sms() -> None:
    delivery.dispatch_due()

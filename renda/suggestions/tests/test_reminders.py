"""The nightly job: reminders before the due date, overdue escalation once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from renda.core.models import Notification
from renda.suggestions.models import Suggestion
from renda.suggestions.services.reminders import run_reminders

from .factories import assigned, scene

pytestmark = pytest.mark.django_db


def test_it_reminds_once_a_day_before_the_due_date(world: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    Suggestion.objects.filter(pk=s.pk).update(due_at=timezone.now() + dt.timedelta(days=2))
    assert run_reminders()["reminded"] == 1
    assert (
        Notification.objects.filter(
            recipient=world.handling_officer, title__startswith="办理提醒"
        ).count()
        == 1
    )
    assert run_reminders()["reminded"] == 0  # not twice the same day


def test_it_escalates_an_overdue_item_once(world: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    Suggestion.objects.filter(pk=s.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    assert run_reminders()["escalated"] == 1
    s.refresh_from_db()
    assert s.is_key and s.escalated_at is not None
    assert Notification.objects.filter(
        recipient=world.staff, title__startswith="逾期未答复"
    ).exists()
    assert run_reminders()["escalated"] == 0


def test_it_runs_as_a_command(world: Any, capsys: Any) -> None:
    call_command("suggestion_reminders")
    assert "升级督办 0 件" in capsys.readouterr().out

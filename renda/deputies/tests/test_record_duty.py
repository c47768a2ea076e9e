from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from renda.core.models import AuditEvent
from renda.deputies.models import DutyRecord
from renda.deputies.services import record_duty

from .factories import make_deputy


def test_it_records_a_duty_and_audits_it(world: Any) -> None:
    deputy = make_deputy(world)
    record = record_duty(
        actor=world.staff,
        deputy=deputy,
        kind=DutyRecord.Kind.INSPECTION,
        occurred_on=dt.date(2026, 5, 12),
        title="视察城区污水管网",
    )
    assert record.created_by == world.staff
    assert AuditEvent.objects.filter(action="duty.record", target_id=str(record.pk)).exists()


def test_the_same_source_is_recorded_once(world: Any) -> None:
    deputy = make_deputy(world)
    source = world.office  # any saved row stands in for a suggestion or a duty slot
    first = record_duty(
        actor=None,
        deputy=deputy,
        kind="suggestion",
        occurred_on=dt.date(2026, 3, 1),
        title="建议",
        source=source,
    )
    again = record_duty(
        actor=None,
        deputy=deputy,
        kind="suggestion",
        occurred_on=dt.date(2026, 3, 1),
        title="建议",
        source=source,
    )
    assert first.pk == again.pk and DutyRecord.objects.count() == 1


def test_records_cannot_be_edited_or_deleted(world: Any) -> None:
    record = record_duty(
        actor=None,
        deputy=make_deputy(world),
        kind="training",
        occurred_on=dt.date(2026, 4, 2),
        title="履职培训",
    )
    record.title = "改"
    with pytest.raises(RuntimeError):
        record.save()
    with pytest.raises(RuntimeError):
        record.delete()


def test_an_unknown_kind_is_refused(world: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        record_duty(
            actor=None,
            deputy=make_deputy(world),
            kind="nap",
            occurred_on=dt.date(2026, 4, 2),
            title="x",
        )

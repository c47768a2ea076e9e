"""Test data for 代表述职 and 代表小组活动, built through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from renda.deputies.models import Deputy, GroupActivity, ReportingAssignment, ReportingPlan
from renda.deputies.services import activities, reporting

from .factories import make_deputy, make_term


def make_plan(world: Any, year: int | None = None) -> ReportingPlan:
    year = year or timezone.localdate().year
    term = make_term(world)
    existing = ReportingPlan.objects.filter(term=term, year=year).first()
    if existing is not None:
        return existing
    return reporting.create_reporting_plan(
        actor=world.staff, term=term, year=year, title=f"{year}年代表向选民述职计划"
    )


def make_assignment(
    world: Any, deputy: Deputy | None = None, on: dt.date | None = None
) -> ReportingAssignment:
    on = on or timezone.localdate()
    return reporting.add_reporting_assignment(
        actor=world.staff,
        plan=make_plan(world, on.year),
        deputy=deputy or make_deputy(world),
        audience="冷水江街道第三选区选民代表",
        scheduled_on=on,
        venue="冷水江街道代表联络站",
    )


def make_activity(
    world: Any,
    *,
    invitees: Sequence[Deputy] = (),
    starts_at: dt.datetime | None = None,
    **fields: Any,
) -> GroupActivity:
    defaults: dict[str, Any] = {
        "kind": GroupActivity.Kind.INSPECTION,
        "title": "视察城区污水管网建设",
        "place": "冷水江市污水处理厂",
    }
    defaults.update(fields)
    return activities.create_activity(
        actor=world.staff,
        term=make_term(world),
        starts_at=starts_at or timezone.now() + dt.timedelta(days=3),
        invitees=list(invitees),
        **defaults,
    )

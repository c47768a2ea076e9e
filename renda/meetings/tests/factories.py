"""Test data for meetings, built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from renda.accounts import services as account_services
from renda.accounts.models import User
from renda.conftest import PASSWORD
from renda.core.models import Organization
from renda.core.roles import Role
from renda.deputies import services as deputy_services
from renda.deputies.models import Deputy
from renda.deputies.tests.factories import make_deputy, make_id_number
from renda.meetings import services
from renda.meetings.models import Meeting

_serial = itertools.count(1)


def a_deputy(world: Any, *, user: User | None = None, **fields: Any) -> Deputy:
    n = next(_serial)
    deputy = make_deputy(
        world,
        name=fields.pop("name", f"代表{n:03d}"),
        id_number=make_id_number(serial=n + 500),
        mobile=fields.pop("mobile", f"136{n:08d}"),
        **fields,
    )
    if user is not None:
        deputy_services.update_deputy(actor=None, deputy=deputy, user=user)
    return deputy


def deputy_user(world: Any, name: str) -> User:
    n = next(_serial)
    return account_services.create_user(
        actor=None,
        username=name,
        name=f"代表{name}",
        role=Role.DEPUTY,
        password=PASSWORD,
        mobile=f"1350000{n:04d}",
        must_change_password=False,
    )


def standing_committee(world: Any) -> Organization:
    found = Organization.objects.filter(code="RD-CWH").first()
    return found or Organization.objects.create(
        name="冷水江市人民代表大会常务委员会",
        code="RD-CWH",
        kind=Organization.Kind.STANDING_COMMITTEE,
        region=world.county,
        parent=world.congress,
    )


def seat_on_committee(world: Any, deputy: Deputy, role: str = "委员", **dates: Any) -> None:
    deputy_services.add_membership(
        actor=None,
        deputy=deputy,
        organization=standing_committee(world),
        role=role,
        start_date=dates.get("start_date", dt.date(2022, 1, 1)),
        end_date=dates.get("end_date"),
    )


def make_meeting(
    world: Any,
    *,
    kind: str = Meeting.Kind.CONGRESS,
    start_at: dt.datetime | None = None,
    number: int | None = None,
    **fields: Any,
) -> Meeting:
    start = start_at or timezone.now() + dt.timedelta(minutes=10)
    from renda.deputies.tests.factories import make_term

    return services.create_meeting(
        actor=world.staff,
        kind=kind,
        term=make_term(world),
        number=number or next(_serial),
        start_at=start,
        end_at=start + dt.timedelta(hours=3),
        venue=fields.pop("venue", "市人大常委会机关第一会议室"),
        **fields,
    )

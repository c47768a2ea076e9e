"""Test data for stations, built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from renda.accounts import services as account_services
from renda.accounts.models import User
from renda.conftest import PASSWORD, confirm_totp
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.deputies.tests.factories import make_deputy, make_id_number
from renda.stations import services
from renda.stations.models import DutySlot, Opinion, Station

_serial = itertools.count(1)
CONTENT = "村口的路灯坏了三个月，晚上出行很不安全，希望尽快修好。"


def make_station(
    world: Any, *, region: Any = None, code: str | None = None, **fields: Any
) -> Station:
    n = next(_serial)
    region = region or world.township
    return services.create_station(
        actor=None,
        code=code or f"ST-{n:03d}",
        name=fields.pop("name", f"{region.name}第{n}代表联络站"),
        kind=fields.pop("kind", Station.Kind.STATION),
        region=region,
        address=fields.pop("address", f"{region.name}便民服务中心二楼"),
        **fields,
    )


def make_station_deputy(world: Any, station: Station, **fields: Any) -> Deputy:
    n = next(_serial)
    deputy = make_deputy(
        world,
        name=fields.pop("name", f"代表{n:03d}"),
        id_number=make_id_number(serial=n + 100),
        mobile=f"139{n:08d}",
        region=station.region,
        **fields,
    )
    return services.assign_deputy(actor=None, station=station, deputy=deputy)


def make_clerk(world: Any, station: Station, username: str = "clerk") -> User:
    """A STAFF account confined to one station (联络员)."""
    user = account_services.create_user(
        actor=None,
        username=username,
        name=f"联络员{username}",
        role=Role.STAFF,
        password=PASSWORD,
        organization=world.office,
        mobile=f"1370000{next(_serial):04d}",
        must_change_password=False,
    )
    confirm_totp(user)
    services.assign_clerk(actor=None, station=station, user=user)
    return user


def make_opinion(
    world: Any, station: Station | None = None, *, phone: str = "13912340000", **fields: Any
) -> Opinion:
    opinion, _ = services.submit_opinion(
        actor=None,
        station=station,
        source=fields.pop("source", Opinion.Source.WEB),
        category=fields.pop("category", "construction"),
        content=fields.pop("content", CONTENT),
        contact_name=fields.pop("contact_name", "王大姐"),
        contact_phone=phone,
        **fields,
    )
    return opinion


def assigned_opinion(world: Any, station: Station | None = None, **fields: Any) -> Opinion:
    opinion = make_opinion(world, station, **fields)
    return services.assign_opinion(actor=None, opinion=opinion, unit=world.department)


def replied_opinion(world: Any, station: Station | None = None, **fields: Any) -> Opinion:
    opinion = assigned_opinion(world, station, **fields)
    return services.reply_opinion(
        actor=None, opinion=opinion, reply="已安排维修，三日内修复。", reply_class="A"
    )


def make_slot(
    world: Any, station: Station, deputies: list[Deputy], *, date: dt.date, **fields: Any
) -> DutySlot:
    return services.create_slot(
        actor=None,
        station=station,
        date=date,
        start_time=fields.pop("start_time", dt.time(9, 0)),
        end_time=fields.pop("end_time", dt.time(11, 30)),
        deputies=deputies,
        **fields,
    )

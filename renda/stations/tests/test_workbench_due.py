"""Stations on the 待办 list: a deputy's coming station duty and 双联 contact tasks, a
standing-committee member's linked deputies not contacted this quarter; each only their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from renda.accounts.models import User
from renda.deputies.services import update_deputy
from renda.stations import services
from renda.stations.models.liaison import LiaisonContact
from renda.stations.selectors.liaison import Quarter
from renda.stations.services import liaison
from renda.stations.workbench import due

from .factories import make_slot, make_station, make_station_deputy
from .liaison_factories import a_constituent, a_deputy, another_sc_member, the_deputy_persona

pytestmark = pytest.mark.django_db
WAY = LiaisonContact.Way.values[0]


def test_the_coming_duty_days_of_the_deputy_only(world: Any, today: dt.date) -> None:
    station = make_station(world)
    me = make_station_deputy(world, station)
    update_deputy(actor=None, deputy=me, user=world.deputy)
    other = make_station_deputy(world, station)
    make_slot(world, station, [me], date=today - dt.timedelta(days=3))  # past
    soon = make_slot(world, station, [me], date=today + dt.timedelta(days=2), place="一楼接待室")
    cancelled = make_slot(world, station, [me], date=today + dt.timedelta(days=5))
    services.cancel_slot(actor=None, slot=cancelled, reason="场地维修")
    make_slot(world, station, [other], date=today + dt.timedelta(days=1))
    duty = [d for d in due(world.deputy) if d.kind == "进站"]
    assert [d.title for d in duty] == [f"进站值班：{station.name}"]
    assert duty[0].due == timezone.make_aware(dt.datetime.combine(soon.date, dt.time(9, 0)))
    assert duty[0].note == "09:00–11:30 · 一楼接待室"
    assert duty[0].url == "/stations/me/"


def test_constituents_not_contacted_this_quarter(world: Any, today: dt.date) -> None:
    me = the_deputy_persona(world)
    first = a_constituent(world, me)
    a_constituent(world, me)
    a_constituent(world, a_deputy(world))  # someone else's list
    quarter = Quarter.of(today)
    items = {d.title: d for d in due(world.deputy) if d.kind == "双联"}
    assert items["联系群众：本季度还有 2 人未联系"].due == quarter.end
    # Two on the list, the default minimum is five.
    assert "联系群众名单不足 5 人" in items
    liaison.log_constituent_contact(
        actor=world.deputy, deputy=me, contacted_on=today, way=WAY, constituents=[first]
    )
    titles = [d.title for d in due(world.deputy)]
    assert "联系群众：本季度还有 1 人未联系" in titles


def test_a_committee_member_sees_own_links_not_contacted(world: Any, today: dt.date) -> None:
    mine, contacted, theirs = (
        a_deputy(world, name="甲代表"),
        a_deputy(world, name="乙代表"),
        a_deputy(world, name="丙代表"),
    )
    other_member: User = another_sc_member(world)
    links = liaison.link_deputies(
        actor=world.staff, member=world.sc_member, deputies=[mine, contacted]
    )
    liaison.link_deputies(actor=world.staff, member=other_member, deputies=[theirs])
    link = next(x for x in links if x.deputy_id == contacted.pk)
    liaison.log_sc_contact(actor=world.sc_member, link=link, contacted_on=today, way=WAY)
    assert [d.title for d in due(world.sc_member)] == ["联系代表：甲代表"]
    assert [d.title for d in due(other_member)] == ["联系代表：丙代表"]
    assert due(world.staff) == []

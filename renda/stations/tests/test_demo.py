"""The demo year reproduces the county's figures (received 550, collected 322, solved 120)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from renda.core.models import Notification
from renda.deputies.models import DutyRecord
from renda.stations.demo import demo_year, load_demo_station_work
from renda.stations.models import DutySlot, Opinion
from renda.stations.selectors import county_figures

from .factories import make_station, make_station_deputy

pytestmark = pytest.mark.django_db


def test_it_reproduces_the_countys_figures_once(world: Any) -> None:
    for region in (world.township, world.other_township):
        station = make_station(world, region=region)
        for _ in range(4):
            make_station_deputy(world, station)
    notes = Notification.objects.count()
    created = load_demo_station_work(actor=None)
    year, _, _ = demo_year(timezone.localdate())
    figures = county_figures(year)
    assert (figures.receptions, figures.opinions, figures.solved) == (550, 322, 120)
    assert created["社情民意"] == 322
    states = set(Opinion.objects.values_list("state", flat=True))
    assert states == {
        "submitted",
        "assigned",
        "replied",
        "closed",
        "rejected",
        "converted",
        "reopened",
    }
    assert DutySlot.objects.filter(status="published", date__gt=timezone.localdate()).exists()
    assert DutyRecord.objects.filter(kind="station_duty").exists()
    assert Notification.objects.count() == notes  # a past year sends no messages
    assert load_demo_station_work(actor=None) == {}
    assert Opinion.objects.count() == 322

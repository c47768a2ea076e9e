from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from renda.conftest import login
from renda.deputies.models import DutyRecord
from renda.deputies.services import update_deputy
from renda.stations.models import DutySlot

from .factories import make_clerk, make_slot, make_station, make_station_deputy

pytestmark = pytest.mark.django_db


def test_a_deputy_checks_in_and_out_on_a_phone(world: Any, client: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    update_deputy(actor=None, deputy=deputy, user=world.deputy)
    slot = make_slot(world, station, [deputy], date=timezone.localdate())
    assignment = slot.assignments.get()
    login(client, world.deputy)
    page = client.get(reverse("stations:my_duties")).content.decode()
    assert 'data-testid="check-in"' in page
    client.post(reverse("stations:check_in", args=[assignment.pk]))
    page = client.get(reverse("stations:my_duties")).content.decode()
    assert 'data-testid="check-out"' in page
    response = client.post(reverse("stations:check_out", args=[assignment.pk]), follow=True)
    assert "已记入您的履职档案" in response.content.decode()
    assert DutyRecord.objects.filter(deputy=deputy, kind="station_duty").count() == 1


def test_a_deputy_cannot_touch_another_deputys_duty(world: Any, client: Any) -> None:
    station = make_station(world)
    mine, theirs = make_station_deputy(world, station), make_station_deputy(world, station)
    update_deputy(actor=None, deputy=mine, user=world.deputy)
    slot = make_slot(world, station, [theirs], date=timezone.localdate())
    login(client, world.deputy)
    response = client.post(reverse("stations:check_in", args=[slot.assignments.get().pk]))
    assert response.status_code == 404
    assert slot.assignments.get().checked_in_at is None


def test_staff_create_and_publish_a_reception_day(world: Any, client: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    login(client, world.staff)
    day = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(
        reverse("stations:slot_create", args=[station.pk]),
        {
            "date": day.isoformat(),
            "start_time": "09:00",
            "end_time": "11:30",
            "deputies": [deputy.pk],
            "place": "",
            "topic": "听民意",
        },
    )
    slot = DutySlot.objects.get()
    assert response.status_code == 302 and slot.place == station.address
    client.post(reverse("stations:slot_publish", args=[slot.pk]))
    slot.refresh_from_db()
    assert slot.status == "published"
    public = client.get(reverse("stations:public_station", args=[station.pk])).content.decode()
    assert deputy.name in public and f"{day.month}月{day.day}日" in public


def test_the_rotation_form_explains_bad_days(world: Any, client: Any) -> None:
    station = make_station(world)
    make_station_deputy(world, station)
    login(client, world.staff)
    response = client.post(
        reverse("stations:rotation", args=[station.pk]),
        {
            "year": timezone.localdate().year,
            "days_of_month": "15,40",
            "months": [1],
            "start_time": "09:00",
            "end_time": "11:00",
            "per_slot": 1,
        },
    )
    assert "1–31 之间的数字" in response.content.decode()
    assert not DutySlot.objects.exists()


def test_a_clerk_cannot_schedule_another_station(world: Any, client: Any) -> None:
    mine, other = make_station(world), make_station(world)
    clerk = make_clerk(world, mine)
    login(client, clerk)
    assert client.get(reverse("stations:slot_create", args=[other.pk])).status_code == 404
    assert client.get(reverse("stations:slot_create", args=[mine.pk])).status_code == 200


def test_the_below_minimum_page_lists_idle_deputies(world: Any, client: Any) -> None:
    station = make_station(world)
    idle = make_station_deputy(world, station, name="欧阳明")
    login(client, world.staff)
    page = client.get(reverse("stations:duty_minimum")).content.decode()
    assert idle.name in page

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from renda.deputies.models import DutyRecord
from renda.deputies.services import update_deputy
from renda.stations import services
from renda.stations.models import DutyAssignment, DutySlot
from renda.stations.selectors import deputies_below_minimum

from .factories import make_slot, make_station, make_station_deputy

pytestmark = pytest.mark.django_db


def test_it_computes_fixed_reception_days() -> None:
    days = services.fixed_reception_days(2026, days_of_month=[15], months=[1, 3, 5, 7, 9, 11])
    assert days == [dt.date(2026, m, 15) for m in (1, 3, 5, 7, 9, 11)]
    assert dt.date(2026, 4, 31 - 1) in services.fixed_reception_days(
        2026, days_of_month=[30, 31], months=[4]
    )
    assert len(services.fixed_reception_days(2026, days_of_month=[31], months=[4])) == 0


def test_it_refuses_a_deputy_of_another_station_on_duty(world: Any) -> None:
    station, other = make_station(world), make_station(world)
    outsider = make_station_deputy(world, other)
    with pytest.raises(ValidationError, match="不是本站点的进站代表"):
        make_slot(world, station, [outsider], date=dt.date(2026, 12, 15))
    assert not DutySlot.objects.exists()


def test_it_refuses_an_end_before_the_start(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    with pytest.raises(ValidationError, match="结束时间应晚于开始时间"):
        make_slot(
            world,
            station,
            [deputy],
            date=dt.date(2026, 12, 15),
            start_time=dt.time(11),
            end_time=dt.time(9),
        )


def test_a_slot_is_published_only_far_enough_ahead(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    today = dt.date(2026, 12, 1)
    late = make_slot(world, station, [deputy], date=today + dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="至少提前 3 天公告"):
        services.publish_slot(actor=world.staff, slot=late, today=today)
    late.refresh_from_db()
    assert late.status == "draft" and late.published_at is None
    ok = make_slot(world, station, [deputy], date=today + dt.timedelta(days=3))
    services.publish_slot(actor=world.staff, slot=ok, today=today)
    assert ok.status == "published" and ok.published_at is not None


@override_settings(STATIONS_PUBLISH_DAYS_AHEAD=7)
def test_the_notice_period_is_configurable(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    slot = make_slot(world, station, [deputy], date=dt.date(2026, 12, 6))
    with pytest.raises(ValidationError, match="至少提前 7 天"):
        services.publish_slot(actor=world.staff, slot=slot, today=dt.date(2026, 12, 1))


def test_the_rotation_makes_every_deputy_take_turns(world: Any) -> None:
    station = make_station(world)
    deputies = [make_station_deputy(world, station) for _ in range(5)]
    dates = services.fixed_reception_days(2026, days_of_month=[15], months=range(1, 11))
    slots = services.plan_rotation(
        actor=world.staff,
        station=station,
        dates=dates,
        start_time=dt.time(9),
        end_time=dt.time(11, 30),
        per_slot=2,
    )
    assert len(slots) == 10
    turns = Counter(a.deputy_id for a in DutyAssignment.objects.all())
    assert set(turns) == {d.pk for d in deputies}
    assert set(turns.values()) == {4}  # 10 days × 2 seats over 5 deputies


def test_check_in_is_only_on_the_day_and_check_out_records_the_duty(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    update_deputy(actor=None, deputy=deputy, user=world.deputy)
    slot = make_slot(world, station, [deputy], date=dt.date(2026, 12, 15))
    assignment = slot.assignments.get()
    day_before = dt.datetime(2026, 12, 14, 9, tzinfo=timezone.get_current_timezone())
    with pytest.raises(ValidationError, match="只能在接待日当天"):
        services.check_in(actor=world.deputy, assignment=assignment, now=day_before)
    with pytest.raises(ValidationError, match="请先签到"):
        services.check_out(actor=world.deputy, assignment=assignment)
    morning = day_before + dt.timedelta(days=1)
    services.check_in(actor=world.deputy, assignment=assignment, now=morning)
    services.check_out(
        actor=world.deputy, assignment=assignment, now=morning + dt.timedelta(hours=2)
    )
    record = DutyRecord.objects.get(deputy=deputy)
    assert record.kind == "station_duty" and record.occurred_on == slot.date
    assert record.source_type == "stations.dutyslot" and record.source_id == str(slot.pk)
    with pytest.raises(ValidationError, match="您已签退"):
        services.check_out(actor=world.deputy, assignment=assignment)
    assert DutyRecord.objects.count() == 1


def test_a_deputy_cannot_check_in_for_another(world: Any) -> None:
    station = make_station(world)
    mine, theirs = make_station_deputy(world, station), make_station_deputy(world, station)
    update_deputy(actor=None, deputy=mine, user=world.deputy)
    slot = make_slot(world, station, [theirs], date=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.check_in(actor=world.deputy, assignment=slot.assignments.get())
    assert not DutyAssignment.objects.filter(checked_in_at__isnull=False).exists()


def test_the_clerk_confirms_attendance_once_and_it_counts(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    slot = make_slot(world, station, [deputy], date=timezone.localdate() - dt.timedelta(days=3))
    assignment = slot.assignments.get()
    services.confirm_attendance(actor=world.staff, assignment=assignment)
    assert DutyRecord.objects.filter(deputy=deputy, kind="station_duty").count() == 1
    with pytest.raises(ValidationError, match="无需补登"):
        services.confirm_attendance(actor=world.staff, assignment=assignment)


def test_staff_see_who_is_below_the_yearly_minimum(world: Any) -> None:
    station = make_station(world)
    busy, idle = make_station_deputy(world, station), make_station_deputy(world, station)
    year = timezone.localdate().year
    for days_ago in (10, 40):
        slot = make_slot(
            world, station, [busy], date=timezone.localdate() - dt.timedelta(days=days_ago)
        )
        if slot.date.year == year:
            services.confirm_attendance(actor=world.staff, assignment=slot.assignments.get())
    below = {d.pk for d in deputies_below_minimum(year, [station.pk])}
    assert idle.pk in below
    done = DutyAssignment.objects.filter(deputy=busy, checked_out_at__isnull=False).count()
    assert (busy.pk in below) == (done < 2)


def test_a_cancelled_day_cannot_be_checked_into(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    update_deputy(actor=None, deputy=deputy, user=world.deputy)
    slot = make_slot(world, station, [deputy], date=timezone.localdate())
    with pytest.raises(ValidationError, match="请填写取消原因"):
        services.cancel_slot(actor=world.staff, slot=slot, reason=" ")
    services.cancel_slot(actor=world.staff, slot=slot, reason="暴雨预警")
    with pytest.raises(ValidationError, match="已取消"):
        services.check_in(actor=world.deputy, assignment=slot.assignments.get())

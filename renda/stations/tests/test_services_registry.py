from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from renda.core.models import AuditEvent
from renda.stations import services
from renda.stations.members import station_of
from renda.stations.models import AnnualPlan, ChecklistItem, StationClerk
from renda.stations.permissions import clerk_station_ids, is_county_staff

from .factories import make_clerk, make_station, make_station_deputy

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_it_creates_the_six_checklist_items_with_a_new_station(world: Any) -> None:
    station = make_station(world)
    items = set(ChecklistItem.objects.filter(station=station).values_list("item", "status"))
    assert items == {(item, "todo") for item in ChecklistItem.Item.values}


def test_it_refuses_half_a_coordinate_and_writes_nothing(world: Any) -> None:
    with pytest.raises(ValidationError, match="经度和纬度须同时填写"):
        make_station(world, latitude=Decimal("27.7"))
    assert not ChecklistItem.objects.exists()


def test_it_updates_a_station_and_audits_the_changed_fields(world: Any) -> None:
    station = make_station(world)
    services.update_station(
        actor=world.staff, station=station, head_name="刘站长", description="<b>站点</b>简介"
    )
    station.refresh_from_db()
    assert station.head_name == "刘站长" and station.description == "站点简介"
    event = AuditEvent.objects.filter(action="station.update").latest("id")
    assert event.details["changed"] == ["description", "head_name"]


def test_it_makes_a_staff_account_a_clerk_confined_to_its_station(world: Any) -> None:
    station = make_station(world)
    clerk = make_clerk(world, station)
    assert clerk_station_ids(clerk) == [station.pk]
    assert not is_county_staff(clerk)
    assert is_county_staff(world.staff)


def test_it_refuses_a_clerk_who_is_not_staff(world: Any) -> None:
    station = make_station(world)
    with pytest.raises(ValidationError, match="人大机关工作人员"):
        services.assign_clerk(actor=world.staff, station=station, user=world.deputy)
    assert not StationClerk.objects.exists()


def test_a_removed_clerk_sees_every_station_again(world: Any) -> None:
    station = make_station(world)
    clerk = make_clerk(world, station)
    services.remove_clerk(actor=world.staff, clerk=StationClerk.objects.get(user=clerk))
    clerk.refresh_from_db()
    assert clerk_station_ids(clerk) is None


def test_it_places_a_deputy_at_the_station_through_the_deputies_service(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station)
    assert station_of(deputy) == station
    assert AuditEvent.objects.filter(action="deputy.update", target_id=str(deputy.pk)).exists()
    with pytest.raises(ValidationError, match="已在本站点"):
        services.assign_deputy(actor=world.staff, station=station, deputy=deputy)


def test_a_checklist_item_is_met_only_with_a_note_or_evidence(world: Any) -> None:
    item = make_station(world).checklist.get(item="site")
    with pytest.raises(ValidationError, match="须填写情况说明或上传佐证材料"):
        services.update_checklist_item(actor=world.staff, item=item, status="done")
    item.refresh_from_db()
    assert item.status == "todo"
    services.update_checklist_item(
        actor=world.staff, item=item, status="done", note="场地 150 平方米，设接待室、会议室"
    )
    item.refresh_from_db()
    assert item.status == "done" and item.updated_by == world.staff


def test_it_refuses_evidence_that_is_not_what_its_name_says(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    item = make_station(world).checklist.get(item="rules")
    fake = SimpleUploadedFile("制度.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        services.update_checklist_item(actor=world.staff, item=item, status="done", evidence=fake)
    good = SimpleUploadedFile("制度.png", PNG)
    services.update_checklist_item(actor=world.staff, item=item, status="done", evidence=good)
    item.refresh_from_db()
    assert item.evidence.name.endswith(".png")


def test_the_annual_plan_is_one_per_station_and_year(world: Any) -> None:
    station = make_station(world)
    services.save_annual_plan(
        actor=world.staff, station=station, year=2026, content="每月接待", reception_days=12
    )
    services.save_annual_plan(
        actor=world.staff, station=station, year=2026, content="每月接待两次", reception_days=24
    )
    plan = AnnualPlan.objects.get(station=station)
    assert plan.reception_days == 24 and plan.content == "每月接待两次"
    with pytest.raises(ValidationError, match="请填写计划内容"):
        services.save_annual_plan(
            actor=world.staff, station=station, year=2027, content="  ", reception_days=1
        )


def test_a_clerk_cannot_change_another_station(world: Any) -> None:
    mine, other = make_station(world), make_station(world)
    clerk = make_clerk(world, mine)
    with pytest.raises(PermissionDenied):
        services.update_station(actor=clerk, station=other, head_name="冒名")
    with pytest.raises(PermissionDenied):
        services.save_annual_plan(
            actor=clerk, station=other, year=dt.date.today().year, content="x", reception_days=1
        )

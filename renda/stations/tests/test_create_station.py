from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from renda.core.models import AuditEvent
from renda.stations.models import Station
from renda.stations.services import create_station

pytestmark = pytest.mark.django_db


def test_it_registers_a_station_in_a_township_and_audits_it(world) -> None:  # type: ignore[no-untyped-def]
    station = create_station(
        actor=world.staff,
        code="431381100-01",
        name="禾青镇人大代表联络站",
        kind=Station.Kind.STATION,
        region=world.other_township,
        address="禾青镇人民政府便民服务中心二楼",
    )
    assert station.region == world.other_township
    event = AuditEvent.objects.get(action="station.create")
    assert event.actor == world.staff and event.target_id == str(station.pk)


def test_it_refuses_a_station_outside_a_township(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="乡镇或街道"):
        create_station(
            actor=world.staff,
            code="X-01",
            name="市级站",
            kind=Station.Kind.STATION,
            region=world.county,
        )
    assert not Station.objects.exists()


def test_it_refuses_a_duplicate_code(world) -> None:  # type: ignore[no-untyped-def]
    create_station(
        actor=world.staff,
        code="S-01",
        name="一站",
        kind=Station.Kind.STATION,
        region=world.township,
    )
    with pytest.raises(ValidationError):
        create_station(
            actor=world.staff,
            code="S-01",
            name="二站",
            kind=Station.Kind.POINT,
            region=world.township,
        )
    assert Station.objects.count() == 1

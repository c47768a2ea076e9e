"""Station services: the only code that writes liaison stations and points (DESIGN §4.1)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renda.core import audit
from renda.core.models import Region

from .models import Station


@transaction.atomic
def create_station(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    region: Region,
    address: str = "",
    opening_hours: str = "",
) -> Station:
    """Register a liaison station (代表联络站) or liaison point (代表联络点) in a township."""
    if not region.is_township_level:
        raise ValidationError({"region": "代表工作站点应设在乡镇或街道"})
    station = Station(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        region=region,
        address=address.strip(),
        opening_hours=opening_hours.strip(),
    )
    station.full_clean()
    station.save()
    audit.record(
        actor=actor, action="station.create", target=station, details={"code": station.code}
    )
    return station

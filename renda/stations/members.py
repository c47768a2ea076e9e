"""进站: which station a deputy works at (StationMember), and the fact stations registers with
deputies (deputies/extensions.py) so that the deputy's form, import, profile and export show
and set it without deputies importing stations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from renda.accounts.models import User
from renda.core.imports import Column, text
from renda.deputies.extensions import DeputyFact
from renda.deputies.models import Deputy

from .models import Station, StationMember


def station_of(deputy: Deputy) -> Station | None:
    try:
        return deputy.station_member.station
    except StationMember.DoesNotExist:
        return None


def station_id_of(deputy: Deputy) -> int | None:
    return StationMember.objects.filter(deputy=deputy).values_list("station_id", flat=True).first()


def set_station(actor: User | None, deputy: Deputy, station: Station | None) -> bool:
    """Place the deputy at ``station`` (None: at none); True when that changed anything.
    Called inside the deputies service's transaction, whose deputy.update event names it."""
    if station_id_of(deputy) == (station.pk if station else None):
        return False
    if station is None:
        StationMember.objects.filter(deputy=deputy).delete()
    else:
        StationMember.objects.update_or_create(deputy=deputy, defaults={"station": station})
    if hasattr(deputy, "_state") and "station_member" in deputy._state.fields_cache:
        del deputy._state.fields_cache["station_member"]
    return True


def _form_field(deputy: Deputy | None) -> forms.Field:
    current = station_id_of(deputy) if deputy is not None and deputy.pk else None
    return forms.ModelChoiceField(
        label="进站联络站",
        required=False,
        empty_label="无",
        queryset=Station.objects.filter(Q(is_active=True) | Q(pk=current)),
    )


def _resolver() -> Callable[[str], Any]:
    """Import cells to stations, by code or by name (a name two stations share is refused)."""
    by_name: dict[str, list[Station]] = defaultdict(list)
    by_code: dict[str, Station] = {}
    for station in Station.objects.all():
        by_name[station.name].append(station)
        by_code[station.code] = station

    def resolve(value: str) -> Station:
        if value in by_code:
            return by_code[value]
        matches = by_name.get(value, [])
        if len(matches) > 1:
            raise ValidationError(f"有多个名为「{value}」的联络站，请改填编号")
        if not matches:
            raise ValidationError(f"「{value}」不是系统中已有的代表联络站（点）")
        return matches[0]

    return resolve


def _display(deputy: Deputy) -> str:
    station = station_of(deputy)
    return station.name if station else ""


STATION_FACT = DeputyFact(
    name="station",
    label="进站联络站",
    display=_display,
    form_field=_form_field,
    initial=station_id_of,
    save=set_station,
    column=Column(
        "station",
        "联络站",
        parse=text(100),
        aliases=("进站联络站", "代表联络站", "联络站点"),
        help="已有的代表联络站或联络点名称（或编号）",
    ),
    resolver=_resolver,
    select_related=("station_member__station",),
)

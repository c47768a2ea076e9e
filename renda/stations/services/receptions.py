"""接访登记: a constituent received at a station, optionally followed up as an opinion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.deputies.models import Deputy

from ..models import Category, DutySlot, Opinion, Reception, Station
from ..permissions import require_station_worker
from .intake import check_images, clean_contact, clean_content, submit_opinion
from .registry import add_photo


def _check_reception(
    station: Station, category: str, slot: DutySlot | None, deputy: Deputy | None
) -> None:
    if category not in Category.values:
        raise ValidationError({"category": "请选择类别"})
    if slot is not None and slot.station_id != station.pk:
        raise ValidationError({"slot": "接待日不属于本站点"})
    if deputy is not None and deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表"})


@transaction.atomic
def record_reception(
    *,
    actor: User | None,
    station: Station,
    matter: str,
    category: str,
    received_at: dt.datetime | None = None,
    deputy: Deputy | None = None,
    slot: DutySlot | None = None,
    constituent_name: str = "",
    constituent_phone: str = "",
    photos: Sequence[UploadedFile] = (),
    as_opinion: bool = False,
) -> Reception:
    """接访登记: one constituent received. With ``as_opinion`` the matter also becomes a
    constituent opinion to be followed to closure (source: reception)."""
    require_station_worker(actor, station)
    _check_reception(station, category, slot, deputy)
    matter = clean_content(matter, "matter")
    name, phone = clean_contact(constituent_name, constituent_phone)
    check_images(photos, "photos")
    reception = Reception(
        station=station,
        slot=slot,
        deputy=deputy,
        received_at=received_at or timezone.now(),
        matter=matter,
        category=category,
        constituent_name=name,
        constituent_phone=phone,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    reception.full_clean(exclude=["constituent_phone_index"])
    reception.save()
    for image in photos:
        add_photo(actor=actor, station=station, image=image, reception=reception)
    audit.record(
        actor=actor,
        action="station.reception",
        target=reception,
        details={"as_opinion": as_opinion, "category": category},
    )
    if as_opinion:
        submit_opinion(
            actor=actor,
            station=station,
            source=Opinion.Source.RECEPTION,
            category=category,
            content=matter,
            contact_name=name,
            contact_phone=phone,
            reception=reception,
            created_at=reception.received_at,
        )
    return reception

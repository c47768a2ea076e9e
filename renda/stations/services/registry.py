"""The station registry (一站一点): stations, their clerks and deputies, the 六个一 checklist,
annual plans and photos."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from renda.accounts.models import User
from renda.core import audit
from renda.core.attachments import IMAGES, SCANS, check_upload
from renda.core.models import Region
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.lib.richtext import strip_markup

from ..members import station_id_of
from ..models import AnnualPlan, ChecklistItem, Photo, Reception, Station, StationClerk
from ..permissions import require_station_worker
from ..rules import rules

STATION_FIELDS = frozenset(
    {
        "name",
        "kind",
        "region",
        "address",
        "opening_hours",
        "is_active",
        "latitude",
        "longitude",
        "area_m2",
        "head_name",
        "phone",
        "description",
    }
)


def _check_station(station: Station) -> None:
    if not station.region.is_township_level:
        raise ValidationError({"region": "代表工作站点应设在乡镇或街道"})
    if (station.latitude is None) != (station.longitude is None):
        raise ValidationError({"longitude": "经度和纬度须同时填写"})


@transaction.atomic
def create_station(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    region: Region,
    address: str = "",
    opening_hours: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    area_m2: int | None = None,
    head_name: str = "",
    phone: str = "",
    description: str = "",
) -> Station:
    """Register a liaison station (代表联络站) or liaison point (代表联络点) in a township,
    with its six checklist items (六个一) not yet met."""
    station = Station(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        region=region,
        address=address.strip(),
        opening_hours=opening_hours.strip(),
        latitude=latitude,
        longitude=longitude,
        area_m2=area_m2,
        head_name=head_name.strip(),
        phone=phone.strip(),
        description=strip_markup(description).strip(),
    )
    _check_station(station)
    station.full_clean()
    station.save()
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(station=station, item=item) for item in ChecklistItem.Item.values]
    )
    audit.record(
        actor=actor, action="station.create", target=station, details={"code": station.code}
    )
    return station


@transaction.atomic
def update_station(*, actor: User | None, station: Station, **fields: object) -> Station:
    unknown = set(fields) - STATION_FIELDS
    if unknown:
        raise TypeError(f"unknown station fields: {sorted(unknown)}")
    require_station_worker(actor, station)
    changed = sorted(name for name, value in fields.items() if getattr(station, name) != value)
    for name, value in fields.items():
        if isinstance(value, str):
            value = strip_markup(value).strip() if name == "description" else value.strip()
        setattr(station, name, value)
    _check_station(station)
    station.full_clean()
    station.save()
    audit.record(actor=actor, action="station.update", target=station, details={"changed": changed})
    return station


@transaction.atomic
def assign_clerk(*, actor: User | None, station: Station, user: User) -> StationClerk:
    """Make a staff account a clerk (联络员) of the station; from then on it sees only its
    stations."""
    if user.role != Role.STAFF or not user.is_active:
        raise ValidationError({"user": "联络员须为在用的人大机关工作人员账号"})
    clerk, created = StationClerk.objects.get_or_create(station=station, user=user)
    if not created and not clerk.is_active:
        clerk.is_active = True
        clerk.save(update_fields=["is_active", "updated_at"])
    elif not created:
        raise ValidationError({"user": f"{user} 已是该站点的联络员"})
    audit.record(
        actor=actor, action="station.clerk_assign", target=station, details={"user": user.pk}
    )
    return clerk


@transaction.atomic
def remove_clerk(*, actor: User | None, clerk: StationClerk) -> StationClerk:
    if not clerk.is_active:
        raise ValidationError("该联络员已不在岗")
    clerk.is_active = False
    clerk.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor,
        action="station.clerk_remove",
        target=clerk.station,
        details={"user": clerk.user_id},
    )
    return clerk


@transaction.atomic
def assign_deputy(*, actor: User | None, station: Station, deputy: Deputy) -> Deputy:
    """进站: place a serving deputy (city or township level) at the station, through the
    deputies app's own service."""
    from renda.deputies.services import update_deputy

    if deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表"})
    if station_id_of(deputy) == station.pk:
        raise ValidationError({"deputy": f"{deputy.name} 已在本站点"})
    return update_deputy(actor=actor, deputy=deputy, facts={"station": station})


@transaction.atomic
def remove_deputy(*, actor: User | None, station: Station, deputy: Deputy) -> Deputy:
    from renda.deputies.services import update_deputy

    if station_id_of(deputy) != station.pk:
        raise ValidationError({"deputy": f"{deputy.name} 不在本站点"})
    return update_deputy(actor=actor, deputy=deputy, facts={"station": None})


@transaction.atomic
def update_checklist_item(
    *,
    actor: User | None,
    item: ChecklistItem,
    status: str,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> ChecklistItem:
    require_station_worker(actor, item.station)
    if status not in ChecklistItem.Status.values:
        raise ValidationError({"status": "请选择达标状态"})
    if evidence is not None:
        check_upload(evidence, allowed=SCANS, max_mb=rules().max_attachment_mb, field="evidence")
        item.evidence = evidence
    if status == ChecklistItem.Status.DONE and not (item.evidence or note.strip()):
        raise ValidationError({"note": "标记“已达标”须填写情况说明或上传佐证材料"})
    item.status = status
    item.note = strip_markup(note).strip()
    item.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    item.full_clean()
    item.save()
    audit.record(
        actor=actor,
        action="station.checklist",
        target=item.station,
        details={"item": item.item, "status": status},
    )
    return item


@transaction.atomic
def save_annual_plan(
    *, actor: User | None, station: Station, year: int, content: str, reception_days: int
) -> AnnualPlan:
    require_station_worker(actor, station)
    content = strip_markup(content).strip()
    if not content:
        raise ValidationError({"content": "请填写计划内容"})
    plan = AnnualPlan.objects.filter(station=station, year=year).first() or AnnualPlan(
        station=station, year=year
    )
    plan.content = content
    plan.reception_days = reception_days
    plan.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, action="station.plan", target=station, details={"year": year})
    return plan


@transaction.atomic
def add_photo(
    *,
    actor: User | None,
    station: Station,
    image: UploadedFile,
    caption: str = "",
    reception: Reception | None = None,
) -> Photo:
    require_station_worker(actor, station)
    check_upload(image, allowed=IMAGES, max_mb=rules().max_attachment_mb, field="image")
    photo = Photo(
        station=station,
        reception=reception,
        image=image,
        caption=strip_markup(caption).strip()[:100],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    photo.full_clean()
    photo.save()
    audit.record(actor=actor, action="station.photo", target=station, details={"photo": photo.pk})
    return photo

"""Station services: the only code that writes stations, clerks, the checklist and plans,
rosters and duties, receptions and constituent opinions (DESIGN §4.1).

Each service takes an explicit ``actor`` (None for a background job or the public), runs in
one transaction, validates, writes and records an audit event. Workflow steps go through
``core.workflow.apply_transition`` so that every change of an opinion leaves its event row.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from renda.core import audit
from renda.core.calendar import END_OF_DAY
from renda.core.models import Organization, Region
from renda.core.notifications import sms_backend
from renda.core.roles import Role
from renda.core.workflow import apply_transition
from renda.deputies.duty import record_duty
from renda.deputies.models import Deputy, DutyRecord
from renda.lib.idcard import is_mobile
from renda.lib.richtext import strip_markup

from .models import (
    AnnualPlan,
    Category,
    ChecklistItem,
    DutyAssignment,
    DutySlot,
    Opinion,
    OpinionAttachment,
    Photo,
    Reception,
    Station,
    StationClerk,
)
from .permissions import can_work_on_opinion, can_work_on_station, is_officer_of_unit
from .rules import rules
from .uploads import EVIDENCE, check_file, check_files
from .workflows import RATING_TRANSITIONS, TRIAGE

# --- registry -----------------------------------------------------------------------------

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


def _require_station_worker(actor: Any, station: Station | None) -> None:
    # actor None is a background job or the demo loader acting for the system.
    if actor is not None and not can_work_on_station(actor, station):
        raise PermissionDenied("您无权处理该站点的事务。")


def _check_station(station: Station) -> None:
    if not station.region.is_township_level:
        raise ValidationError({"region": "代表工作站点应设在乡镇或街道"})
    if (station.latitude is None) != (station.longitude is None):
        raise ValidationError({"longitude": "经度和纬度须同时填写"})


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
def update_station(*, actor: Any, station: Station, **fields: Any) -> Station:
    unknown = set(fields) - STATION_FIELDS
    if unknown:
        raise TypeError(f"unknown station fields: {sorted(unknown)}")
    _require_station_worker(actor, station)
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
def assign_clerk(*, actor: Any, station: Station, user: Any) -> StationClerk:
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
def remove_clerk(*, actor: Any, clerk: StationClerk) -> StationClerk:
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
def assign_deputy(*, actor: Any, station: Station, deputy: Deputy) -> Deputy:
    """进站: place a serving deputy (city or township level) at the station, through the
    deputies app's own service."""
    from renda.deputies.services import update_deputy

    if deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表"})
    if deputy.station_id == station.pk:
        raise ValidationError({"deputy": f"{deputy.name} 已在本站点"})
    return update_deputy(actor=actor, deputy=deputy, station=station)


@transaction.atomic
def remove_deputy(*, actor: Any, station: Station, deputy: Deputy) -> Deputy:
    from renda.deputies.services import update_deputy

    if deputy.station_id != station.pk:
        raise ValidationError({"deputy": f"{deputy.name} 不在本站点"})
    return update_deputy(actor=actor, deputy=deputy, station=None)


@transaction.atomic
def update_checklist_item(
    *, actor: Any, item: ChecklistItem, status: str, note: str = "", evidence: Any = None
) -> ChecklistItem:
    _require_station_worker(actor, item.station)
    if status not in ChecklistItem.Status.values:
        raise ValidationError({"status": "请选择达标状态"})
    if evidence is not None:
        check_file(evidence, field="evidence", allowed=EVIDENCE)
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
    *, actor: Any, station: Station, year: int, content: str, reception_days: int
) -> AnnualPlan:
    _require_station_worker(actor, station)
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
    actor: Any,
    station: Station,
    image: Any,
    caption: str = "",
    reception: Reception | None = None,
) -> Photo:
    _require_station_worker(actor, station)
    check_file(image, field="image")
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


# --- rosters ------------------------------------------------------------------------------


def fixed_reception_days(
    year: int, *, days_of_month: Sequence[int], months: Iterable[int] = range(1, 13)
) -> list[dt.date]:
    """Fixed reception days, e.g. the 15th of every odd month: ``days_of_month=[15],
    months=[1, 3, 5, 7, 9, 11]``. A day a month does not have (31 in April) is skipped."""
    found = []
    for month in months:
        last = calendar.monthrange(year, month)[1]
        found += [dt.date(year, month, d) for d in sorted(set(days_of_month)) if 1 <= d <= last]
    return found


def _check_deputies_of_station(station: Station, deputies: Sequence[Deputy]) -> None:
    for deputy in deputies:
        if deputy.status != Deputy.Status.ACTIVE:
            raise ValidationError({"deputies": f"{deputy.name} 不是在任代表"})
        if deputy.station_id != station.pk:
            raise ValidationError({"deputies": f"{deputy.name} 不是本站点的进站代表"})


@transaction.atomic
def create_slot(
    *,
    actor: Any,
    station: Station,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    deputies: Sequence[Deputy],
    place: str = "",
    topic: str = "",
) -> DutySlot:
    """A reception day with the deputies on duty (not yet announced)."""
    _require_station_worker(actor, station)
    if not deputies:
        raise ValidationError({"deputies": "请至少安排一名值班代表"})
    _check_deputies_of_station(station, deputies)
    slot = DutySlot(
        station=station,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=(place.strip() or station.address)[:200],
        topic=strip_markup(topic).strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    slot.full_clean()
    slot.save()
    DutyAssignment.objects.bulk_create([DutyAssignment(slot=slot, deputy=d) for d in deputies])
    audit.record(
        actor=actor,
        action="station.slot_create",
        target=slot,
        details={"date": date.isoformat(), "deputies": [d.pk for d in deputies]},
    )
    return slot


@transaction.atomic
def publish_slot(*, actor: Any, slot: DutySlot, today: dt.date | None = None) -> DutySlot:
    """公告: the reception day appears on the portal. The notice must go up at least
    ``publish_days_ahead`` days before the day (constituents need time to come)."""
    _require_station_worker(actor, slot.station)
    if slot.status != DutySlot.Status.DRAFT:
        raise ValidationError(f"该接待日{slot.get_status_display()}，不能发布")
    today = today or timezone.localdate()
    ahead = rules().publish_days_ahead
    if (slot.date - today).days < ahead:
        raise ValidationError(f"接待日须至少提前 {ahead} 天公告（{slot.date:%Y-%m-%d} 已来不及）")
    slot.status = DutySlot.Status.PUBLISHED
    slot.published_at = timezone.now()
    slot.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=actor, action="station.slot_publish", target=slot)
    return slot


@transaction.atomic
def cancel_slot(*, actor: Any, slot: DutySlot, reason: str) -> DutySlot:
    _require_station_worker(actor, slot.station)
    if slot.status == DutySlot.Status.CANCELLED:
        raise ValidationError("该接待日已取消")
    if slot.assignments.filter(checked_in_at__isnull=False).exists():
        raise ValidationError("已有代表签到的接待日不能取消")
    if not reason.strip():
        raise ValidationError({"reason": "请填写取消原因"})
    slot.status = DutySlot.Status.CANCELLED
    slot.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action="station.slot_cancel", target=slot, details={"reason": reason.strip()}
    )
    return slot


def rotation_order(station: Station, year: int) -> list[Deputy]:
    """The station's serving deputies, those with the fewest duties this year first (then by
    name): taking them in this order makes everybody take turns (轮值)."""
    deputies = Deputy.objects.filter(station=station, status=Deputy.Status.ACTIVE).annotate(
        duties=Count(
            "station_duties",
            filter=Q(station_duties__slot__date__year=year)
            & ~Q(station_duties__slot__status=DutySlot.Status.CANCELLED),
        )
    )
    return list(deputies.order_by("duties", "name", "pk"))


@transaction.atomic
def plan_rotation(
    *,
    actor: Any,
    station: Station,
    dates: Sequence[dt.date],
    start_time: dt.time,
    end_time: dt.time,
    per_slot: int = 2,
    topic: str = "",
) -> list[DutySlot]:
    """Create a slot on each date with ``per_slot`` deputies taken in turn, so that over the
    year every deputy of the station is on duty about equally often."""
    _require_station_worker(actor, station)
    if per_slot < 1:
        raise ValidationError({"per_slot": "每次至少安排一名代表"})
    if not dates:
        raise ValidationError({"dates": "请至少选择一个接待日"})
    order = rotation_order(station, dates[0].year)
    if not order:
        raise ValidationError("本站点还没有进站代表，请先安排代表进站")
    per_slot = min(per_slot, len(order))
    slots, cursor = [], 0
    for day in sorted(dates):
        chosen = [order[(cursor + i) % len(order)] for i in range(per_slot)]
        cursor += per_slot
        slots.append(
            create_slot(
                actor=actor,
                station=station,
                date=day,
                start_time=start_time,
                end_time=end_time,
                deputies=chosen,
                topic=topic,
            )
        )
    return slots


def _my_assignment_check(actor: Any, assignment: DutyAssignment) -> None:
    deputy_id = getattr(getattr(actor, "deputy", None), "pk", None)
    if actor is not None and deputy_id != assignment.deputy_id:
        raise PermissionDenied("只有值班代表本人可以签到、签退。")
    if assignment.slot.status == DutySlot.Status.CANCELLED:
        raise ValidationError("该接待日已取消")


@transaction.atomic
def check_in(*, actor: Any, assignment: DutyAssignment, now: dt.datetime | None = None) -> Any:
    """签到 on the day of the duty."""
    assignment = (
        DutyAssignment.objects.select_for_update()
        .select_related("slot", "slot__station")
        .get(pk=assignment.pk)
    )
    _my_assignment_check(actor, assignment)
    now = now or timezone.now()
    if timezone.localdate(now) != assignment.slot.date:
        raise ValidationError(f"只能在接待日当天（{assignment.slot.date:%Y-%m-%d}）签到")
    if assignment.checked_in_at is not None:
        raise ValidationError("您已签到")
    assignment.checked_in_at = now
    assignment.save(update_fields=["checked_in_at", "updated_at"])
    audit.record(actor=actor, action="station.check_in", target=assignment)
    return assignment


def _complete(actor: Any, assignment: DutyAssignment) -> DutyRecord:
    slot = assignment.slot
    return record_duty(
        actor=actor,
        deputy=assignment.deputy,
        kind=DutyRecord.Kind.STATION_DUTY,
        occurred_on=slot.date,
        title=f"{slot.station.name}进站接待群众",
        details=f"{slot.start_time:%H:%M}–{slot.end_time:%H:%M} {slot.place}",
        source=slot,
    )


@transaction.atomic
def check_out(
    *, actor: Any, assignment: DutyAssignment, now: dt.datetime | None = None
) -> DutyAssignment:
    """签退: the duty is completed and goes into the deputy's duty record (履职档案)."""
    assignment = (
        DutyAssignment.objects.select_for_update()
        .select_related("slot", "slot__station", "deputy")
        .get(pk=assignment.pk)
    )
    _my_assignment_check(actor, assignment)
    if assignment.checked_in_at is None:
        raise ValidationError("请先签到")
    if assignment.checked_out_at is not None:
        raise ValidationError("您已签退")
    assignment.checked_out_at = max(now or timezone.now(), assignment.checked_in_at)
    assignment.save(update_fields=["checked_out_at", "updated_at"])
    _complete(actor, assignment)
    audit.record(actor=actor, action="station.check_out", target=assignment)
    return assignment


@transaction.atomic
def confirm_attendance(*, actor: Any, assignment: DutyAssignment) -> DutyAssignment:
    """补登: the clerk confirms a deputy who was on duty but did not check in on a phone,
    after the day (the sign-in sheet is the evidence)."""
    assignment = (
        DutyAssignment.objects.select_for_update()
        .select_related("slot", "slot__station", "deputy")
        .get(pk=assignment.pk)
    )
    _require_station_worker(actor, assignment.slot.station)
    slot = assignment.slot
    if slot.status == DutySlot.Status.CANCELLED:
        raise ValidationError("该接待日已取消")
    if slot.date > timezone.localdate():
        raise ValidationError("接待日还没到，不能补登")
    if assignment.checked_out_at is not None:
        raise ValidationError("该代表已签退，无需补登")
    zone = timezone.get_current_timezone()
    assignment.checked_in_at = assignment.checked_in_at or dt.datetime.combine(
        slot.date, slot.start_time, tzinfo=zone
    )
    assignment.checked_out_at = max(
        dt.datetime.combine(slot.date, slot.end_time, tzinfo=zone), assignment.checked_in_at
    )
    assignment.save(update_fields=["checked_in_at", "checked_out_at", "updated_at"])
    _complete(actor, assignment)
    audit.record(actor=actor, action="station.attendance_confirm", target=assignment)
    return assignment


# --- receptions ---------------------------------------------------------------------------


def _clean_contact(name: str, phone: str) -> tuple[str, str]:
    name = strip_markup(name or "").strip()[:50]
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not is_mobile(phone):
        raise ValidationError({"contact_phone": "请输入正确的11位手机号，或留空"})
    return name, phone


def _clean_content(text: str, field: str) -> str:
    text = strip_markup(text or "").strip()
    r = rules()
    if len(text) < r.min_content_chars:
        raise ValidationError({field: f"请把情况写清楚一些（至少 {r.min_content_chars} 个字）"})
    if len(text) > r.max_content_chars:
        raise ValidationError(
            {field: f"内容不能超过 {r.max_content_chars} 个字（现有 {len(text)} 字）"}
        )
    return text


@transaction.atomic
def record_reception(
    *,
    actor: Any,
    station: Station,
    matter: str,
    category: str,
    received_at: dt.datetime | None = None,
    deputy: Deputy | None = None,
    slot: DutySlot | None = None,
    constituent_name: str = "",
    constituent_phone: str = "",
    photos: Sequence[Any] = (),
    as_opinion: bool = False,
) -> Reception:
    """接访登记: one constituent received. With ``as_opinion`` the matter also becomes a
    constituent opinion to be followed to closure (source: reception)."""
    _require_station_worker(actor, station)
    if category not in Category.values:
        raise ValidationError({"category": "请选择类别"})
    matter = _clean_content(matter, "matter")
    name, phone = _clean_contact(constituent_name, constituent_phone)
    if slot is not None and slot.station_id != station.pk:
        raise ValidationError({"slot": "接待日不属于本站点"})
    if deputy is not None and deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表"})
    check_files(photos, field="photos")
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


# --- opinions -----------------------------------------------------------------------------

# No 0/O, 1/I/L: a code read out over the telephone or copied by hand stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12  # 31**12 ≈ 7.9e17 (59 bits): not guessable, even without the rate limit


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What a constituent types: any case, with spaces or dashes."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:32]


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def sms_constituent(opinion: Opinion, what: str) -> None:
    """Tell the constituent, if they left a mobile number, once the change is committed (a
    rolled-back change sends nothing). The text carries no content, only the code."""
    phone = opinion.contact_phone
    if not phone:
        return
    text = (
        f"【智慧人大】您反映的社情民意（查询码{opinion.formatted_code}）有新进展：{what}。"
        "请凭查询码在人大之家查看。"
    )
    transaction.on_commit(lambda: sms_backend().send(mobile=phone, text=text))


def assignment_due(intake: dt.datetime) -> dt.datetime:
    """交办 within N (calendar) days of intake, to the end of that day: the first deadline of
    every opinion."""
    day = timezone.localdate(intake) + dt.timedelta(days=rules().assign_within_days)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def submit_opinion(
    *,
    actor: Any,
    station: Station | None,
    source: str,
    category: str,
    content: str,
    location: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    attachments: Sequence[Any] = (),
    form_token: str | None = None,
    reception: Reception | None = None,
    created_at: dt.datetime | None = None,
) -> tuple[Opinion, bool]:
    """Collect one opinion; returns (opinion, created). With a ``form_token`` it is
    idempotent: the same form posted twice (double click, retry after a lost answer) returns
    the first opinion and its tracking code, and creates nothing. The caller acknowledges the
    opinion only after this returns, i.e. after the row is committed."""
    if form_token:
        existing = Opinion.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, False
    if source not in Opinion.Source.values:
        raise ValidationError({"source": "来源不正确"})
    if station is not None and not station.is_active:
        raise ValidationError({"station": "该站点已停用，请选择其他站点"})
    if category not in Category.values:
        raise ValidationError({"category": "请选择类别"})
    content = _clean_content(content, "content")
    name, phone = _clean_contact(contact_name, contact_phone)
    check_files(attachments, field="attachments")
    opinion = Opinion(
        tracking_code=new_tracking_code(),
        form_token=form_token or None,
        station=station,
        source=source,
        reception=reception,
        category=category,
        content=content,
        location=strip_markup(location or "").strip()[:200],
        contact_name=name,
        contact_phone=phone,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    opinion.due_at = assignment_due(created_at or timezone.now())
    opinion.full_clean(exclude=["contact_phone_index", "form_token"])
    try:
        with transaction.atomic():  # a savepoint: a lost race on the token is not an error
            opinion.save()
    except IntegrityError:
        if form_token:
            existing = Opinion.objects.filter(form_token=form_token).first()
            if existing is not None:
                return existing, False
        raise
    if created_at is not None:
        # Back-dated intake (a paper register typed in later, the demo year): keep the date.
        Opinion.objects.filter(pk=opinion.pk).update(created_at=created_at)
        opinion.created_at = created_at
    for uploaded in attachments:
        OpinionAttachment.objects.create(
            opinion=opinion, file=uploaded, name=uploaded.name[:200], size=uploaded.size
        )
    audit.record(
        actor=actor,
        action="opinion.submit",
        target=opinion,
        details={"source": source, "station": station.pk if station else None},
    )
    sms_constituent(opinion, "已收到")
    return opinion, True


def _require_worker(actor: Any, opinion: Opinion) -> None:
    if actor is not None and not can_work_on_opinion(actor, opinion):
        raise PermissionDenied("您无权处理该意见。")


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().get(pk=opinion.pk)


def _refresh(opinion: Opinion, locked: Opinion) -> Opinion:
    """Bring the caller's instance up to date (side effects of a step may have written
    fields on their own copy of the row)."""
    fresh = Opinion.objects.get(pk=locked.pk)
    for f in Opinion._meta.concrete_fields:
        setattr(opinion, f.attname, getattr(fresh, f.attname))
    return opinion


@transaction.atomic
def assign_opinion(
    *,
    actor: Any,
    opinion: Opinion,
    unit: Organization,
    is_complex: bool = False,
    note: str = "",
    expected_state: str | None = None,
) -> Opinion:
    """交办 to a handling unit: it must reply within 5 working days (10 if complex)."""
    _require_worker(actor, opinion)
    if not unit.is_handling_unit or not unit.is_active:
        raise ValidationError({"unit": f"{unit.name} 不是在用的承办单位"})
    locked = _locked(opinion)
    if locked.state not in TRIAGE:
        raise ValidationError(f"当前状态为“{locked.get_state_display()}”，不能交办")
    locked.unit = unit
    locked.is_complex = is_complex
    locked.assigned_at = timezone.now()
    locked.save(update_fields=["unit", "is_complex", "assigned_at", "updated_at"])
    apply_transition(
        actor=actor,
        obj=locked,
        transition="assign_complex" if is_complex else "assign",
        note=note or f"交办{unit.name}",
        expected_state=expected_state,
    )
    return _refresh(opinion, locked)


def _answer(
    actor: Any,
    opinion: Opinion,
    transition: str,
    reply: str,
    reply_class: str,
    expected_state: str | None,
) -> Opinion:
    if reply_class not in Opinion.ReplyClass.values:
        raise ValidationError({"reply_class": "请选择答复类别"})
    reply = strip_markup(reply or "").strip()
    if len(reply) < 5:
        raise ValidationError({"reply": "请填写答复内容（至少5个字）"})
    locked = _locked(opinion)
    apply_transition(
        actor=actor, obj=locked, transition=transition, note=reply, expected_state=expected_state
    )
    locked.reply = reply
    locked.reply_class = reply_class
    locked.replied_at = timezone.now()
    locked.save(update_fields=["reply", "reply_class", "replied_at", "updated_at"])
    return _refresh(opinion, locked)


@transaction.atomic
def reply_opinion(
    *,
    actor: Any,
    opinion: Opinion,
    reply: str,
    reply_class: str,
    expected_state: str | None = None,
) -> Opinion:
    """答复 by the handling unit; the constituent sees it on the tracking page at once and is
    told by SMS, and can rate it."""
    if actor is not None and not is_officer_of_unit(actor, opinion.unit_id):
        raise PermissionDenied("只有承办单位可以答复。")
    return _answer(actor, opinion, "reply", reply, reply_class, expected_state)


@transaction.atomic
def answer_opinion(
    *,
    actor: Any,
    opinion: Opinion,
    reply: str,
    reply_class: str,
    expected_state: str | None = None,
) -> Opinion:
    """当场答复 by the station (deputy or clerk answered the constituent on the spot)."""
    _require_worker(actor, opinion)
    return _answer(actor, opinion, "answer", reply, reply_class, expected_state)


@transaction.atomic
def convert_opinion(
    *,
    actor: Any,
    opinion: Opinion,
    deputy: Deputy,
    suggestion_id: int | None = None,
    note: str = "",
    expected_state: str | None = None,
) -> Opinion:
    """转为代表建议: a deputy takes the opinion up as a suggestion (建议). The suggestion is
    written by the deputy in the suggestions module; its id links the two (``link_suggestion``
    sets it later if it is not known yet)."""
    _require_worker(actor, opinion)
    if deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": f"{deputy.name} 不是在任代表"})
    locked = _locked(opinion)
    locked.converted_deputy = deputy
    locked.suggestion_id = suggestion_id
    locked.save(update_fields=["converted_deputy", "suggestion_id", "updated_at"])
    apply_transition(
        actor=actor,
        obj=locked,
        transition="convert",
        note=note or f"由{deputy.name}代表转为建议",
        expected_state=expected_state,
    )
    return _refresh(opinion, locked)


@transaction.atomic
def link_suggestion(*, actor: Any, opinion: Opinion, suggestion_id: int) -> Opinion:
    """Record the suggestion an opinion became (called by the suggestions module when a deputy
    creates a suggestion from a converted opinion, or by staff)."""
    if opinion.state != "converted":
        raise ValidationError("只有已转为代表建议的意见可以关联建议")
    opinion.suggestion_id = suggestion_id
    opinion.save(update_fields=["suggestion_id", "updated_at"])
    audit.record(
        actor=actor,
        action="opinion.link_suggestion",
        target=opinion,
        details={"suggestion": suggestion_id},
    )
    return opinion


@transaction.atomic
def rate_opinion(
    *,
    actor: Any,
    opinion: Opinion,
    rating: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Opinion:
    """评价 by the constituent (tracking page) or recorded by the station (回访). Dissatisfied
    reopens the opinion for re-handling."""
    transition = RATING_TRANSITIONS.get(rating)
    if transition is None:
        raise ValidationError({"rating": "请选择满意、基本满意或不满意"})
    comment = strip_markup(comment or "").strip()[:500]
    if rating == Opinion.Rating.DISSATISFIED and not comment:
        raise ValidationError({"comment": "请简要说明不满意的原因，便于重新办理"})
    locked = _locked(opinion)
    apply_transition(
        actor=actor,
        obj=locked,
        transition=transition,
        note=comment,
        expected_state=expected_state,
    )
    locked.rating = rating
    locked.rating_comment = comment
    locked.rated_at = timezone.now()
    fields = ["rating", "rating_comment", "rated_at", "updated_at"]
    if rating == Opinion.Rating.DISSATISFIED:
        locked.reopen_count += 1
        fields.append("reopen_count")
    locked.save(update_fields=fields)
    return _refresh(opinion, locked)


@transaction.atomic
def take_step(
    *, actor: Any, opinion: Opinion, transition: str, note: str = "", expected_state: str | None
) -> Opinion:
    """A plain step (reject, return, relay, feedback, close): only a note."""
    from .workflows import BUTTON_TRANSITIONS

    if transition not in BUTTON_TRANSITIONS:
        raise ValidationError("该操作须通过对应的表单办理")
    locked = _locked(opinion)
    apply_transition(
        actor=actor, obj=locked, transition=transition, note=note, expected_state=expected_state
    )
    return _refresh(opinion, locked)


def remind_overdue_opinions(*, now: dt.datetime | None = None) -> int:
    """催办: once a day, tell the handling unit (and the station) about each overdue opinion.
    Returns how many opinions were reminded. Run by Huey (tasks.py)."""
    from renda.accounts.models import User
    from renda.core.notifications import notify
    from renda.core.workflow import overdue_q

    from .permissions import station_staff
    from .workflows import OPINION

    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = (
        Opinion.objects.filter(overdue_q(OPINION, now))
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .select_related("unit")
    )
    count = 0
    for opinion in overdue.iterator(chunk_size=500):
        with transaction.atomic():
            recipients: list[Any] = list(station_staff(opinion.station_id))
            if opinion.state == "assigned" and opinion.unit_id:
                recipients += list(
                    User.objects.filter(
                        role=Role.HANDLING_OFFICER,
                        organization_id=opinion.unit_id,
                        is_active=True,
                    )
                )
            notify(
                actor=None,
                recipients=recipients,
                title=f"社情民意{opinion.formatted_code}已逾期（{opinion.get_state_display()}）",
                url=f"/stations/opinions/{opinion.pk}/",
            )
            Opinion.objects.filter(pk=opinion.pk).update(reminded_on=today)
            count += 1
    return count

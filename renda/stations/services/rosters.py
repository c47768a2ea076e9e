"""On-duty rosters: reception days (接待日), rotation (轮值), publishing, and the deputy's
check-in and check-out, which puts a completed duty into the deputy's duty record (履职档案)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.deputies.models import Deputy, DutyRecord
from renda.deputies.services import record_duty
from renda.lib.richtext import strip_markup

from ..members import station_id_of
from ..models import DutyAssignment, DutySlot, Station
from ..permissions import require_station_worker
from ..rules import rules


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
        if station_id_of(deputy) != station.pk:
            raise ValidationError({"deputies": f"{deputy.name} 不是本站点的进站代表"})


@transaction.atomic
def create_slot(
    *,
    actor: User | None,
    station: Station,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    deputies: Sequence[Deputy],
    place: str = "",
    topic: str = "",
) -> DutySlot:
    """A reception day with the deputies on duty (not yet announced)."""
    require_station_worker(actor, station)
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
def publish_slot(*, actor: User | None, slot: DutySlot, today: dt.date | None = None) -> DutySlot:
    """公告: the reception day appears on the portal. The notice must go up at least
    ``publish_days_ahead`` days before the day (constituents need time to come)."""
    require_station_worker(actor, slot.station)
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
def cancel_slot(*, actor: User | None, slot: DutySlot, reason: str) -> DutySlot:
    require_station_worker(actor, slot.station)
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
    deputies = Deputy.objects.filter(
        station_member__station=station, status=Deputy.Status.ACTIVE
    ).annotate(
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
    actor: User | None,
    station: Station,
    dates: Sequence[dt.date],
    start_time: dt.time,
    end_time: dt.time,
    per_slot: int = 2,
    topic: str = "",
) -> list[DutySlot]:
    """Create a slot on each date with ``per_slot`` deputies taken in turn, so that over the
    year every deputy of the station is on duty about equally often."""
    require_station_worker(actor, station)
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


def _my_assignment_check(actor: User | None, assignment: DutyAssignment) -> None:
    deputy_id = getattr(getattr(actor, "deputy", None), "pk", None)
    if actor is not None and deputy_id != assignment.deputy_id:
        raise PermissionDenied("只有值班代表本人可以签到、签退。")
    if assignment.slot.status == DutySlot.Status.CANCELLED:
        raise ValidationError("该接待日已取消")


@transaction.atomic
def check_in(
    *, actor: User | None, assignment: DutyAssignment, now: dt.datetime | None = None
) -> DutyAssignment:
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


def _complete(actor: User | None, assignment: DutyAssignment) -> DutyRecord:
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
    *, actor: User | None, assignment: DutyAssignment, now: dt.datetime | None = None
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
def confirm_attendance(*, actor: User | None, assignment: DutyAssignment) -> DutyAssignment:
    """补登: the clerk confirms a deputy who was on duty but did not check in on a phone,
    after the day (the sign-in sheet is the evidence)."""
    assignment = (
        DutyAssignment.objects.select_for_update()
        .select_related("slot", "slot__station", "deputy")
        .get(pk=assignment.pk)
    )
    require_station_worker(actor, assignment.slot.station)
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

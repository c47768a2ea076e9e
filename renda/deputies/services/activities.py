"""代表小组活动 (issue 15, item 6): staff create a 视察, 调研 or 专题活动 for a delegation or for
invited deputies; deputies sign up on the phone; after the activity staff record who came, who
was on leave and who was absent, and that attendance becomes duty records, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from renda.accounts.models import User
from renda.core import audit
from renda.core.roles import Role, has_role

from ..models import ActivityParticipant, Delegation, Deputy, DutyRecord, GroupActivity, Term
from ..permissions import linked_deputy
from .duty import record_duty

Attendance = ActivityParticipant.Attendance

# What attending each kind of activity counts as in the duty record.
PRESENT_KINDS = {
    GroupActivity.Kind.INSPECTION: DutyRecord.Kind.INSPECTION,
    GroupActivity.Kind.RESEARCH: DutyRecord.Kind.RESEARCH,
    GroupActivity.Kind.THEMED: DutyRecord.Kind.GROUP_ACTIVITY,
}
OTHER_KINDS = {
    Attendance.LEAVE: DutyRecord.Kind.ACTIVITY_LEAVE,
    Attendance.ABSENT: DutyRecord.Kind.ACTIVITY_ABSENCE,
}


def _require_staff(actor: User | None) -> None:
    if not has_role(actor, Role.STAFF):
        raise PermissionDenied("只有人大机关工作人员可以安排活动和登记出勤。")


def _check_new_activity(
    *,
    term: Term,
    title: str,
    place: str,
    starts_at: dt.datetime,
    delegation: Delegation | None,
    invitees: list[Deputy],
    open_signup: bool,
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写活动名称。"
    if not place.strip():
        errors["place"] = "请填写活动地点。"
    if timezone.is_naive(starts_at):
        errors["starts_at"] = "开始时间须带时区。"
    if delegation is not None and delegation.term_id != term.pk:
        errors["delegation"] = "代表团（组）不属于该届。"
    strangers = [d.name for d in invitees if d.term_id != term.pk or d.status != "active"]
    if strangers:
        errors["invitees"] = f"只能邀请本届在任代表：{'、'.join(strangers)}。"
    if delegation is None and not invitees and not open_signup:
        errors["delegation"] = "请选择代表团（组），或邀请代表，或向本届代表开放报名。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_activity(
    *,
    actor: User,
    term: Term,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    place: str,
    description: str = "",
    delegation: Delegation | None = None,
    invitees: Iterable[Deputy] = (),
    open_signup: bool = False,
    capacity: int | None = None,
) -> GroupActivity:
    """The roster is fixed now: the serving members of the delegation and the invitees.
    With `open_signup` any serving deputy of the term may also sign up."""
    _require_staff(actor)
    guests = list(invitees)
    _check_new_activity(
        term=term,
        title=title,
        place=place,
        starts_at=starts_at,
        delegation=delegation,
        invitees=guests,
        open_signup=open_signup,
    )
    activity = GroupActivity(
        term=term,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        description=description.strip(),
        delegation=delegation,
        open_signup=open_signup,
        capacity=capacity,
        created_by=actor,
    )
    activity.full_clean()
    activity.save()
    roster: dict[int, Deputy] = {d.pk: d for d in guests}
    if delegation is not None:
        members = Deputy.objects.filter(delegation=delegation, status=Deputy.Status.ACTIVE)
        roster.update({d.pk: d for d in members})
    ActivityParticipant.objects.bulk_create(
        ActivityParticipant(activity=activity, deputy=d, invited=True) for d in roster.values()
    )
    audit.record(
        actor=actor,
        action="activity.create",
        target=activity,
        details={"kind": kind, "count": len(roster)},
    )
    return activity


def _acting_deputy(actor: User | None) -> Deputy:
    deputy = linked_deputy(actor) if actor is not None and has_role(actor, Role.DEPUTY) else None
    if deputy is None:
        raise PermissionDenied("只有代表本人可以报名。")
    return deputy


def _lock_open(activity: GroupActivity) -> GroupActivity:
    locked = GroupActivity.objects.select_for_update().get(pk=activity.pk)
    if locked.attendance_recorded_at is not None or locked.starts_at <= timezone.now():
        raise ValidationError("活动已开始，报名已截止。")
    return locked


@transaction.atomic
def sign_up(*, actor: User, activity: GroupActivity) -> ActivityParticipant:
    """A deputy signs up (报名). Signing up twice is one sign-up."""
    deputy = _acting_deputy(actor)
    locked = _lock_open(activity)
    row = ActivityParticipant.objects.filter(activity=locked, deputy=deputy).first()
    if row is not None and row.signed_up_at is not None:
        return row
    if row is None and not (
        locked.open_signup and deputy.term_id == locked.term_id and deputy.status == "active"
    ):
        raise ValidationError("您不在本次活动的邀请范围内。")
    if locked.capacity is not None:
        taken = locked.participants.exclude(signed_up_at=None).count()
        if taken >= locked.capacity:
            raise ValidationError(f"报名人数已满（名额 {locked.capacity} 人）。")
    if row is None:
        row = ActivityParticipant(activity=locked, deputy=deputy)
    row.signed_up_at = timezone.now()
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="activity.sign_up", target=locked, details={})
    return row


@transaction.atomic
def cancel_sign_up(*, actor: User, activity: GroupActivity) -> None:
    """Withdraw a sign-up before the activity starts. An invitee stays on the roster (staff
    will still record them); someone who only signed up leaves it."""
    deputy = _acting_deputy(actor)
    locked = _lock_open(activity)
    row = ActivityParticipant.objects.filter(activity=locked, deputy=deputy).first()
    if row is None or row.signed_up_at is None:
        raise ValidationError("您尚未报名本次活动。")
    if row.invited:
        row.signed_up_at = None
        row.save(update_fields=["signed_up_at"])
    else:
        row.delete()
    audit.record(actor=actor, action="activity.cancel_sign_up", target=locked, details={})


def _check_attendance(
    rows: list[ActivityParticipant], attendance: Mapping[int, str]
) -> dict[int, str]:
    wanted = {Attendance.PRESENT, Attendance.LEAVE, Attendance.ABSENT}
    missing = [r.deputy.name for r in rows if attendance.get(r.deputy_id) not in wanted]
    if missing:
        raise ValidationError(f"请为每位代表选择出席、请假或缺席：{'、'.join(missing)}。")
    strangers = set(attendance) - {r.deputy_id for r in rows}
    if strangers:
        raise ValidationError("出勤名单中有不在本次活动名单内的代表。")
    return {r.deputy_id: attendance[r.deputy_id] for r in rows}


@transaction.atomic
def record_attendance(
    *,
    actor: User,
    activity: GroupActivity,
    attendance: Mapping[int, str],
    notes: Mapping[int, str] | None = None,
) -> int:
    """After the activity, staff record every roster deputy as present, on leave or absent
    (`attendance` by deputy id). Each becomes one duty record: the activity's own kind
    (视察 / 专题调研 / 代表小组活动) for those present, 请假 or 缺席 for the others. Attendance
    is fixed once recorded: the same list again writes nothing, a different one is refused.
    Returns the number of duty records the activity has."""
    _require_staff(actor)
    locked = GroupActivity.objects.select_for_update().get(pk=activity.pk)
    if locked.starts_at > timezone.now():
        raise ValidationError("活动尚未开始，不能登记出勤。")
    rows = list(locked.participants.select_related("deputy"))
    if not rows:
        raise ValidationError("本次活动名单为空，没有可登记的出勤。")
    states = _check_attendance(rows, attendance)
    if locked.attendance_recorded_at is not None:
        if all(r.attendance == states[r.deputy_id] for r in rows):
            return len(rows)
        raise ValidationError("出勤已登记并记入履职档案，不能修改。")
    notes = notes or {}
    for row in rows:
        row.attendance = states[row.deputy_id]
        row.note = notes.get(row.deputy_id, "").strip()[:200]
    ActivityParticipant.objects.bulk_update(rows, ["attendance", "note"])
    locked.attendance_recorded_at = timezone.now()
    locked.attendance_recorded_by = actor
    locked.save(update_fields=["attendance_recorded_at", "attendance_recorded_by", "updated_at"])
    day = timezone.localtime(locked.starts_at).date()
    label = {"present": "参加", "leave": "请假未参加", "absent": "缺席"}
    for row in rows:
        state = row.attendance
        if state == Attendance.PRESENT:
            kind = PRESENT_KINDS[GroupActivity.Kind(locked.kind)]
        else:
            kind = OTHER_KINDS[Attendance(state)]
        record_duty(
            actor=actor,
            deputy=row.deputy,
            kind=kind,
            occurred_on=day,
            title=f"{label[state]}{locked.get_kind_display()}：{locked.title}",
            details=f"{locked.place}" + (f"；{row.note}" if row.note else ""),
            source=locked,
        )
    counts = {s: sum(1 for r in rows if r.attendance == s) for s in label}
    audit.record(actor=actor, action="activity.attendance", target=locked, details=counts)
    return len(rows)

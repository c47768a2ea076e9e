"""Meetings and their agenda: create a meeting with its members from the registry, invite
列席 members, put items on the agenda (the ONE way other apps do it), record outcomes, open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError, Q, QuerySet
from django.utils import timezone

from renda.core import audit
from renda.core.models import Organization
from renda.core.sources import Source, forget_target, link_source, targets_of
from renda.core.workflow import apply_transition
from renda.deputies.models import Deputy, Level, Membership, Term

from ..models import AgendaItem, Meeting, MeetingMember
from ..permissions import require_manager, require_staff
from ..rules import CHAIR_ROLES, KIND_RULES, Kind

CLOSED = "closed"


def _aware(value: dt.datetime, field: str) -> None:
    if timezone.is_naive(value):
        raise ValidationError({field: "时间须带时区。"})


def members_from_registry(*, kind: str, term: Term, day: dt.date) -> QuerySet[Deputy]:
    """Who must attend (出席) a meeting of `kind` of `term` held on `day`: every serving
    deputy for a congress session; the standing committee's members on that day (their
    dated memberships in the congress's 常委会) for a 常委会会议; its 主任、副主任、秘书长 for
    a 主任会议."""
    serving = Deputy.objects.filter(term=term, status=Deputy.Status.ACTIVE)
    rule = KIND_RULES[kind]
    if rule.members == "deputies":
        return serving
    seats = Membership.objects.filter(
        organization__kind=Organization.Kind.STANDING_COMMITTEE,
        organization__parent_id=term.congress_id,
        start_date__lte=day,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
    if rule.members == "chairs":
        seats = seats.filter(role__in=CHAIR_ROLES)
    return serving.filter(pk__in=seats.values("deputy_id"))


def _check_meeting(meeting: Meeting) -> None:
    errors: dict[str, str] = {}
    if meeting.kind not in Kind.values:
        errors["kind"] = "请选择会议类别。"
    elif KIND_RULES[meeting.kind].city_only and meeting.term.level != Level.CITY:
        errors["kind"] = "乡镇人民代表大会不设常务委员会，不能召开常委会会议或主任会议。"
    if meeting.end_at < meeting.start_at:
        errors["end_at"] = "结束时间不能早于开始时间。"
    if (
        Meeting.objects.filter(term=meeting.term, kind=meeting.kind, number=meeting.number)
        .exclude(pk=meeting.pk)
        .exists()
    ):
        errors["number"] = f"本届已有第{meeting.number}次{meeting.get_kind_display()}。"
    if meeting.motion_deadline is not None and meeting.kind != Kind.CONGRESS:
        errors["motion_deadline"] = "只有人民代表大会会议设议案截止时间。"
    if errors:
        raise ValidationError(errors)


def default_title(*, kind: str, term: Term, number: int) -> str:
    if kind == Kind.CONGRESS:
        return f"{term.congress.name}第{term.number}届第{number}次会议"
    label = "常务委员会" if kind == Kind.STANDING else "常务委员会主任会议"
    name = term.congress.name.removesuffix("人民代表大会")
    return f"{name}第{term.number}届人大{label}第{number}次会议"


@transaction.atomic
def create_meeting(
    *,
    actor: Any,
    kind: str,
    term: Term,
    number: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    venue: str,
    title: str = "",
    motion_deadline: dt.datetime | None = None,
) -> Meeting:
    """A draft meeting with its members (出席) taken from the registry on the meeting day."""
    require_manager(actor)
    _aware(start_at, "start_at")
    _aware(end_at, "end_at")
    if motion_deadline is not None:
        _aware(motion_deadline, "motion_deadline")
    rule = KIND_RULES.get(kind)
    meeting = Meeting(
        kind=kind,
        term=term,
        number=number,
        title=title.strip() or default_title(kind=kind, term=term, number=number),
        start_at=start_at,
        end_at=end_at,
        venue=venue.strip(),
        motion_deadline=motion_deadline,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_meeting(meeting)
    assert rule is not None
    meeting.quorum = rule.quorum
    meeting.checkin_before_minutes = int(rule.checkin_before.total_seconds() // 60)
    meeting.checkin_after_minutes = int(rule.checkin_after.total_seconds() // 60)
    meeting.full_clean()
    meeting.save()
    day = timezone.localtime(start_at).date()
    deputies = list(
        members_from_registry(kind=kind, term=term, day=day).values_list("pk", flat=True)
    )
    if not deputies and kind != Kind.CONGRESS:
        raise ValidationError(
            {"kind": "该届没有应出席这一会议的人员（常委会会议须先登记常委会组成人员）。"}
        )
    MeetingMember.objects.bulk_create(
        [MeetingMember(meeting=meeting, deputy_id=pk) for pk in deputies]
    )
    audit.record(
        actor=actor,
        action="meeting.create",
        target=meeting,
        details={"kind": kind, "members": len(deputies)},
    )
    return meeting


def _locked_open(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.state == CLOSED:
        raise ValidationError("会议已闭会，不能再修改。")
    return locked


@transaction.atomic
def invite_member(*, actor: Any, meeting: Meeting, deputy: Deputy) -> MeetingMember:
    """Add a 列席 member. A deputy already on the list is refused."""
    require_manager(actor)
    locked = _locked_open(meeting)
    if MeetingMember.objects.filter(meeting=locked, deputy=deputy).exists():
        raise ValidationError({"deputy": f"{deputy.name}已在本次会议的人员名单中。"})
    member = MeetingMember(meeting=locked, deputy=deputy, role=MeetingMember.Role.OBSERVE)
    member.full_clean()
    member.save()
    audit.record(actor=actor, action="meeting.invite", target=locked, details={"deputy": deputy.pk})
    return member


@transaction.atomic
def put_on_agenda(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    source: Source | None,
    kind: str = AgendaItem.Kind.REVIEW,
) -> AgendaItem:
    """Put an item on `meeting`'s agenda, after the items already there. `source` names the
    item of another app it comes from (a budget alert, an inquiry, an appointment list, a
    livelihood vote); putting the same source on the same meeting again returns the item
    already there. A closed meeting takes no items."""
    require_staff(actor)
    locked = _locked_open(meeting)
    if source is not None:
        ids = targets_of(source.obj, AgendaItem)
        existing = AgendaItem.objects.filter(pk__in=ids, meeting=locked).first()
        if existing is not None:
            return existing
    title = title.strip()
    if not title:
        raise ValidationError({"title": "请填写议题。"})
    last = locked.agenda.aggregate(m=Max("order"))["m"] or 0
    item = AgendaItem(
        meeting=locked,
        order=last + 1,
        title=title[:200],
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    item.full_clean()
    item.save()
    if source is not None:
        link_source(actor=actor, source=source, target=item)
    audit.record(
        actor=actor,
        action="meeting.agenda_add",
        target=item,
        details={"meeting": locked.pk, "title": item.title},
    )
    return item


@transaction.atomic
def remove_from_agenda(*, actor: Any, item: AgendaItem) -> None:
    """Take an item off before the meeting closes, unless it has an outcome; the items after
    it move up."""
    require_manager(actor)
    locked = _locked_open(item.meeting)
    current = AgendaItem.objects.get(pk=item.pk)
    if current.outcome_kind:
        raise ValidationError("该议题已登记会议结果，不能移出议程。")
    order = current.order
    forget_target(current)
    try:
        current.delete()
    except ProtectedError:
        # Apps above keep rows on the item (documents' meeting papers): they go first.
        raise ValidationError("该议题下已有会议文件，不能移出议程。") from None
    for later in locked.agenda.filter(order__gt=order).order_by("order"):
        AgendaItem.objects.filter(pk=later.pk).update(order=later.order - 1)
    audit.record(
        actor=actor, action="meeting.agenda_remove", target=locked, details={"title": current.title}
    )


@transaction.atomic
def record_outcome(*, actor: Any, item: AgendaItem, outcome_kind: str, outcome: str) -> AgendaItem:
    """审议意见 / 决议 / 表决结果 of an item, once the meeting has started."""
    require_manager(actor)
    locked = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if locked.meeting.state not in ("in_progress", CLOSED):
        raise ValidationError("会议开始后才能登记会议结果。")
    if outcome_kind not in AgendaItem.Outcome.values or not outcome_kind:
        raise ValidationError({"outcome_kind": "请选择结果类别。"})
    if not outcome.strip():
        raise ValidationError({"outcome": "请填写会议结果。"})
    locked.outcome_kind = outcome_kind
    locked.outcome = outcome.strip()
    locked.outcome_recorded_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor, action="meeting.outcome", target=locked, details={"kind": outcome_kind}
    )
    return locked


@transaction.atomic
def record_source_outcome(*, actor: Any, item: AgendaItem, text: str) -> AgendaItem | None:
    """表决结果 of an item another app put on the agenda, written by that app when its matter is
    decided (a 票决's count, an appointment list's votes). As with `put_on_agenda`, the app
    checks its own duty before calling: the personnel committee records appointment votes
    without holding the meetings duty. Each call adds a line (a 票决 has rounds); a meeting
    that has not started yet takes no outcome, and None says so."""
    require_staff(actor)
    locked = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if locked.meeting.state not in ("in_progress", CLOSED):
        return None
    text = text.strip()
    if not text:
        raise ValidationError({"outcome": "请填写会议结果。"})
    locked.outcome_kind = AgendaItem.Outcome.VOTE
    locked.outcome = f"{locked.outcome}\n{text}" if locked.outcome else text
    locked.outcome_recorded_at = timezone.now()
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action="meeting.outcome",
        target=locked,
        details={"kind": AgendaItem.Outcome.VOTE, "from_source": True},
    )
    return locked


@transaction.atomic
def open_meeting(*, actor: Any, meeting: Meeting) -> Meeting:
    """宣布开会 (notified → in progress)."""
    require_manager(actor)
    apply_transition(actor=actor, obj=meeting, transition="open")
    return meeting

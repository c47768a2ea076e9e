"""Demo meetings for `seed_demo`: one closed 常委会会议 (held three weeks ago, signed in on
paper, outcomes recorded, attendance in the duty records) and one upcoming 人民代表大会会议
with its agenda, notified. Needs the registry (the city term and its standing committee)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from renda.core.demo_clock import simulated_clock
from renda.deputies.models import Level, Term

from . import services
from .models import Meeting

STANDING_AGENDA = (
    (
        "听取和审议市人民政府关于本年度预算执行情况的报告",
        "report",
        "opinion",
        "建议进一步压减一般性支出，加快民生项目资金拨付进度。",
    ),
    (
        "审议市人民政府关于城区老旧小区改造工作情况的报告",
        "review",
        "opinion",
        "会议同意该报告，要求按期完成年度改造任务。",
    ),
    ("表决人事任免事项", "election", "vote", "全体通过。"),
)
CONGRESS_AGENDA = (
    ("听取和审议市人民政府工作报告", "report"),
    ("审查和批准国民经济和社会发展计划执行情况与计划草案的报告", "review"),
    ("审查和批准财政预算执行情况与预算草案的报告", "review"),
    ("票决产生下一年度市级重大民生实事项目", "vote"),
    ("听取和审议市人大常委会工作报告", "report"),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _next_number(term: Term, kind: str) -> int:
    return (Meeting.objects.filter(term=term, kind=kind).aggregate(n=Max("number"))["n"] or 0) + 1


def _closed_standing_meeting(actor: Any, term: Term, today: dt.date) -> Meeting:
    start = _at(today - dt.timedelta(days=21), 9)
    with simulated_clock(start - dt.timedelta(days=5)) as clock:
        meeting = services.create_meeting(
            actor=actor,
            kind=Meeting.Kind.STANDING,
            term=term,
            number=_next_number(term, Meeting.Kind.STANDING),
            start_at=start,
            end_at=start + dt.timedelta(hours=3),
            venue="市人大常委会机关三楼会议室",
        )
        items = [
            services.put_on_agenda(
                actor=actor, meeting=meeting, title=title, kind=kind, source=None
            )
            for title, kind, _, _ in STANDING_AGENDA
        ]
        services.notify_members(actor=actor, meeting=meeting)
        clock.move_to(start - dt.timedelta(minutes=20))
        members = list(meeting.members.order_by("pk"))
        for member in members[: max(1, len(members) * 4 // 5)]:  # four in five signed in
            services.mark_paper_sign_in(actor=actor, member=member)
        clock.move_to(start)
        services.open_meeting(actor=actor, meeting=meeting)
        clock.move_to(start + dt.timedelta(hours=2))
        for item, (_, _, outcome_kind, outcome) in zip(items, STANDING_AGENDA, strict=True):
            services.record_outcome(
                actor=actor, item=item, outcome_kind=outcome_kind, outcome=outcome
            )
        clock.move_to(start + dt.timedelta(hours=3))
        services.close_meeting(actor=actor, meeting=meeting)
    return meeting


def _upcoming_congress_session(actor: Any, term: Term, today: dt.date) -> Meeting:
    start = _at(today + dt.timedelta(days=14), 9)
    meeting = services.create_meeting(
        actor=actor,
        kind=Meeting.Kind.CONGRESS,
        term=term,
        number=_next_number(term, Meeting.Kind.CONGRESS),
        start_at=start,
        end_at=_at(today + dt.timedelta(days=16), 12),
        venue="市会议中心大礼堂",
        motion_deadline=_at(today + dt.timedelta(days=15), 18),
    )
    for title, kind in CONGRESS_AGENDA:
        services.put_on_agenda(actor=actor, meeting=meeting, title=title, kind=kind, source=None)
    # The notice reaches the deputies' inboxes (the demo deputy sees it); no text messages
    # are queued for the demo's made-up numbers.
    with simulated_clock(timezone.now()):
        services.notify_members(actor=actor, meeting=meeting)
    return meeting


def seed_meetings(*, actor: Any) -> dict[str, int]:
    """Create the two demo meetings once; returns counts of what was created."""
    term = Term.objects.filter(level=Level.CITY, is_current=True).first()
    # A congress session may exist already (the suggestions demo opens one for its motions);
    # the meetings of this loader are the ones with an agenda.
    if term is None or Meeting.objects.filter(term=term, agenda__isnull=False).exists():
        return {}
    today = timezone.localdate()
    created: dict[str, int] = {}
    with transaction.atomic():
        standing = None
        if services.members_from_registry(
            kind=Meeting.Kind.STANDING, term=term, day=today - dt.timedelta(days=21)
        ).exists():
            standing = _closed_standing_meeting(actor, term, today)
        session = _upcoming_congress_session(actor, term, today)
    created["会议"] = 1 + (standing is not None)
    created["议程"] = session.agenda.count() + (standing.agenda.count() if standing else 0)
    return created

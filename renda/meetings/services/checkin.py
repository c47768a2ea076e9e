"""签到: the venue shows a QR code of a signed, expiring code bound to the meeting; a member
scans it on the phone while logged in and checks in as themselves. Staff mark paper sign-in.
A refusal writes nothing and says why in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from renda.core import audit

from ..models import CheckIn, Meeting, MeetingMember
from ..permissions import deputy_of, require_manager
from ..rules import CODE_TTL_SECONDS

OPEN_STATES = ("notified", "in_progress")


def _salt(meeting_pk: int) -> str:
    # A salt per meeting: a code signed for one meeting does not verify for another.
    return f"renda.meetings.checkin.{meeting_pk}"


def make_code(meeting: Meeting) -> str:
    """A fresh code for the venue screen (it carries its own signing time)."""
    return signing.TimestampSigner(salt=_salt(meeting.pk)).sign(str(meeting.pk))


def read_code(meeting: Meeting, code: str) -> None:
    """Refuse a code that is not this meeting's or has expired."""
    try:
        value = signing.TimestampSigner(salt=_salt(meeting.pk)).unsign(
            code.strip(), max_age=CODE_TTL_SECONDS
        )
    except signing.SignatureExpired:
        raise ValidationError("签到码已过期，请扫描会场屏幕上最新的二维码。") from None
    except signing.BadSignature:
        raise ValidationError("签到码无效，不是本次会议的签到码。") from None
    if value != str(meeting.pk):
        raise ValidationError("签到码无效，不是本次会议的签到码。")


def meeting_of_code(code: str) -> int | None:
    """The meeting a code claims to be for (unverified: `read_code` checks it)."""
    value = code.strip().split(signing.Signer().sep, 1)[0]
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else None


def window(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    return (
        meeting.start_at - dt.timedelta(minutes=meeting.checkin_before_minutes),
        meeting.start_at + dt.timedelta(minutes=meeting.checkin_after_minutes),
    )


def _check_window(meeting: Meeting, now: dt.datetime, *, paper: bool = False) -> None:
    """Inside the window around the start. Paper sheets may be entered after it closes,
    until the meeting closes."""
    if meeting.state not in OPEN_STATES:
        raise ValidationError("本次会议现在不接受签到。")
    opens, closes = window(meeting)
    if now < opens:
        raise ValidationError(
            f"签到尚未开始，{timezone.localtime(opens):%m月%d日 %H:%M} 起可以签到。"
        )
    if now > closes and not paper:
        raise ValidationError(f"签到已于 {timezone.localtime(closes):%m月%d日 %H:%M} 截止。")


def _hold_keys(actor: Any, meeting: Meeting, member: MeetingMember) -> None:
    """Key-share locks on the rows the check-in and its audit event refer to (the meeting, the
    member, the actor's account), taken before anything else.

    Django's foreign keys on PostgreSQL are checked at COMMIT (DEFERRABLE INITIALLY DEFERRED),
    and by then `audit.record` holds the audit log's append lock. Without these locks a
    check-in would wait for the meeting row while holding the append lock, and a writer that
    locks one of those rows and then audits (a member opening the notice locks the member with
    its meeting; staff inviting a member lock the meeting; approving a change to an account
    locks the account) would wait for the append lock: a deadlock, answered with a 500
    (bench/bench_meetings.py found it at 600 scans). Taken here, every writer locks rows
    first and the log last. KEY SHARE does not block other check-ins, which all take it."""
    if connection.vendor != "postgresql":
        return
    rows = [(Meeting._meta.db_table, meeting.pk), (MeetingMember._meta.db_table, member.pk)]
    if getattr(actor, "is_authenticated", False):
        # `_meta` through the instance: a view's request.user is a lazy proxy of the user.
        rows.append((actor._meta.db_table, actor.pk))
    with connection.cursor() as cursor:
        for table, pk in rows:
            name = connection.ops.quote_name(table)  # a model's table, not input
            cursor.execute(f"SELECT 1 FROM {name} WHERE id = %s FOR KEY SHARE", [pk])  # noqa: S608


def _create(
    actor: Any, meeting: Meeting, member: MeetingMember, method: str, now: dt.datetime
) -> CheckIn:
    """Insert the one check-in of `member`. Two requests at once: the one-to-one constraint
    lets one insert through and the other is refused (its savepoint rolls back)."""
    _hold_keys(actor, meeting, member)
    if CheckIn.objects.filter(member=member).exists():
        raise ValidationError("已经签到，不能重复签到。")
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(
                member=member,
                meeting=meeting,
                method=method,
                checked_in_at=now,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ValidationError("已经签到，不能重复签到。") from None
    audit.record(
        actor=actor,
        action="meeting.check_in",
        target=meeting,
        details={"deputy": member.deputy_id, "method": method},
    )
    return row


@transaction.atomic
def check_in_with_code(*, actor: Any, meeting: Meeting, code: str) -> CheckIn:
    """The logged-in member checks in for themselves with the venue code. There is no way to
    name another person: the member is the actor's own deputy record."""
    read_code(meeting, code)
    deputy = deputy_of(actor)
    member = (
        MeetingMember.objects.filter(meeting=meeting, deputy=deputy).first()
        if deputy is not None
        else None
    )
    if member is None:
        raise ValidationError("您不是本次会议的参会人员，不能签到。")
    locked = Meeting.objects.get(pk=meeting.pk)
    _check_window(locked, timezone.now())
    return _create(actor, locked, member, CheckIn.Method.CODE, timezone.now())


@transaction.atomic
def mark_paper_sign_in(*, actor: Any, member: MeetingMember) -> CheckIn:
    """Staff record a member who signed the paper sheet at the venue (actor None: the demo
    loader)."""
    require_manager(actor)
    meeting = Meeting.objects.get(pk=member.meeting_id)
    _check_window(meeting, timezone.now(), paper=True)
    return _create(actor, meeting, member, CheckIn.Method.PAPER, timezone.now())

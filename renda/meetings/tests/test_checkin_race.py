"""A check-in racing other writers of the same meeting on PostgreSQL (found by
bench/bench_meetings.py: 500s "deadlock detected" in a burst of 600 scans).

Django's foreign keys on PostgreSQL are DEFERRABLE INITIALLY DEFERRED: the CheckIn row's key
to its meeting is checked at COMMIT, after `audit.record` has taken the audit log's append
lock. A writer that locks the meeting row first and then audits — a deputy opening the notice
(`mark_notice_read` locks the member with its meeting), staff inviting a 列席 member — then
waits for the append lock while the check-in waits for the meeting row: a deadlock, one of the
two answered with a 500. Here the check-in is held right after its audit event (the append
lock taken), the other writer starts, and then the check-in goes on to commit: both must get
through."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from renda.core import audit
from renda.meetings import services
from renda.meetings.models import CheckIn, MeetingMember

from .factories import a_deputy, deputy_user, make_meeting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(world: Any) -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    me = a_deputy(world, user=world.deputy, name="李明")
    other = a_deputy(world, user=deputy_user(world, "wang"), name="王芳")
    guest = a_deputy(world, name="钱进")
    meeting = make_meeting(world, start_at=timezone.now() + dt.timedelta(minutes=10))
    MeetingMember.objects.filter(meeting=meeting, deputy=guest).delete()
    services.notify_members(actor=world.staff, meeting=meeting)
    return meeting, me, other, guest


def race(
    monkeypatch: pytest.MonkeyPatch, check_in: Callable[[], Any], other: Callable[[], Any]
) -> dict[str, str]:
    """Run `check_in` until its audit event is written, start `other`, let `other` reach its
    lock wait, then let the check-in commit. Returns what each one ended with."""
    original = audit.record
    audited = threading.Event()
    go_on = threading.Event()

    def record(**kwargs: Any) -> Any:
        event = original(**kwargs)
        if kwargs["action"] == "meeting.check_in":
            audited.set()
            go_on.wait(10)
        return event

    monkeypatch.setattr(audit, "record", record)
    outcome: dict[str, str] = {}

    def run(name: str, call: Callable[[], Any]) -> None:
        try:
            call()
            outcome[name] = "ok"
        except Exception as error:  # the deadlock victim's OperationalError
            outcome[name] = f"{type(error).__name__}: {error}".splitlines()[0]
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("check_in", check_in))
    first.start()
    assert audited.wait(10), "the check-in never reached its audit event"
    second = threading.Thread(target=run, args=("other", other))
    second.start()
    time.sleep(0.5)  # `other` takes its row locks and waits for the append lock
    go_on.set()
    first.join(15)
    second.join(15)
    return outcome


def test_check_in_and_a_deputy_opening_the_notice(
    world: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, me, other, _ = setup
    code = services.make_code(meeting)
    theirs = MeetingMember.objects.get(meeting=meeting, deputy=other)
    outcome = race(
        monkeypatch,
        lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code),
        lambda: services.mark_notice_read(actor=other.user, member=theirs),
    )
    assert outcome == {"check_in": "ok", "other": "ok"}
    assert CheckIn.objects.filter(member__deputy=me).count() == 1
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_check_in_and_staff_inviting_a_member(
    world: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, me, _, guest = setup
    code = services.make_code(meeting)
    outcome = race(
        monkeypatch,
        lambda: services.check_in_with_code(actor=world.deputy, meeting=meeting, code=code),
        lambda: services.invite_member(actor=world.staff, meeting=meeting, deputy=guest),
    )
    assert outcome == {"check_in": "ok", "other": "ok"}
    assert CheckIn.objects.filter(member__deputy=me).count() == 1
    assert MeetingMember.objects.filter(meeting=meeting, deputy=guest).exists()


def test_paper_sign_in_and_a_deputy_opening_the_notice(
    world: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting, me, other, _ = setup
    mine = MeetingMember.objects.get(meeting=meeting, deputy=me)
    theirs = MeetingMember.objects.get(meeting=meeting, deputy=other)
    outcome = race(
        monkeypatch,
        lambda: services.mark_paper_sign_in(actor=world.staff, member=mine),
        lambda: services.mark_notice_read(actor=other.user, member=theirs),
    )
    assert outcome == {"check_in": "ok", "other": "ok"}
    assert CheckIn.objects.filter(member=mine, method="paper").count() == 1

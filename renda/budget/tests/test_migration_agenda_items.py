"""Migrations 0014–0015: an alert's agenda title, time and proposer become an item of a
standing-committee meeting, linked to the alert — the first meeting not closed that starts on
or after the proposal, else a draft meeting made for the purpose the month after (with the
standing committee's members), which later proposals join; the item keeps who proposed it and
when. Going back fills the three fields from the items again and keeps the items; going
forward again adds nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from renda.budget.selectors.agenda import items_of
from renda.budget.services import agenda
from renda.budget.tests.alert_data import make_alert
from renda.core.sources import sources_of
from renda.meetings import services as meetings
from renda.meetings.models import AgendaItem, Meeting
from renda.meetings.tests.factories import a_deputy, make_meeting, seat_on_committee

BEFORE = [("budget", "0013_payment_list_index")]
AFTER = [("budget", "0015_remove_alert_agenda_fields")]
ZONE = ZoneInfo("Asia/Shanghai")
PENDING = "常委会会议（待定，由预警提请事项迁移）"


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_schema() -> Any:
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=ZONE)


def _standing(world: Any, start: dt.datetime) -> Meeting:
    return make_meeting(world, kind=Meeting.Kind.STANDING, start_at=start)


def _propose(apps: Any, alert: Any, title: str, when: dt.datetime, by: Any) -> None:
    apps.get_model("budget", "Alert").objects.filter(pk=alert.pk).update(
        agenda_title=title, agenda_at=when, agenda_by_id=by.pk
    )


@pytest.mark.django_db(transaction=True)
def test_each_proposed_alert_becomes_an_item_of_a_standing_committee_meeting(
    world: Any,
) -> None:
    for name in ("常委甲", "常委乙"):
        seat_on_committee(world, a_deputy(world, name=name))
    shut = _standing(world, at(3, 5, 9))
    meetings.notify_members(actor=world.staff, meeting=shut)
    meetings.open_meeting(actor=world.staff, meeting=shut)
    meetings.close_meeting(actor=world.staff, meeting=shut)
    march = _standing(world, at(3, 10, 9))
    first, second, third, untouched = (make_alert(world) for _ in range(4))
    old = _migrate(BEFORE)
    _propose(old, first, "关于大额支付的审议", at(3, 2), world.staff)
    _propose(old, second, "关于三公经费的审议", at(4, 15), world.staff)
    _propose(old, third, "关于结转资金的审议", at(4, 20), world.staff)

    _migrate(AFTER)
    [item] = items_of(first)
    assert item.meeting_id == march.pk  # the closed one of 3-5 is passed over
    assert (item.title, item.created_by_id, item.created_at) == (
        "关于大额支付的审议",
        world.staff.pk,
        at(3, 2),
    )
    [link] = sources_of(item)
    assert first.rule.code in link.label and link.url.endswith(f"/alerts/{first.pk}/")
    assert link.created_at == at(3, 2)
    [later] = items_of(second)
    [joined] = items_of(third)
    pending = later.meeting
    assert joined.meeting_id == pending.pk and (later.order, joined.order) == (1, 2)
    assert (pending.title, pending.kind, pending.state) == (PENDING, "standing", "draft")
    assert pending.start_at == dt.datetime(2026, 5, 1, 9, tzinfo=ZONE)
    assert pending.members.count() == 2
    assert items_of(untouched) == []
    assert AgendaItem.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_going_back_fills_the_fields_from_the_items_and_forward_again_adds_nothing(
    world: Any,
) -> None:
    seat_on_committee(world, a_deputy(world, name="常委甲"))
    meeting = _standing(world, at(6, 1, 9))
    migrated, recorded, removed = (make_alert(world) for _ in range(3))
    old = _migrate(BEFORE)
    _propose(old, migrated, "迁移来的事项", at(5, 20), world.staff)
    _migrate(AFTER)
    # After the move: one put on two meetings (the latest speaks for it), one taken off.
    agenda.put_on_agenda(actor=world.staff, source=recorded, meeting=meeting, title="先提请")
    later = _standing(world, at(7, 1, 9))
    agenda.put_on_agenda(actor=world.staff, source=recorded, meeting=later, title="再提请")
    item = agenda.put_on_agenda(actor=world.staff, source=removed, meeting=meeting, title="撤回")
    agenda.remove_from_agenda(actor=world.staff, source=removed, item=item, reason="撤回")

    old = _migrate(BEFORE)
    rows = {
        a.pk: (a.agenda_title, a.agenda_at, a.agenda_by_id)
        for a in old.get_model("budget", "Alert").objects.all()
    }
    assert rows[migrated.pk] == ("迁移来的事项", at(5, 20), world.staff.pk)
    assert rows[recorded.pk][0] == "再提请" and rows[recorded.pk][2] == world.staff.pk
    assert rows[removed.pk] == ("", None, None)
    assert AgendaItem.objects.count() == 3  # nothing recorded since is lost

    _migrate(AFTER)
    assert AgendaItem.objects.count() == 3
    assert [i.title for i in items_of(migrated)] == ["迁移来的事项"]

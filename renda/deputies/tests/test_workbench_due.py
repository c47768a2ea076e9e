"""Deputies on the 待办 list: the deputy's coming 述职 (and one past without its report) and
group activities signed up for or invited to; only the deputy's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from renda.deputies.services import activities, reporting, update_deputy
from renda.deputies.workbench import due

from .factories import make_deputy, make_id_number
from .reporting_factories import make_activity, make_assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(world: Any) -> Any:
    deputy = make_deputy(world, name="李明", id_number=make_id_number(serial=901))
    return update_deputy(actor=None, deputy=deputy, user=world.deputy)


def test_reporting_due_until_it_is_done(world: Any, me: Any, today: dt.date) -> None:
    other = make_deputy(world, name="王芳", id_number=make_id_number(serial=902))
    a = make_assignment(world, me, on=today + dt.timedelta(days=7))
    make_assignment(world, other, on=today + dt.timedelta(days=7))
    [item] = due(world.deputy)
    assert (item.kind, item.due) == ("述职", a.scheduled_on)
    assert item.title == "代表述职：向冷水江街道第三选区选民代表述职"
    assert "请提交述职报告" in item.note
    assert item.url == f"/deputies/reporting/items/{a.pk}/"
    reporting.submit_report(actor=world.deputy, assignment=a, text="一年来履职情况……")
    assert "述职报告已提交" in due(world.deputy)[0].note
    # Staff see the deputy's items nowhere on their own list.
    assert due(world.staff) == []


def test_a_past_reporting_without_its_report_stays_due(world: Any, me: Any, today: dt.date) -> None:
    make_assignment(world, me, on=today - dt.timedelta(days=3))
    [item] = due(world.deputy)
    assert item.due == today - dt.timedelta(days=3)


def test_coming_activities_signed_up_or_invited(world: Any, me: Any) -> None:
    other = make_deputy(world, name="王芳", id_number=make_id_number(serial=903))
    invited = make_activity(world, invitees=[me], title="调研农村饮水安全")
    open_one = make_activity(world, open_signup=True, title="视察城区道路")
    make_activity(world, invitees=[other], title="别人的活动")
    make_activity(
        world,
        invitees=[me],
        title="已经过去的活动",
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    assert [d.title for d in due(world.deputy)] == ["活动邀请：调研农村饮水安全"]
    activities.sign_up(actor=world.deputy, activity=open_one)
    items = {d.title: d for d in due(world.deputy)}
    assert set(items) == {"活动邀请：调研农村饮水安全", "参加活动：视察城区道路"}
    assert items["参加活动：视察城区道路"].due == open_one.starts_at
    assert items["活动邀请：调研农村饮水安全"].url == f"/deputies/activities/{invited.pk}/"

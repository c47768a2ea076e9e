from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.core.sources import Source, sources_of, targets_of
from renda.meetings import services
from renda.meetings.models import AgendaItem

from .factories import a_deputy, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world: Any) -> Any:
    a_deputy(world)
    return make_meeting(world, start_at=timezone.now() - dt.timedelta(minutes=5))


def test_items_take_the_next_order_and_show_their_source(world: Any, meeting: Any) -> None:
    first = services.put_on_agenda(
        actor=world.staff, meeting=meeting, title="听取报告", source=None
    )
    # Any model row can be a source; the budget app passes its alert the same way.
    thing = world.department
    source = Source(obj=thing, label="预警 2026-001", url="/budget/alerts/1/")
    second = services.put_on_agenda(
        actor=world.staff, meeting=meeting, title="预警问题", source=source
    )
    assert (first.order, second.order) == (1, 2)
    [link] = sources_of(second)
    assert link.label == "预警 2026-001" and link.url == "/budget/alerts/1/"
    assert AuditEvent.objects.filter(action="meeting.agenda_add").count() == 2


def test_same_source_twice_returns_the_item_already_there(world: Any, meeting: Any) -> None:
    source = Source(obj=world.department, label="问询函")
    one = services.put_on_agenda(actor=world.staff, meeting=meeting, title="问询函", source=source)
    again = services.put_on_agenda(
        actor=world.staff, meeting=meeting, title="问询函", source=source
    )
    assert one.pk == again.pk
    assert AgendaItem.objects.count() == 1
    # The same source may go before another meeting.
    other = make_meeting(world)
    elsewhere = services.put_on_agenda(
        actor=world.staff, meeting=other, title="问询函", source=source
    )
    assert elsewhere.meeting_id == other.pk


def test_refusals_write_nothing(world: Any, meeting: Any) -> None:
    with pytest.raises(ValidationError, match="请填写议题"):
        services.put_on_agenda(actor=world.staff, meeting=meeting, title="  ", source=None)
    with pytest.raises(PermissionDenied):
        services.put_on_agenda(actor=world.deputy, meeting=meeting, title="x", source=None)
    with pytest.raises(ValidationError, match="会议开始后"):
        item = services.put_on_agenda(actor=world.staff, meeting=meeting, title="报告", source=None)
        services.record_outcome(
            actor=world.staff, item=item, outcome_kind="resolution", outcome="通过"
        )
    assert AgendaItem.objects.count() == 1


def test_outcome_and_closed_meeting(world: Any, meeting: Any) -> None:
    item = services.put_on_agenda(actor=world.staff, meeting=meeting, title="报告", source=None)
    services.notify_members(actor=world.staff, meeting=meeting)
    services.open_meeting(actor=world.staff, meeting=meeting)
    with pytest.raises(ValidationError, match="请填写会议结果"):
        services.record_outcome(
            actor=world.staff, item=item, outcome_kind="resolution", outcome=" "
        )
    with pytest.raises(ValidationError, match="结果类别"):
        services.record_outcome(actor=world.staff, item=item, outcome_kind="x", outcome="通过")
    done = services.record_outcome(
        actor=world.staff, item=item, outcome_kind="vote", outcome="赞成 20，反对 0，弃权 1"
    )
    assert done.get_outcome_kind_display() == "表决结果"
    with pytest.raises(ValidationError, match="已登记会议结果"):
        services.remove_from_agenda(actor=world.staff, item=done)
    services.close_meeting(actor=world.staff, meeting=meeting)
    with pytest.raises(ValidationError, match="已闭会"):
        services.put_on_agenda(actor=world.staff, meeting=meeting, title="新议题", source=None)


def test_remove_moves_later_items_up(world: Any, meeting: Any) -> None:
    items = [
        services.put_on_agenda(actor=world.staff, meeting=meeting, title=f"议题{n}", source=None)
        for n in range(3)
    ]
    services.remove_from_agenda(actor=world.staff, item=items[0])
    assert list(meeting.agenda.values_list("title", "order")) == [("议题1", 1), ("议题2", 2)]


def test_staff_page_adds_an_item(world: Any, meeting: Any, client_for: Any) -> None:
    client = client_for("staff")
    response = client.post(f"/meetings/{meeting.pk}/agenda/new/", {"title": "", "kind": "review"})
    assert response.status_code == 200 and "请按提示修改" in response.content.decode()
    response = client.post(
        f"/meetings/{meeting.pk}/agenda/new/", {"title": "审议工作报告", "kind": "review"}
    )
    assert response.status_code == 302
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "审议工作报告" in page


def test_an_item_taken_off_leaves_no_link_behind(world: Any, meeting: Any) -> None:
    source = Source(obj=world.department, label="预警 2026-002")
    item = services.put_on_agenda(actor=world.staff, meeting=meeting, title="预警", source=source)
    assert targets_of(world.department, AgendaItem) == [item.pk]
    services.remove_from_agenda(actor=world.staff, item=item)
    # The source is no longer "on the agenda", and putting it back makes a new item.
    assert targets_of(world.department, AgendaItem) == []
    again = services.put_on_agenda(actor=world.staff, meeting=meeting, title="预警", source=source)
    assert again.pk != item.pk and targets_of(world.department, AgendaItem) == [again.pk]

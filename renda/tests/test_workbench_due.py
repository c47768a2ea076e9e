"""The phone home's 待办 list with every module's items together: a deputy sees their own
notices, replies to rate, duty days, contact tasks and activities, soonest first; another
deputy sees none of them; and the page's query count does not grow with the items."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renda.conftest import login
from renda.deputies.tests.reporting_factories import make_activity, make_assignment
from renda.meetings import services as meeting_services
from renda.meetings.tests.factories import make_meeting
from renda.stations import services as station_services
from renda.stations.tests.factories import make_slot, make_station
from renda.stations.tests.liaison_factories import a_constituent
from renda.suggestions.tests.factories import replied, scene

pytestmark = pytest.mark.django_db


def add_items(world: Any, sc: Any, station: Any, n: int, start: int) -> None:
    """`n` items of each kind for the `deputy` persona (sc.me)."""
    today = timezone.localdate()
    for i in range(start, start + n):
        meeting = make_meeting(
            world, title=f"第{i}次常委会会议", start_at=timezone.now() + dt.timedelta(days=i)
        )
        meeting_services.notify_members(actor=world.staff, meeting=meeting)
        replied(sc, title=f"关于第{i}条道路修缮的建议")
        make_slot(world, station, [sc.me], date=today + dt.timedelta(days=i))
        make_activity(world, invitees=[sc.me], title=f"第{i}次视察")
    a_constituent(world, sc.me)


@pytest.fixture
def setting(world: Any) -> Any:
    sc = scene(world, others=1)
    station = make_station(world)
    station_services.assign_deputy(actor=None, station=station, deputy=sc.me)
    return sc, station


def count_queries(client: Any) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/workbench/").content.decode()
    return len(queries), html


def test_everything_due_on_one_list_and_the_query_count_stays(
    world: Any, setting: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    sc, station = setting
    make_assignment(world, sc.me, on=timezone.localdate() + dt.timedelta(days=20))
    add_items(world, sc, station, 1, start=1)
    client = client_for("deputy")
    client.get("/workbench/")  # content types and such are cached on the first request
    few, html = count_queries(client)
    # 会议, 建议, 进站, 活动, 述职, and 双联 twice (one not contacted; the list below five)
    assert html.count('data-testid="due-item"') == 7
    add_items(world, sc, station, 6, start=2)
    many, html = count_queries(client)
    assert many == few, "each item must not cost a query"
    with django_assert_max_num_queries(40):
        client.get("/workbench/")
    listed = html.split('data-testid="due-list"')[1]
    assert listed.count('data-testid="due-item"') == 7 * 4 + 3  # and 述职, 双联 twice
    for label in ("会议", "建议", "进站", "活动", "双联", "述职"):
        assert f">{label}</span>" in listed
    # Soonest first: the first meeting (tomorrow) comes before the one a week away.
    assert listed.index("第1次常委会会议") < listed.index("第7次常委会会议")
    # The other deputy has none of these.
    theirs = login(Client(), sc.others[0].user).get("/workbench/").content.decode()
    assert "第1次常委会会议" in theirs  # a member of the same meetings, with their own notice
    assert "道路修缮" not in theirs and "进站值班" not in theirs and "第1次视察" not in theirs

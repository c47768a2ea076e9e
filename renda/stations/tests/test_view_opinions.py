"""Staff side of opinions: scoping (county staff, clerk, handling unit), the steps through the
pages, contact data only for the station, bounded queries on the list."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.conftest import login
from renda.core.models import Organization
from renda.stations.models import Opinion

from .factories import assigned_opinion, make_clerk, make_opinion, make_station

pytestmark = pytest.mark.django_db


def test_a_clerk_sees_only_their_stations_opinions(world: Any, client: Any) -> None:
    mine, other = make_station(world), make_station(world)
    clerk = make_clerk(world, mine)
    own = make_opinion(world, mine)
    foreign = make_opinion(world, other)
    login(client, clerk)
    listing = client.get(reverse("stations:opinion_list")).content.decode()
    assert own.number in listing and foreign.number not in listing
    assert client.get(reverse("stations:opinion_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("stations:detail", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("stations:opinion_assign", args=[foreign.pk]), {"unit": world.department.pk}
    )
    assert response.status_code == 404
    assert Opinion.objects.get(pk=foreign.pk).state == "submitted"


def test_a_handling_unit_sees_only_its_items_and_no_contact_data(world: Any, client: Any) -> None:
    station = make_station(world)
    ours = assigned_opinion(world, station, phone="13911112222")
    other_unit = Organization.objects.create(
        name="冷水江市教育局",
        code="JYJ",
        kind="government_department",
        region=world.county,
        is_handling_unit=True,
    )
    theirs = make_opinion(world, station)
    from renda.stations import services

    services.assign_opinion(actor=None, opinion=theirs, unit=other_unit)
    unassigned = make_opinion(world, station)
    login(client, world.handling_officer)
    listing = client.get(reverse("stations:opinion_list")).content.decode()
    assert ours.number in listing
    assert theirs.number not in listing and unassigned.number not in listing
    for pk in (theirs.pk, unassigned.pk):
        assert client.get(reverse("stations:opinion_detail", args=[pk])).status_code == 404
    detail = client.get(reverse("stations:opinion_detail", args=[ours.pk])).content.decode()
    assert "13911112222" not in detail and 'data-testid="reply-form"' in detail
    assert 'data-testid="assign-form"' not in detail


def test_staff_assign_and_the_unit_replies_through_the_pages(world: Any, client: Any) -> None:
    opinion = make_opinion(world, make_station(world), phone="13933334444")
    staff = login(client, world.staff)
    detail = staff.get(reverse("stations:opinion_detail", args=[opinion.pk])).content.decode()
    assert "13933334444" in detail  # the station calls the constituent back
    response = staff.post(
        reverse("stations:opinion_assign", args=[opinion.pk]),
        {"unit": world.department.pk, "expected_state": "submitted"},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.state == "assigned" and opinion.unit == world.department
    officer = login(client.__class__(), world.handling_officer)
    officer.post(
        reverse("stations:opinion_reply", args=[opinion.pk]),
        {"reply_class": "A", "reply": "已完成维修并验收。", "expected_state": "assigned"},
    )
    opinion.refresh_from_db()
    assert opinion.state == "replied" and opinion.reply == "已完成维修并验收。"


def test_a_stale_page_cannot_act_twice(world: Any, client: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    login(client, world.staff)
    url = reverse("stations:opinion_assign", args=[opinion.pk])
    data = {"unit": world.department.pk, "expected_state": "submitted"}
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "不能交办" in response.content.decode() or "请刷新页面" in response.content.decode()
    assert Opinion.objects.get(pk=opinion.pk).state == "assigned"


def test_the_plain_step_view_refuses_steps_that_need_a_form(world: Any, client: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    login(client, world.staff)
    response = client.post(
        reverse("stations:opinion_step", args=[opinion.pk]),
        {"transition": "assign", "expected_state": "submitted"},
        follow=True,
    )
    assert "须通过对应的表单办理" in response.content.decode()
    assert Opinion.objects.get(pk=opinion.pk).state == "submitted"


def test_an_sc_member_reads_but_cannot_act(world: Any, client: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    login(client, world.sc_member)
    detail = client.get(reverse("stations:opinion_detail", args=[opinion.pk])).content.decode()
    assert 'data-testid="assign-form"' not in detail
    response = client.post(
        reverse("stations:opinion_step", args=[opinion.pk]),
        {"transition": "reject", "note": "不受理", "expected_state": "submitted"},
    )
    assert response.status_code == 403
    assert Opinion.objects.get(pk=opinion.pk).state == "submitted"


def test_the_list_keeps_a_bounded_number_of_queries(
    world: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    stations = [make_station(world) for _ in range(3)]
    for i in range(30):
        assigned_opinion(world, stations[i % 3]) if i % 2 else make_opinion(world, stations[i % 3])
    login(client, world.staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("stations:opinion_list") + "?overdue=&state=")
    assert response.status_code == 200 and response.content.decode().count("font-monospace") == 30


def test_the_export_lists_only_what_the_user_may_see(world: Any, client: Any) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    ours = assigned_opinion(world, make_station(world))
    make_opinion(world, make_station(world))
    login(client, world.handling_officer)
    response = client.get(reverse("stations:opinion_export"))
    sheet = load_workbook(BytesIO(response.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [ours.number]

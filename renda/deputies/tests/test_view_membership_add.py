from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.core.models import AuditEvent, Organization
from renda.deputies import services
from renda.deputies.models import Membership

from .factories import make_deputy


def _url(deputy: Any) -> str:
    return reverse("deputies:membership_add", args=[deputy.pk])


def _committee(world: Any) -> Organization:
    return Organization.objects.create(
        name="冷水江市人大社会建设委员会",
        code="RD-SJW",
        kind=Organization.Kind.SPECIAL_COMMITTEE,
        region=world.county,
    )


def test_staff_add_a_special_committee_membership(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    committee = _committee(world)
    client = client_for("staff")
    html = client.get(_url(deputy)).content.decode()
    assert committee.name in html and world.department.name not in html  # no handling units
    data = {
        "organization": committee.pk,
        "role": "委员",
        "start_date": "2022-01-10",
        "end_date": "",
    }
    response = client.post(_url(deputy), data)
    assert response.status_code == 302
    membership = Membership.objects.get()
    assert (membership.deputy, membership.organization, membership.role) == (
        deputy,
        committee,
        "委员",
    )
    assert membership.start_date == dt.date(2022, 1, 10) and membership.end_date is None
    assert AuditEvent.objects.filter(action="membership.create", actor=world.staff).exists()


def test_bad_dates_get_chinese_messages_and_nothing_is_written(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, elected_on=dt.date(2021, 11, 20))
    committee = _committee(world)
    client = client_for("staff")
    data = {
        "organization": committee.pk,
        "role": "委员",
        "start_date": "2021-01-01",
        "end_date": "",
    }
    assert client.post(_url(deputy), data).context["form"].errors["start_date"] == [
        "起始日期不能早于当选日期"
    ]
    data = {
        "organization": committee.pk,
        "role": "委员",
        "start_date": "2022-02-01",
        "end_date": "2022-01-01",
    }
    assert client.post(_url(deputy), data).context["form"].errors["end_date"] == [
        "终止日期不能早于起始日期"
    ]
    assert not Membership.objects.exists()


def test_an_ended_deputy_gets_no_new_membership(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    services.end_mandate(actor=None, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason="moved")
    client = client_for("staff")
    assert 'data-testid="not-allowed"' in client.get(_url(deputy)).content.decode()
    data = {"organization": _committee(world).pk, "role": "委员", "start_date": "2022-01-10"}
    assert client.post(_url(deputy), data).status_code == 200
    assert not Membership.objects.exists()


def test_sc_members_cannot_add_memberships(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    client = client_for("sc_member")
    assert client.get(_url(deputy)).status_code == 403
    data = {"organization": _committee(world).pk, "role": "委员", "start_date": "2022-01-10"}
    assert client.post(_url(deputy), data).status_code == 403
    assert not Membership.objects.exists()

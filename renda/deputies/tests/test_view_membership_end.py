from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.core.models import AuditEvent
from renda.deputies import services

from .factories import make_deputy


def _membership(world: Any, deputy: Any = None) -> Any:
    deputy = deputy or make_deputy(world)
    return services.add_membership(
        actor=None,
        deputy=deputy,
        organization=world.congress,
        role="主席团成员",
        start_date=dt.date(2022, 1, 5),
    )


def _url(membership: Any) -> str:
    return reverse("deputies:membership_end", args=[membership.deputy_id, membership.pk])


def test_staff_end_a_membership(world: Any, client_for: Any) -> None:
    membership = _membership(world)
    client = client_for("staff")
    assert client.get(_url(membership)).status_code == 200
    response = client.post(_url(membership), {"end_date": "2022-01-08"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2022, 1, 8)
    assert AuditEvent.objects.filter(action="membership.end", actor=world.staff).exists()


def test_an_end_before_the_start_is_refused_next_to_the_field(world: Any, client_for: Any) -> None:
    membership = _membership(world)
    response = client_for("staff").post(_url(membership), {"end_date": "2022-01-01"})
    assert response.context["form"].errors["end_date"] == ["终止日期不能早于起始日期"]
    membership.refresh_from_db()
    assert membership.end_date is None


def test_a_membership_is_reached_only_through_its_own_deputy(world: Any, client_for: Any) -> None:
    membership = _membership(world)
    other = make_deputy(world)
    url = reverse("deputies:membership_end", args=[other.pk, membership.pk])
    assert client_for("staff").get(url).status_code == 404


def test_sc_members_cannot_end_a_membership(world: Any, client_for: Any) -> None:
    membership = _membership(world)
    client = client_for("sc_member")
    assert client.get(_url(membership)).status_code == 403
    assert client.post(_url(membership), {"end_date": "2022-01-08"}).status_code == 403
    membership.refresh_from_db()
    assert membership.end_date is None

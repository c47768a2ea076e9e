from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.deputies import services

from .factories import make_deputy, make_id_number

URL = reverse("deputies:me")


def test_a_deputy_sees_their_own_record_with_contact_data(world: Any, client_for: Any) -> None:
    number = make_id_number()
    deputy = make_deputy(
        world, name="刘德华", id_number=number, mobile="13900001111", user=world.deputy
    )
    services.add_membership(
        actor=None,
        deputy=deputy,
        organization=world.congress,
        role="主席团成员",
        start_date=dt.date(2022, 1, 5),
    )
    make_deputy(world, name="张学友")
    response = client_for("deputy").get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "刘德华" in html and "张学友" not in html
    assert number in html and "13900001111" in html
    assert "主席团成员" in html and 'data-testid="timeline"' in html
    assert 'name="viewport"' in html and "tap-target" in html


def test_a_deputy_without_a_linked_record_is_told_so(world: Any, client_for: Any) -> None:
    make_deputy(world)
    response = client_for("deputy").get(URL)
    assert response.status_code == 404
    assert "尚未关联代表档案" in response.content.decode()


def test_other_roles_have_no_own_record_page(world: Any, client_for: Any) -> None:
    make_deputy(world, user=world.deputy)
    for persona in ["staff", "sc_member", "handling_officer"]:
        assert client_for(persona).get(URL).status_code == 403
    assert client_for("anonymous").get(URL).status_code == 302

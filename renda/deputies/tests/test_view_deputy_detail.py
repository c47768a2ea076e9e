from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.deputies import services

from .factories import make_deputy, make_id_number


def _url(deputy: Any) -> str:
    return reverse("deputies:detail", args=[deputy.pk])


def test_staff_see_contact_data_actions_and_the_history(world: Any, client_for: Any) -> None:
    number = make_id_number()
    deputy = make_deputy(world, name="刘德华", id_number=number, mobile="13900001111")
    services.add_membership(
        actor=None,
        deputy=deputy,
        organization=world.congress,
        role="主席团成员",
        start_date=dt.date(2022, 1, 5),
        end_date=dt.date(2022, 1, 8),
    )
    html = client_for("staff").get(_url(deputy)).content.decode()
    assert number in html and "13900001111" in html
    for action in ["deputies:edit", "deputies:end", "deputies:membership_add"]:
        assert reverse(action, args=[deputy.pk]) in html
    assert 'data-testid="timeline"' in html
    assert "2021-11-20" in html and "任冷水江市人民代表大会主席团成员" in html
    assert "不再担任冷水江市人民代表大会主席团成员" in html


def test_sc_members_read_without_contact_data_or_buttons(world: Any, client_for: Any) -> None:
    number = make_id_number()
    deputy = make_deputy(world, id_number=number, mobile="13900001111")
    response = client_for("sc_member").get(_url(deputy))
    html = response.content.decode()
    assert response.status_code == 200 and deputy.name in html
    assert number not in html and "13900001111" not in html
    for action in ["deputies:edit", "deputies:end", "deputies:membership_add"]:
        assert reverse(action, args=[deputy.pk]) not in html


def test_an_ended_mandate_offers_no_end_button(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    services.end_mandate(actor=None, deputy=deputy, ended_on=dt.date(2024, 6, 1), reason="deceased")
    html = client_for("staff").get(_url(deputy)).content.decode()
    assert reverse("deputies:end", args=[deputy.pk]) not in html
    assert reverse("deputies:membership_add", args=[deputy.pk]) not in html
    assert "代表资格终止" in html and "死亡" in html


def test_a_deputy_gets_404_for_another_record_and_their_own_page_for_theirs(
    world: Any, client_for: Any
) -> None:
    other = make_deputy(world)
    own = make_deputy(world, user=world.deputy)
    client = client_for("deputy")
    assert client.get(_url(other)).status_code == 404
    response = client.get(_url(own))
    assert response.status_code == 302 and response["Location"] == reverse("deputies:me")


def test_an_unknown_id_is_404(world: Any, client_for: Any) -> None:
    assert client_for("staff").get(reverse("deputies:detail", args=[999999])).status_code == 404

"""The system administrator's account list: search, filter by role and state, pagination,
bounded queries."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from renda.accounts import services
from renda.core.roles import Role

URL = reverse("accounts:user_list")


def names(response: Any) -> list[str]:
    return [u.username for u in response.context["page"]]


def test_it_lists_every_account_with_role_and_unit(world: Any, client_for: Any) -> None:
    response = client_for("system_admin").get(URL)
    assert response.status_code == 200
    assert set(names(response)) == set(world.users)
    html = response.content.decode()
    assert "冷水江市财政局" in html and "数据报送单位工作人员" in html


def test_it_searches_by_name_or_username(world: Any, client_for: Any) -> None:
    services.create_user(actor=None, username="lisi", name="李四", role=Role.DEPUTY)
    client = client_for("system_admin")
    assert names(client.get(URL, {"q": "李四"})) == ["lisi"]
    assert names(client.get(URL, {"q": "LIS"})) == ["lisi"]


def test_it_finds_a_mobile_number_without_writing_it_in_the_address(
    world: Any, client_for: Any
) -> None:
    client = client_for("system_admin")
    response = client.post(URL, {"q": world.handling_officer.mobile})
    assert response.status_code == 302 and world.handling_officer.mobile not in response["Location"]
    assert names(client.get(response["Location"])) == ["handling_officer"]
    # A number typed into the address bar is moved out of it too.
    response = client.get(URL, {"q": world.handling_officer.mobile})
    assert response.status_code == 302 and world.handling_officer.mobile not in response["Location"]


def test_it_filters_by_role_and_state(world: Any, client_for: Any) -> None:
    services.set_user_active(actor=world.system_admin, user=world.nominee, is_active=False)
    client = client_for("system_admin")
    assert names(client.get(URL, {"role": Role.STAFF})) == ["staff"]
    assert names(client.get(URL, {"active": "0"})) == ["nominee"]
    assert "停用" in client.get(URL, {"active": "0"}).content.decode()


def test_administrators_are_listed_but_not_editable(world: Any, client_for: Any) -> None:
    html = client_for("system_admin").get(URL).content.decode()
    assert reverse("accounts:user_edit", args=[world.deputy.pk]) in html
    assert reverse("accounts:user_edit", args=[world.audit_admin.pk]) not in html


def test_it_pages_with_a_bounded_number_of_queries(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(60):
        services.create_user(
            actor=None,
            username=f"user{i:02d}",
            name=f"用户{i}",
            role=Role.HANDLING_OFFICER,
            organization=world.department,
        )
    client = client_for("system_admin")
    with django_assert_max_num_queries(12):
        first = client.get(URL)
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 69
    with django_assert_max_num_queries(12):
        second = client.get(URL, {"page": 2})
    assert len(second.context["page"]) == 19

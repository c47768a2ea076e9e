from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renda.deputies import services
from renda.deputies.models import Deputy

from .factories import make_deputy, make_id_number, make_term

URL = reverse("deputies:list")


def _names(response: Any) -> list[str]:
    return [d.name for d in response.context["page"]]


def test_staff_see_the_register_with_totals_and_a_create_button(
    world: Any, client_for: Any
) -> None:
    make_deputy(world, name="王一")
    ended = make_deputy(world, name="王二")
    services.end_mandate(actor=None, deputy=ended, ended_on=dt.date(2024, 1, 1), reason="moved")
    response = client_for("staff").get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(_names(response)) == ["王一", "王二"]
    assert response.context["totals"] == {
        "total": 2,
        "active": 1,
        "suspended": 0,
        "ended": 1,
        "city": 2,
        "township": 0,
    }
    assert 'data-testid="create-deputy"' in html
    assert "导出Excel" in html


def test_sc_members_read_the_register_without_change_buttons(world: Any, client_for: Any) -> None:
    make_deputy(world, name="王一")
    response = client_for("sc_member").get(URL)
    assert response.status_code == 200 and _names(response) == ["王一"]
    assert 'data-testid="create-deputy"' not in response.content.decode()


def test_other_roles_are_refused(world: Any, client_for: Any) -> None:
    for persona in ["deputy", "handling_officer", "system_admin", "audit_admin"]:
        assert client_for(persona).get(URL).status_code == 403
    assert client_for("anonymous").get(URL).status_code == 302


def test_it_searches_by_name(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华")
    make_deputy(world, name="张学友")
    response = client_for("staff").get(URL, {"q": "德华"})
    assert _names(response) == ["刘德华"]


def test_a_searched_number_is_replaced_by_a_token_in_the_url(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华", mobile="13900001111")
    make_deputy(world, name="张学友", mobile="13900002222")
    client = client_for("staff")
    response = client.get(URL, {"q": "13900001111", "status": "active"})
    assert response.status_code == 302
    location = response["Location"]
    assert "13900001111" not in location
    query = parse_qs(urlsplit(location).query)
    assert query["status"] == ["active"] and "q" not in query and query["qi"]
    page = client.get(location)
    assert _names(page) == ["刘德华"]
    html = page.content.decode()
    assert "13900001111" not in html and 'data-testid="by-number"' in html


def test_the_posted_filter_form_finds_an_id_number_with_a_lower_case_x(
    world: Any, client_for: Any
) -> None:
    number = next(n for s in range(1000) if (n := make_id_number(serial=s)).endswith("X"))
    make_deputy(world, name="刘德华", id_number=number)
    make_deputy(world, name="张学友")
    client = client_for("staff")
    response = client.post(URL, {"q": number.lower(), "level": ""})
    assert response.status_code == 302 and number.lower() not in response["Location"].lower()
    assert _names(client.get(response["Location"])) == ["刘德华"]


def test_a_new_name_search_replaces_an_earlier_number_search(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华", mobile="13900001111")
    make_deputy(world, name="张学友", mobile="13900002222")
    client = client_for("staff")
    token_url = client.get(URL, {"q": "13900001111"})["Location"]
    token = parse_qs(urlsplit(token_url).query)["qi"][0]
    response = client.post(URL, {"q": "学友", "qi": token})
    assert _names(client.get(response["Location"])) == ["张学友"]


def test_it_filters_by_level_township_delegation_category_status_and_term(
    world: Any, client_for: Any
) -> None:
    term = make_term(world)
    delegation = services.create_delegation(
        actor=None, term=term, name="禾青镇代表团", region=world.other_township
    )
    make_deputy(
        world, name="甲", region=world.other_township, delegation=delegation, category="farmer"
    )
    make_deputy(world, name="乙", region=world.township, category="worker")
    ended = make_deputy(world, name="丙", region=world.township, category="worker")
    services.end_mandate(actor=None, deputy=ended, ended_on=dt.date(2024, 1, 1), reason="moved")
    client = client_for("staff")
    assert _names(client.get(URL, {"region": world.other_township.pk})) == ["甲"]
    assert _names(client.get(URL, {"delegation": "禾青"})) == ["甲"]
    assert _names(client.get(URL, {"category": "worker", "status": "active"})) == ["乙"]
    assert _names(client.get(URL, {"status": "ended"})) == ["丙"]
    assert len(_names(client.get(URL, {"level": "city", "term": term.pk}))) == 3
    assert _names(client.get(URL, {"level": "township"})) == []


def test_it_paginates_fifty_a_page(world: Any, client_for: Any) -> None:
    for i in range(55):
        make_deputy(world, name=f"代表{i:02d}")
    client = client_for("staff")
    first = client.get(URL)
    assert len(_names(first)) == 50 and first.context["totals"]["total"] == 55
    assert len(_names(client.get(URL, {"page": 2}))) == 5


def test_the_number_of_queries_does_not_grow_with_the_rows(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    term = make_term(world)
    delegation = services.create_delegation(
        actor=None, term=term, name="冷水江街道代表团", region=world.township
    )
    for i in range(5):
        make_deputy(world, name=f"代表{i:02d}", delegation=delegation)
    client = client_for("staff")
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for i in range(5, 60):
        make_deputy(world, name=f"代表{i:02d}", delegation=delegation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(_names(response)) == 50
    assert Deputy.objects.count() == 60

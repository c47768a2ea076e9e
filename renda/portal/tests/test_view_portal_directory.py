from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renda.core.models import Organization
from renda.deputies import services
from renda.deputies.tests.factories import make_deputy, make_id_number

URL = reverse("portal:deputies")


def _names(response: Any) -> list[str]:
    return sorted(d.name for d in response.context["page"])


def _township_deputy(world: Any, name: str) -> Any:
    congress = Organization.objects.get_or_create(
        code="HQ-RD",
        defaults={
            "name": "禾青镇人民代表大会",
            "kind": Organization.Kind.TOWNSHIP_CONGRESS,
            "region": world.other_township,
        },
    )[0]
    term = congress.terms.first() or services.create_term(
        actor=None, congress=congress, level="township", number=18, start_date=dt.date(2021, 12, 28)
    )
    return services.create_deputy(
        actor=None,
        term=term,
        name=name,
        party="群众",
        category="farmer",
        region=world.other_township,
        id_number=make_id_number(),
        elected_on=dt.date(2021, 11, 20),
    )


def test_anybody_finds_serving_deputies_without_logging_in(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华")
    ended = make_deputy(world, name="张学友")
    services.end_mandate(actor=None, deputy=ended, ended_on=dt.date(2024, 1, 1), reason="moved")
    response = client_for("anonymous").get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert _names(response) == ["刘德华"] and "张学友" not in html
    assert "共 1 名代表" in html


def test_it_filters_by_township_level_and_name(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华", region=world.township)
    make_deputy(world, name="刘青云", region=world.other_township)
    _township_deputy(world, "刘嘉玲")
    client = client_for("anonymous")
    assert _names(client.get(URL, {"region": world.other_township.code})) == ["刘嘉玲", "刘青云"]
    assert _names(client.get(URL, {"level": "township"})) == ["刘嘉玲"]
    assert _names(client.get(URL, {"level": "city", "region": world.other_township.code})) == [
        "刘青云"
    ]
    assert _names(client.get(URL, {"q": "德华"})) == ["刘德华"]
    assert "找到 1 名代表" in client.get(URL, {"q": "德华"}).content.decode()


def test_bad_filter_values_are_ignored(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华")
    response = client_for("anonymous").get(URL, {"region": "999999", "level": "x", "page": "abc"})
    assert response.status_code == 200 and _names(response) == ["刘德华"]


def test_it_is_made_for_phones(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华")
    html = client_for("anonymous").get(URL).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    # Every control and every result row is a 48-pixel tap target.
    assert html.count("tap-target") >= 5


def test_the_directory_costs_the_same_queries_with_5_or_60_deputies(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        make_deputy(world, name=f"代表{i:02d}")
    client = client_for("anonymous")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(5, 60):
        make_deputy(world, name=f"代表{i:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["page"]) == 30 and response.context["page"].paginator.count == 60


def test_it_never_reads_the_encrypted_columns(world: Any, client_for: Any) -> None:
    make_deputy(world, name="刘德华")
    with CaptureQueriesContext(connection) as queries:
        client_for("anonymous").get(URL)
    deputy_queries = [q["sql"] for q in queries.captured_queries if "deputies_deputy" in q["sql"]]
    assert deputy_queries
    for sql in deputy_queries:
        assert '"mobile"' not in sql and '"id_number"' not in sql

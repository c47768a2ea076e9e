"""Issue 13 item 10: malformed query parameters on the stations pages never answer 500; a bad
filter is ignored (core.params), an id too large for the database in a path is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renda.conftest import login

from .factories import make_station

pytestmark = pytest.mark.django_db

BAD_NUMBERS = ["0", "-1", "99999", "²", "٣", "99999999999999999999", "1e3", " ", "abc"]


@pytest.mark.parametrize("year", ["0", "-1", "99999", "²", "99999999999999999999"])
def test_duty_minimum_ignores_a_year_out_of_range(world: Any, year: str) -> None:
    client = login(Client(), world.staff)
    response = client.get(reverse("stations:duty_minimum"), {"year": year})
    assert response.status_code == 200
    fallback = client.get(reverse("stations:duty_minimum"))
    assert response.context["year"] == fallback.context["year"]


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_receptions_ignore_a_malformed_station(world: Any, value: str) -> None:
    make_station(world)
    client = login(Client(), world.staff)
    assert client.get(reverse("stations:reception_list"), {"station": value}).status_code == 200


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_station_list_ignores_a_malformed_region(world: Any, value: str) -> None:
    station = make_station(world)
    client = login(Client(), world.staff)
    response = client.get(reverse("stations:list"), {"region": value})
    assert response.status_code == 200
    if value != "99999":  # a well-formed id of no region filters everything out
        assert station.name in response.content.decode()


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_filter_forms_refuse_malformed_numbers_without_a_500(world: Any, value: str) -> None:
    make_station(world)
    client = login(Client(), world.staff)
    for name, params in [
        ("stations:opinion_list", {"station": value, "q": value}),
        ("stations:opinion_export", {"station": value}),
        ("stations:stats", {"year": value, "region": value}),
        ("stations:stats_export", {"year": value, "region": value}),
        ("stations:duty_minimum", {"year": value, "format": "xlsx"}),
    ]:
        assert client.get(reverse(name), params).status_code < 500, (name, value)


def test_an_id_too_large_for_the_database_is_a_404(world: Any) -> None:
    client = login(Client(), world.staff)
    for path in [
        "/stations/99999999999999999999/",
        "/stations/opinions/99999999999999999999/",
        "/stations/public/99999999999999999999/",
        "/stations/receptions/9223372036854775808/",
    ]:
        assert client.get(path).status_code == 404, path


def test_the_plan_page_ignores_a_malformed_year(world: Any) -> None:
    station = make_station(world)
    client = login(Client(), world.staff)
    for year in ("²", "99999999999999999999", "0"):
        url = reverse("stations:plan_edit", args=[station.pk])
        assert client.get(url, {"year": year}).status_code == 200

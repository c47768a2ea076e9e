from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from renda.deputies import services
from renda.deputies.tests.factories import make_deputy

URL = reverse("portal:home")


def test_the_public_see_figures_and_townships_of_serving_deputies(
    world: Any, client_for: Any
) -> None:
    make_deputy(world, region=world.township)
    make_deputy(world, region=world.other_township)
    ended = make_deputy(world, region=world.other_township)
    services.end_mandate(actor=None, deputy=ended, ended_on=dt.date(2024, 1, 1), reason="moved")
    response = client_for("anonymous").get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["city_count"] == 2 and response.context["township_count"] == 0
    counts = {t.name: t.n for t in response.context["townships"]}
    assert counts == {"冷水江街道": 1, "禾青镇": 1}
    assert f"{reverse('portal:deputies')}?region={world.other_township.code}" in html
    assert 'role="search"' in html


def test_the_home_page_costs_the_same_queries_with_more_deputies(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    make_deputy(world)
    client = client_for("anonymous")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(30):
        make_deputy(world, region=world.other_township)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.context["city_count"] == 31


def test_home_links_the_public_suggestion_list(world: Any, client: Any) -> None:
    from django.urls import reverse

    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("suggestions:public_list") in html


def test_home_offers_the_opinion_form_station_directory_and_tracking(
    world: Any, client: Any
) -> None:
    html = client.get(reverse("portal:home")).content.decode()
    for name in ["stations:public_opinion", "stations:public_directory", "stations:public_track"]:
        assert reverse(name) in html

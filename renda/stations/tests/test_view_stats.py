from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from renda.conftest import login
from renda.stations import services
from renda.stations.selectors import county_figures

from .factories import CONTENT, make_clerk, make_opinion, make_station, replied_opinion

pytestmark = pytest.mark.django_db


def _some_work(world: Any) -> tuple[Any, Any]:
    a = make_station(world)
    b = make_station(world, region=world.other_township)
    for _ in range(3):
        services.record_reception(actor=None, station=a, matter=CONTENT, category="health")
    services.record_reception(actor=None, station=b, matter=CONTENT, category="health")
    solved = replied_opinion(world, a)
    services.rate_opinion(
        actor=None, opinion=solved, rating_code=solved.rating_code, rating="satisfied"
    )
    unhappy = replied_opinion(world, b)
    services.rate_opinion(
        actor=None,
        opinion=unhappy,
        rating_code=unhappy.rating_code,
        rating="dissatisfied",
        comment="没解决",
    )
    make_opinion(world, b)
    return a, b


def test_the_figures_count_receptions_opinions_solved_and_satisfaction(world: Any) -> None:
    a, b = _some_work(world)
    year = timezone.localdate().year
    total = county_figures(year)
    assert (total.receptions, total.opinions, total.solved) == (4, 3, 1)
    assert total.rated == 2 and total.satisfaction == 50.0
    only_a = county_figures(year, [a.pk])
    assert (only_a.receptions, only_a.opinions, only_a.solved) == (3, 1, 1)


def test_the_page_shows_townships_and_months_and_a_clerk_only_their_own(
    world: Any, client: Any
) -> None:
    a, b = _some_work(world)
    login(client, world.staff)
    page = client.get(reverse("stations:stats")).content.decode()
    assert "冷水江街道" in page and "禾青镇" in page and "chart-months" in page
    clerk = make_clerk(world, a)
    login(client, clerk)
    page = client.get(reverse("stations:stats")).content.decode()
    towns = page[page.index('data-testid="township-table"') :]
    assert a.name in page and b.name not in page and "禾青镇" not in towns


def test_the_excel_export_has_the_county_total_first(world: Any, client: Any) -> None:
    _some_work(world)
    login(client, world.sc_member)
    response = client.get(reverse("stations:stats_export"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("站点", "乡镇（街道）", "接待群众", "收集意见", "解决问题")
    assert rows[1][:5] == ("【全市合计】", None, 4, 3, 1)


def test_the_page_keeps_a_bounded_number_of_queries(
    world: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    _some_work(world)
    for _ in range(8):
        make_station(world)
    login(client, world.staff)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("stations:stats")).status_code == 200

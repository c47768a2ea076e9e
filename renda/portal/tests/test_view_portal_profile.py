from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from renda.deputies import services
from renda.deputies.tests.factories import make_deputy, make_id_number


def _url(deputy: Any) -> str:
    return reverse("portal:deputy", args=[deputy.pk])


def test_the_profile_shows_public_fields_only(world: Any, client_for: Any) -> None:
    number = make_id_number()
    deputy = make_deputy(
        world,
        name="刘德华",
        id_number=number,
        mobile="13900001111",
        employer="冷水江市第一中学",
        occupation="校长",
        bio="长期从事基础教育工作。",
        user=world.deputy,
    )
    response = client_for("anonymous").get(_url(deputy))
    html = response.content.decode()
    assert response.status_code == 200
    for shown in [
        "刘德华",
        "冷水江市第一中学校长",
        "中共党员",
        "工人",
        "长期从事基础教育工作",
        "冷水江街道",
    ]:
        assert shown in html
    for hidden in [
        number,
        "13900001111",
        "1975-05-01",
        "1975年5月1日",
        "登录账号",
        world.deputy.username,
    ]:
        assert hidden not in html


def test_an_ended_deputy_has_no_public_profile(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world)
    services.end_mandate(actor=None, deputy=deputy, ended_on=dt.date(2024, 1, 1), reason="resigned")
    assert client_for("anonymous").get(_url(deputy)).status_code == 404
    assert client_for("staff").get(_url(deputy)).status_code == 404


def test_a_deputy_of_a_past_term_has_no_public_profile(world: Any, client_for: Any) -> None:
    old = make_deputy(world)
    services.create_term(
        actor=None,
        congress=world.congress,
        level="city",
        number=19,
        start_date=dt.date(2026, 12, 28),
    )
    assert client_for("anonymous").get(_url(old)).status_code == 404


def test_an_unknown_id_is_404(world: Any, client_for: Any) -> None:
    assert client_for("anonymous").get(reverse("portal:deputy", args=[424242])).status_code == 404


def test_it_says_where_to_meet_the_deputy(world: Any, client_for: Any) -> None:
    from renda.stations.services import create_station

    station = create_station(
        actor=None,
        code="ZD-001",
        name="冷水江街道人大代表联络站",
        kind="station",
        region=world.township,
        address="冷水江街道办事处一楼",
        opening_hours="每月 15 日 9:00–12:00",
    )
    deputy = make_deputy(world, facts={"station": station})
    html = client_for("anonymous").get(_url(deputy)).content.decode()
    assert "冷水江街道人大代表联络站" in html and "冷水江街道办事处一楼" in html

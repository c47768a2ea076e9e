from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renda.conftest import login
from renda.stations import services
from renda.stations.models import Photo, Station

from .factories import CONTENT, make_clerk, make_station

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_staff_register_a_station_through_the_form(world: Any, client: Any) -> None:
    login(client, world.staff)
    response = client.post(
        reverse("stations:create"),
        {
            "code": "431381100-01",
            "name": "禾青镇人大代表联络站",
            "kind": "station",
            "region": world.other_township.pk,
            "address": "禾青镇便民服务中心",
            "latitude": "27.7",
            "longitude": "",
        },
    )
    assert response.status_code == 200
    assert "经度和纬度须同时填写" in response.content.decode()
    assert not Station.objects.exists()
    response = client.post(
        reverse("stations:create"),
        {
            "code": "431381100-01",
            "name": "禾青镇人大代表联络站",
            "kind": "station",
            "region": world.other_township.pk,
            "address": "禾青镇便民服务中心",
        },
    )
    station = Station.objects.get()
    assert response["Location"] == reverse("stations:detail", args=[station.pk])


def test_a_clerk_sees_only_their_station_in_the_registry(world: Any, client: Any) -> None:
    mine, other = make_station(world), make_station(world)
    clerk = make_clerk(world, mine)
    login(client, clerk)
    # One station: the module opens on it.
    assert client.get(reverse("stations:home"))["Location"] == reverse(
        "stations:detail", args=[mine.pk]
    )
    listing = client.get(reverse("stations:list")).content.decode()
    assert mine.name in listing and other.name not in listing
    assert client.get(reverse("stations:edit", args=[other.pk])).status_code == 404
    # A clerk may not create stations or appoint clerks.
    assert client.get(reverse("stations:create")).status_code == 403
    assert client.post(reverse("stations:clerk_add", args=[mine.pk]), {}).status_code == 403


def test_a_clerk_keeps_the_station_current_but_cannot_move_it(world: Any, client: Any) -> None:
    station = make_station(world)
    clerk = make_clerk(world, station)
    login(client, clerk)
    client.post(
        reverse("stations:edit", args=[station.pk]),
        {
            "name": station.name,
            "kind": "station",
            "region": world.other_township.pk,
            "address": "新地址",
            "opening_hours": "每周一",
            "is_active": "",
        },
    )
    station.refresh_from_db()
    assert station.address == "新地址" and station.region == world.township and station.is_active


def test_station_photos_are_public_but_reception_photos_are_not(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    station = make_station(world)
    public = services.add_photo(
        actor=None, station=station, image=SimpleUploadedFile("站.png", PNG), caption="外景"
    )
    reception = services.record_reception(
        actor=None,
        station=station,
        matter=CONTENT,
        category="other",
        photos=[SimpleUploadedFile("接待.png", PNG)],
    )
    private = Photo.objects.get(reception=reception)
    anonymous = Client()
    assert anonymous.get(reverse("stations:photo", args=[public.pk])).status_code == 200
    assert anonymous.get(reverse("stations:photo", args=[private.pk])).status_code == 404
    staff = login(Client(), world.staff)
    assert staff.get(reverse("stations:photo", args=[private.pk])).status_code == 200
    other_clerk = login(Client(), make_clerk(world, make_station(world)))
    assert other_clerk.get(reverse("stations:photo", args=[private.pk])).status_code == 404


def test_the_qr_poster_encodes_the_stations_form(world: Any) -> None:
    station = make_station(world)
    body = Client().get(reverse("stations:public_qr", args=[station.pk])).content.decode()
    target = reverse("stations:public_station_opinion", args=[station.pk])
    assert "<svg" in body and f"http://testserver{target}?via=qr" in body


def test_the_station_list_keeps_a_bounded_number_of_queries(
    world: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(12):
        make_station(world)
    login(client, world.staff)
    with django_assert_max_num_queries(11):  # + the duties, read once per request
        assert client.get(reverse("stations:list")).status_code == 200

"""The public opinion form, the tracking page and the station pages (no log-in)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import reverse

from renda.stations.models import Opinion

from .factories import CONTENT, make_opinion, make_station, make_station_deputy, replied_opinion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # rate-limit counters of one test must not leak into the next


def form_token(client: Client, url: str) -> str:
    html = client.get(url).content.decode()
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the form carries a one-time token"
    return found.group(1)


def post_opinion(client: Client, url: str, token: str, **fields: Any) -> Any:
    data = {"category": "transport", "content": CONTENT, "form_token": token, **fields}
    return client.post(url, data)


def test_it_accepts_an_opinion_and_shows_its_tracking_code(world: Any) -> None:
    station = make_station(world)
    client = Client()
    url = reverse("stations:public_station_opinion", args=[station.pk]) + "?via=qr"
    response = post_opinion(client, url, form_token(client, url), contact_phone="13912345678")
    opinion = Opinion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "stations:public_track_detail", args=[opinion.tracking_code]
    )
    assert opinion.source == "qr" and opinion.station == station
    page = client.get(response["Location"]).content.decode()
    assert opinion.formatted_code in page and "提交成功" in page
    assert "13912345678" not in page


def test_a_double_submission_gives_the_same_code_and_one_opinion(world: Any) -> None:
    client = Client()
    url = reverse("stations:public_opinion")
    token = form_token(client, url)
    first = post_opinion(client, url, token)
    second = post_opinion(client, url, token)
    assert Opinion.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_form_is_rate_limited_per_client_and_keeps_the_text(world: Any) -> None:
    url = reverse("stations:public_opinion")
    client = Client(REMOTE_ADDR="10.0.0.7")
    with override_settings(STATIONS_SUBMIT_LIMIT=2):
        for _ in range(2):
            assert post_opinion(client, url, form_token(client, url)).status_code == 302
        blocked = post_opinion(client, url, form_token(client, url), location="解放路口")
        assert blocked.status_code == 429
        body = blocked.content.decode()
        assert "提交过于频繁" in body and "解放路口" in body
        # Another client is not affected.
        other = Client(REMOTE_ADDR="10.0.0.8")
        assert post_opinion(other, url, form_token(other, url)).status_code == 302
    assert Opinion.objects.count() == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": "太短了"}, "至少 10 个字"),
        ({"content": "很" * 2001}, "不能超过 2000 个字"),
        ({"category": ""}, "这个字段是必填项"),
        ({"contact_phone": "110"}, "11位手机号"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    world: Any, fields: dict[str, str], message: str
) -> None:
    client = Client()
    url = reverse("stations:public_opinion")
    response = post_opinion(client, url, form_token(client, url), **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Opinion.objects.exists()


def test_a_disguised_attachment_is_refused(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    url = reverse("stations:public_opinion")
    fake = SimpleUploadedFile("现场.png", b"<script>alert(1)</script>", content_type="image/png")
    response = post_opinion(client, url, form_token(client, url), attachments=fake)
    assert "内容与扩展名不符" in response.content.decode()
    assert not Opinion.objects.exists()


def test_markup_is_stripped(world: Any) -> None:
    client = Client()
    url = reverse("stations:public_opinion")
    post_opinion(
        client,
        url,
        form_token(client, url),
        content="<script>alert('x')</script>菜市场门口<b>污水</b>横流，气味很大，请处理。",
    )
    assert Opinion.objects.get().content == "菜市场门口污水横流，气味很大，请处理。"


def test_a_bot_filling_the_hidden_field_stores_nothing(world: Any) -> None:
    client = Client()
    url = reverse("stations:public_opinion")
    response = post_opinion(client, url, form_token(client, url), website="http://spam.example")
    assert response.status_code == 200
    assert not Opinion.objects.exists()


def test_an_opinion_is_acknowledged_only_after_it_is_saved(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise DatabaseError("disk full")

    monkeypatch.setattr("renda.core.audit.record", broken)
    client = Client()
    url = reverse("stations:public_opinion")
    response = post_opinion(client, url, form_token(client, url), location="解放路")
    body = response.content.decode()
    assert response.status_code == 503
    assert "没有保存成功" in body and "解放路" in body and "查询码" not in body
    assert not Opinion.objects.exists()


def test_a_wrong_code_and_a_missing_code_get_the_same_answer(world: Any) -> None:
    opinion = make_opinion(world, make_station(world))
    client = Client()
    wrong = (
        "X" + opinion.tracking_code[1:]
        if opinion.tracking_code[0] != "X"
        else "Y" + opinion.tracking_code[1:]
    )
    answers = [
        client.get(reverse("stations:public_track_detail", args=[code]))
        for code in (wrong, "ABCDEFGHJKMN", "nonsense!!", "0")
    ]
    assert {r.status_code for r in answers} == {404}
    bodies = {
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode()) for r in answers
    }
    assert len(bodies) == 1
    posted = client.post(reverse("stations:public_track"), {"code": wrong})
    assert posted.status_code == 404 and "没有找到" in posted.content.decode()


def test_the_right_code_shows_the_reply_but_never_contact_data(world: Any) -> None:
    station = make_station(world)
    opinion = replied_opinion(world, station, phone="13955556666", contact_name="赵秀英")
    client = Client()
    lowered = opinion.formatted_code.lower()
    response = client.post(reverse("stations:public_track"), {"code": lowered})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "已安排维修" in body and opinion.content in body
    assert "13955556666" not in body and "赵秀英" not in body
    assert world.handling_officer.name not in body  # no staff names either
    assert page["Cache-Control"] == "no-store"


def test_lookups_of_wrong_codes_are_limited(world: Any) -> None:
    client = Client(REMOTE_ADDR="10.0.0.9")
    with override_settings(STATIONS_TRACK_LIMIT=3):
        for _ in range(3):
            client.get(reverse("stations:public_track_detail", args=["WRONGCODE234"]))
        response = client.get(reverse("stations:public_track_detail", args=["WRONGCODE235"]))
    assert response.status_code == 429 and "查询次数过多" in response.content.decode()


def test_the_constituent_rates_on_the_tracking_page(world: Any) -> None:
    opinion = replied_opinion(world, make_station(world))
    client = Client()
    url = reverse("stations:public_rate", args=[opinion.tracking_code])
    code = opinion.rating_code
    refused = client.post(url, {"rating": "dissatisfied", "rating_code": code})
    assert "不满意的原因" in refused.content.decode()
    opinion.refresh_from_db()
    assert opinion.state == "replied"
    client.post(url, {"rating": "satisfied", "comment": "很及时", "rating_code": code})
    opinion.refresh_from_db()
    assert opinion.state == "closed" and opinion.rating == "satisfied"
    assert opinion.rating_auth == "rating_code"
    again = client.post(
        url, {"rating": "dissatisfied", "comment": "改主意", "rating_code": code}, follow=True
    )
    assert "不能评价" in again.content.decode()
    opinion.refresh_from_db()
    assert opinion.rating == "satisfied"


def test_the_station_page_shows_deputies_schedule_and_a_qr_code(world: Any) -> None:
    station = make_station(world)
    deputy = make_station_deputy(world, station, name="欧阳春")
    response = Client().get(reverse("stations:public_station", args=[station.pk]))
    body = response.content.decode()
    assert station.name in body and "欧阳春" in body
    assert "<svg" in body
    target = reverse("stations:public_station_opinion", args=[station.pk]) + "?via=qr"
    assert f'data-qr-url="http://testserver{target}"' in body
    assert deputy.mobile not in body


def test_the_directory_groups_stations_by_township(world: Any) -> None:
    make_station(world, name="禾青镇人大代表联络站", region=world.other_township)
    make_station(world, name="冷水江街道人大代表联络站")
    body = Client().get(reverse("stations:public_directory")).content.decode()
    assert "禾青镇" in body and "冷水江街道" in body
    assert 'data-testid="township-diagram"' in body


def test_the_public_station_page_keeps_a_bounded_number_of_queries(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    station = make_station(world)
    for _ in range(5):
        make_station_deputy(world, station)
    for _ in range(5):
        make_opinion(world, station)
    client = Client()
    with django_assert_max_num_queries(14):
        assert client.get(reverse("stations:public_station", args=[station.pk])).status_code == 200

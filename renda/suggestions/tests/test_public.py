"""Public disclosure on the portal: only reviewed items, no contact data, searchable, bounded."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.suggestions import services

from .factories import replied, scene

pytestmark = pytest.mark.django_db


def publish(world: Any, s: Any) -> Any:
    return services.publish_suggestion(
        actor=world.staff,
        suggestion=s,
        title=s.title,
        content=services.redact(s.content),
        reply="已列入城建计划，年底前完工。",
    )


def test_it_shows_only_published_items_without_contact_data(world: Any, client: Any) -> None:
    sc = scene(world)
    shown = publish(
        world,
        replied(
            sc,
            title="关于改造排水管网的建议",
            content="联系电话13912345678，小区排水管网老化严重。",
        ),
    )
    hidden = replied(sc, title="关于尚未审核的建议")
    page = client.get(reverse("suggestions:public_list")).content.decode()
    assert shown.title in page and hidden.title not in page
    detail = client.get(reverse("suggestions:public_detail", args=[shown.pk])).content.decode()
    assert "13912345678" not in detail and sc.me.mobile not in detail
    assert "张建国" in detail and "住房和城乡建设局" in detail and "A类" in detail
    assert client.get(reverse("suggestions:public_detail", args=[hidden.pk])).status_code == 404


def test_it_searches_by_keyword_and_deputy(world: Any, client: Any) -> None:
    sc = scene(world)
    a = publish(world, replied(sc, title="关于改造排水管网的建议"))
    b = publish(world, replied(sc, title="关于增设路灯的建议"))
    page = client.get(reverse("suggestions:public_list") + "?q=路灯").content.decode()
    assert b.title in page and a.title not in page
    page = client.get(reverse("suggestions:public_list") + "?q=张建国").content.decode()
    assert a.title in page and b.title in page


def test_it_keeps_public_queries_bounded(
    world: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    sc = scene(world)
    publish(world, replied(sc, title="第一件公开建议"))
    client.get(reverse("suggestions:public_list"))
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("suggestions:public_list"))
    for i in range(12):
        publish(world, replied(sc, title=f"第{i}件公开的建议关于道路"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("suggestions:public_list")).status_code == 200


def test_it_withdraws_a_published_item(world: Any, client: Any) -> None:
    sc = scene(world)
    s = publish(world, replied(sc))
    services.unpublish_suggestion(actor=world.staff, suggestion=s, reason="涉及个人隐私")
    assert client.get(reverse("suggestions:public_detail", args=[s.pk])).status_code == 404

"""A suggestion drafted from another item (a constituent opinion, a budget alert) records
where it came from through core's source links, in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.core.models import Organization
from renda.core.sources import Source, link_source, sources_of

from .factories import draft, scene

pytestmark = pytest.mark.django_db


def test_create_suggestion_links_its_source(world: Any) -> None:
    sc = scene(world)
    origin = Organization.objects.first()
    assert origin is not None
    s = draft(sc, source=Source(origin, "群众意见 #1", "/stations/opinions/1/"))
    links = sources_of(s)
    assert [(link.label, link.url) for link in links] == [("群众意见 #1", "/stations/opinions/1/")]
    assert links[0].source_id == origin.pk


def test_without_source_nothing_is_linked(world: Any) -> None:
    s = draft(scene(world))
    assert sources_of(s) == []


def test_the_suggestion_page_shows_its_source(world: Any, client_for: Any) -> None:
    sc = scene(world)
    origin = Organization.objects.first()
    assert origin is not None
    s = draft(sc)
    link_source(actor=world.staff, source=Source(origin, "某来源条目", "/somewhere/1/"), target=s)
    page = client_for("deputy").get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert 'data-testid="source-organization"' in page
    assert '来源：<a href="/somewhere/1/">某来源条目</a>' in page

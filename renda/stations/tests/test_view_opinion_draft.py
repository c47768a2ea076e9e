"""A station converts a constituent opinion to a deputy; the deputy drafts a suggestion from
it; opinion and suggestion point at each other (issue 4 "linked both ways")."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from renda.stations import services as station_services
from renda.stations.models import Opinion
from renda.stations.tests.factories import make_opinion, make_station
from renda.suggestions import services
from renda.suggestions.models import Suggestion

from .factories import scene


def converted_to(world: Any, deputy: Any) -> Opinion:
    opinion = make_opinion(
        world, make_station(world), content="金竹山镇中学门口没有减速带，学生上学很危险。"
    )
    return station_services.convert_opinion(actor=world.staff, opinion=opinion, deputy=deputy)


def test_the_deputy_sees_the_opinion_and_drafts_from_it(world: Any, client_for: Any) -> None:
    sc = scene(world)
    opinion = converted_to(world, sc.me)
    client = client_for("deputy")
    home = client.get(reverse("suggestions:deputy_home")).content.decode()
    assert f"{reverse('suggestions:create')}?opinion={opinion.pk}" in home
    form = client.get(reverse("suggestions:create"), {"opinion": opinion.pk}).content.decode()
    assert "没有减速带" in form and 'name="opinion"' in form
    response = client.post(
        reverse("suggestions:create"),
        {
            "opinion": opinion.pk,
            "title": "关于在金竹山镇中学门口设置减速带的建议",
            "content": "金竹山镇中学门口没有减速带，建议设置减速带和警示标志。",
            "allow_public": "on",
        },
    )
    suggestion = Suggestion.objects.get(lead_deputy=sc.me)
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.suggestion_id == suggestion.pk
    detail = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert 'data-testid="source-opinion"' in detail
    assert opinion.pk not in [o.pk for o in Opinion.objects.filter(suggestion_id__isnull=True)]


def test_another_deputy_cannot_draft_from_it(world: Any, client_for: Any) -> None:
    sc = scene(world)
    opinion = converted_to(world, sc.others[0])
    response = client_for("deputy").get(reverse("suggestions:create"), {"opinion": opinion.pk})
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.create_suggestion_from_opinion(
            actor=world.deputy, deputy=sc.me, opinion=opinion, title="x" * 10, content="y" * 20
        )
    assert not Suggestion.objects.exists()


def test_one_opinion_becomes_one_suggestion(world: Any) -> None:
    sc = scene(world)
    opinion = converted_to(world, sc.me)
    fields: dict[str, Any] = {
        "title": "关于设置减速带的建议",
        "content": "建议在学校门口设置减速带和警示标志。",
    }
    services.create_suggestion_from_opinion(
        actor=world.deputy, deputy=sc.me, opinion=opinion, **fields
    )
    with pytest.raises(ValidationError):
        services.create_suggestion_from_opinion(
            actor=world.deputy, deputy=sc.me, opinion=opinion, **fields
        )
    assert Suggestion.objects.count() == 1

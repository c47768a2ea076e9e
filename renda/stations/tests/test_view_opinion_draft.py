"""A station converts a constituent opinion to a deputy; the deputy drafts a suggestion from
it on the stations side; opinion and suggestion point at each other through core's source
link (issue 4 "linked both ways")."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from renda.core.sources import has_target, targets_of
from renda.stations import services
from renda.stations.models import Opinion
from renda.stations.tests.factories import make_opinion, make_station
from renda.suggestions.models import Suggestion
from renda.suggestions.tests.factories import scene


def converted_to(world: Any, deputy: Any) -> Opinion:
    opinion = make_opinion(
        world, make_station(world), content="金竹山镇中学门口没有减速带，学生上学很危险。"
    )
    return services.convert_opinion(actor=world.staff, opinion=opinion, deputy=deputy)


def test_the_deputy_sees_the_opinion_and_drafts_from_it(world: Any, client_for: Any) -> None:
    sc = scene(world)
    opinion = converted_to(world, sc.me)
    client = client_for("deputy")
    draft_url = reverse("stations:opinion_draft_suggestion", args=[opinion.pk])
    home = client.get(reverse("stations:my_duties")).content.decode()
    assert draft_url in home
    workbench = client.get(reverse("core:workbench")).content.decode()
    assert "转给我的群众意见" in workbench
    form = client.get(draft_url).content.decode()
    assert "没有减速带" in form and 'data-testid="source-opinion"' in form
    assert opinion.tracking_code not in form and opinion.formatted_code not in form
    response = client.post(
        draft_url,
        {
            "title": "关于在金竹山镇中学门口设置减速带的建议",
            "content": "金竹山镇中学门口没有减速带，建议设置减速带和警示标志。",
            "allow_public": "on",
        },
    )
    suggestion = Suggestion.objects.get(lead_deputy=sc.me)
    assert response.status_code == 302
    assert targets_of(opinion, Suggestion) == [suggestion.pk]
    detail = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert 'data-testid="source-opinion"' in detail
    assert opinion.tracking_code not in detail and opinion.formatted_code not in detail
    not_drafted = Opinion.objects.annotate(drafted=has_target(Opinion, Suggestion)).filter(
        drafted=False
    )
    assert opinion.pk not in [o.pk for o in not_drafted]
    staff_page = client_for("staff").get(reverse("stations:opinion_detail", args=[opinion.pk]))
    assert reverse("suggestions:detail", args=[suggestion.pk]) in staff_page.content.decode()


def test_another_deputy_cannot_draft_from_it(world: Any, client_for: Any) -> None:
    sc = scene(world)
    opinion = converted_to(world, sc.others[0])
    url = reverse("stations:opinion_draft_suggestion", args=[opinion.pk])
    response = client_for("deputy").get(url)
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        services.draft_suggestion(
            actor=world.deputy, opinion=opinion, title="x" * 10, content="y" * 20
        )
    assert not Suggestion.objects.exists()


def test_one_opinion_becomes_one_suggestion(world: Any) -> None:
    sc = scene(world)
    opinion = converted_to(world, sc.me)
    fields: dict[str, Any] = {
        "title": "关于设置减速带的建议",
        "content": "建议在学校门口设置减速带和警示标志。",
    }
    services.draft_suggestion(actor=world.deputy, opinion=opinion, **fields)
    with pytest.raises(ValidationError):
        services.draft_suggestion(actor=world.deputy, opinion=opinion, **fields)
    assert Suggestion.objects.count() == 1

"""The deputy's pages on a phone: draft, invite, submit, rate; and what another deputy cannot do."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from renda.conftest import login
from renda.suggestions.models import Suggestion

from .factories import draft, replied, scene

pytestmark = pytest.mark.django_db


def test_it_lets_a_deputy_write_invite_and_submit(world: Any, client_for: Any) -> None:
    sc = scene(world)
    client = client_for("deputy")
    response = client.post(
        reverse("suggestions:create"),
        {
            "title": "关于增设学校周边交通信号灯的建议",
            "content": "冷水江街道第二小学门口车流量大，学生过马路危险，建议增设信号灯。",
            "allow_public": "on",
        },
    )
    s = Suggestion.objects.get()
    assert response.status_code == 302 and s.state == "draft" and s.lead_deputy == sc.me
    client.post(reverse("suggestions:invite", args=[s.pk]), {"deputy": sc.others[0].pk})
    assert s.signatures.count() == 2
    response = client.post(
        reverse("suggestions:submit", args=[s.pk]), {"drop_unconfirmed": "1"}, follow=True
    )
    s.refresh_from_db()
    assert s.state == "submitted"
    assert "1 位被邀请的代表未确认" in response.content.decode()


def test_it_keeps_what_was_typed_when_the_draft_is_too_short(world: Any, client_for: Any) -> None:
    scene(world)
    response = client_for("deputy").post(
        reverse("suggestions:create"), {"title": "修路", "content": "请修路"}
    )
    assert response.status_code == 200
    assert "至少10个字" in response.content.decode() and "修路" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_it_hides_a_draft_from_another_deputy(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = draft(sc)
    other = login(client_for("anonymous"), sc.others[0].user)  # type: ignore[arg-type]
    assert other.get(reverse("suggestions:detail", args=[s.pk])).status_code == 404
    assert other.get(reverse("suggestions:edit", args=[s.pk])).status_code == 404
    response = other.post(reverse("suggestions:submit", args=[s.pk]))
    assert response.status_code == 404
    s.refresh_from_db()
    assert s.state == "draft"


def test_it_lets_an_invited_deputy_read_but_not_edit_the_draft(world: Any, client_for: Any) -> None:
    from renda.suggestions import services

    sc = scene(world)
    s = draft(sc)
    services.invite_cosigner(actor=world.deputy, subject=s, deputy=sc.others[0])
    other = login(client_for("anonymous"), sc.others[0].user)  # type: ignore[arg-type]
    assert other.get(reverse("suggestions:detail", args=[s.pk])).status_code == 200
    assert other.get(reverse("suggestions:edit", args=[s.pk])).status_code == 403
    other.post(reverse("suggestions:cosign", args=[s.pk]), {"accept": "1"})
    assert s.signatures.get(deputy=sc.others[0]).confirmed_at is not None


def test_it_shows_items_to_rate_on_the_deputy_home(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = replied(sc)
    page = client_for("deputy").get(reverse("suggestions:deputy_home")).content.decode()
    assert 'data-testid="to-rate"' in page and s.title in page
    assert "履职积分" in page


def test_it_rates_from_the_phone_and_requires_a_reason_for_dissatisfied(
    world: Any, client_for: Any
) -> None:
    sc = scene(world)
    s = replied(sc)
    client = client_for("deputy")
    url = reverse("suggestions:rate", args=[s.pk])
    response = client.post(url, {"rating": "dissatisfied", "expected_state": "replied"})
    assert "请写明不满意的原因" in response.content.decode()
    s.refresh_from_db()
    assert s.state == "replied"
    client.post(
        url, {"rating": "dissatisfied", "comment": "未实地察看", "expected_state": "replied"}
    )
    s.refresh_from_db()
    assert s.state == "rehandling" and s.is_key


def test_it_refuses_a_second_rating_from_a_stale_page(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = replied(sc)
    client = client_for("deputy")
    url = reverse("suggestions:rate", args=[s.pk])
    client.post(url, {"rating": "satisfied", "expected_state": "replied"})
    response = client.post(
        url, {"rating": "dissatisfied", "comment": "x", "expected_state": "replied"}
    )
    assert "不能执行" in response.content.decode()
    s.refresh_from_db()
    assert s.state == "closed" and s.evaluations.count() == 1

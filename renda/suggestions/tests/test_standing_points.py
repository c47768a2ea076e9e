"""Duty points count only what stands: a withdrawn, merged-away or not accepted suggestion (and
a withdrawn motion) earns its signers nothing. And a deputy is told, before submitting, which
invited co-signers have not confirmed and will be dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from renda.core.workflow import apply_transition
from renda.deputies.models import DutyRecord
from renda.deputies.selectors import scoring
from renda.deputies.services import create_score_rule
from renda.suggestions import services
from renda.suggestions.models import Suggestion

from .factories import draft, motion_with_signers, open_sitting, registered, scene, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def sc(world: Any) -> Any:
    sc = scene(world)
    for kind in ("suggestion", "motion"):
        create_score_rule(actor=world.staff, kind=kind, points=2, valid_from=dt.date(2000, 1, 1))
    return sc


def points(deputy: Any) -> Any:
    return scoring.deputy_score(deputy, timezone.localdate().year).total


def test_a_submitted_suggestion_earns_points(sc: Any) -> None:
    submitted(sc)
    assert points(sc.me) == 2


def test_a_withdrawn_suggestion_earns_nothing(world: Any, sc: Any) -> None:
    s = submitted(sc)
    apply_transition(actor=world.deputy, obj=s, transition="withdraw", note="情况已解决")
    assert points(sc.me) == 0
    # Append-only: the record stays, next to its reversal.
    assert DutyRecord.objects.filter(deputy=sc.me).count() == 2


def test_a_rejected_suggestion_earns_nothing(world: Any, sc: Any) -> None:
    s = submitted(sc)
    apply_transition(actor=world.staff, obj=s, transition="reject", note="不属于建议范围")
    assert points(sc.me) == 0


def test_a_merged_away_suggestion_earns_nothing_and_the_main_item_still_does(
    world: Any, sc: Any
) -> None:
    main = registered(sc, title="关于排水管网改造的建议")
    services.merge_suggestion(
        actor=world.staff, suggestion=registered(sc, title="关于排水改造的建议"), into=main
    )
    assert points(sc.me) == 2
    assert Suggestion.objects.get(pk=main.pk).state == "registered"


def test_a_withdrawn_motion_earns_nothing(world: Any) -> None:
    sc = scene(world, others=9)
    create_score_rule(actor=world.staff, kind="motion", points=2, valid_from=dt.date(2000, 1, 1))
    open_sitting(sc)
    motion = services.submit_motion(actor=world.deputy, motion=motion_with_signers(sc, 9))
    assert points(sc.others[0]) == 2
    apply_transition(actor=world.deputy, obj=motion, transition="withdraw", note="再调研")
    assert points(sc.me) == 0 and points(sc.others[0]) == 0


def test_the_deputy_is_told_who_will_be_dropped_before_submitting(
    world: Any, sc: Any, client_for: Any
) -> None:
    s = draft(sc)
    services.invite_cosigner(actor=world.deputy, subject=s, deputy=sc.others[0])
    client = client_for("deputy")
    page = client.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert "尚未确认联名：" + sc.others[0].name in page and 'name="drop_unconfirmed"' in page
    # Without ticking it, nothing is submitted and the names are said again.
    response = client.post(reverse("suggestions:submit", args=[s.pk]), follow=True)
    s.refresh_from_db()
    assert s.state == "draft" and s.signatures.count() == 2
    assert f"{sc.others[0].name}尚未确认联名" in response.content.decode()
    client.post(reverse("suggestions:submit", args=[s.pk]), {"drop_unconfirmed": "1"})
    s.refresh_from_db()
    assert s.state == "submitted" and s.signatures.count() == 1

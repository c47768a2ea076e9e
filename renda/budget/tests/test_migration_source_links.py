"""Migration 0010: every alert that had become a suggestion through the old `Alert.suggestion`
column is, after the migration, linked through core.SourceLink, and its page still shows the
suggestion; going back copies the links into the column again."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from renda.budget.models import Alert
from renda.budget.tests.alert_data import make_alert
from renda.core.models import SourceLink
from renda.core.sources import targets_of
from renda.deputies.tests.factories import make_deputy
from renda.suggestions.models import Suggestion
from renda.suggestions.services import create_suggestion

BEFORE = [("budget", "0009_indicator_paid_summary")]
AFTER = [("budget", "0010_alert_suggestion_source_link")]


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _latest() -> None:
    """The later migrations again: the pages and the tests that follow need today's schema."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def back_to_the_latest_schema() -> Any:
    yield
    _latest()


@pytest.mark.django_db(transaction=True)
def test_every_alert_suggestion_link_survives_the_move(world: Any, client_for: Any) -> None:
    deputy = make_deputy(world, name="张建国", user=world.deputy)
    alerts = [make_alert(world) for _ in range(3)]
    drafted = {}
    for alert in alerts[:2]:
        Alert.objects.filter(pk=alert.pk).update(offered_to=deputy)
        drafted[alert.pk] = create_suggestion(
            actor=world.deputy,
            deputy=deputy,
            title=f"关于{alert.subject_label}大额支付的建议",
            content="单笔支付超过大额标准，建议建立集体决策和公示制度。",
        )
    # The schema before the move: the links live in the alert's column.
    old = _migrate(BEFORE)
    old_alert = old.get_model("budget", "Alert")
    for alert_id, suggestion in drafted.items():
        old_alert.objects.filter(pk=alert_id).update(suggestion_id=suggestion.pk)
    assert old_alert.objects.filter(suggestion__isnull=False).count() == 2

    _migrate(AFTER)
    _latest()
    assert SourceLink.objects.count() == 2
    for alert in alerts:
        expected = [drafted[alert.pk].pk] if alert.pk in drafted else []
        assert targets_of(Alert.objects.get(pk=alert.pk), Suggestion) == expected
    first = Alert.objects.select_related("rule").get(pk=alerts[0].pk)
    link = SourceLink.objects.get(source_id=first.pk)
    assert link.label.startswith(f"预算联网监督预警 {first.rule.code} {first.rule.name}")
    assert link.url == reverse("budget:alert_detail", args=[first.pk])
    assert link.created_by == world.deputy
    # The alert page still shows the suggestion drafted from it, with its link.
    page = client_for("staff").get(reverse("budget:alert_detail", args=[first.pk]))
    content = page.content.decode()
    assert reverse("suggestions:detail", args=[drafted[first.pk].pk]) in content
    assert drafted[first.pk].title in content
    # And the suggestion page names the alert as its source.
    assert first.suggestion == drafted[first.pk]


@pytest.mark.django_db(transaction=True)
def test_going_back_copies_the_links_into_the_column(world: Any) -> None:
    deputy = make_deputy(world, name="张建国", user=world.deputy)
    alert = make_alert(world)
    Alert.objects.filter(pk=alert.pk).update(offered_to=deputy)
    from renda.budget.services import escalation

    suggestion = escalation.draft_suggestion_from_alert(
        actor=world.deputy,
        alert=alert,
        title="关于大额支付的建议",
        content="单笔支付超过大额标准，建议建立集体决策和公示制度。",
    )
    old = _migrate(BEFORE)
    assert old.get_model("budget", "Alert").objects.get(pk=alert.pk).suggestion_id == suggestion.pk
    assert SourceLink.objects.count() == 0
    _migrate(AFTER)
    assert targets_of(Alert.objects.get(pk=alert.pk), Suggestion) == [suggestion.pk]

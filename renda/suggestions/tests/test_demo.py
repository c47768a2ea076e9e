"""The demo data set: every state of the workflow, through the services, idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core.models import Organization
from renda.deputies.models import ScoreRule
from renda.deputies.tests.factories import make_deputy
from renda.suggestions.demo import load_demo_suggestions
from renda.suggestions.demo_topics import HANDLING_UNITS
from renda.suggestions.models import Motion, Suggestion
from renda.suggestions.workflows import SUGGESTION

pytestmark = pytest.mark.django_db


def test_it_loads_every_state_once(world: Any) -> None:
    for code in HANDLING_UNITS:
        Organization.objects.create(
            name=f"单位{code}",
            code=code,
            kind="government_department",
            region=world.county,
            is_handling_unit=True,
        )
    make_deputy(world, user=world.deputy)
    for i in range(20):
        make_deputy(world, name=f"代表{i:02d}", mobile="")
    created = load_demo_suggestions(actor=None)
    assert created["代表建议"] == 98
    assert created["议案"] == 4
    states = set(Suggestion.objects.values_list("state", flat=True))
    assert states == {s.code for s in SUGGESTION.states}
    assert Suggestion.objects.filter(published_at__isnull=False).exists()
    assert ScoreRule.objects.count() == 12
    assert Motion.objects.exists()
    assert load_demo_suggestions(actor=None) == {}

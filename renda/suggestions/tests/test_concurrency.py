"""Two staff assign the same item at the same moment: exactly one assignment wins, the other
gets a clear message. Real row locks need PostgreSQL (run with DATABASE_URL set)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from renda.core.models import WorkflowEvent
from renda.core.workflow import TransitionNotAllowed
from renda.suggestions import services
from renda.suggestions.models import Assignment, Suggestion

from .factories import registered, scene


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_concurrent_assignments_win(world: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update is a no-op on SQLite; run this on PostgreSQL")
    sc = scene(world, others=1)
    item = registered(sc)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def assign(unit: Any) -> None:
        try:
            barrier.wait()
            services.assign_suggestion(
                actor=world.staff,
                suggestion=Suggestion.objects.get(pk=item.pk),
                mode="lead",
                lead_unit=unit,
                expected_state="registered",
            )
            outcomes.append("assigned")
        except TransitionNotAllowed as error:
            outcomes.append(error.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(u,)) for u in (sc.unit, sc.other_unit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "assigned" in outcomes and len(outcomes) == 2
    refused = next(o for o in outcomes if o != "assigned")
    assert refused == "当前状态为“办理中”，不能执行“交办”操作。"
    assert Assignment.objects.filter(suggestion_id=item.pk, active=True).count() == 1
    assert WorkflowEvent.objects.filter(object_id=str(item.pk), transition="assign").count() == 1

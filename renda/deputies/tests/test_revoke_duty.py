"""Points count only what stands: a source that no longer stands gets a reversal appended (the
record itself is never edited), and scoring leaves out both."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from renda.core.models import AuditEvent
from renda.deputies.models import DutyRecord
from renda.deputies.selectors import scoring
from renda.deputies.services import create_score_rule, record_duty, revoke_duty

from .factories import make_deputy

pytestmark = pytest.mark.django_db
DAY = dt.date(dt.date.today().year, 1, 2)


def test_a_revoked_source_scores_nothing_and_the_rest_still_counts(world: Any) -> None:
    deputy = make_deputy(world)
    create_score_rule(
        actor=world.staff, kind="suggestion", points=2, valid_from=dt.date(2000, 1, 1)
    )
    create_score_rule(actor=world.staff, kind="training", points=1, valid_from=dt.date(2000, 1, 1))
    withdrawn, standing = world.office, world.congress  # any saved rows stand in for sources
    for source in (withdrawn, standing):
        record_duty(
            actor=None,
            deputy=deputy,
            kind="suggestion",
            occurred_on=DAY,
            title="建议",
            source=source,
        )
    record_duty(actor=None, deputy=deputy, kind="training", occurred_on=DAY, title="培训")
    assert scoring.deputy_score(deputy, DAY.year).total == 5

    added = revoke_duty(actor=world.staff, source=withdrawn, reason="代表撤回")
    assert len(added) == 1 and added[0].title.startswith("不计分（代表撤回）")
    score = scoring.deputy_score(deputy, DAY.year)
    assert score.total == 3 and score.records == 2
    # Append-only: the original stays, a second revocation adds nothing.
    assert DutyRecord.objects.count() == 4
    assert revoke_duty(actor=world.staff, source=withdrawn, reason="代表撤回") == []
    assert AuditEvent.objects.filter(action="duty.revoke").count() == 1

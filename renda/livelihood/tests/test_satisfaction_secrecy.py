"""A 测评票 is as secret as a 票决 ballot: the same two tables with nothing between them, the
same box in tracker order, no log line or audit event naming a ballot, and nothing the
测评 adds (its result, its rectifications) points at a ballot or a participation."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from renda.core.models import AuditEvent
from renda.livelihood import services
from renda.livelihood.models import Ballot, Participation, Rectification

from .factories import grades, make_evaluation
from .test_secrecy import _box_keys, assert_stored_in_order

pytestmark = pytest.mark.django_db

S, B, D = "satisfied", "basic", "dissatisfied"


def test_no_join_from_a_satisfaction_ballot_to_a_member(
    world: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    ev = make_evaluation(world, deputies=5, chosen=2)
    round_ = services.open_round(actor=world.staff, round_=ev.round)
    caplog.set_level(logging.DEBUG)
    in_cast_order = []
    # Members cast in an order that is not deputy order; the deputy persona on the page.
    for i, row in ((3, (D, D)), (1, (S, B)), (4, (B, ""))):
        receipt = services.cast_ballot(actor=ev.users[i], round_=round_, marks=grades(ev, *row))
        in_cast_order.append(receipt.tracker)
        assert _box_keys(round_.pk) == sorted(in_cast_order)
    first, second = ev.candidates
    page = client_for("deputy").post(
        f"/livelihood/rounds/{round_.pk}/ballot/",
        {"step": "cast", f"c_{first.pk}": S, f"c_{second.pk}": D},
    )
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    services.close_round(actor=world.staff, round_=round_)
    mine = Ballot.objects.filter(round=round_).exclude(tracker__in=in_cast_order).get()
    assert mine.tracker in page.content.decode()
    assert_stored_in_order(
        "livelihood_participation",
        "deputy_id",
        round_.pk,
        sorted(Participation.objects.filter(round=round_).values_list("deputy_id", flat=True)),
    )
    services.count_round(actor=world.staff, round_=round_)
    secrets = set()
    for b in Ballot.objects.filter(round=round_):
        secrets |= {b.tracker, str(b.pk), b.digest, b.nonce, b.choices}
    for record in caplog.records:
        assert not any(s in record.getMessage() for s in secrets)
    for event in AuditEvent.objects.all():
        text = f"{event.target_type} {event.target_id} {event.target_repr} {event.details}"
        assert not any(s in text for s in secrets), event.action
    casts = AuditEvent.objects.filter(
        action="livelihood.ballot_cast", target_type="livelihood.vote", target_id=ev.vote.pk
    )
    assert casts.count() == 4 and all(sorted(e.details) == ["deputy", "round"] for e in casts)
    # The 测评's own rows carry counts only: no ballot, tracker or participation.
    relations = {f.name for f in Rectification._meta.get_fields() if f.is_relation}
    assert not relations & {"ballot", "ballots", "participation", "participations"}
    rect = Rectification.objects.get()  # the second project: 1 基本满意 of 4 voters
    assert set(rect.tally) == {"satisfied", "basic", "dissatisfied", "abstain", "voters"}
    assert not any(s in str(rect.tally) for s in secrets)
    result = str(type(round_).objects.get(pk=round_.pk).result)
    assert not any(s in result for s in secrets)

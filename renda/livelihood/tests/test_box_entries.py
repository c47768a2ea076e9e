"""The open ballot box keeps each ballot as (nonce, marks packed one digit per candidate); the
canonical text, digest and validity are derived at the close, where each digest must give its
tracker (the deputy's receipt) back. A box entry changed while the vote was open stops the
close. Migration 0008 converts the boxes of rounds open under the earlier entry format."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from renda.livelihood import chain, rules, services
from renda.livelihood.models import Ballot, BallotBox, Round
from renda.livelihood.selectors import verify_round

from .factories import box_ballots, cast_all, make_hall, marks

pytestmark = pytest.mark.django_db


def test_packing_gives_every_mark_back_for_both_kinds() -> None:
    ids = [7, 3, 12, 40]
    selection = {7: "yes", 3: "no", 12: "abstain", 40: "yes"}
    assert rules.pack(selection, ids) == "0120"
    assert rules.unpack("0120", ids) == selection
    grades = {7: "satisfied", 3: "basic", 12: "dissatisfied", 40: "abstain"}
    packed = rules.pack(grades, ids, rules.VoteKind.SATISFACTION)
    assert packed == "0123"
    assert rules.unpack(packed, ids, rules.VoteKind.SATISFACTION) == grades
    with pytest.raises(ValueError):
        rules.unpack("012", ids)


def test_the_box_keeps_the_nonce_and_packed_marks_and_the_close_derives_the_rest(
    world: Any,
) -> None:
    hall = make_hall(world, deputies=3, seats=1, candidates=3)
    services.open_round(actor=world.staff, round_=hall.round)
    ballots = [marks(hall, 0, no=(1,)), marks(hall, 0, 2), marks(hall, no=(0, 1, 2))]
    trackers = cast_all(hall, ballots)
    entries = box_ballots(hall.round)
    assert sorted(entries) == sorted(trackers)
    nonce, packed = entries[trackers[0]]
    assert len(nonce) == 32 and packed == "012"  # 赞成, 反对, unmarked = 弃权
    assert entries[trackers[2]][1] == "111"
    closed = services.close_round(actor=world.staff, round_=hall.round)
    assert verify_round(closed).ok
    rows = {b.tracker: b for b in Ballot.objects.filter(round=closed)}
    ids = [int(i) for i in closed.candidate_ids]
    for tracker, sent in zip(trackers, ballots, strict=True):
        row = rows[tracker]
        full = rules.normalise(sent, ids)
        assert row.choices == chain.choices_text(full)
        assert chain.tracker_of(row.digest) == tracker
        assert row.valid == rules.is_valid(full, closed.seats)
    assert [rows[t].valid for t in trackers] == [True, False, True]  # two 赞成 for one seat


def test_an_entry_changed_in_the_box_while_open_stops_the_close(world: Any) -> None:
    hall = make_hall(world, deputies=2, seats=1, candidates=2)
    services.open_round(actor=world.staff, round_=hall.round)
    first, _second = cast_all(hall, [marks(hall, 0), marks(hall, 1)])
    box = BallotBox.objects.get(round=hall.round)
    nonce, _packed = box.entries[first]
    box.entries = {**box.entries, first: [nonce, "10"]}  # 赞成 moved to the other project
    box.save(update_fields=["entries"])
    with pytest.raises(ValidationError) as refusal:
        services.close_round(actor=world.staff, round_=hall.round)
    assert f"核验码为 {first} 的选票与其核验码不符" in "".join(refusal.value.messages)
    assert Round.objects.get(pk=hall.round.pk).state == Round.State.OPEN
    assert not Ballot.objects.filter(round=hall.round).exists()


def test_migration_0008_packs_the_boxes_of_open_rounds(world: Any) -> None:
    hall = make_hall(world, deputies=3, seats=2, candidates=3)
    services.open_round(actor=world.staff, round_=hall.round)
    trackers = cast_all(hall, [marks(hall, 0, 1), marks(hall, no=(2,)), marks(hall, 0, 1, 2)])
    packed_now = box_ballots(hall.round)
    round_ = Round.objects.select_related("vote").get(pk=hall.round.pk)
    ids = [int(i) for i in round_.candidate_ids]
    # The box as 0007 left it: tracker → [digest, canonical text, nonce, valid].
    old = {}
    for tracker, (nonce, packed) in packed_now.items():
        full = rules.unpack(packed, ids)
        text = chain.choices_text(full)
        digest = chain.ballot_hash(manifest_digest=round_.manifest_hash, choices=text, nonce=nonce)
        old[tracker] = [digest, text, nonce, rules.is_valid(full, round_.seats)]
    BallotBox.objects.filter(round=round_).update(entries=old)
    migration = importlib.import_module("renda.livelihood.migrations.0008_box_entries_packed")
    migration.pack_open_boxes(apps, None)
    assert box_ballots(round_) == packed_now
    closed = services.close_round(actor=world.staff, round_=round_)
    assert verify_round(closed).ok
    assert sorted(Ballot.objects.filter(round=closed).values_list("tracker", flat=True)) == sorted(
        trackers
    )

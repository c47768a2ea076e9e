"""投票: a deputy on the round's frozen roster casts one ballot (of a 票决 or a 满意度测评: the
marks and the validity rule follow the vote's kind, nothing else differs).

What is written, in ONE transaction (both rows or neither):
- a `Participation` (round, deputy): the unique key refuses a second one whatever the client
  does, so a double click, a second device or a replayed request ends in "您已投票";
- a `Ballot` (round, tracker, digest, choices, nonce, valid) with a random key and no deputy,
  time, IP or device;
- every ballot of the round is then rewritten in tracker order (votes.rewrite_ballots), so the
  table's physical order and row versions carry no trace of the casting order;
- an audit event naming the round and the deputy, never the ballot or its tracker.

The tracker is returned to the caller to show ONCE (the view renders it in the POST's answer,
never in a URL, a session or a log): it is the only thing that could tie the deputy to a
ballot row, so the server keeps no copy next to the deputy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from renda.core import audit
from renda.meetings.models import MeetingMember
from renda.meetings.permissions import deputy_of

from .. import chain, rules
from ..models import Ballot, Participation, Round
from .votes import State, rewrite_ballots

ALREADY = "您已投票，每位代表只能投一次。"


@dataclass(frozen=True)
class Receipt:
    tracker: str
    valid: bool
    round_id: int


def _refuse_unless_voter(locked: Round, actor: Any) -> int:
    if locked.state == State.DRAFT:
        raise ValidationError("票决尚未开始。")
    if locked.state != State.OPEN:
        raise ValidationError("投票已经结束，不能再投票。")
    deputy = deputy_of(actor)
    if deputy is None:
        raise ValidationError("您不是本次会议的代表，不能投票。")
    roster = json.loads(locked.manifest)["roster"]
    if deputy.pk not in roster:
        member = MeetingMember.objects.filter(meeting_id=locked.vote.meeting_id, deputy=deputy)
        if not member.exists():
            raise ValidationError("您不是本次会议的代表，不能投票。")
        if member.filter(role=MeetingMember.Role.OBSERVE).exists():
            raise ValidationError("列席人员不参加票决。")
        raise ValidationError("您在票决开始时尚未签到，不在本轮投票名单中。")
    return int(deputy.pk)


def ballot_marks(locked: Round, marks: dict[int, str]) -> dict[int, str]:
    ids = [int(i) for i in locked.candidate_ids]
    unknown = set(marks) - set(ids)
    if unknown:
        raise ValidationError("选票上有不属于本轮的候选项目，请刷新页面后重新填写。")
    return rules.normalise(marks, ids, locked.vote.kind)


@transaction.atomic
def cast_ballot(*, actor: Any, round_: Round, marks: dict[int, str]) -> Receipt:
    # The round's row lock orders casts against each other (the rewrite needs it) and
    # against closing: a cast either lands before the close or is refused after it.
    locked = Round.objects.select_for_update().select_related("vote").get(pk=round_.pk)
    deputy_id = _refuse_unless_voter(locked, actor)
    if Participation.objects.filter(round=locked, deputy_id=deputy_id).exists():
        raise ValidationError(ALREADY)
    full = ballot_marks(locked, marks)
    try:
        with transaction.atomic():
            Participation.objects.create(round=locked, deputy_id=deputy_id)
    except IntegrityError:
        raise ValidationError(ALREADY) from None
    choices = chain.choices_text(full)
    taken = set(Ballot.objects.filter(round=locked).values_list("tracker", flat=True))
    while True:
        nonce = chain.new_nonce()
        digest = chain.ballot_hash(
            manifest_digest=locked.manifest_hash, choices=choices, nonce=nonce
        )
        tracker = chain.tracker_of(digest)
        if tracker not in taken:
            break
    valid = rules.is_valid(full, locked.seats, locked.vote.kind)
    Ballot.objects.create(
        round=locked, tracker=tracker, digest=digest, choices=choices, nonce=nonce, valid=valid
    )
    rewrite_ballots(locked)
    audit.record(
        actor=actor,
        action="livelihood.ballot_cast",
        target=locked.vote,
        details={"round": locked.number, "deputy": deputy_id},
    )
    return Receipt(tracker=tracker, valid=valid, round_id=locked.pk)

"""投票: a deputy on the round's frozen roster casts one ballot (of a 票决 or a 满意度测评: the
marks and the validity rule follow the vote's kind, nothing else differs).

What is written, in ONE transaction (both rows or neither):
- a `Participation` (round, deputy): the unique key refuses a second one whatever the client
  does, so a double click, a second device or a replayed request ends in "您已投票";
- a `Ballot` (round, tracker, digest, choices, nonce, valid) with a random key and no deputy,
  time, IP or device;
- every ballot of the round is then rewritten in tracker order (rewrite_ballots), so the
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
from django.db import IntegrityError, connection, transaction

from renda.core import audit
from renda.meetings.models import MeetingMember
from renda.meetings.permissions import deputy_of

from .. import chain, rules
from ..models import Ballot, Participation, Round
from . import votes
from .votes import State

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


def rewrite_ballots(round_: Round) -> None:
    """The per-cast rewrite of the round's (unsealed) box, as votes.rewrite_ballots does it:
    every ballot deleted and re-inserted in tracker order, in this transaction. On
    PostgreSQL one statement does it inside the server (the deleted rows feed the insert), so
    a cast does not carry every ballot of the round to Python and back; elsewhere the ORM's
    version runs."""
    if connection.vendor != "postgresql":
        votes.rewrite_ballots(round_)
        return
    quote = connection.ops.quote_name
    table = quote(Ballot._meta.db_table)
    fields = Ballot._meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    # Not sealed: position and chain hash stay empty until the close (votes.close_round).
    position, chain_hash = Ballot._meta.get_field("position"), Ballot._meta.get_field("chain_hash")
    values = ", ".join(
        "NULL" if f is position else "''" if f is chain_hash else quote(f.column) for f in fields
    )
    round_column = quote(Ballot._meta.get_field("round").column)
    tracker_column = quote(Ballot._meta.get_field("tracker").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} WHERE {round_column} = %s "  # noqa: S608
            f"RETURNING {columns}) INSERT INTO {table} ({columns}) "
            f"SELECT {values} FROM gone ORDER BY {tracker_column}",
            [round_.pk],
        )


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
    # A tracker is unique in its round; a clash is rare, so ask about this one only (the
    # round's lock keeps another cast from taking it meanwhile).
    while True:
        nonce = chain.new_nonce()
        digest = chain.ballot_hash(
            manifest_digest=locked.manifest_hash, choices=choices, nonce=nonce
        )
        tracker = chain.tracker_of(digest)
        if not Ballot.objects.filter(round=locked, tracker=tracker).exists():
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

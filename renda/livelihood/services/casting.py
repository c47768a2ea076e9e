"""投票: a deputy on the round's frozen roster casts one ballot (of a 票决 or a 满意度测评: the
marks and the validity rule follow the vote's kind, nothing else differs).

What is written, in ONE transaction (both or neither):
- a `Participation` (round, deputy): the unique key refuses a second one whatever the client
  does, so a double click, a second device or a replayed request ends in "您已投票";
- the ballot (tracker → nonce and marks; its digest, canonical text and validity follow from
  them at the close), with a random tracker and no deputy, time, IP or device, added to the
  round's `BallotBox`: one row whose object is kept in tracker order, so neither the stored
  order nor the row versions (one row, one xmin: the latest cast's, shared by every ballot
  in it) carry a trace of the casting order;
- an audit event naming the round and the deputy, never the ballot or its tracker.

Casts do not queue on the round: each takes a share lock on it (which other casts share and
the close waits for), writes its participation and queues only for the box row's update (one
statement) and its commit. So a cast either lands before the close or reads the round closed
and is refused; the box's own sealed flag refuses a late one too.

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
from ..models import BallotBox, Participation, Round
from .votes import State

ALREADY = "您已投票，每位代表只能投一次。"
CLOSED = "投票已经结束，不能再投票。"


@dataclass(frozen=True)
class Receipt:
    tracker: str
    valid: bool
    round_id: int


def _refuse_unless_voter(locked: Round, actor: Any) -> int:
    if locked.state == State.DRAFT:
        raise ValidationError("票决尚未开始。")
    if locked.state != State.OPEN:
        raise ValidationError(CLOSED)
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


def _put_in_box(round_: Round, tracker: str, entry: list[Any]) -> bool:
    """Adds the ballot to the open box unless its tracker is taken (False: draw another).
    Raises if the box has been sealed meanwhile. On PostgreSQL one UPDATE does it inside the
    server (jsonb keeps its keys in order), so a cast neither reads nor sends the box."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(BallotBox._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET entries = entries || jsonb_build_object(%s, %s::jsonb) "  # noqa: S608
                "WHERE round_id = %s AND NOT sealed AND NOT jsonb_exists(entries, %s)",
                [tracker, json.dumps(entry), round_.pk, tracker],
            )
            if cursor.rowcount:
                return True
        if BallotBox.objects.filter(round_id=round_.pk, sealed=True).exists():
            raise ValidationError(CLOSED)
        return False
    box = BallotBox.objects.select_for_update().get(round_id=round_.pk)
    if box.sealed:
        raise ValidationError(CLOSED)
    if tracker in box.entries:
        return False
    box.entries = dict(sorted({**box.entries, tracker: entry}.items()))
    box.save(update_fields=["entries"])
    return True


def _locked_state(round_id: int) -> str | None:
    """The round's state now. On PostgreSQL under a share lock: casts do not wait for each
    other, but the close (FOR UPDATE) waits for the casts in flight and a cast begun after it
    reads the round closed."""
    table = connection.ops.quote_name(Round._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state FROM {table} WHERE id = %s{lock}", [round_id])  # noqa: S608
        row = cursor.fetchone()
    return str(row[0]) if row else None


@transaction.atomic
def cast_ballot(*, actor: Any, round_: Round, marks: dict[int, str]) -> Receipt:
    state = _locked_state(round_.pk)
    # The caller's copy serves if it was read open and the round is still open: from the
    # opening on, its manifest, seats and candidates cannot change (0002's trigger). Any
    # other copy is read again (it may predate the opening).
    if state == State.OPEN and round_.state == State.OPEN and round_.manifest_hash:
        current = round_
    else:
        current = Round.objects.select_related("vote").get(pk=round_.pk)
    deputy_id = _refuse_unless_voter(current, actor)
    if Participation.objects.filter(round=current, deputy_id=deputy_id).exists():
        raise ValidationError(ALREADY)
    full = ballot_marks(current, marks)
    try:
        # No savepoint: a clash (two taps at once) ends the cast, and the transaction with it.
        Participation.objects.create(round=current, deputy_id=deputy_id)
    except IntegrityError:
        raise ValidationError(ALREADY) from None
    choices = chain.choices_text(full)
    valid = rules.is_valid(full, current.seats, current.vote.kind)
    packed = rules.pack(full, [int(i) for i in current.candidate_ids], current.vote.kind)
    # A tracker is unique in its round; a clash is rare, so the box's update checks this one
    # only and another is drawn on a clash.
    while True:
        nonce = chain.new_nonce()
        digest = chain.ballot_hash(
            manifest_digest=current.manifest_hash, choices=choices, nonce=nonce
        )
        tracker = chain.tracker_of(digest)
        if _put_in_box(current, tracker, [nonce, packed]):
            break
    # After the box: casts and the close take the box's lock before the audit chain's, always
    # in that order.
    audit.record(
        actor=actor,
        action="livelihood.ballot_cast",
        target=current.vote,
        details={"round": current.number, "deputy": deputy_id},
    )
    return Receipt(tracker=tracker, valid=valid, round_id=current.pk)

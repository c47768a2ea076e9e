"""计票: after the ballot box is sealed and verified, count by the frozen rules; a tie at the
cut-off opens a new round among the tied; returned > issued voids the round (a new round
with the same candidates waits for the presidium to open it)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit
from renda.meetings import services as meeting_services

from .. import rules
from ..models import Ballot, Candidate, Round
from ..permissions import require_manager
from ..rules import VoteKind
from ..selectors import verify_round
from . import satisfaction
from .votes import State, _base, _locked


def _marks(text: str) -> dict[int, str]:
    return {int(k): v for k, v in json.loads(text).items()}


def compute_result(round_: Round) -> dict[str, Any]:
    """The count of a sealed round as stored in `Round.result` (a pure read of its ballots)."""
    ids = [int(i) for i in round_.candidate_ids]
    ballots = [
        (_marks(c), v)
        for c, v in Ballot.objects.filter(round=round_).values_list("choices", "valid")
    ]
    if round_.vote.kind == VoteKind.SATISFACTION:
        return dict(satisfaction.compute_satisfaction_result(round_, ballots))
    cast = len(ballots)
    valid = sum(1 for _, v in ballots if v)
    roster = round_.roster_size or 0
    result: dict[str, Any] = {
        "ballots": cast,
        "valid": valid,
        "invalid": cast - valid,
        "roster": roster,
        "members_total": round_.members_total,
        "void": cast > roster,
    }
    tallies = rules.tally(ballots, ids)
    base = _base(round_, valid)
    decision = rules.decide(tallies, seats=round_.seats, base=base)
    if result["void"]:
        decision = rules.Decision(base, base // 2 + 1, [], [])
    result.update(
        base=base,
        needed=decision.needed,
        tallies=[
            {
                "candidate": t.candidate_id,
                "yes": t.yes,
                "no": t.no,
                "abstain": t.abstain,
                "passed": t.candidate_id in decision.passing,
                "chosen": t.candidate_id in decision.chosen,
                "tied": t.candidate_id in decision.tied,
            }
            for t in tallies
        ],
        chosen=decision.chosen,
        tied=decision.tied,
        revote_seats=decision.revote_seats,
        shortfall=decision.shortfall,
    )
    return result


def outcome_text(round_: Round, result: dict[str, Any]) -> str:
    if round_.vote.kind == VoteKind.SATISFACTION:
        return satisfaction.satisfaction_outcome_text(round_, result)
    names = dict(
        Candidate.objects.filter(pk__in=round_.candidate_ids).values_list("pk", "project__title")
    )
    if result["void"]:
        return f"收回票数 {result['ballots']} 张多于发出票数 {result['roster']} 张，本轮票决无效，报主席团决定重新投票。"
    rows = {t["candidate"]: t for t in result["tallies"]}
    parts = [f"{names[c]}（赞成 {rows[c]['yes']}）" for c in result["chosen"]]
    text = f"第{round_.number}轮票决：发出 {result['roster']} 张，收回 {result['ballots']} 张，有效 {result['valid']} 张；"
    text += "选出：" + ("、".join(parts) if parts else "无") + "。"
    if result["tied"]:
        tied = "、".join(names[c] for c in result["tied"])
        text += f"{tied}得票相等，就剩余 {result['revote_seats']} 个名额再次投票。"
    if result["shortfall"]:
        text += f"获得过半数赞成票的项目少于应选数，尚缺 {result['shortfall']} 个，报主席团决定。"
    return text


@transaction.atomic
def count_round(*, actor: Any, round_: Round) -> Round:
    require_manager(actor)
    locked = _locked(round_, State.CLOSED, "须先结束投票、封存票箱，才能计票。")
    # A box that fails verification is not counted at all; more ballots than the roster can
    # then only come from a participation table tampered with alike, and still voids the
    # round by the rule (compute_result).
    report = verify_round(locked)
    if not report.ok:
        raise ValidationError(f"票箱核验未通过：{report.reason}。不能计票，请报告总监票人。")
    result = compute_result(locked)
    locked.result = result
    locked.state = State.COUNTED
    locked.counted_at = timezone.now()
    locked.save()
    follow: Round | None = None
    if result["void"] or result["tied"]:
        follow = Round.objects.create(
            vote=locked.vote,
            number=locked.number + 1,
            seats=locked.seats if result["void"] else result["revote_seats"],
            candidate_ids=locked.candidate_ids if result["void"] else result["tied"],
        )
    opened = []
    if locked.vote.kind == VoteKind.SATISFACTION:
        opened = satisfaction.after_count(actor=actor, round_=locked, result=result)
    item = locked.vote.agenda_item
    if item is not None:
        # The livelihood duty counts; the meetings duty is not needed to write the outcome.
        meeting_services.record_source_outcome(
            actor=actor, item=item, text=outcome_text(locked, result)
        )
    audit.record(
        actor=actor,
        action="livelihood.round_count",
        target=locked.vote,
        details={
            "round": locked.number,
            "chosen": result["chosen"],
            "tied": result["tied"],
            "shortfall": result["shortfall"],
            "void": result["void"],
            "next_round": follow.number if follow else None,
            **({"rectifications": [r.pk for r in opened]} if opened else {}),
        },
    )
    return locked

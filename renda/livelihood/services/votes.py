"""The vote as an agenda item, in rounds: create (on the session's agenda), set the rules,
open (freeze), close (seal the ballot box: chain and fingerprint), count (and, on a tie at the
cut-off, a new round among the tied)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit
from renda.core.sources import Source
from renda.meetings import services as meeting_services
from renda.meetings.models import AgendaItem, MeetingMember
from renda.meetings.rules import QUORUM_RULES, Quorum
from renda.meetings.selectors import attendance_summary

from .. import chain, rules
from ..models import Ballot, BallotBox, CandidateList, Participation, Round, Vote
from ..permissions import require_manager
from ..rules import PassBase
from .candidates import FROZEN, _by, is_frozen

State = Round.State


@transaction.atomic
def create_vote(
    *,
    actor: Any,
    candidate_list: CandidateList,
    title: str = "",
    pass_base: str = PassBase.ALL,
    quorum: str = "",
) -> Vote:
    """The vote on a confirmed list, put on its session's agenda as a 表决 item whose source is
    the vote (core.sources), with its first round waiting to be opened."""
    require_manager(actor)
    candidate_list = CandidateList.objects.select_for_update().get(pk=candidate_list.pk)
    if candidate_list.confirmed_at is None:
        raise ValidationError("候选项目名单须经主席团确认后才能付票决。")
    if Vote.objects.filter(candidate_list=candidate_list).exists():
        raise ValidationError("这份名单已经付票决。")
    meeting = candidate_list.meeting
    vote = Vote(
        candidate_list=candidate_list,
        meeting=meeting,
        title=(title.strip() or f"票决{candidate_list.title}")[:200],
        seats=candidate_list.seats,
        pass_base=pass_base,
        quorum=quorum or meeting.quorum,
        created_by=_by(actor),
    )
    vote.full_clean()
    vote.save()
    item = meeting_services.put_on_agenda(
        actor=actor,
        meeting=meeting,
        title=vote.title,
        source=Source(vote, f"民生实事票决：{vote.title}", f"/livelihood/votes/{vote.pk}/"),
        kind=AgendaItem.Kind.VOTE,
    )
    vote.agenda_item = item
    vote.save(update_fields=["agenda_item"])
    Round.objects.create(
        vote=vote,
        number=1,
        seats=vote.seats,
        candidate_ids=list(candidate_list.candidates.values_list("pk", flat=True)),
    )
    audit.record(
        actor=actor,
        action="livelihood.vote_create",
        target=vote,
        details={"meeting": meeting.pk, "seats": vote.seats, "pass_base": pass_base},
    )
    return vote


@transaction.atomic
def set_rules(*, actor: Any, vote: Vote, pass_base: str, quorum: str) -> Vote:
    require_manager(actor)
    locked = Vote.objects.select_for_update().get(pk=vote.pk)
    if is_frozen(locked.candidate_list):
        raise ValidationError(FROZEN)
    if pass_base not in PassBase.values:
        raise ValidationError({"pass_base": "请选择通过基数。"})
    if quorum not in Quorum.values:
        raise ValidationError({"quorum": "请选择法定人数规则。"})
    locked.pass_base, locked.quorum = pass_base, quorum
    locked.full_clean()
    locked.save()
    audit.record(
        actor=actor,
        action="livelihood.vote_rules",
        target=locked,
        details={"pass_base": pass_base, "quorum": quorum},
    )
    return locked


def manifest_of(round_: Round, roster: list[int], members_total: int) -> dict[str, Any]:
    vote = round_.vote
    by_id = {
        c.pk: c
        for c in vote.candidate_list.candidates.select_related("project", "project__lead_unit")
    }
    return {
        "vote": vote.pk,
        "kind": vote.kind,
        "round": round_.number,
        "meeting": vote.meeting_id,
        "title": vote.title,
        "seats": round_.seats,
        "pass_base": vote.pass_base,
        "quorum": vote.quorum,
        "members_total": members_total,
        "candidates": [
            {
                "id": cid,
                "project": by_id[cid].project_id,
                "title": by_id[cid].project.title,
                "estimated_cost": str(by_id[cid].project.estimated_cost),
                "lead_unit": by_id[cid].project.lead_unit.name,
            }
            for cid in round_.candidate_ids
        ],
        "roster": roster,
    }


def _locked(round_: Round, state: str, message: str) -> Round:
    locked = (
        Round.objects.select_for_update().select_related("vote", "vote__meeting").get(pk=round_.pk)
    )
    if locked.state != state:
        raise ValidationError(message)
    return locked


@transaction.atomic
def open_round(*, actor: Any, round_: Round) -> Round:
    """宣布开始投票. The session must be in progress and its check-in must meet the vote's
    quorum rule. The roster is the members (出席, not 列席) checked in at this moment: a deputy
    who checks in later does not vote in this round, as a paper ballot is issued only to
    deputies present when voting begins (发出票数)."""
    require_manager(actor)
    locked = _locked(round_, State.DRAFT, "这一轮票决已经开始或已结束。")
    vote = locked.vote
    meeting = vote.meeting
    if meeting.state != "in_progress":
        raise ValidationError("会议宣布开会后才能开始票决。")
    summary = attendance_summary(meeting)
    needed = QUORUM_RULES[vote.quorum].needed(summary.total)
    if summary.total == 0 or summary.present < needed:
        raise ValidationError(
            f"签到人数不足法定人数（{vote.get_quorum_display()}）：应到 {summary.total} 人，"
            f"实到 {summary.present} 人，至少需要 {needed} 人。"
        )
    roster = sorted(
        MeetingMember.objects.filter(
            meeting=meeting, role=MeetingMember.Role.ATTEND, checkin__isnull=False
        ).values_list("deputy_id", flat=True)
    )
    manifest = manifest_of(locked, roster, summary.total)
    locked.manifest = chain.canonical(manifest)
    locked.manifest_hash = chain.sha256(locked.manifest)
    locked.members_total = summary.total
    locked.roster_size = len(roster)
    locked.state = State.OPEN
    locked.opened_at = timezone.now()
    locked.save()
    BallotBox.objects.create(round=locked)
    audit.record(
        actor=actor,
        action="livelihood.round_open",
        target=vote,
        details={
            "round": locked.number,
            "manifest_hash": locked.manifest_hash,
            "members_total": summary.total,
            "roster": len(roster),
        },
    )
    return locked


def _sealed_ballot(round_: Round, tracker: str, entry: list[str]) -> Ballot:
    """A box entry (nonce, packed marks) as its Ballot row: the canonical text, digest and
    validity are derived here as the cast derived them, and the digest must give the entry's
    tracker back (the deputy's receipt): an entry changed in the box since its cast does not."""
    nonce, packed = entry
    kind = round_.vote.kind
    marks = rules.unpack(packed, [int(i) for i in round_.candidate_ids], kind)
    choices = chain.choices_text(marks)
    digest = chain.ballot_hash(manifest_digest=round_.manifest_hash, choices=choices, nonce=nonce)
    if chain.tracker_of(digest) != tracker:
        raise ValidationError(
            f"票箱中核验码为 {tracker} 的选票与其核验码不符：票箱在投票期间被改动，不能封箱。"
            "请立即报告总监票人和系统管理员。"
        )
    valid = rules.is_valid(marks, round_.seats, kind)
    return Ballot(
        round=round_, tracker=tracker, digest=digest, choices=choices, nonce=nonce, valid=valid
    )


def seal_box(round_: Round) -> str:
    """The open box's ballots become `Ballot` rows in tracker order, numbered and chained, and
    the box is emptied and marked sealed (a cast still in flight then finds it sealed). Its
    row lock waits for the casts already writing to it. Returns the fingerprint."""
    box = BallotBox.objects.select_for_update().get(round=round_)
    rows = [
        _sealed_ballot(round_, tracker, entry) for tracker, entry in sorted(box.entries.items())
    ]
    links = [
        chain.Link(i, b.tracker, b.digest, b.choices, b.nonce, b.valid)
        for i, b in enumerate(rows, start=1)
    ]
    values = chain.chain(round_.manifest_hash, links)
    for i, row in enumerate(rows):
        row.position, row.chain_hash = i + 1, values[i]
    Ballot.objects.bulk_create(rows)
    box.entries, box.sealed = {}, True
    box.save(update_fields=["entries", "sealed"])
    return chain.fingerprint(round_.manifest_hash, values)


def _rewrite_participations(round_: Round) -> None:
    rows = list(Participation.objects.filter(round=round_).order_by("deputy_id"))
    Participation.objects.filter(round=round_).delete()
    Participation.objects.bulk_create(rows)


@transaction.atomic
def close_round(*, actor: Any, round_: Round) -> Round:
    """宣布投票结束: no more ballots; the ballots are sealed in tracker order and the chain's
    last value is the fingerprint printed for the 总监票人 to sign."""
    require_manager(actor)
    locked = _locked(round_, State.OPEN, "这一轮票决不在投票中。")
    locked.fingerprint = seal_box(locked)
    _rewrite_participations(locked)
    locked.ballots_cast = Ballot.objects.filter(round=locked).count()
    locked.state = State.CLOSED
    locked.closed_at = timezone.now()
    locked.save()
    audit.record(
        actor=actor,
        action="livelihood.round_close",
        target=locked.vote,
        details={
            "round": locked.number,
            "ballots": locked.ballots_cast,
            "fingerprint": locked.fingerprint,
        },
    )
    return locked


def _base(round_: Round, valid_ballots: int) -> int:
    pass_base = json.loads(round_.manifest)["pass_base"]
    if pass_base == PassBase.PRESENT:
        return round_.roster_size or 0
    if pass_base == PassBase.VALID:
        return valid_ballots
    return round_.members_total or 0

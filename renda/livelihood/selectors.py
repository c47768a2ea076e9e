"""Reads for 票决: verifying a sealed ballot box, the public tracker list (trackers only,
never with choices), results of a counted round, turnout while open (who has voted is not
secret; how is), and the paper count set beside the electronic one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from . import chain, rules
from .models import Ballot, Call, Candidate, PaperTally, Participation, Proposal, Round, Vote


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    fingerprint: str  # recomputed from the stored ballots
    stored: str  # the fingerprint recorded at close
    reason: str = ""


def verify_round(round_: Round, *, expected: str = "") -> Verification:
    """Recompute every ballot's hash and tracker, the chain in tracker order and the final
    fingerprint, and hold them against what was stored at close (and against `expected`, the
    fingerprint printed in the 计票报告 and signed by the 总监票人, when given)."""
    stored = round_.fingerprint

    def fail(reason: str, checked: int, value: str = "") -> Verification:
        return Verification(False, checked, value, stored, reason)

    if round_.state not in (Round.State.CLOSED, Round.State.COUNTED):
        return fail("本轮尚未结束投票", 0)
    if chain.sha256(round_.manifest) != round_.manifest_hash:
        return fail("冻结清单与其哈希不符（清单被修改）", 0)
    manifest = json.loads(round_.manifest)
    ids = [c["id"] for c in manifest["candidates"]]
    prev = chain.genesis(round_.manifest_hash)
    last = ""
    checked = 0
    for i, b in enumerate(Ballot.objects.filter(round=round_).order_by("position", "tracker"), 1):
        if b.position != i:
            return fail(f"第 {i} 张选票的序号不符（选票被删除、加入或重排）", checked)
        if b.tracker <= last:
            return fail(f"第 {i} 张选票不在核验码顺序上（选票被重排）", checked)
        digest = chain.ballot_hash(
            manifest_digest=round_.manifest_hash, choices=b.choices, nonce=b.nonce
        )
        if digest != b.digest or chain.tracker_of(digest) != b.tracker:
            return fail(f"第 {i} 张选票的内容与其哈希不符（选票被篡改）", checked)
        marks = {int(k): v for k, v in json.loads(b.choices).items()}
        kind = manifest.get("kind", rules.VoteKind.SELECTION)
        if (
            sorted(marks) != sorted(ids)
            or rules.is_valid(marks, manifest["seats"], kind) != b.valid
        ):
            return fail(f"第 {i} 张选票的有效性与其内容不符（选票被篡改）", checked)
        prev = chain.link_hash(
            prev, chain.Link(i, b.tracker, b.digest, b.choices, b.nonce, b.valid)
        )
        if prev != b.chain_hash:
            return fail(f"第 {i} 张选票的链值不符（此前的选票被删除、修改或重排）", checked)
        last = b.tracker
        checked += 1
    if checked != round_.ballots_cast:
        return fail(f"选票张数 {checked} 与封存时的 {round_.ballots_cast} 不符", checked, prev)
    if Participation.objects.filter(round=round_).count() != checked:
        return fail("选票张数与已投票代表人数不符", checked, prev)
    if prev != stored:
        return fail("重算的票箱指纹与封存时记录的不符", checked, prev)
    if expected and expected.replace(" ", "").lower() != prev:
        return fail("重算的票箱指纹与计票报告上签字的指纹不符", checked, prev)
    return Verification(True, checked, prev, stored)


def trackers(round_: Round) -> list[str]:
    """The public list: every tracker of a sealed round, in tracker order, nothing else."""
    if round_.state not in (Round.State.CLOSED, Round.State.COUNTED):
        return []
    return list(
        Ballot.objects.filter(round=round_).order_by("tracker").values_list("tracker", flat=True)
    )


def turnout(round_: Round) -> int:
    return Participation.objects.filter(round=round_).count()


def has_voted(round_: Round, deputy_id: int) -> bool:
    return Participation.objects.filter(round=round_, deputy_id=deputy_id).exists()


def candidates_of(round_: Round) -> list[Candidate]:
    by_id = {
        c.pk: c
        for c in Candidate.objects.filter(pk__in=round_.candidate_ids).select_related(
            "project", "project__lead_unit"
        )
    }
    return [by_id[int(i)] for i in round_.candidate_ids if int(i) in by_id]


@dataclass(frozen=True)
class ResultRow:
    candidate: Candidate
    yes: int
    no: int
    abstain: int
    passed: bool
    chosen: bool
    tied: bool


def result_rows(round_: Round) -> list[ResultRow]:
    """A counted round's rows, chosen first then by 赞成 (empty before the count: live tallies
    are never computed while voting)."""
    if round_.state != Round.State.COUNTED or not round_.result or "yes" not in _first(round_):
        return []
    by_id = {c.pk: c for c in candidates_of(round_)}
    rows = [
        ResultRow(
            by_id[t["candidate"]],
            t["yes"],
            t["no"],
            t["abstain"],
            t["passed"],
            t["chosen"],
            t["tied"],
        )
        for t in round_.result["tallies"]
    ]
    return sorted(rows, key=lambda r: (not r.chosen, -r.yes, r.candidate.order))


@dataclass(frozen=True)
class SatisfactionRow:
    candidate: Candidate
    satisfied: int
    basic: int
    dissatisfied: int
    abstain: int
    grade: str
    voters: int

    @property
    def grade_label(self) -> str:
        return str(dict(rules.SatisfactionChoice.choices).get(self.grade, ""))

    @property
    def rate(self) -> str:
        """满意+基本满意率, as the reports print it."""
        value = rules.satisfaction_rate(
            {"satisfied": self.satisfied, "basic": self.basic}, self.voters
        )
        return "—" if value is None else f"{value * 100:.2f}%"


def satisfaction_rows(round_: Round) -> list[SatisfactionRow]:
    """A counted satisfaction round's rows in ballot order (empty before the count)."""
    if round_.state != Round.State.COUNTED or not round_.result or "grade" not in _first(round_):
        return []
    by_id = {c.pk: c for c in candidates_of(round_)}
    base = int(round_.result["base"])
    return [
        SatisfactionRow(
            by_id[t["candidate"]],
            t["satisfied"],
            t["basic"],
            t["dissatisfied"],
            t["abstain"],
            t["grade"],
            base,
        )
        for t in round_.result["tallies"]
    ]


def _first(round_: Round) -> dict[str, Any]:
    tallies = (round_.result or {}).get("tallies") or [{"yes": 0}]
    return dict(tallies[0])


def chosen_projects(vote: Vote) -> list[Candidate]:
    ids: list[int] = []
    for r in vote.rounds.filter(state=Round.State.COUNTED).order_by("number"):
        ids += (r.result or {}).get("chosen", [])
    found = {c.pk: c for c in Candidate.objects.filter(pk__in=ids).select_related("project")}
    return [found[i] for i in ids]


def current_round(vote: Vote) -> Round:
    return vote.rounds.order_by("-number").first() or Round(vote=vote, number=1, seats=vote.seats)


def rounds_of(vote: Vote) -> QuerySet[Round]:
    return vote.rounds.order_by("number")


@dataclass(frozen=True)
class ReconcileRow:
    candidate: Candidate
    electronic: tuple[int, int, int] | None
    paper: tuple[int, int, int]

    @property
    def matches(self) -> bool:
        return self.electronic == self.paper


def reconcile(round_: Round) -> dict[str, Any] | None:
    """The paper count beside the electronic count of the same round."""
    paper = PaperTally.objects.filter(round=round_).first()
    if paper is None:
        return None
    electronic = {
        t["candidate"]: (t["yes"], t["no"], t["abstain"])
        for t in (round_.result or {}).get("tallies", [])
    }
    by_id = {c.pk: c for c in candidates_of(round_)}
    rows = [
        ReconcileRow(
            by_id[pc.candidate_id], electronic.get(pc.candidate_id), (pc.yes, pc.no, pc.abstain)
        )
        for pc in paper.counts.all()
        if pc.candidate_id in by_id
    ]
    result = round_.result or {}
    totals_match = bool(result) and (result.get("ballots"), result.get("invalid")) == (
        paper.returned,
        paper.invalid,
    )
    return {
        "paper": paper,
        "rows": rows,
        "totals_match": totals_match,
        "all_match": totals_match and all(r.matches for r in rows),
    }


# --- collection and screening --------------------------------------------------------------

# Never on a public page, and not needed by any list: the encrypted contact columns.
CONTACT = ("contact_name", "contact_phone")


def proposals(
    *, call: Call | None = None, state: str = "", kind: str = "", q: str = ""
) -> QuerySet[Proposal]:
    """Staff's list with its filters (one query with the related rows it shows)."""
    qs = Proposal.objects.select_related("call", "township", "deputy", "merged_into").defer(
        *CONTACT
    )
    if call is not None:
        qs = qs.filter(call=call)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(proposer_kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(place__icontains=q))
    return qs.order_by("-supporters", "-created_at", "-id")


def reserve() -> QuerySet[Proposal]:
    """储备库: reserved proposals of every year, oldest first."""
    return (
        Proposal.objects.filter(state="reserved")
        .select_related("call", "first_call", "township")
        .defer(*CONTACT)
        .order_by("first_call__year", "title")
    )


def find_by_code(code: str) -> Proposal | None:
    return (
        Proposal.objects.filter(tracking_code=code)
        .select_related("call", "township", "deputy", "merged_into")
        .defer(*CONTACT)
        .first()
    )


def vote_outcomes(project_ids: list[int]) -> dict[int, str]:
    """What the vote made of each project: 获选 / 未获选, once the vote is fully counted."""
    out: dict[int, str] = {}
    cands = Candidate.objects.filter(project_id__in=project_ids).select_related(
        "candidate_list__vote"
    )
    # A 满意度测评's project list is no candidacy.
    cands = cands.exclude(candidate_list__vote__kind=rules.VoteKind.SATISFACTION)
    for c in cands:
        vote = getattr(c.candidate_list, "vote", None)
        if vote is None or not vote.rounds.filter(state=Round.State.COUNTED).exists():
            continue
        if vote.rounds.exclude(state=Round.State.COUNTED).exists():
            continue
        chosen = {x.project_id for x in chosen_projects(vote)}
        out[c.project_id] = "票决获选" if c.project_id in chosen else "票决未获选"
    return out


def public_proposals(call: Call) -> list[Proposal]:
    """The public list: what was proposed and what became of it (never a contact)."""
    rows = list(
        Proposal.objects.filter(call=call)
        .select_related("deputy", "township", "merged_into")
        .defer(*CONTACT)
        .order_by("-supporters", "created_at", "id")
    )
    outcomes = vote_outcomes([p.project_id for p in rows if p.project_id])
    for p in rows:
        p.outcome = outcomes.get(p.project_id or 0, "")  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class PublicRound:
    round: Round
    rows: list[ResultRow]
    grouped_fp: str
    grades: list[SatisfactionRow] = field(default_factory=list)


def public_result(vote: Vote) -> list[PublicRound]:
    """The 公告 of a vote: each counted round with its counts (nothing before the count)."""
    return [
        PublicRound(r, result_rows(r), chain.grouped(r.fingerprint), satisfaction_rows(r))
        for r in vote.rounds.filter(state=Round.State.COUNTED).order_by("number")
    ]


def counted_votes(kind: str = rules.VoteKind.SELECTION) -> QuerySet[Vote]:
    return (
        Vote.objects.filter(rounds__state=Round.State.COUNTED, kind=kind)
        .select_related("meeting")
        .distinct()
        .order_by("-created_at")
    )

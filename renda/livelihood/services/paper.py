"""纸质票 fallback: when the electronic system fails or as a check on it, the scrutineers
count the paper ballots by hand and staff enter their counts per candidate. The counts stay in
their own tables and are set beside the electronic count (selectors.reconcile); they never
change the ballots.

满意度测评 (enter_satisfaction_paper_counts): members who could not vote electronically (the
system failed for them, or for everyone) fill in a paper 测评票. Paper ballots go only to
members checked in when the round opened who have no electronic participation, so the two
never count one member twice; the scrutineers count them per project (满意 / 基本满意 /
不满意, unmarked = 弃权) after the electronic box is sealed and before the count. The paper
count stays in its own tables; the round's grades (civic.md §4.6) are counted on the
electronic and paper ballots together (satisfaction.compute_satisfaction_result), and
`satisfaction_reconcile` sets the three side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit

from .. import rules
from ..models import (
    Candidate,
    PaperCount,
    PaperTally,
    Participation,
    Round,
    SatisfactionPaperCount,
    SatisfactionPaperTally,
)
from ..permissions import require_manager
from ..rules import VoteKind
from .candidates import _by
from .satisfaction import compute_satisfaction_result, electronic_ballots


@transaction.atomic
def enter_paper_counts(
    *,
    actor: Any,
    round_: Round,
    issued: int,
    returned: int,
    invalid: int,
    counts: dict[int, tuple[int, int, int]],
) -> PaperTally:
    """`counts`: candidate id → (赞成, 反对, 弃权). Entered again, it replaces the earlier entry
    (the audit log keeps both)."""
    require_manager(actor)
    locked = Round.objects.select_for_update().select_related("vote").get(pk=round_.pk)
    if locked.vote.kind != "selection":
        raise ValidationError(
            "满意度测评的纸质票请在“纸质测评票”页面录入，此处只录入票决的纸质计票。"
        )
    if locked.state == Round.State.DRAFT:
        raise ValidationError("本轮票决尚未开始，不能录入纸质计票。")
    ids = {int(i) for i in locked.candidate_ids}
    if set(counts) != ids:
        raise ValidationError("请为本轮每个候选项目录入赞成、反对、弃权票数。")
    if min(issued, returned, invalid, *(n for c in counts.values() for n in c)) < 0:
        raise ValidationError("票数不能为负数。")
    if invalid > returned:
        raise ValidationError("废票数不能多于收回票数。")
    valid = returned - invalid
    for yes, no, abstain in counts.values():
        if yes + no + abstain != valid:
            raise ValidationError(f"每个候选项目的赞成、反对、弃权之和应等于有效票数 {valid}。")
    PaperTally.objects.filter(round=locked).delete()
    tally = PaperTally.objects.create(
        round=locked,
        issued=issued,
        returned=returned,
        invalid=invalid,
        entered_by=_by(actor),
        entered_at=timezone.now(),
    )
    PaperCount.objects.bulk_create(
        [
            PaperCount(tally=tally, candidate_id=cid, yes=y, no=n, abstain=a)
            for cid, (y, n, a) in sorted(counts.items())
        ]
    )
    audit.record(
        actor=actor,
        action="livelihood.paper_counts",
        target=locked.vote,
        details={
            "round": locked.number,
            "issued": issued,
            "returned": returned,
            "invalid": invalid,
        },
    )
    return tally


# --- 满意度测评 ---------------------------------------------------------------------------


def paper_room(round_: Round) -> int:
    """How many paper 测评票 may be issued: the members checked in when the round opened who
    have not voted electronically."""
    voted = Participation.objects.filter(round=round_).count()
    return max(0, (round_.roster_size or 0) - voted)


@transaction.atomic
def enter_satisfaction_paper_counts(
    *,
    actor: Any,
    round_: Round,
    issued: int,
    returned: int,
    invalid: int,
    counts: dict[int, tuple[int, int, int]],
) -> SatisfactionPaperTally:
    """`counts`: candidate id → (满意, 基本满意, 不满意) on the valid paper ballots. Between the
    close and the count only; entered again, it replaces the earlier entry (the audit log
    keeps both)."""
    require_manager(actor)
    locked = Round.objects.select_for_update().select_related("vote").get(pk=round_.pk)
    if locked.vote.kind != VoteKind.SATISFACTION:
        raise ValidationError("这不是满意度测评；票决的纸质计票请在“录入纸质计票”页面录入。")
    if locked.state == Round.State.DRAFT:
        raise ValidationError("本轮测评尚未开始，不能录入纸质测评票。")
    if locked.state == Round.State.OPEN:
        raise ValidationError("请先结束投票、封存电子票箱，再录入纸质测评票。")
    if locked.state == Round.State.COUNTED:
        raise ValidationError("本轮测评已经计票，结果已公布，不能再录入或修改纸质测评票。")
    ids = [int(i) for i in locked.candidate_ids]
    if set(counts) != set(ids):
        raise ValidationError("请为本轮每个测评项目录入满意、基本满意、不满意票数。")
    if min(issued, returned, invalid, *(n for c in counts.values() for n in c)) < 0:
        raise ValidationError("票数不能为负数。")
    roster = locked.roster_size or 0
    electronic = Participation.objects.filter(round=locked).count()
    room = max(0, roster - electronic)
    if issued > room:
        raise ValidationError(
            f"发出纸质测评票 {issued} 张，超过可发张数：开始测评时签到 {roster} 人，"
            f"已有 {electronic} 人电子投票，最多可发 {room} 张。"
        )
    if returned > issued:
        raise ValidationError(
            f"收回 {returned} 张多于发出 {issued} 张：按规定本轮测评无效，请报告总监票人重新测评。"
        )
    if invalid > returned:
        raise ValidationError("废票数不能多于收回票数。")
    valid = returned - invalid
    titles = dict(Candidate.objects.filter(pk__in=ids).values_list("pk", "project__title"))
    for cid in ids:
        marked = sum(counts[cid])
        if marked > valid:
            raise ValidationError(
                f"“{titles[cid]}”的满意、基本满意、不满意合计 {marked} 张，"
                f"超过纸质有效票 {valid} 张（收回 {returned} 张，废票 {invalid} 张）。"
            )
    replaced = SatisfactionPaperTally.objects.filter(round=locked).exists()
    SatisfactionPaperTally.objects.filter(round=locked).delete()
    tally = SatisfactionPaperTally.objects.create(
        round=locked,
        issued=issued,
        returned=returned,
        invalid=invalid,
        entered_by=_by(actor),
        entered_at=timezone.now(),
    )
    SatisfactionPaperCount.objects.bulk_create(
        [
            SatisfactionPaperCount(
                tally=tally, candidate_id=cid, satisfied=s, basic=b, dissatisfied=d
            )
            for cid, (s, b, d) in sorted(counts.items())
        ]
    )
    audit.record(
        actor=actor,
        action="livelihood.satisfaction_paper_counts",
        target=locked.vote,
        details={
            "round": locked.number,
            "issued": issued,
            "returned": returned,
            "invalid": invalid,
            "electronic": electronic,
            "replaced": replaced,
            "counts": {str(cid): list(c) for cid, c in sorted(counts.items())},
        },
    )
    return tally


@dataclass(frozen=True)
class SatisfactionReconcileRow:
    candidate: Candidate
    electronic: tuple[int, int, int, int]  # 满意, 基本满意, 不满意, 未评
    paper: tuple[int, int, int, int]
    combined: tuple[int, int, int, int]
    grade: str

    @property
    def grade_label(self) -> str:
        return str(dict(rules.SatisfactionChoice.choices).get(self.grade, ""))


def satisfaction_reconcile(round_: Round) -> dict[str, Any] | None:
    """A sealed satisfaction round's electronic count, its paper count and the two together
    with the grade they give (the stored result once counted, else what the count will give).
    A pure read; None before the close or without a paper count."""
    if round_.state not in (Round.State.CLOSED, Round.State.COUNTED):
        return None
    paper = SatisfactionPaperTally.objects.filter(round=round_).first()
    if paper is None:
        return None
    ids = [int(i) for i in round_.candidate_ids]
    ballots = electronic_ballots(round_)
    electronic = {t.candidate_id: t for t in rules.satisfaction_tally(ballots, ids)}
    result = (
        round_.result
        if round_.state == Round.State.COUNTED and round_.result
        else compute_satisfaction_result(round_, ballots)
    )
    combined = {t["candidate"]: t for t in result["tallies"]}
    counts = {c.candidate_id: c for c in paper.counts.all()}
    by_id = {c.pk: c for c in Candidate.objects.filter(pk__in=ids).select_related("project")}
    rows = []
    for cid in ids:
        e, p, c = electronic[cid], counts[cid], combined[cid]
        rows.append(
            SatisfactionReconcileRow(
                by_id[cid],
                (e.satisfied, e.basic, e.dissatisfied, e.abstain),
                (
                    p.satisfied,
                    p.basic,
                    p.dissatisfied,
                    paper.valid - p.satisfied - p.basic - p.dissatisfied,
                ),
                (c["satisfied"], c["basic"], c["dissatisfied"], c["abstain"]),
                c["grade"],
            )
        )
    electronic_cast = len(ballots)
    return {
        "paper": paper,
        "rows": rows,
        "roster": round_.roster_size or 0,
        "electronic": electronic_cast,
        "cast": electronic_cast + paper.returned,
        "within": electronic_cast + paper.issued <= (round_.roster_size or 0),
        "result": result,
        "counted": round_.state == Round.State.COUNTED,
    }

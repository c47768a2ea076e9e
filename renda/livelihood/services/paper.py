"""纸质票 fallback: when the electronic system fails or as a check on it, the scrutineers
count the paper ballots by hand and staff enter their counts per candidate. The counts stay in
their own tables and are set beside the electronic count (selectors.reconcile); they never
change the ballots."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from renda.core import audit

from ..models import PaperCount, PaperTally, Round
from ..permissions import require_manager
from .candidates import _by


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
            "满意度测评的纸质票请由监票人核对后另行记录，此处只录入票决的纸质计票。"
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

"""筛选: the feasibility review and the negative-list checks of each proposal, the decision
(accepted / rejected with a public reason / reserved), and the candidate list built from the
accepted proposals: each becomes a `Project` through `create_project`, the list is made by
`create_candidate_list` and `add_candidate` and then goes to the presidium as before
(`confirm_candidate_list`, unchanged).

差额 (civic.md §4.3): N seats take N + k candidates, k configurable (LIVELIHOOD_EXTRA_CANDIDATES,
2 by default) and at least 1, since a list with no more candidates than seats is no choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renda.core import audit
from renda.core.models import Organization
from renda.core.workflow import apply_transition
from renda.lib.richtext import strip_markup
from renda.meetings.models import Meeting

from ..models import CandidateList, Proposal, Round, Screening, Vote
from ..permissions import require_manager
from ..rules import collection_rules
from ..selectors import chosen_projects
from .candidates import add_candidate, create_candidate_list, create_project

CHECKS = ("burden", "debt", "stability")


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def review_proposal(
    *,
    actor: Any,
    proposal: Proposal,
    assessment: str,
    estimated_cost: Decimal,
    funding_source: str,
    lead_unit: Organization,
    completion_date: dt.date,
    burden_ok: bool,
    debt_ok: bool,
    stability_ok: bool,
    burden_reason: str = "",
    debt_reason: str = "",
    stability_reason: str = "",
) -> Screening:
    """Save (or revise) the review; the first review moves the proposal to 审查中."""
    require_manager(actor)
    locked = _locked(proposal)
    if locked.state not in ("submitted", "screening"):
        raise ValidationError(f"该项目建议{locked.get_state_display()}，不能再修改审查意见。")
    values: dict[str, Any] = {
        "assessment": strip_markup(assessment).strip(),
        "estimated_cost": estimated_cost,
        "funding_source": strip_markup(funding_source).strip(),
        "lead_unit": lead_unit,
        "completion_date": completion_date,
    }
    errors: dict[str, str] = {}
    passed = {"burden": burden_ok, "debt": debt_ok, "stability": stability_ok}
    reasons = {"burden": burden_reason, "debt": debt_reason, "stability": stability_reason}
    for check in CHECKS:
        reason = strip_markup(reasons[check] or "").strip()[:500]
        if not passed[check] and not reason:
            errors[f"{check}_reason"] = "未通过的审查项须写明理由"
        values[f"{check}_ok"] = passed[check]
        values[f"{check}_reason"] = reason
    if errors:
        raise ValidationError(errors)
    screening = Screening.objects.filter(proposal=locked).first() or Screening(proposal=locked)
    for key, value in values.items():
        setattr(screening, key, value)
    screening.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    screening.full_clean()
    screening.save()
    if locked.state == "submitted":
        apply_transition(actor=actor, obj=locked, transition="screen")
    audit.record(
        actor=actor,
        action="livelihood.proposal_review",
        target=locked,
        details={
            "cost": str(estimated_cost),
            "negative_list": {c: passed[c] for c in CHECKS},
        },
    )
    proposal.state = locked.state
    return screening


@transaction.atomic
def accept_proposal(*, actor: Any, proposal: Proposal, note: str = "") -> Proposal:
    """审查通过: only with a complete review that passes all three negative-list checks."""
    require_manager(actor)
    locked = _locked(proposal)
    screening = Screening.objects.filter(proposal=locked).first()
    if screening is None:
        raise ValidationError("请先填写可行性评估和负面清单审查。")
    if not screening.passes_negative_list:
        failed = "、".join(label for label, _ in screening.failed_checks())
        raise ValidationError(f"负面清单审查未通过（{failed}），不能列为候选项目。")
    apply_transition(actor=actor, obj=locked, transition="accept", note=note)
    proposal.state = locked.state
    return locked


@transaction.atomic
def reject_proposal(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """不予采纳, with the reason the public list and the tracking page show."""
    require_manager(actor)
    text = strip_markup(reason or "").strip()[:1000]
    if not text:
        raise ValidationError({"reason": "请写明不予采纳的理由（将向社会公开）"})
    locked = _locked(proposal)
    locked.decision_note = text
    locked.save(update_fields=["decision_note", "updated_at"])
    apply_transition(actor=actor, obj=locked, transition="reject", note=text)
    proposal.state, proposal.decision_note = locked.state, text
    return locked


@transaction.atomic
def reserve_proposal(*, actor: Any, proposal: Proposal, note: str = "") -> Proposal:
    """列入储备库: kept for a later year's call."""
    require_manager(actor)
    locked = _locked(proposal)
    apply_transition(
        actor=actor, obj=locked, transition="reserve", note=strip_markup(note).strip()[:500]
    )
    proposal.state = locked.state
    return locked


def required_candidates(seats: int, extra: int | None = None) -> int:
    return seats + (collection_rules().extra_candidates if extra is None else extra)


@transaction.atomic
def build_candidate_list(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    seats: int,
    proposals: Sequence[Proposal],
    extra: int | None = None,
) -> CandidateList:
    """候选项目名单 from accepted proposals of one call: exactly seats + extra of them, each
    made a project (cost, lead unit from its review) in the order given."""
    require_manager(actor)
    extra = collection_rules().extra_candidates if extra is None else extra
    if seats < 1:
        raise ValidationError({"seats": "应选数至少为 1。"})
    if extra < 1:
        raise ValidationError({"extra": "差额票决：候选项目至少比应选数多 1 个。"})
    ids = [p.pk for p in proposals]
    if len(set(ids)) != len(ids):
        raise ValidationError({"proposals": "同一项目建议选了两次。"})
    needed = seats + extra
    if len(ids) != needed:
        raise ValidationError(
            {
                "proposals": f"应选 {seats} 个、差额 {extra} 个，须选 {needed} 个候选项目"
                f"（现选 {len(ids)} 个）。"
            }
        )
    locked = {p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=ids)}
    rows = [locked[i] for i in ids]
    calls = {p.call_id for p in rows}
    if len(calls) != 1:
        raise ValidationError({"proposals": "候选项目须来自同一次征集。"})
    not_ready = [p.title for p in rows if p.state != "accepted"]
    if not_ready:
        raise ValidationError({"proposals": "以下项目建议未审查通过：" + "、".join(not_ready)})
    call = rows[0].call
    lst = create_candidate_list(actor=actor, meeting=meeting, title=title, seats=seats)
    for p in rows:
        review = Screening.objects.select_related("lead_unit").get(proposal=p)
        project = create_project(
            actor=actor,
            title=p.title,
            level=call.level,
            region=call.region,
            year=call.year,
            estimated_cost=review.estimated_cost,
            lead_unit=review.lead_unit,
            summary=p.description,
        )
        add_candidate(actor=actor, candidate_list=lst, project=project)
        p.project = project
        p.save(update_fields=["project", "updated_at"])
        apply_transition(actor=actor, obj=p, transition="nominate", note=lst.title)
    audit.record(
        actor=actor,
        action="livelihood.list_build",
        target=lst,
        details={"call": call.pk, "seats": seats, "extra": extra, "proposals": ids},
    )
    return lst


@transaction.atomic
def reserve_not_chosen(*, actor: Any, vote: Vote) -> int:
    """After the count, the candidates not chosen go to the reserve (储备库) for later years.
    Returns how many were reserved."""
    require_manager(actor)
    if vote.kind != "selection":
        raise ValidationError("满意度测评没有未获选的项目。")
    if not vote.rounds.filter(state=Round.State.COUNTED).exists():
        raise ValidationError("票决尚未计票。")
    if vote.rounds.exclude(state=Round.State.COUNTED).exists():
        raise ValidationError("还有未计票的轮次（如得票相等的再次投票），计票完成后再转入储备库。")
    chosen = {c.project_id for c in chosen_projects(vote)}
    moved = 0
    for p in Proposal.objects.filter(
        state="candidate", project__candidacies__candidate_list=vote.candidate_list
    ).exclude(project_id__in=chosen):
        reserve_proposal(actor=actor, proposal=p, note=f"“{vote.title}”未获选，列入储备库")
        moved += 1
    audit.record(
        actor=actor, action="livelihood.reserve_not_chosen", target=vote, details={"count": moved}
    )
    return moved

"""Who may see and do what with 民生实事票决 (docs/architecture.md §4.3).

- Staff: projects, candidate lists, votes: open, close, count, paper counts, reports.
- Standing-committee members: read the votes, results and reports.
- A deputy: the ballot page of a vote of a session they are a member of; another vote is 404.
- The public: the tracker list and the verification page of a closed round; published calls,
  the proposal form, tracking by code, the list of proposals (never contacts) and the 公告 of
  a counted vote.
- Collection and screening: staff manage calls and proposals; SC members read them; a deputy
  proposes and sees their own proposals.
- 满意度测评: staff create and run it as a vote; its members cast on the same ballot page;
  the public reads the grades once counted. A 整改 (rectification) is read by staff and SC
  members, and by the officers of its lead unit, who report on it; another unit gets 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from renda.core.roles import Duty, Role, has_duty, has_role
from renda.meetings.permissions import deputy_of

from .models import Call, Candidate, CandidateList, Proposal, Rectification, Round, Vote
from .models.implementation import Inspection, Plan, PlanItem

READ_ROLES = (Role.STAFF, Role.SC_MEMBER)
VOTER_ROLES = (Role.DEPUTY, Role.SC_MEMBER)
DENIED = "只有人大机关工作人员可以办理票决事务。"


def can_view_votes(user: Any) -> bool:
    return has_role(user, *READ_ROLES)


def can_manage_votes(user: Any) -> bool:
    """Calls, screening, lists, votes and plans: staff with the livelihood duty."""
    return has_duty(user, Duty.LIVELIHOOD)


def require_manager(actor: Any) -> None:
    """For services: staff, or None (a management command or the demo loader)."""
    if actor is not None and not can_manage_votes(actor):
        raise PermissionDenied(DENIED)


def get_list_for_user(user: Any, pk: int, *, write: bool = False) -> CandidateList:
    if not (can_manage_votes(user) if write else can_view_votes(user)):
        raise PermissionDenied(DENIED)
    return get_object_or_404(CandidateList.objects.select_related("meeting"), pk=pk)


def get_candidate_for_manager(user: Any, pk: int) -> Candidate:
    if not can_manage_votes(user):
        raise PermissionDenied(DENIED)
    return get_object_or_404(Candidate.objects.select_related("candidate_list"), pk=pk)


def get_vote_for_user(user: Any, pk: int, *, write: bool = False) -> Vote:
    if not (can_manage_votes(user) if write else can_view_votes(user)):
        raise PermissionDenied(DENIED)
    return get_object_or_404(Vote.objects.select_related("meeting", "candidate_list"), pk=pk)


def get_round_for_user(user: Any, pk: int, *, write: bool = False) -> Round:
    if not (can_manage_votes(user) if write else can_view_votes(user)):
        raise PermissionDenied(DENIED)
    return get_object_or_404(Round.objects.select_related("vote", "vote__meeting"), pk=pk)


def get_round_for_voter(user: Any, pk: int) -> Round:
    """A round of a vote whose session the user is a member of (any role in it: whether they
    may cast is the service's question, so the page can say why not)."""
    if not has_role(user, *VOTER_ROLES):
        raise PermissionDenied("只有代表可以投票。")
    deputy = deputy_of(user)
    # One query: the round only if the deputy is a member of its session.
    found = (
        Round.objects.select_related("vote", "vote__meeting")
        .filter(pk=pk, vote__meeting__members__deputy=deputy)
        .first()
        if deputy is not None
        else None
    )
    if found is None:
        raise Http404("没有这项票决。")
    return found


def get_public_round(pk: int) -> Round:
    """Public pages show a round only after its ballot box was closed and sealed."""
    return get_object_or_404(
        Round.objects.select_related("vote", "vote__meeting"),
        pk=pk,
        state__in=[Round.State.CLOSED, Round.State.COUNTED],
    )


# --- collection and screening --------------------------------------------------------------


def get_call_for_user(user: Any, pk: int, *, write: bool = False) -> Call:
    if not (can_manage_votes(user) if write else can_view_votes(user)):
        raise PermissionDenied(DENIED)
    return get_object_or_404(Call.objects.select_related("region"), pk=pk)


def get_proposal_for_user(user: Any, pk: int, *, write: bool = False) -> Proposal:
    if not (can_manage_votes(user) if write else can_view_votes(user)):
        raise PermissionDenied(DENIED)
    return get_object_or_404(
        Proposal.objects.select_related("call", "township", "deputy", "merged_into", "project"),
        pk=pk,
    )


def can_propose_as_deputy(user: Any) -> bool:
    return has_role(user, *VOTER_ROLES) and deputy_of(user) is not None


def public_calls() -> Any:
    """Calls the public may read: published ones (open or closed), never a draft."""
    return Call.objects.exclude(state=Call.State.DRAFT).select_related("region")


def get_public_call(pk: int) -> Call:
    return get_object_or_404(public_calls(), pk=pk)


def get_public_vote(pk: int) -> Vote:
    """The 公告 of a vote exists only once a round of it has been counted."""
    return get_object_or_404(
        Vote.objects.select_related("meeting").filter(rounds__state=Round.State.COUNTED).distinct(),
        pk=pk,
    )


# --- 满意度测评 and 整改 ---------------------------------------------------------------------

RECTIFICATION_ROLES = (Role.STAFF, Role.SC_MEMBER, Role.HANDLING_OFFICER)


def rectifications_for(user: Any) -> Any:
    """Staff and SC members see every rectification; a handling unit's officer its unit's."""
    qs = Rectification.objects.select_related("project", "vote", "lead_unit", "reevaluation")
    if has_role(user, *READ_ROLES):
        return qs
    if has_role(user, Role.HANDLING_OFFICER) and user.organization_id:
        return qs.filter(lead_unit_id=user.organization_id)
    return qs.none()


def get_rectification_for_user(user: Any, pk: int) -> Rectification:
    if not has_role(user, *RECTIFICATION_ROLES):
        raise PermissionDenied("只有人大机关工作人员和整改单位可以查看整改。")
    found: Rectification = get_object_or_404(rectifications_for(user), pk=pk)
    return found


# --- 实施监督 (implementation tracking) ----------------------------------------------------
# Staff manage plans; SC members read them; a handling unit's officer reads the plans with an
# item of its unit and reports on those items only; a supervising deputy reads the plans they
# supervise and records 视察 and comments on them; the public reads a published plan's page.

PLAN_ROLES = (Role.STAFF, Role.SC_MEMBER, Role.HANDLING_OFFICER, Role.DEPUTY)


def unit_of(user: Any) -> int | None:
    if has_role(user, Role.HANDLING_OFFICER):
        return getattr(user, "organization_id", None)
    return None


def can_report_on(user: Any, item: PlanItem) -> bool:
    """Staff, or an officer of the item's owner unit."""
    if can_manage_votes(user):
        return True
    unit = unit_of(user)
    return unit is not None and unit == item.owner_unit_id


def supervises(user: Any, plan: Plan) -> bool:
    deputy = deputy_of(user)
    return deputy is not None and plan.supervisors.filter(deputy=deputy).exists()


def plans_for(user: Any) -> Any:
    qs = Plan.objects.select_related("project", "project__lead_unit")
    if has_role(user, *READ_ROLES):
        return qs
    unit = unit_of(user)
    if unit is not None:
        return qs.filter(items__owner_unit_id=unit).exclude(state=Plan.State.DRAFT).distinct()
    deputy = deputy_of(user)
    if deputy is not None:
        return qs.filter(supervisors__deputy=deputy).exclude(state=Plan.State.DRAFT).distinct()
    return qs.none()


def get_plan_for_user(user: Any, pk: int, *, write: bool = False) -> Plan:
    if write and not can_manage_votes(user):
        raise PermissionDenied(DENIED)
    if not has_role(user, *PLAN_ROLES):
        raise PermissionDenied("只有人大机关工作人员、责任单位和监督代表可以查看实施情况。")
    found: Plan = get_object_or_404(plans_for(user), pk=pk)
    return found


def get_item_for_reporter(user: Any, pk: int) -> PlanItem:
    """An item its owner unit's officer (or staff) reports on; another unit's item is 404."""
    if not has_role(user, Role.STAFF, Role.HANDLING_OFFICER):
        raise PermissionDenied("只有责任单位可以报送实施进展。")
    found: PlanItem = get_object_or_404(
        PlanItem.objects.select_related("plan", "plan__project", "status", "owner_unit"), pk=pk
    )
    if not can_report_on(user, found) or (
        not can_manage_votes(user) and found.plan.state == Plan.State.DRAFT
    ):
        raise Http404("没有这个子项。")
    return found


def get_plan_for_supervisor(user: Any, pk: int) -> Plan:
    """A plan the user supervises as a deputy; another plan is 404."""
    if not has_role(user, *VOTER_ROLES):
        raise PermissionDenied("只有监督代表可以视察和提出意见。")
    found: Plan = get_object_or_404(
        Plan.objects.select_related("project").exclude(state=Plan.State.DRAFT), pk=pk
    )
    if not supervises(user, found):
        raise Http404("没有这个项目。")
    return found


def get_inspection_for_unit(user: Any, pk: int) -> Inspection:
    found: Inspection = get_object_or_404(
        Inspection.objects.select_related("plan", "item", "deputy"), pk=pk
    )
    if can_manage_votes(user):
        return found
    unit = unit_of(user)
    if unit is None:
        raise PermissionDenied("只有责任单位可以答复代表意见。")
    if found.item_id is not None:
        ok = found.item is not None and found.item.owner_unit_id == unit
    else:
        ok = found.plan.items.filter(owner_unit_id=unit).exists()
    if not ok:
        raise Http404("没有这条意见。")
    return found


def get_public_plan(pk: int) -> Plan:
    """人大之家 shows a plan once published (实施中 or 已完成), never a draft."""
    return get_object_or_404(
        Plan.objects.select_related("project", "project__lead_unit").exclude(
            state=Plan.State.DRAFT
        ),
        pk=pk,
    )


def can_reply_rectification(user: Any, rect: Rectification) -> bool:
    """The lead unit's own officer reports on a rectification; staff with the livelihood
    duty may enter a report received on paper."""
    if has_role(user, Role.STAFF):
        return has_duty(user, Duty.LIVELIHOOD)
    return has_role(user, Role.HANDLING_OFFICER) and user.organization_id == rect.lead_unit_id

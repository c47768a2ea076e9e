"""Who may see and do what with 民生实事票决 (docs/architecture.md §4.3).

- Staff: projects, candidate lists, votes: open, close, count, paper counts, reports.
- Standing-committee members: read the votes, results and reports.
- A deputy: the ballot page of a vote of a session they are a member of; another vote is 404.
- The public: the tracker list and the verification page of a closed round; published calls,
  the proposal form, tracking by code, the list of proposals (never contacts) and the 公告 of
  a counted vote.
- Collection and screening: staff manage calls and proposals; SC members read them; a deputy
  proposes and sees their own proposals.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from renda.core.roles import Role, has_role
from renda.meetings.models import MeetingMember
from renda.meetings.permissions import deputy_of

from .models import Call, Candidate, CandidateList, Proposal, Round, Vote

READ_ROLES = (Role.STAFF, Role.SC_MEMBER)
VOTER_ROLES = (Role.DEPUTY, Role.SC_MEMBER)
DENIED = "只有人大机关工作人员可以办理票决事务。"


def can_view_votes(user: Any) -> bool:
    return has_role(user, *READ_ROLES)


def can_manage_votes(user: Any) -> bool:
    return has_role(user, Role.STAFF)


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
    found = get_object_or_404(Round.objects.select_related("vote", "vote__meeting"), pk=pk)
    if (
        deputy is None
        or not MeetingMember.objects.filter(meeting=found.vote.meeting, deputy=deputy).exists()
    ):
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

"""The deputy's pages, phone first: the votes of their sessions, the ballot (赞成 / 反对 /
弃权 per candidate; for a 满意度测评, 满意 / 基本满意 / 不满意 per project), a confirmation
page that warns when there are more 赞成 than seats, and the receipt; and proposing a project
to an open call (征集) with their own proposals.

The receipt is rendered in the answer to the casting POST itself: the tracker never appears
in a URL (access logs), a redirect, the session or a message, so the server keeps nothing
that pairs this deputy with that tracker. Reloading the page re-posts and is told 您已投票."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.forms import attempt
from renda.core.roles import role_required
from renda.meetings.permissions import deputy_of

from .. import rules, services
from ..forms import DeputyProposalForm
from ..models import Call, Candidate, Proposal, Round
from ..permissions import VOTER_ROLES, can_propose_as_deputy, get_round_for_voter
from ..selectors import candidates_of, has_voted


def _marks(request: HttpRequest, round_: Round) -> dict[int, str]:
    """`c_<candidate id>` = one of the vote kind's marks (yes|no|abstain, or
    satisfied|basic|dissatisfied) for the round's candidates; anything else is ignored (an
    unmarked candidate is 弃权)."""
    ids = {int(i) for i in round_.candidate_ids}
    allowed = rules.marks_of(round_.vote.kind)
    out: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        name = key.removeprefix("c_")
        digits = key.startswith("c_") and name.isascii() and name.isdigit() and len(name) < 12
        if digits and int(name) in ids and value in allowed:
            out[int(name)] = value
    return out


@role_required(*VOTER_ROLES)
def my_votes(request: AuthenticatedRequest) -> HttpResponse:
    deputy = deputy_of(request.user)
    rounds = (
        Round.objects.filter(vote__meeting__members__deputy=deputy)
        .exclude(vote__meeting__state="draft")
        .select_related("vote", "vote__meeting")
        .order_by("-vote__meeting__start_at", "-number")
        if deputy is not None
        else Round.objects.none()
    )
    return render(request, "livelihood/my_votes.html", {"rounds": rounds[:30]})


def _ballot_context(round_: Round, candidates: list[Candidate]) -> dict[str, object]:
    satisfaction = round_.vote.kind == rules.VoteKind.SATISFACTION
    return {
        "round": round_,
        "vote": round_.vote,
        "candidates": candidates,
        "satisfaction": satisfaction,
        "labels": dict(rules.SatisfactionChoice.choices) if satisfaction else {},
    }


def _form_page(round_: Round) -> str:
    if round_.vote.kind == rules.VoteKind.SATISFACTION:
        return "livelihood/satisfaction/ballot.html"
    return "livelihood/ballot.html"


def _cast(request: AuthenticatedRequest, round_: Round) -> HttpResponse:
    """The casting POST, kept lean because a whole session casts within seconds: the marks are
    read against the round's frozen candidate ids, and the receipt is a page of its own drawn
    without the site's menu (no context processors, so no notification count and no menu to
    build: the deputy's next step is the one link on it)."""
    try:
        receipt = services.cast_ballot(
            actor=request.user, round_=round_, marks=_marks(request, round_)
        )
    except ValidationError as refusal:
        context = _ballot_context(round_, candidates_of(round_))
        context["error"] = "；".join(refusal.messages)
        return render(request, _form_page(round_), context)
    return HttpResponse(render_to_string("livelihood/receipt.html", {"receipt": receipt}))


@require_http_methods(["GET", "POST"])
@role_required(*VOTER_ROLES)
def ballot(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_round_for_voter(request.user, pk)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "cast":
        return _cast(request, round_)
    candidates = candidates_of(round_)
    context = _ballot_context(round_, candidates)
    kind = round_.vote.kind
    if step == "review":
        full = rules.normalise(_marks(request, round_), [c.pk for c in candidates], kind)
        context["marks"] = full
        context["rows"] = [(c, full[c.pk]) for c in candidates]
        context["yes_count"] = sum(1 for m in full.values() if m == rules.Choice.YES)
        context["unmarked"] = sum(1 for m in full.values() if m == rules.Choice.ABSTAIN)
        context["valid"] = rules.is_valid(full, round_.seats, kind)
        confirm = (
            "livelihood/satisfaction/confirm.html"
            if context["satisfaction"]
            else "livelihood/ballot_confirm.html"
        )
        return render(request, confirm, context)
    # 返回修改 (step "edit") comes back with what was marked; a first visit has nothing marked.
    kept = _marks(request, round_) if step == "edit" else {}
    context["items"] = [(c, kept.get(c.pk, "")) for c in candidates]
    deputy = deputy_of(request.user)
    context["voted"] = deputy is not None and has_voted(round_, deputy.pk)
    return render(request, _form_page(round_), context)


# --- 征集: a deputy proposes from their phone ---------------------------------------------


def _open_calls() -> QuerySet[Call]:
    today = timezone.localdate()
    return Call.objects.filter(
        state=Call.State.OPEN, opens_on__lte=today, closes_on__gte=today
    ).select_related("region")


@require_http_methods(["GET", "POST"])
@role_required(*VOTER_ROLES)
def propose(request: AuthenticatedRequest) -> HttpResponse:
    if not can_propose_as_deputy(request.user):
        raise PermissionDenied("只有人大代表可以以代表身份提出项目建议。")
    calls = _open_calls()
    first = calls.first()
    form = DeputyProposalForm(
        request.POST or None, calls=calls, initial={"call": first.pk if first else None}
    )
    if request.method == "POST" and form.is_valid():
        row = attempt(
            form, lambda: services.propose_as_deputy(actor=request.user, **form.cleaned_data)
        )
        if row is not None:
            messages.success(request, f"已提交项目建议“{row.title}”。")
            return redirect("livelihood:my_proposals")
    return render(
        request, "livelihood/propose.html", {"form": form, "has_calls": first is not None}
    )


@role_required(*VOTER_ROLES)
def my_proposals(request: AuthenticatedRequest) -> HttpResponse:
    deputy = deputy_of(request.user)
    rows = (
        Proposal.objects.filter(deputy=deputy)
        .select_related("call", "merged_into")
        .defer("contact_name", "contact_phone")
        .order_by("-created_at")[:50]
        if deputy is not None
        else Proposal.objects.none()
    )
    return render(
        request,
        "livelihood/my_proposals.html",
        {"rows": rows, "can_propose": can_propose_as_deputy(request.user)},
    )

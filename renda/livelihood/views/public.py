"""人大之家 pages of 民生实事 (no log-in, phone first, 390×844).

- 征集: the published calls, a call's page, the proposal form, tracking a proposal by its
  查询码, and the public list of what was proposed and what became of it. The form is handled
  as the opinion form is (stations.views.public): a one-time form token, a hidden field for
  bots, the per-address rate limit of stations.ratelimit (a refused post writes nothing and
  keeps the text), markup stripped and lengths limited by the service. No page shows a
  contact; a wrong, malformed or unknown code gets one and the same answer.
- 票决: the 公告 of a counted vote (each project's 赞成 / 反对 / 弃权, chosen or not, the ballot
  box fingerprint), the list of trackers of a sealed round (never with choices) and the
  verification of the box. A deputy looks their tracker up in the page itself (the search
  runs in the browser), so no request carries a tracker next to their address.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from renda.core.forms import add_service_errors
from renda.core.workflow import history
from renda.stations import ratelimit
from renda.stations.services.intake import new_form_token, normalise_code

from .. import chain, services
from ..forms import PublicProposalForm
from ..models import Call, Proposal
from ..permissions import get_public_call, get_public_round, get_public_vote, public_calls
from ..rules import VoteKind, collection_rules
from ..selectors import (
    counted_votes,
    find_by_code,
    public_proposals,
    public_result,
    trackers,
    verify_round,
    vote_outcomes,
)

# Steps whose note the public may read: the reason of a rejection; the rest stays inside.
PUBLIC_NOTES = {"reject"}


def tracker_list(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_public_round(pk)
    return render(
        request,
        "livelihood/public/trackers.html",
        {"round": round_, "vote": round_.vote, "trackers": trackers(round_)},
    )


def verify(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_public_round(pk)
    expected = "".join(ch for ch in request.GET.get("fp", "")[:100] if ch.isalnum())
    report = verify_round(round_, expected=expected)
    return render(
        request,
        "livelihood/public/verify.html",
        {
            "round": round_,
            "vote": round_.vote,
            "report": report,
            "expected": expected,
            "grouped_fp": chain.grouped(report.fingerprint),
            "grouped_stored": chain.grouped(report.stored),
            "grouped_manifest": chain.grouped(round_.manifest_hash),
        },
    )


# --- 征集 ----------------------------------------------------------------------------------


def calls(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "livelihood/public/calls.html",
        {
            "calls": public_calls()[:30],
            "votes": counted_votes()[:10],
            "evaluations": counted_votes(VoteKind.SATISFACTION)[:10],
        },
    )


def call_page(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_public_call(pk)
    return render(
        request,
        "livelihood/public/call.html",
        {
            "call": call,
            "accepting": call.accepting(timezone.localdate()),
            "count": Proposal.objects.filter(call=call).count(),
        },
    )


def _render_form(
    request: HttpRequest, form: PublicProposalForm, call: Call, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "livelihood/public/propose.html",
        {
            "form": form,
            "call": call,
            "rules": collection_rules(),
            "accepting": call.accepting(timezone.localdate()),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("contact_name", "contact_phone")
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_public_call(pk)
    if request.method != "POST":
        form = PublicProposalForm(initial={"form_token": new_form_token()})
        return _render_form(request, form, call)
    r = collection_rules()
    form = PublicProposalForm(request.POST)
    token = request.POST.get("form_token", "")[:64]
    # The same form posted again (double click, retry) gets the same code and is not counted.
    existing = Proposal.objects.filter(form_token=token).first() if token else None
    if existing is not None:
        return redirect("livelihood:public_track_detail", existing.tracking_code)
    if not ratelimit.hit(
        "livelihood_submit", request, limit=r.submit_limit, window=r.submit_window
    ):
        form.add_error(None, "提交过于频繁，请稍后再试。您填写的内容已保留。")
        return _render_form(request, form, call, status=429)
    if not form.is_valid():
        return _render_form(request, form, call)
    data = form.cleaned_data
    if data.get("website"):
        # A bot filled the hidden field: answer as if accepted, store nothing.
        return render(request, "livelihood/public/thanks.html")
    try:
        proposal, _ = services.submit_public_proposal(
            call=call,
            title=data["title"],
            description=data["description"],
            place=data["place"],
            township=data["township"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            form_token=data["form_token"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_form(request, form, call)
    except DatabaseError:
        form.add_error(None, "系统繁忙，您的建议没有保存成功，请稍后再提交一次。")
        return _render_form(request, form, call, status=503)
    messages.success(request, "提交成功！请记下查询码，凭查询码查看办理情况。")
    return redirect("livelihood:public_track_detail", proposal.tracking_code)


class _TooMany(Exception):
    pass


def _lookup(request: HttpRequest, code: str) -> Proposal | None:
    """The proposal of a code, or None. Only misses count against the address's limit, so
    checking one's own code never locks anybody out; over the limit raises _TooMany."""
    r = collection_rules()
    if ratelimit.exceeded("livelihood_track", request, limit=r.track_limit, window=r.track_window):
        raise _TooMany
    found = find_by_code(normalise_code(code))
    if found is None:
        ratelimit.hit("livelihood_track", request, limit=r.track_limit, window=r.track_window)
    return found


def _track_form(
    request: HttpRequest, *, code: str = "", status: int = 200, **flags: bool
) -> HttpResponse:
    return render(
        request, "livelihood/public/track.html", {"code": code[:40], **flags}, status=status
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _track_form(request)
    code = request.POST.get("code", "")
    try:
        found = _lookup(request, code)
    except _TooMany:
        return _track_form(request, code=code, status=429, too_many=True)
    if found is None:
        return _track_form(request, code=code, status=404, not_found=True)
    return redirect("livelihood:public_track_detail", found.tracking_code)


def track_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = _lookup(request, code)
    except _TooMany:
        return _track_form(request, status=429, too_many=True)
    if found is None:
        return _track_form(request, status=404, not_found=True)
    timeline = [
        {
            "at": e.event.created_at,
            "to": e.to_label,
            "note": e.event.note if e.event.transition in PUBLIC_NOTES else "",
        }
        for e in history(found)
    ]
    outcome = (
        vote_outcomes([found.project_id]).get(found.project_id, "") if found.project_id else ""
    )
    response = render(
        request,
        "livelihood/public/track_detail.html",
        {"p": found, "timeline": timeline, "outcome": outcome},
    )
    # The page is the proposer's own: no shared caches.
    response["Cache-Control"] = "no-store"
    return response


def proposal_list(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_public_call(pk)
    return render(
        request,
        "livelihood/public/proposals.html",
        {"call": call, "rows": public_proposals(call)},
    )


# --- 票决公告 -------------------------------------------------------------------------------


def results(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_public_vote(pk)
    return render(
        request,
        "livelihood/public/results.html",
        {
            "vote": vote,
            "rounds": public_result(vote),
            "rectifications": vote.rectifications.select_related("project", "lead_unit"),
        },
    )

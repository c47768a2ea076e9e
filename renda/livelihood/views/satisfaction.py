"""满意度测评 and 整改 pages.

- Staff (desktop): the list of satisfaction votes and the form that creates one at a
  常委会会议 or a congress session from a counted 票决; the vote itself is run on the 票决's
  own page (open, close, count, report, trackers, verification).
- Rectifications (整改): staff and SC members read all; the lead unit's officer reads its own
  (phone first) and reports on it; staff change a deadline with a reason and put a reported
  project to a re-evaluation (再测评) at a meeting.
- Paper 测评票 (staff with the livelihood duty): between the close and the count, the
  scrutineers' paper count of the members who voted on paper, set beside the electronic
  count and combined with it (services/paper.py).
- The public: the list of counted satisfaction votes on 人大之家 (each opens the results
  page, views/public.results).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Duty, Role, duty_required, role_required

from ..forms import (
    RectificationDeadlineForm,
    RectificationReplyForm,
    ReevaluateForm,
    SatisfactionPaperForm,
    SatisfactionVoteForm,
)
from ..models import Rectification, Vote
from ..permissions import (
    RECTIFICATION_ROLES,
    can_manage_votes,
    get_rectification_for_user,
    get_round_for_user,
    rectifications_for,
)
from ..rules import VoteKind
from ..selectors import candidates_of, counted_votes
from ..services import paper
from ..services import satisfaction as services

READERS = (Role.STAFF, Role.SC_MEMBER)


@role_required(*READERS)
def satisfaction_home(request: AuthenticatedRequest) -> HttpResponse:
    votes = (
        Vote.objects.filter(kind=VoteKind.SATISFACTION)
        .select_related("meeting", "evaluates")
        .prefetch_related("rounds")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "livelihood/satisfaction/home.html",
        {
            "votes": votes,
            "open_rectifications": rectifications_for(request.user)
            .exclude(state=Rectification.State.CLOSED)
            .count(),
            "can_manage": can_manage_votes(request.user),
        },
    )


@duty_required(Duty.LIVELIHOOD)
def satisfaction_create(request: AuthenticatedRequest) -> HttpResponse:
    form = SatisfactionVoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        vote = attempt(
            form,
            lambda: services.create_satisfaction_vote(
                actor=request.user,
                meeting=data["meeting"],
                evaluates=data["evaluates"],
                title=data["title"],
            ),
        )
        if vote is not None:
            messages.success(request, "已列入会议议程，签到后即可开始测评。")
            return redirect("livelihood:vote_detail", vote.pk)
    return render(
        request,
        "livelihood/form.html",
        {
            "form": form,
            "title": "新建满意度测评",
            "back_url": reverse("livelihood:satisfaction"),
        },
    )


@duty_required(Duty.LIVELIHOOD)
def satisfaction_paper(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_round_for_user(request.user, pk, write=True)
    if round_.vote.kind != VoteKind.SATISFACTION:
        raise Http404("没有这项满意度测评。")
    candidates = candidates_of(round_)
    entered = round_.satisfaction_paper if hasattr(round_, "satisfaction_paper") else None
    initial: dict[str, int] = {}
    if entered is not None:
        initial = {"issued": entered.issued, "returned": entered.returned}
        initial["invalid"] = entered.invalid
        for c in entered.counts.all():
            initial |= {
                f"satisfied_{c.candidate_id}": c.satisfied,
                f"basic_{c.candidate_id}": c.basic,
                f"dissatisfied_{c.candidate_id}": c.dissatisfied,
            }
    form = SatisfactionPaperForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: paper.enter_satisfaction_paper_counts(
                actor=request.user,
                round_=round_,
                issued=data["issued"],
                returned=data["returned"],
                invalid=data["invalid"],
                counts=form.counts(),
            ),
        )
        if done is not None:
            messages.success(request, "已录入纸质测评票，计票时与电子票合并计算。")
            return redirect("livelihood:satisfaction_paper", round_.pk)
    return render(
        request,
        "livelihood/satisfaction/paper.html",
        {
            "round": round_,
            "vote": round_.vote,
            "form": form,
            "can_enter": round_.state == round_.State.CLOSED,
            "room": paper.paper_room(round_),
            "reconcile": paper.satisfaction_reconcile(round_),
        },
    )


@role_required(*RECTIFICATION_ROLES)
def rectifications(request: AuthenticatedRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    rows = rectifications_for(request.user)
    if state in Rectification.State.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "livelihood/satisfaction/rectifications.html",
        {
            "rows": rows[:100],
            "state": state,
            "states": Rectification.State.choices,
            "today": timezone.localdate(),
            "is_unit": request.user.role == Role.HANDLING_OFFICER,
        },
    )


@role_required(*RECTIFICATION_ROLES)
def rectification_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rect = get_rectification_for_user(request.user, pk)
    staff = can_manage_votes(request.user)
    return render(
        request,
        "livelihood/satisfaction/rectification.html",
        {
            "rect": rect,
            "overdue": services.is_overdue(rect),
            "can_reply": services.can_reply(request.user, rect)
            and rect.state in (Rectification.State.OPEN, Rectification.State.REPLIED),
            "reply_form": RectificationReplyForm(initial={"reply": rect.reply}),
            "deadline_form": RectificationDeadlineForm(initial={"deadline": rect.deadline}),
            "reevaluate_form": ReevaluateForm(),
            "can_manage": staff,
            "is_unit": request.user.role == Role.HANDLING_OFFICER,
            "next": Rectification.objects.filter(previous=rect).first(),
        },
    )


def _back(pk: int) -> str:
    return reverse("livelihood:rectification_detail", args=[pk])


@require_POST
@role_required(Role.STAFF, Role.HANDLING_OFFICER)
def rectification_reply(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rect = get_rectification_for_user(request.user, pk)
    reply = request.POST.get("reply", "")[:6000]
    return run_action(
        request,
        lambda: services.reply_rectification(actor=request.user, rectification=rect, reply=reply),
        then=_back(pk),
        done="已报送整改情况。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def rectification_deadline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rect = get_rectification_for_user(request.user, pk)
    form = RectificationDeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新的整改期限和调整理由。")
        return redirect(_back(pk))
    return run_action(
        request,
        lambda: services.set_rectification_deadline(
            actor=request.user, rectification=rect, **form.cleaned_data
        ),
        then=_back(pk),
        done="已调整整改期限。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def rectification_reevaluate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rect = get_rectification_for_user(request.user, pk)
    form = ReevaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择再测评的会议。")
        return redirect(_back(pk))
    meeting = form.cleaned_data["meeting"]
    return run_action(
        request,
        lambda: services.reevaluate(actor=request.user, rectification=rect, meeting=meeting),
        then=_back(pk),
        done="已安排再测评，列入会议议程。",
    )


def public_list(request: HttpRequest) -> HttpResponse:
    """人大之家: counted satisfaction votes (nothing before the count)."""
    return render(
        request,
        "livelihood/public/satisfaction.html",
        {"votes": counted_votes(VoteKind.SATISFACTION)[:30]},
    )

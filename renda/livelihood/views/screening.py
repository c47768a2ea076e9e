"""Staff pages of 筛选 (desktop): the review form (feasibility and the three negative-list
checks), the decision buttons (通过 / 不予采纳 with a public reason / 列入储备库), building
the candidate list of N + k accepted proposals, and sending the candidates a vote did not
choose to the reserve."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Duty, duty_required

from .. import services
from ..forms import BuildListForm, RejectForm, ScreeningForm
from ..models import Screening
from ..permissions import get_call_for_user, get_proposal_for_user, get_vote_for_user


@duty_required(Duty.LIVELIHOOD)
def proposal_screen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, write=True)
    existing = Screening.objects.filter(proposal=proposal).first()
    initial = {}
    if existing is not None:
        initial = {
            f: getattr(existing, f)
            for f in ScreeningForm.base_fields
            if not f.endswith("_ok") and hasattr(existing, f)
        }
        for check in ("burden", "debt", "stability"):
            initial[f"{check}_ok"] = "yes" if getattr(existing, f"{check}_ok") else "no"
    form = ScreeningForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = attempt(
            form,
            lambda: services.review_proposal(
                actor=request.user, proposal=proposal, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "已保存审查意见。")
            return redirect("livelihood:proposal_detail", pk)
    return render(
        request,
        "livelihood/screen_form.html",
        {
            "form": form,
            "p": proposal,
            "checks": [
                (form[f"{c}_ok"], form[f"{c}_reason"]) for c in ("burden", "debt", "stability")
            ],
        },
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def proposal_accept(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.accept_proposal(actor=request.user, proposal=proposal),
        then=reverse("livelihood:proposal_detail", args=[pk]),
        done="审查通过，可列入候选项目名单。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def proposal_reject(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, write=True)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.reject_proposal(actor=request.user, proposal=proposal, reason=reason),
        then=reverse("livelihood:proposal_detail", args=[pk]),
        done="已记录不予采纳及理由（向社会公开）。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def proposal_reserve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.reserve_proposal(
            actor=request.user, proposal=proposal, note=request.POST.get("note", "")[:500]
        ),
        then=reverse("livelihood:proposal_detail", args=[pk]),
        done="已列入储备库。",
    )


@duty_required(Duty.LIVELIHOOD)
def list_build(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    call = get_call_for_user(request.user, pk, write=True)
    form = BuildListForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lst = attempt(
            form,
            lambda: services.build_candidate_list(
                actor=request.user,
                meeting=data["meeting"],
                title=data["title"],
                seats=data["seats"],
                extra=data["extra"],
                proposals=list(data["proposals"]),
            ),
        )
        if lst is not None:
            messages.success(request, "已生成候选项目名单，请登记主席团确认。")
            return redirect("livelihood:list_detail", lst.pk)
    return render(
        request,
        "livelihood/build_list.html",
        {"form": form, "call": call, "menu": "calls"},
        status=200,
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def vote_reserve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, pk, write=True)
    then = reverse("livelihood:vote_detail", args=[pk])
    try:
        moved = services.reserve_not_chosen(actor=request.user, vote=vote)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已将 {moved} 个未获选的候选项目列入储备库。")
    return redirect(then)

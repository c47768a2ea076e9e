"""Staff pages of 征集 (desktop): calls, the proposals of a call with filters, a proposal with
its sources, review and history, merging duplicates, the reserve (储备库) and carrying a
reserved proposal into a later call, and converting a constituent opinion or a deputy's
suggestion into a proposal. Standing-committee members read them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Duty, Role, duty_required, role_required
from renda.core.sources import sources_of
from renda.core.workflow import history
from renda.stations.permissions import get_opinion_for_user, opinions_for
from renda.suggestions.permissions import get_suggestion_for_user, visible_suggestions

from .. import services
from ..forms import (
    CallForm,
    CarryForm,
    ConvertForm,
    MergeForm,
    ProposalFilterForm,
    RejectForm,
    StaffProposalForm,
)
from ..models import Call, Proposal, Screening
from ..permissions import can_manage_votes, get_call_for_user, get_proposal_for_user
from ..selectors import proposals, reserve
from ..services.collection import proposals_from

READERS = (Role.STAFF, Role.SC_MEMBER)


@role_required(*READERS)
def calls(request: AuthenticatedRequest) -> HttpResponse:
    rows = Call.objects.select_related("region")[:50]
    counts: dict[int, int] = {}
    for call_id in Proposal.objects.filter(call__in=rows).values_list("call_id", flat=True):
        counts[call_id] = counts.get(call_id, 0) + 1
    return render(
        request,
        "livelihood/calls.html",
        {
            "rows": [(c, counts.get(c.pk, 0)) for c in rows],
            "reserved": Proposal.objects.filter(state="reserved").count(),
            "can_manage": can_manage_votes(request.user),
            "menu": "calls",
        },
    )


def _form_page(
    request: AuthenticatedRequest, form: object, title: str, back: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "livelihood/form.html",
        {"form": form, "title": title, "back_url": back},
        status=status,
    )


@duty_required(Duty.LIVELIHOOD)
def call_create(request: AuthenticatedRequest) -> HttpResponse:
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = attempt(form, lambda: services.create_call(actor=request.user, **form.cleaned_data))
        if call is not None:
            messages.success(request, "已保存征集公告（尚未发布）。")
            return redirect("livelihood:call_detail", call.pk)
    return _form_page(request, form, "新建征集公告", reverse("livelihood:calls"))


@role_required(*READERS)
def call_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    call = get_call_for_user(request.user, pk)
    filters = ProposalFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = proposals(
        call=call, state=data.get("state", ""), kind=data.get("kind", ""), q=data.get("q", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "livelihood/call_detail.html",
        {
            "call": call,
            "filters": filters,
            "page": page,
            "query": urlencode({k: v for k, v in data.items() if v}),
            "accepted": Proposal.objects.filter(call=call, state="accepted").count(),
            "can_manage": can_manage_votes(request.user),
            "menu": "calls",
        },
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def call_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    call = get_call_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.publish_call(actor=request.user, call=call),
        then=reverse("livelihood:call_detail", args=[pk]),
        done="已在人大之家发布征集公告。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def call_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    call = get_call_for_user(request.user, pk, write=True)
    return run_action(
        request,
        lambda: services.close_call(actor=request.user, call=call),
        then=reverse("livelihood:call_detail", args=[pk]),
        done="已结束征集。",
    )


@duty_required(Duty.LIVELIHOOD)
def proposal_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    call = get_call_for_user(request.user, pk, write=True)
    form = StaffProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = attempt(
            form,
            lambda: services.register_proposal(actor=request.user, call=call, **form.cleaned_data),
        )
        if row is not None:
            messages.success(request, f"已登记项目建议“{row.title}”。")
            return redirect("livelihood:proposal_detail", row.pk)
    return _form_page(
        request,
        form,
        f"登记项目建议 · {call.title}",
        reverse("livelihood:call_detail", args=[pk]),
    )


@role_required(*READERS)
def proposal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk)
    manage = can_manage_votes(request.user)
    return render(
        request,
        "livelihood/proposal_detail.html",
        {
            "p": proposal,
            "screening": Screening.objects.filter(proposal=proposal)
            .select_related("lead_unit")
            .first(),
            "sources": sources_of(proposal),
            "merged": proposal.merged.defer("contact_name", "contact_phone").order_by("id"),
            "timeline": history(proposal),
            "can_manage": manage,
            "reject_form": RejectForm(),
            "merge_form": MergeForm(proposal=proposal),
            "carry_form": CarryForm(proposal=proposal) if proposal.state == "reserved" else None,
            "menu": "calls",
        },
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def proposal_merge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, write=True)
    form = MergeForm(request.POST, proposal=proposal)
    if not form.is_valid():
        messages.error(request, "请选择要保留的项目建议。")
        return redirect("livelihood:proposal_detail", pk)
    into = form.cleaned_data["into"]
    return run_action(
        request,
        lambda: services.merge_proposals(actor=request.user, proposal=proposal, into=into),
        then=reverse("livelihood:proposal_detail", args=[into.pk]),
        done=f"已合并到“{into.title}”，提出人次已累加。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def proposal_carry(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request.user, pk, write=True)
    form = CarryForm(request.POST, proposal=proposal)
    if not form.is_valid():
        messages.error(request, "请选择以后年度的征集公告。")
        return redirect("livelihood:proposal_detail", pk)
    call = form.cleaned_data["call"]
    return run_action(
        request,
        lambda: services.carry_reserved(actor=request.user, proposal=proposal, call=call),
        then=reverse("livelihood:proposal_detail", args=[pk]),
        done=f"已转入“{call.title}”。",
    )


@role_required(*READERS)
def reserve_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "livelihood/reserve.html",
        {"page": Paginator(reserve(), 50).get_page(request.GET.get("page")), "menu": "reserve"},
    )


@duty_required(Duty.LIVELIHOOD)
def convert_list(request: AuthenticatedRequest) -> HttpResponse:
    """Opinions and suggestions staff may turn into proposals (the newest, searchable)."""
    q = request.GET.get("q", "").strip()[:50]
    opinions = (
        opinions_for(request.user).select_related("station").defer("contact_name", "contact_phone")
    )
    suggestions = visible_suggestions(request.user).exclude(state="draft")
    if q:
        opinions = opinions.filter(content__icontains=q)
        suggestions = suggestions.filter(title__icontains=q)
    return render(
        request,
        "livelihood/convert.html",
        {
            "q": q,
            "opinions": opinions.order_by("-created_at")[:20],
            "suggestions": suggestions.select_related("lead_deputy").order_by("-created_at")[:20],
            "menu": "convert",
        },
    )


def _convert(request: AuthenticatedRequest, source: object, kind: str) -> HttpResponse:
    done = proposals_from(source)
    if done:
        messages.info(request, "已经转为项目建议。")
        return redirect("livelihood:proposal_detail", done[0])
    title = getattr(source, "title", "")[:100]
    form = ConvertForm(request.POST or None, initial={"title": title})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def convert() -> Proposal:
            if kind == "opinion":
                return services.convert_opinion(actor=request.user, opinion=source, **data)  # type: ignore[arg-type]
            return services.convert_suggestion(actor=request.user, suggestion=source, **data)  # type: ignore[arg-type]

        row = attempt(form, convert)
        if row is not None:
            messages.success(request, f"已转为项目建议“{row.title}”。")
            return redirect("livelihood:proposal_detail", row.pk)
    label = "群众意见" if kind == "opinion" else "代表建议"
    return render(
        request,
        "livelihood/convert_form.html",
        {"form": form, "source": source, "kind": kind, "label": label, "menu": "convert"},
    )


@duty_required(Duty.LIVELIHOOD)
def opinion_convert(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _convert(request, get_opinion_for_user(request.user, pk), "opinion")


@duty_required(Duty.LIVELIHOOD)
def suggestion_convert(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _convert(request, get_suggestion_for_user(request.user, pk), "suggestion")

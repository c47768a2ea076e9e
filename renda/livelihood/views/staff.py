"""Staff pages (desktop): projects, candidate lists and the presidium's confirmation, the vote
with its rules and rounds (open, close, count), the big screen, the printable 计票报告 and the
scrutineers' paper counts. Standing-committee members read them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.actions import run_action
from renda.core.forms import attempt
from renda.core.roles import Duty, Role, duty_required, role_required

from .. import chain, services
from ..forms import (
    AddCandidateForm,
    CandidateListForm,
    ConfirmForm,
    PaperForm,
    ProjectForm,
    RulesForm,
    SatisfactionRulesForm,
)
from ..models import CandidateList, Project, Round, Vote
from ..permissions import (
    can_manage_votes,
    get_candidate_for_manager,
    get_list_for_user,
    get_round_for_user,
    get_vote_for_user,
)
from ..rules import VoteKind
from ..selectors import (
    candidates_of,
    chosen_projects,
    reconcile,
    result_rows,
    rounds_of,
    satisfaction_rows,
    trackers,
    turnout,
    verify_round,
)
from ..services.candidates import is_frozen

READERS = (Role.STAFF, Role.SC_MEMBER)


@role_required(*READERS)
def home(request: AuthenticatedRequest) -> HttpResponse:
    lists = list(
        CandidateList.objects.exclude(vote__kind=VoteKind.SATISFACTION)
        .select_related("meeting")
        .prefetch_related("candidates")[:50]
    )
    votes = {v.candidate_list_id: v for v in Vote.objects.filter(candidate_list__in=lists)}
    return render(
        request,
        "livelihood/home.html",
        {
            "rows": [(lst, votes.get(lst.pk)) for lst in lists],
            "projects": Project.objects.select_related("lead_unit")[:50],
            "can_manage": can_manage_votes(request.user),
        },
    )


def _form_page(request: AuthenticatedRequest, form: object, title: str) -> HttpResponse:
    return render(
        request,
        "livelihood/form.html",
        {"form": form, "title": title, "back_url": reverse("livelihood:home")},
    )


@duty_required(Duty.LIVELIHOOD)
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = attempt(
            form, lambda: services.create_project(actor=request.user, **form.cleaned_data)
        )
        if project is not None:
            messages.success(request, f"已登记项目“{project.title}”。")
            return redirect("livelihood:home")
    return _form_page(request, form, "登记民生实事项目")


@duty_required(Duty.LIVELIHOOD)
def list_create(request: AuthenticatedRequest) -> HttpResponse:
    form = CandidateListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = attempt(
            form, lambda: services.create_candidate_list(actor=request.user, **form.cleaned_data)
        )
        if row is not None:
            return redirect("livelihood:list_detail", row.pk)
    return _form_page(request, form, "新建候选项目名单")


@role_required(*READERS)
def list_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lst = get_list_for_user(request.user, pk)
    taken = lst.candidates.values("project_id")
    add_form = AddCandidateForm(projects=Project.objects.exclude(pk__in=taken))
    return render(
        request,
        "livelihood/list_detail.html",
        {
            "lst": lst,
            "candidates": lst.candidates.select_related("project", "project__lead_unit"),
            "add_form": add_form,
            "confirm_form": ConfirmForm(),
            "vote": Vote.objects.filter(candidate_list=lst).first(),
            "frozen": is_frozen(lst),
            "can_manage": can_manage_votes(request.user),
        },
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def candidate_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lst = get_list_for_user(request.user, pk, write=True)
    form = AddCandidateForm(request.POST, projects=Project.objects.all())
    then = reverse("livelihood:list_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, "请选择项目。")
        return redirect(then)
    project = form.cleaned_data["project"]
    return run_action(
        request,
        lambda: services.add_candidate(actor=request.user, candidate_list=lst, project=project),
        then=then,
        done=f"已加入“{project.title}”。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def candidate_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_manager(request.user, pk)
    return run_action(
        request,
        lambda: services.remove_candidate(actor=request.user, candidate=candidate),
        then=reverse("livelihood:list_detail", args=[candidate.candidate_list_id]),
        done="已移出候选名单。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def list_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lst = get_list_for_user(request.user, pk, write=True)
    decision = request.POST.get("decision", "")[:200]
    return run_action(
        request,
        lambda: services.confirm_candidate_list(
            actor=request.user, candidate_list=lst, decision=decision
        ),
        then=reverse("livelihood:list_detail", args=[pk]),
        done="已记录主席团确认。",
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def vote_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    lst = get_list_for_user(request.user, pk, write=True)
    done = run_action(
        request,
        lambda: services.create_vote(actor=request.user, candidate_list=lst),
        then=reverse("livelihood:list_detail", args=[pk]),
        done="已列入会议议程，等待开始票决。",
    )
    vote = Vote.objects.filter(candidate_list=lst).first()
    return redirect("livelihood:vote_detail", vote.pk) if vote else done


@role_required(*READERS)
def vote_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, pk)
    rounds = []
    for r in rounds_of(vote):
        rounds.append(
            {
                "round": r,
                "candidates": candidates_of(r),
                "turnout": turnout(r),
                "rows": result_rows(r),
                "grades": satisfaction_rows(r),
                "reconcile": reconcile(r),
                "grouped_fp": chain.grouped(r.fingerprint),
                "grouped_manifest": chain.grouped(r.manifest_hash),
            }
        )
    return render(
        request,
        "livelihood/vote_detail.html",
        {
            "vote": vote,
            "rounds": rounds,
            "chosen": chosen_projects(vote),
            "rectifications": vote.rectifications.select_related("project", "lead_unit"),
            "reevaluates": vote.reevaluated.select_related("project"),
            "rules_form": (
                SatisfactionRulesForm if vote.kind == VoteKind.SATISFACTION else RulesForm
            )(initial={"pass_base": vote.pass_base, "quorum": vote.quorum}),
            "frozen": is_frozen(vote.candidate_list),
            "can_manage": can_manage_votes(request.user),
        },
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def vote_rules(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    vote = get_vote_for_user(request.user, pk, write=True)
    form = RulesForm(request.POST)
    then = reverse("livelihood:vote_detail", args=[pk])
    if not form.is_valid():
        messages.error(request, "请选择通过基数和法定人数规则。")
        return redirect(then)
    return run_action(
        request,
        lambda: services.set_rules(actor=request.user, vote=vote, **form.cleaned_data),
        then=then,
        done="已保存计票规则。",
    )


def _round_action(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    round_ = get_round_for_user(request.user, pk, write=True)
    call = {
        "open": (services.open_round, "已开始投票，候选项目、规则和投票名单已冻结。"),
        "close": (services.close_round, "已结束投票，票箱已封存，请总监票人核对并签署票箱指纹。"),
        "count": (services.count_round, "已计票。"),
    }[action]
    return run_action(
        request,
        lambda: call[0](actor=request.user, round_=round_),
        then=reverse("livelihood:vote_detail", args=[round_.vote_id]),
        done=call[1],
    )


@require_POST
@duty_required(Duty.LIVELIHOOD)
def round_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "open")


@require_POST
@duty_required(Duty.LIVELIHOOD)
def round_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "close")


@require_POST
@duty_required(Duty.LIVELIHOOD)
def round_count(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "count")


def _round_context(round_: Round) -> dict[str, object]:
    return {
        "round": round_,
        "vote": round_.vote,
        "candidates": candidates_of(round_),
        "turnout": turnout(round_),
        "rows": result_rows(round_),
        "grades": satisfaction_rows(round_),
        "grouped_fp": chain.grouped(round_.fingerprint),
        "grouped_manifest": chain.grouped(round_.manifest_hash),
    }


@role_required(*READERS)
def round_screen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The big screen (1920×1080, dark): turnout while voting, results once counted."""
    round_ = get_round_for_user(request.user, pk)
    return render(request, "livelihood/screen.html", _round_context(round_))


@role_required(*READERS)
def round_report(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """计票报告, printable, with the fingerprint and a line for the 总监票人's signature."""
    round_ = get_round_for_user(request.user, pk)
    context = _round_context(round_)
    context["verification"] = verify_round(round_)
    context["trackers"] = len(trackers(round_))
    context["reconcile"] = reconcile(round_)
    return render(request, "livelihood/report.html", context)


@duty_required(Duty.LIVELIHOOD)
def round_paper(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_round_for_user(request.user, pk, write=True)
    form = PaperForm(request.POST or None, candidates=candidates_of(round_))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.enter_paper_counts(
                actor=request.user,
                round_=round_,
                issued=data["issued"],
                returned=data["returned"],
                invalid=data["invalid"],
                counts=form.counts(),
            ),
        )
        if done is not None:
            messages.success(request, "已录入纸质计票。")
            return redirect("livelihood:vote_detail", round_.vote_id)
    return render(
        request,
        "livelihood/form.html",
        {
            "form": form,
            "title": f"录入纸质计票 · {round_.vote.title} · 第{round_.number}轮",
            "back_url": reverse("livelihood:vote_detail", args=[round_.vote_id]),
        },
    )

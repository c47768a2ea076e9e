"""Duty records and scores (履职档案与积分): a deputy's own record, the yearly report (page and
Word), staff entering records, the rankings with their export, and the versioned score rules.
The pages live under /suggestions/duty/ where they always were (see `renda/deputies/urls.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from renda.accounts.permissions import AuthenticatedRequest
from renda.core.exports import Column, export_xlsx
from renda.core.forms import attempt
from renda.core.params import int_param
from renda.core.roles import Role, has_role, role_required

from .. import documents, services
from ..forms import DutyRecordForm, RankingForm, ScoreRuleForm
from ..models import Deputy, DutyRecord, ScoreRule
from ..permissions import acting_deputy
from ..selectors import scoring
from ..selectors.reports import duty_panels, report_context

PAGE_SIZE = 30
READERS = (Role.STAFF, Role.SC_MEMBER)

RANKING_COLUMNS: list[Column[scoring.Ranked]] = [
    Column("名次", lambda r: r.rank),
    Column("姓名", lambda r: r.deputy.name),
    Column("代表团（组）", lambda r: r.deputy.delegation.name if r.deputy.delegation else ""),
    Column("乡镇（街道）", lambda r: r.deputy.region.name),
    Column("履职记录", lambda r: r.records),
    Column("积分", lambda r: r.score),
]


def _deputy_for_report(request: AuthenticatedRequest, pk: int) -> Deputy:
    qs = Deputy.objects.select_related("term", "region", "delegation")
    if has_role(request.user, *READERS):
        return get_object_or_404(qs, pk=pk)
    deputy = acting_deputy(request.user)
    if deputy is None or deputy.pk != pk:
        raise Http404("没有找到该代表的履职报告")
    return qs.get(pk=pk)


def _year(request: AuthenticatedRequest) -> int:
    """The year asked for (?year=), or this year when it is absent or not a year."""
    year = int_param(request.GET, "year", low=2000, high=2100)
    return timezone.localdate().year if year is None else year


@role_required(Role.DEPUTY)
def duty_me(request: AuthenticatedRequest) -> HttpResponse:
    deputy = acting_deputy(request.user)
    if deputy is None:
        return render(request, "deputies/me_missing.html", status=404)
    year = _year(request)
    page = Paginator(DutyRecord.objects.filter(deputy=deputy), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "deputies/duty/me.html",
        {
            "deputy": deputy,
            "year": year,
            "score": scoring.deputy_score(deputy, year),
            "panels": duty_panels(deputy, year),
            "page": page,
            "query": f"year={year}",
        },
    )


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def duty_report(request: AuthenticatedRequest, pk: int, year: int) -> HttpResponse:
    deputy = _deputy_for_report(request, pk)
    return render(request, "deputies/duty/report.html", report_context(deputy, year))


@role_required(Role.STAFF, Role.SC_MEMBER, Role.DEPUTY)
def duty_report_docx(request: AuthenticatedRequest, pk: int, year: int) -> HttpResponse:
    deputy = _deputy_for_report(request, pk)
    content = documents.duty_report(report_context(deputy, year))
    return documents.docx_response(content, f"{deputy.name}-{year}年度履职报告.docx")


@role_required(Role.STAFF)
def duty_add(request: AuthenticatedRequest) -> HttpResponse:
    form = DutyRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        record = attempt(
            form,
            lambda: services.add_duty_record(
                actor=request.user,
                deputy=d["deputy"],
                kind=d["kind"],
                occurred_on=d["occurred_on"],
                title=d["title"],
                details=d["details"],
                evidence=d["evidence"],
            ),
        )
        if record is not None:
            messages.success(request, f"已为 {d['deputy'].name} 登记履职记录。")
            return redirect("deputies:duty_add")
    recent = (
        DutyRecord.objects.select_related("deputy").exclude(created_by=None).order_by("-id")[:20]
    )
    return render(request, "deputies/duty/add.html", {"form": form, "recent": recent})


def _ranking(
    request: AuthenticatedRequest,
) -> tuple[RankingForm, list[scoring.Ranked], list[dict[str, Any]], int, str]:
    form = RankingForm(request.GET or None)
    year, group = timezone.localdate().year, "delegation"
    deputies = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
    if form.is_valid():
        d = form.cleaned_data
        year = d["year"] or year
        group = d["group"] or group
        if d["delegation"]:
            deputies = deputies.filter(delegation=d["delegation"])
        if d["region"]:
            deputies = deputies.filter(region=d["region"])
    rows = scoring.ranking(deputies, year)

    def by_group(dep: Deputy) -> str:
        if group == "region":
            return dep.region.name
        return dep.delegation.name if dep.delegation else "未编团"

    return form, rows, scoring.group_summary(rows, by_group), year, group


@role_required(*READERS)
def rankings(request: AuthenticatedRequest) -> HttpResponse:
    form, rows, groups, year, group = _ranking(request)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chart = {
        "labels": [g["label"] for g in groups],
        "values": [float(g["average"]) for g in groups],
    }
    return render(
        request,
        "deputies/duty/rankings.html",
        {
            "form": form,
            "page": page,
            "groups": groups,
            "year": year,
            "group": group,
            "query": query.urlencode(),
            "chart": chart,
        },
    )


@role_required(*READERS)
def rankings_export(request: AuthenticatedRequest) -> HttpResponse:
    _, rows, _, year, _ = _ranking(request)
    return export_xlsx(
        title="履职积分排名",
        columns=RANKING_COLUMNS,
        rows=rows,
        actor=request.user,
        action="suggestion.rankings_export",
        details={"year": year},
        filename=f"履职积分排名-{year}.xlsx",
    )


@role_required(Role.STAFF)
def score_rules(request: AuthenticatedRequest) -> HttpResponse:
    form = ScoreRuleForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(
            form, lambda: services.create_score_rule(actor=request.user, **form.cleaned_data)
        )
        is not None
    ):
        messages.success(request, "已新增积分规则版本。")
        return redirect("deputies:score_rules")
    today = timezone.localdate()
    current = {
        rule.pk
        for versions in scoring.rules_by_kind().values()
        if (rule := scoring.rule_on(versions, today)) is not None
    }
    return render(
        request,
        "deputies/duty/score_rules.html",
        {"form": form, "rules": ScoreRule.objects.all(), "current": current},
    )

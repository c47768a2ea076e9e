"""Forms of 实施监督 (views/implementation.py); the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from renda.budget.models import FinanceRegion
from renda.core.forms import BootstrapForm
from renda.core.models import Organization
from renda.deputies.models import Deputy
from renda.stations.forms import MultipleFileField

from .models import Candidate, Inspection, PlanItem, ProgressStatus, Project, Round
from .rules import VoteKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


def active_statuses() -> Any:
    return ProgressStatus.objects.filter(is_active=True).order_by("order", "progress")


def chosen_project_ids() -> set[int]:
    """Projects a counted 票决 chose (the chosen candidates of its counted rounds)."""
    ids: list[int] = []
    rounds = Round.objects.filter(state=Round.State.COUNTED, vote__kind=VoteKind.SELECTION)
    for result in rounds.values_list("result", flat=True):
        ids += (result or {}).get("chosen", [])
    return set(Candidate.objects.filter(pk__in=ids).values_list("project_id", flat=True))


class PlanForm(BootstrapForm):
    """The projects a 票决 chose that have no plan yet."""

    project = forms.ModelChoiceField(label="票决获选项目", queryset=Project.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(  # type: ignore[attr-defined]
            plan__isnull=True, pk__in=chosen_project_ids()
        ).order_by("-year", "title")


class ItemForm(BootstrapForm):
    title = forms.CharField(label="子项名称", max_length=200)
    parent = forms.ModelChoiceField(
        label="上级子项", queryset=PlanItem.objects.none(), required=False
    )
    owner_unit = forms.ModelChoiceField(
        label="责任单位",
        queryset=Organization.objects.filter(is_handling_unit=True).order_by("code"),
    )
    budget = forms.DecimalField(
        label="计划投资（元）", min_value=0, max_digits=16, decimal_places=2
    )
    start_on = forms.DateField(label="开始日期", required=False, widget=DATE)
    deadline = forms.DateField(label="完成时限", widget=DATE)
    description = forms.CharField(
        label="建设内容", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["parent"].queryset = PlanItem.objects.filter(plan=plan)  # type: ignore[attr-defined]


class MilestoneForm(BootstrapForm):
    item = forms.ModelChoiceField(label="子项", queryset=PlanItem.objects.none())
    title = forms.CharField(label="节点名称", max_length=200)
    due_on = forms.DateField(label="计划完成日期", widget=DATE)

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["item"].queryset = PlanItem.objects.filter(plan=plan)  # type: ignore[attr-defined]


class ReportForm(BootstrapForm):
    report_date = forms.DateField(label="报告日期", widget=DATE, initial=timezone.localdate)
    status = forms.ModelChoiceField(label="当前进度状态", queryset=ProgressStatus.objects.none())
    text = forms.CharField(
        label="进展情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = MultipleFileField(label="现场照片（选填，最多9张）")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = active_statuses()  # type: ignore[attr-defined]


class InspectionForm(BootstrapForm):
    kind = forms.ChoiceField(label="类型", choices=Inspection.Kind.choices)
    item = forms.ModelChoiceField(
        label="子项（选填）", queryset=PlanItem.objects.none(), required=False
    )
    visited_on = forms.DateField(label="视察日期", required=False, widget=DATE)
    text = forms.CharField(label="内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    photos = MultipleFileField(label="照片（选填，最多9张）")

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["item"].queryset = PlanItem.objects.filter(plan=plan)  # type: ignore[attr-defined]


class SupervisorForm(BootstrapForm):
    deputy = forms.ModelChoiceField(label="代表", queryset=Deputy.objects.order_by("name"))
    is_lead = forms.BooleanField(label="牵头代表", required=False)


class FundingForm(BootstrapForm):
    region = forms.ModelChoiceField(label="财政区划", queryset=FinanceRegion.objects.all())
    year = forms.IntegerField(label="预算年度", min_value=2000, max_value=2100)
    bgt_id = forms.CharField(label="指标编号", max_length=40)
    item = forms.ModelChoiceField(
        label="子项（选填）", queryset=PlanItem.objects.none(), required=False
    )

    def __init__(self, *args: Any, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if plan is not None:
            self.fields["item"].queryset = PlanItem.objects.filter(plan=plan)  # type: ignore[attr-defined]


class StatusForm(BootstrapForm):
    key = forms.SlugField(label="代码", max_length=32)
    name = forms.CharField(label="名称", max_length=30)
    progress = forms.IntegerField(label="进度（%）", min_value=0, max_value=100)
    order = forms.IntegerField(label="顺序", min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from renda.core.forms import BootstrapForm
from renda.core.models import Organization, Region
from renda.deputies.models import Level
from renda.meetings.models import Meeting
from renda.meetings.rules import Kind, Quorum

from .models import Candidate, Project
from .rules import PassBase


class ProjectForm(BootstrapForm):
    title = forms.CharField(label="项目名称", max_length=200)
    level = forms.ChoiceField(label="层级", choices=Level.choices, initial=Level.CITY)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.order_by("code"))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    estimated_cost = forms.DecimalField(
        label="估算投资（元）", min_value=0, max_digits=16, decimal_places=2
    )
    lead_unit = forms.ModelChoiceField(
        label="牵头单位", queryset=Organization.objects.filter(is_active=True).order_by("code")
    )
    summary = forms.CharField(
        label="项目内容", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CandidateListForm(BootstrapForm):
    meeting = forms.ModelChoiceField(
        label="人民代表大会会议",
        queryset=Meeting.objects.filter(kind=Kind.CONGRESS).exclude(state="closed"),
    )
    title = forms.CharField(label="名单名称", max_length=200, initial="民生实事候选项目")
    seats = forms.IntegerField(label="应选数", min_value=1, max_value=100, initial=10)


class AddCandidateForm(BootstrapForm):
    project = forms.ModelChoiceField(label="项目", queryset=Project.objects.none())

    def __init__(self, *args: Any, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = projects


class ConfirmForm(BootstrapForm):
    decision = forms.CharField(label="主席团决定", max_length=200, initial="主席团第二次会议通过")


class RulesForm(BootstrapForm):
    pass_base = forms.ChoiceField(label="通过基数（赞成票须超过其半数）", choices=PassBase.choices)
    quorum = forms.ChoiceField(label="开始票决须签到", choices=Quorum.choices)


class PaperForm(BootstrapForm):
    """One row of three numbers per candidate, plus the box's totals."""

    issued = forms.IntegerField(label="发出票数", min_value=0)
    returned = forms.IntegerField(label="收回票数", min_value=0)
    invalid = forms.IntegerField(label="废票数", min_value=0, initial=0)

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            for key, label in (("yes", "赞成"), ("no", "反对"), ("abstain", "弃权")):
                self.fields[f"{key}_{c.pk}"] = forms.IntegerField(
                    label=f"{c.order}. {c.project.title} · {label}",
                    min_value=0,
                    widget=forms.NumberInput(
                        attrs={"class": "form-control", "inputmode": "numeric"}
                    ),
                )

    def counts(self) -> dict[int, tuple[int, int, int]]:
        data = self.cleaned_data
        return {
            c.pk: (data[f"yes_{c.pk}"], data[f"no_{c.pk}"], data[f"abstain_{c.pk}"])
            for c in self.candidates
        }

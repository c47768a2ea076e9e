from __future__ import annotations

from typing import Any

from django import forms

from renda.core.forms import BootstrapForm
from renda.deputies.models import Term

from .models import AgendaItem
from .rules import Kind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(BootstrapForm):
    kind = forms.ChoiceField(label="会议类别", choices=Kind.choices)
    term = forms.ModelChoiceField(
        label="届", queryset=Term.objects.filter(is_current=True).select_related("congress")
    )
    number = forms.IntegerField(label="第几次会议", min_value=1, max_value=999)
    title = forms.CharField(
        label="会议名称", max_length=200, required=False, help_text="留空则按届次自动生成"
    )
    start_at = forms.DateTimeField(label="开始时间", widget=DATETIME)
    end_at = forms.DateTimeField(label="结束时间", widget=DATETIME)
    venue = forms.CharField(label="会议地点", max_length=200)
    motion_deadline = forms.DateTimeField(
        label="议案截止时间", required=False, widget=DATETIME, help_text="仅人民代表大会会议填写"
    )


class AgendaItemForm(BootstrapForm):
    title = forms.CharField(label="议题", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=AgendaItem.Kind.choices, initial="review")


class OutcomeForm(BootstrapForm):
    outcome_kind = forms.ChoiceField(
        label="结果类别", choices=[c for c in AgendaItem.Outcome.choices if c[0]]
    )
    outcome = forms.CharField(
        label="会议结果", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class LeaveForm(BootstrapForm):
    reason = forms.CharField(
        label="请假事由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeaveDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", "准假"), ("0", "不准假")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

"""Forms of the alert pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from renda.budget.models import Alert, AlertLevel, Rule
from renda.budget.selectors.agenda import meetings_taking_items
from renda.core.forms import BootstrapForm
from renda.deputies.forms import DeputyChoice, active_deputies
from renda.deputies.models import Deputy
from renda.meetings.models import AgendaItem, Meeting

BLANK = [("", "全部")]


def _alert_years() -> list[tuple[str, str]]:
    years = Alert.objects.order_by("-year").values_list("year", flat=True).distinct()
    return [(str(y), f"{y} 年") for y in years]


class RuleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Rule) -> str:
        return f"{obj.code} {obj.name}"


class AlertFilterForm(BootstrapForm):
    year = forms.TypedChoiceField(
        label="预算年度",
        required=False,
        coerce=int,
        empty_value=None,
        choices=lambda: BLANK + _alert_years(),
    )
    month = forms.TypedChoiceField(
        label="月份",
        required=False,
        coerce=int,
        empty_value=None,
        choices=BLANK + [(str(m), f"{m} 月") for m in range(1, 13)],
    )
    # By code, so that other pages can link to ?rule=B06.
    rule = RuleChoice(
        label="规则",
        required=False,
        queryset=Rule.objects.all(),
        to_field_name="code",
        empty_label="全部",
    )
    level = forms.TypedChoiceField(
        label="级别",
        required=False,
        coerce=int,
        empty_value=None,
        choices=BLANK + [(str(value), label) for value, label in AlertLevel.choices],
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=BLANK + list(Alert.Status.choices)
    )
    handling = forms.ChoiceField(
        label="处理情况", required=False, choices=BLANK + list(Alert.Handling.choices)
    )
    unit = forms.CharField(label="单位/对象", required=False, max_length=100)


class MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return (
            f"{obj.title}（{timezone.localtime(obj.start_at):%Y-%m-%d}，{obj.get_state_display()}）"
        )


class AgendaForm(BootstrapForm):
    """提请常委会审议 / 专题询问: which meeting (standing-committee and chairpersons' meetings
    not closed, soonest first) and under what title."""

    meeting = MeetingChoice(
        label="提请会议",
        queryset=Meeting.objects.none(),
        empty_label="请选择会议",
        error_messages={
            "required": "请选择提请的会议。",
            "invalid_choice": "该会议已闭会或不能列入议程，请另选。",
        },
    )
    title = forms.CharField(
        label="审议事项（议题）",
        max_length=200,
        error_messages={"required": "请填写提请常委会审议的事项名称。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings_taking_items()  # type: ignore[attr-defined]


class AgendaRemoveForm(BootstrapForm):
    """Which of the source's items to take off (a hidden field of each item's form)."""

    item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "请选择要移出议程的议题。",
            "invalid_choice": "该议题已不在议程中。",
        },
    )
    reason = forms.CharField(
        label="撤销理由", max_length=500, error_messages={"required": "请填写撤销提请的理由。"}
    )

    def __init__(self, *args: Any, items: list[AgendaItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(  # type: ignore[attr-defined]
            pk__in=[item.pk for item in items]
        ).select_related("meeting")


class OfferForm(BootstrapForm):
    deputy = DeputyChoice(label="转交代表", queryset=Deputy.objects.none(), empty_label="请选择")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = active_deputies().filter(  # type: ignore[attr-defined]
            user__isnull=False
        )

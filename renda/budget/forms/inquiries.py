"""Forms of the inquiry letters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet

from renda.budget.forms.alerts import BLANK
from renda.budget.models import Inquiry, InquiryAnswer
from renda.budget.services.inquiries import ADDRESSEE_KINDS, MAX_RESPONSE_DAYS
from renda.budget.workflows import INQUIRY
from renda.core.forms import BootstrapForm
from renda.core.models import Organization


class InquiryFilterForm(BootstrapForm):
    state = forms.ChoiceField(label="状态", required=False, choices=BLANK + INQUIRY.choices)
    q = forms.CharField(label="文号/标题/单位", required=False, max_length=100)
    overdue = forms.BooleanField(label="仅看逾期", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


class AddresseeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


def addressees() -> QuerySet[Organization]:
    # Data providers first: most letters go to the finance bureau.
    return Organization.objects.filter(kind__in=ADDRESSEE_KINDS, is_active=True).order_by(
        "-kind", "code"
    )


class InquiryCreateForm(BootstrapForm):
    addressee = AddresseeChoice(
        label="被问询单位", queryset=Organization.objects.none(), empty_label="请选择"
    )
    title = forms.CharField(label="标题", max_length=200)
    questions = forms.CharField(
        label="问询事项",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="已按所选预警的说明自动生成，可修改。",
    )
    response_days = forms.IntegerField(
        label="答复期限（工作日）",
        min_value=1,
        max_value=MAX_RESPONSE_DAYS,
        initial=10,
        help_text="自发出之日起按工作日计算，节假日顺延。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = addressees()  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class RespondForm(BootstrapForm):
    """The addressee's answer: one explanation and one finding per open alert of the letter
    (fields ``response_<alert id>`` and ``finding_<alert id>``), and files for the letter."""

    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text="可选，可多选；支持 pdf、doc、docx、xls、xlsx、jpg、png。",
    )

    def __init__(self, *args: Any, answers: Sequence[InquiryAnswer] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = list(answers)
        attachments = self.fields.pop("attachments")
        for n, answer in enumerate(self.answers, start=1):
            alert = answer.alert
            heading = f"第{n}项 〔{alert.rule.code} {alert.rule.name}〕{alert.subject_label}"
            self.fields[f"response_{alert.pk}"] = forms.CharField(
                label=f"{heading}：答复说明",
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
                help_text="说明该项的核实情况、原因和整改措施。",
                error_messages={"required": "请填写答复说明。"},
                initial=answer.response,
            )
            finding = forms.ChoiceField(
                label=f"第{n}项：核实结论",
                choices=Inquiry.Finding.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "请选择核实结论。"},
                initial=answer.finding or None,
            )
            finding.widget.attrs["class"] = "form-check-input"
            self.fields[f"finding_{alert.pk}"] = finding
        self.fields["attachments"] = attachments

    def blocks(self) -> list[tuple[InquiryAnswer, forms.BoundField, forms.BoundField]]:
        """Each open alert with its two fields, for the page to group them."""
        return [
            (a, self[f"response_{a.alert_id}"], self[f"finding_{a.alert_id}"]) for a in self.answers
        ]

    def answer_pairs(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {
            a.alert_id: (d.get(f"response_{a.alert_id}", ""), d.get(f"finding_{a.alert_id}", ""))
            for a in self.answers
        }

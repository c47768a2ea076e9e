"""Forms of 双联 (issue 15 item 3). The phone forms (constituent, contact) keep to one column
and big controls: deputies fill them in at 390×844."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from renda.core.forms import BootstrapForm
from renda.core.models import Region
from renda.deputies.models import Delegation, Deputy

from ..models import Category, Constituent, LiaisonContact


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleForm(BootstrapForm):
    min_constituents = forms.IntegerField(
        label="每名代表至少联系群众（人）", min_value=1, max_value=100
    )
    valid_from = forms.DateField(label="生效日期", widget=_date_input())
    note = forms.CharField(label="依据", max_length=200, required=False)


class DeputyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.region.name}，{obj.term.get_level_display()}代表）"


class LinkForm(BootstrapForm):
    """Link one deputy, or every active deputy of a delegation or a township, at once."""

    deputy = DeputyChoiceField(label="代表", queryset=Deputy.objects.none(), required=False)
    delegation = forms.ModelChoiceField(
        label="或按代表团（组）", queryset=Delegation.objects.none(), required=False
    )
    region = forms.ModelChoiceField(
        label="或按乡镇（街道）", queryset=Region.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        self.fields["deputy"].queryset = active.select_related("region", "term")  # type: ignore[attr-defined]
        self.fields["delegation"].queryset = Delegation.objects.filter(term__is_current=True)  # type: ignore[attr-defined]
        self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]
        ).order_by("code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("deputy") or data.get("delegation") or data.get("region")):
            raise forms.ValidationError("请选择一名代表，或一个代表团（组）、乡镇（街道）")
        return data

    def chosen_deputies(self) -> QuerySet[Deputy]:
        data = self.cleaned_data
        qs = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        if data.get("deputy"):
            return qs.filter(pk=data["deputy"].pk)
        if data.get("delegation"):
            qs = qs.filter(delegation=data["delegation"])
        if data.get("region"):
            qs = qs.filter(region=data["region"])
        return qs


class ConstituentForm(BootstrapForm):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    community = forms.CharField(label="村（社区）", max_length=100)
    note = forms.CharField(label="备注", max_length=200, required=False)


class ContactForm(BootstrapForm):
    """A contact: the SC member's with a deputy (no constituents field) or a deputy's with
    constituents of the list (``constituents`` given)."""

    contacted_on = forms.DateField(label="联系日期", widget=_date_input())
    way = forms.ChoiceField(label="联系方式", choices=LiaisonContact.Way.choices)
    people = forms.CharField(
        label="参加人员",
        max_length=200,
        required=False,
        help_text="名单以外的参加人员，或座谈会的人员范围",
    )
    people_count = forms.IntegerField(
        label="人数", min_value=1, max_value=10000, required=False, help_text="不填按所选群众计"
    )
    raised = forms.CharField(
        label="反映的问题和意见",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, constituents: QuerySet[Constituent] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("contacted_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if constituents is not None:
            field = forms.ModelMultipleChoiceField(
                label="联系的群众",
                queryset=constituents,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields = {"constituents": field, **self.fields}


class ToOpinionForm(BootstrapForm):
    category = forms.ChoiceField(label="类别", choices=[("", "请选择"), *Category.choices])
    constituent = forms.ModelChoiceField(
        label="联系人（收到查询码短信）",
        queryset=Constituent.objects.none(),
        required=False,
        empty_label="不留联系人",
    )

    def __init__(self, *args: Any, contact: LiaisonContact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["constituent"].queryset = contact.constituents.all()  # type: ignore[attr-defined]


class ToSuggestionForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(label="建议内容", widget=forms.Textarea(attrs={"rows": 8}))
    allow_public = forms.BooleanField(label="同意公开", required=False, initial=True)

"""Input shape for the station pages. The rules that protect the data live in the services and
the database; these forms check what a person typed and say, in Chinese, what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from renda.accounts.models import User
from renda.core.forms import BootstrapForm
from renda.core.models import Organization, Region
from renda.core.roles import Role
from renda.deputies.models import Deputy
from renda.suggestions.models import Suggestion

from ..models import Category, ChecklistItem, Opinion, Station
from ..rules import rules
from ..workflows import OPINION


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos, attachments); the service checks each file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def township_regions() -> QuerySet[Region]:
    return Region.objects.filter(
        level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]
    ).order_by("code")


# --- registry -----------------------------------------------------------------------------


class StationForm(BootstrapForm):
    code = forms.CharField(label="编号", max_length=20)
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Station.Kind.choices)
    region = forms.ModelChoiceField(label="所在乡镇（街道）", queryset=Region.objects.none())
    address = forms.CharField(label="地址", max_length=200, required=False)
    opening_hours = forms.CharField(
        label="开放时间",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：每月15日 9:00–11:30"}),
    )
    head_name = forms.CharField(label="站长", max_length=50, required=False)
    phone = forms.CharField(
        label="站点联系电话", max_length=30, required=False, help_text="办公电话，公开显示"
    )
    area_m2 = forms.IntegerField(label="面积（平方米）", required=False, min_value=1)
    latitude = forms.DecimalField(
        label="纬度", required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label="经度",
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )
    description = forms.CharField(
        label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = township_regions()  # type: ignore[attr-defined]
        if editing:
            del self.fields["code"]
        else:
            del self.fields["is_active"]


class ClerkForm(BootstrapForm):
    user = forms.ModelChoiceField(label="联络员账号", queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.STAFF, is_active=True
        ).order_by("username")


class StationDeputyForm(BootstrapForm):
    deputy = forms.ModelChoiceField(label="代表", queryset=Deputy.objects.none())

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Deputies of the station's township not yet at this station; city and township level.
        self.fields["deputy"].queryset = (  # type: ignore[attr-defined]
            Deputy.objects.filter(
                region_id=station.region_id, status=Deputy.Status.ACTIVE, term__is_current=True
            )
            .exclude(station_member__station=station)
            .select_related("term")
            .only("name", "term__level")
            .order_by("term__level", "name")
        )
        self.fields["deputy"].label_from_instance = (  # type: ignore[attr-defined]
            lambda d: f"{d.name}（{d.term.get_level_display()}）"
        )


class ChecklistForm(BootstrapForm):
    status = forms.ChoiceField(label="状态", choices=ChecklistItem.Status.choices)
    note = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(
        label="佐证材料",
        required=False,
        help_text="jpg、png 或 pdf，不超过 5 MB",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )


class PlanForm(BootstrapForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    reception_days = forms.IntegerField(label="计划接待日数", min_value=0, max_value=366)
    content = forms.CharField(label="计划内容", widget=forms.Textarea(attrs={"rows": 6}))


class PhotoForm(BootstrapForm):
    image = forms.FileField(
        label="照片",
        help_text="jpg 或 png，不超过 5 MB",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    caption = forms.CharField(label="说明", max_length=100, required=False)


# --- rosters ------------------------------------------------------------------------------


def _station_deputies(station: Station) -> QuerySet[Deputy]:
    return (
        Deputy.objects.filter(station_member__station=station, status=Deputy.Status.ACTIVE)
        .select_related("term")
        .only("name", "term__level")
        .order_by("term__level", "name")
    )


class SlotForm(BootstrapForm):
    date = forms.DateField(label="接待日期", widget=_date_input())
    start_time = forms.TimeField(label="开始时间", widget=_time_input(), initial=dt.time(9, 0))
    end_time = forms.TimeField(label="结束时间", widget=_time_input(), initial=dt.time(11, 30))
    place = forms.CharField(label="地点", max_length=200, required=False)
    topic = forms.CharField(label="主题", max_length=200, required=False)
    deputies = forms.ModelMultipleChoiceField(
        label="值班代表", queryset=Deputy.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputies"].queryset = _station_deputies(station)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "结束时间应晚于开始时间")
        return data


MONTH_CHOICES = [(m, f"{m}月") for m in range(1, 13)]


class RotationForm(BootstrapForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    days_of_month = forms.CharField(
        label="每月接待日",
        max_length=40,
        initial="15",
        help_text="几号，多个用逗号分隔，如 9,19",
    )
    months = forms.TypedMultipleChoiceField(
        label="月份",
        choices=MONTH_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[m for m, _ in MONTH_CHOICES],
    )
    start_time = forms.TimeField(label="开始时间", widget=_time_input(), initial=dt.time(9, 0))
    end_time = forms.TimeField(label="结束时间", widget=_time_input(), initial=dt.time(11, 30))
    per_slot = forms.IntegerField(label="每次值班代表人数", min_value=1, max_value=10, initial=2)
    topic = forms.CharField(label="主题", max_length=200, required=False)

    def clean_days_of_month(self) -> list[int]:
        raw = self.cleaned_data["days_of_month"].replace("，", ",")
        try:
            days = sorted({int(p) for p in raw.split(",") if p.strip()})
        except ValueError:
            raise forms.ValidationError("请填写 1–31 之间的数字，用逗号分隔") from None
        if not days or any(d < 1 or d > 31 for d in days):
            raise forms.ValidationError("请填写 1–31 之间的数字，用逗号分隔")
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "结束时间应晚于开始时间")
        return data


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label="原因", max_length=200)


# --- receptions and opinions --------------------------------------------------------------


class ReceptionForm(BootstrapForm):
    """Kept short: a clerk or deputy enters it on a phone in under a minute."""

    matter = forms.CharField(
        label="反映事项", widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000})
    )
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    deputy = forms.ModelChoiceField(
        label="接待代表", queryset=Deputy.objects.none(), required=False
    )
    constituent_name = forms.CharField(label="群众姓名（选填）", max_length=50, required=False)
    constituent_phone = forms.CharField(
        label="联系电话（选填）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    photos = MultipleFileField(label="照片（选填）")
    as_opinion = forms.BooleanField(label="作为社情民意跟踪办理", required=False, initial=True)

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = _station_deputies(station)  # type: ignore[attr-defined]


class PublicOpinionForm(BootstrapForm):
    station = forms.ModelChoiceField(
        label="向哪个站点反映（选填）",
        queryset=Station.objects.none(),
        required=False,
        empty_label="不确定，由市人大常委会转交",
    )
    category = forms.ChoiceField(label="类别", choices=[("", "请选择"), *Category.choices])
    content = forms.CharField(
        label="您的意见或建议",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "请写明什么地方、什么事、您的诉求"}),
    )
    location = forms.CharField(label="事发地点（选填）", max_length=200, required=False)
    contact_name = forms.CharField(label="您的称呼（选填）", max_length=50, required=False)
    contact_phone = forms.CharField(
        label="手机号（选填，用于短信告知办理进展）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    attachments = MultipleFileField(label="图片（选填，最多3张）")
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see: a bot that fills every input gives itself away.
    website = forms.CharField(
        required=False,
        label="请勿填写",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, fixed_station: Station | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        r = rules()
        self.fields["content"].widget.attrs["maxlength"] = str(r.max_content_chars)
        if fixed_station is not None:
            del self.fields["station"]
        else:
            self.fields["station"].queryset = (  # type: ignore[attr-defined]
                Station.objects.filter(is_active=True).select_related("region").order_by("code")
            )


class AssignForm(BootstrapForm):
    unit = forms.ModelChoiceField(label="承办单位", queryset=Organization.objects.none())
    is_complex = forms.BooleanField(label="复杂事项（答复期限10个工作日）", required=False)
    note = forms.CharField(label="交办说明", required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            is_handling_unit=True, is_active=True
        ).order_by("name")


class ReplyForm(BootstrapForm):
    reply_class = forms.ChoiceField(label="答复类别", choices=Opinion.ReplyClass.choices)
    reply = forms.CharField(
        label="答复内容（群众在查询页可见）", widget=forms.Textarea(attrs={"rows": 4})
    )


class ConvertForm(BootstrapForm):
    deputy = forms.ModelChoiceField(label="提出建议的代表", queryset=Deputy.objects.none())
    suggestion_id = forms.IntegerField(
        label="代表建议编号（已提出时填写）", required=False, min_value=1
    )
    note = forms.CharField(label="说明", required=False, max_length=2000)

    def __init__(self, *args: Any, station: Station | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
        if station is not None:
            qs = qs.filter(region_id=station.region_id)
        self.fields["deputy"].queryset = (  # type: ignore[attr-defined]
            qs.select_related("term").only("name", "term__level").order_by("term__level", "name")
        )

    def clean_suggestion_id(self) -> Suggestion | None:
        """The suggestion already made from the opinion, by its number (the form keeps the
        field's name; the service takes the suggestion)."""
        pk = self.cleaned_data.get("suggestion_id")
        if pk is None:
            return None
        suggestion = Suggestion.objects.filter(pk=pk).first()
        if suggestion is None:
            raise forms.ValidationError("没有这个编号的代表建议")
        return suggestion


class RateForm(BootstrapForm):
    rating = forms.ChoiceField(
        label="您对办理结果的评价", choices=Opinion.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="评价意见（不满意时必填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublicRateForm(RateForm):
    """The constituent's own rating: the tracking code opened the page, the 评价码 (shown
    only once, at submission) proves it is the constituent."""

    rating_code = forms.CharField(
        label="评价码（提交意见时与查询码一起显示的8位码）",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "8位评价码",
            }
        ),
    )


class TrackForm(BootstrapForm):
    code = forms.CharField(
        label="查询码",
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "12位查询码",
            }
        ),
    )


class OpinionFilterForm(BootstrapForm):
    q = forms.CharField(label="编号或查询码", required=False, max_length=40)
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *OPINION.choices]
    )
    station = forms.ModelChoiceField(
        label="站点", required=False, queryset=Station.objects.none(), empty_label="全部"
    )
    category = forms.ChoiceField(
        label="类别", required=False, choices=[("", "全部"), *Category.choices]
    )
    overdue = forms.BooleanField(label="只看逾期", required=False)

    def __init__(
        self, *args: Any, stations: QuerySet[Station] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if stations is None:
            del self.fields["station"]
        else:
            self.fields["station"].queryset = stations  # type: ignore[attr-defined]


class YearForm(BootstrapForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    region = forms.ModelChoiceField(
        label="乡镇（街道）", required=False, queryset=Region.objects.none(), empty_label="全市"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = township_regions()  # type: ignore[attr-defined]

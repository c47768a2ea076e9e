"""Input shape for the suggestion pages. The rules that protect data are in the services; these
forms check what a person typed and keep it when a service refuses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from renda.core.forms import BootstrapForm
from renda.core.models import Organization
from renda.deputies.forms import (
    DeputyChoice,
    DeputyMultipleChoice,
    active_deputies,
    year_choices,
)
from renda.deputies.models import Deputy, Term
from renda.meetings.models import Meeting

from .models import (
    Attachment,
    Field,
    HandlingNote,
    ReplyClass,
    Satisfaction,
    Suggestion,
)
from .services import MOTION_DECISIONS
from .workflows import SUGGESTION


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def handling_units() -> QuerySet[Organization]:
    return Organization.objects.filter(is_handling_unit=True, is_active=True).order_by("code")


def special_committees() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=Organization.Kind.SPECIAL_COMMITTEE, is_active=True)


class StateForm(BootstrapForm):
    """The state the user saw: a stale page or a second click fails cleanly."""

    expected_state = forms.CharField(required=False, widget=forms.HiddenInput)


class SuggestionForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=200)
    content = forms.CharField(
        label="内容",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="一事一议：写明事实、分析和具体建议。",
    )
    allow_public = forms.BooleanField(
        label="同意在人大之家网站公开（联系方式不会公开）", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allow_public"].widget.attrs["class"] = "form-check-input"


class PaperForm(SuggestionForm):
    """A paper suggestion registered by staff on a deputy's behalf."""

    deputy = DeputyChoice(label="领衔代表", queryset=Deputy.objects.none(), empty_label="请选择")
    cosigners = DeputyMultipleChoice(
        label="联名代表（纸质件已亲笔签名）",
        queryset=Deputy.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = active_deputies()  # type: ignore[attr-defined]
        self.fields["cosigners"].queryset = active_deputies()  # type: ignore[attr-defined]


class InviteForm(BootstrapForm):
    deputy = DeputyChoice(
        label="邀请联名的代表", queryset=Deputy.objects.none(), empty_label="请选择"
    )

    def __init__(self, *args: Any, subject: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = active_deputies(subject.term).exclude(pk=subject.lead_deputy_id)
        self.fields["deputy"].queryset = choices  # type: ignore[attr-defined]


class AttachmentForm(BootstrapForm):
    file = forms.FileField(label="文件")
    kind = forms.ChoiceField(
        choices=Attachment.Kind.choices, widget=forms.HiddenInput, initial="material"
    )


class RegisterForm(StateForm):
    field = forms.ChoiceField(label="分类", choices=[("", "请选择"), *Field.choices])
    committee = forms.ModelChoiceField(
        label="督办专门委员会",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="按分类自动确定",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = special_committees()  # type: ignore[attr-defined]


class MergeForm(StateForm):
    into = forms.CharField(label="主件编号", max_length=40, help_text="例如 第18届3次会议第0012号")
    note = forms.CharField(label="并案说明", required=False, max_length=500)


class AssignForm(StateForm):
    mode = forms.ChoiceField(
        label="办理方式", choices=Suggestion.Mode.choices, widget=forms.RadioSelect, initial="lead"
    )
    lead_unit = forms.ModelChoiceField(
        label="主办单位", queryset=Organization.objects.none(), required=False, empty_label="请选择"
    )
    co_units = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    split_units = forms.ModelMultipleChoiceField(
        label="分办单位（各自答复）",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(
        label="交办说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "co_units", "split_units"):
            self.fields[name].queryset = handling_units()  # type: ignore[attr-defined]
        self.fields["mode"].widget.attrs["class"] = "form-check-input"


class KeyForm(BootstrapForm):
    is_key = forms.BooleanField(label="列为重点督办", required=False)
    reason = forms.CharField(label="督办理由", required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["is_key"].widget.attrs["class"] = "form-check-input"


class ReturnForm(StateForm):
    reason = forms.CharField(
        label="退回理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="说明为什么不属于本单位职责，建议由哪个单位承办。",
    )


class OpinionForm(BootstrapForm):
    opinion = forms.CharField(label="协办意见", widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(BootstrapForm):
    kind = forms.ChoiceField(label="类型", choices=HandlingNote.Kind.choices)
    method = forms.ChoiceField(
        label="方式", choices=[("", "—"), *HandlingNote.Method.choices], required=False
    )
    occurred_on = forms.DateField(label="日期", widget=_date())
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(StateForm):
    reply_class = forms.ChoiceField(
        label="答复类别",
        choices=ReplyClass.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择答复类别（A/B/C/D）。"},
    )
    content = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 10}))
    signer = forms.CharField(label="签发人", max_length=50, help_text="单位主要负责人")
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    signed_scan = forms.FileField(label="盖章答复件（可稍后上传）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply_class"].widget.attrs["class"] = "form-check-input"


class ScanForm(BootstrapForm):
    signed_scan = forms.FileField(label="盖章答复件（PDF 或图片）")


class RateForm(StateForm):
    rating = forms.ChoiceField(
        label="您对办理情况的评价",
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意、基本满意或不满意。"},
    )
    comment = forms.CharField(
        label="意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="选择“不满意”时必填，说明原因便于重新办理。",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.attrs["class"] = "form-check-input"


class PublishForm(BootstrapForm):
    title = forms.CharField(label="公开标题", max_length=200)
    content = forms.CharField(label="公开的建议内容", widget=forms.Textarea(attrs={"rows": 8}))
    reply = forms.CharField(label="公开的答复内容", widget=forms.Textarea(attrs={"rows": 8}))


class UnpublishForm(BootstrapForm):
    reason = forms.CharField(label="撤下理由", max_length=500)


class MotionForm(BootstrapForm):
    title = forms.CharField(label="标题", max_length=200)
    cause = forms.CharField(
        label="案由", widget=forms.Textarea(attrs={"rows": 3}), help_text="提出议案的理由"
    )
    basis = forms.CharField(
        label="案据", widget=forms.Textarea(attrs={"rows": 5}), help_text="事实和法律依据"
    )
    plan = forms.CharField(
        label="方案", widget=forms.Textarea(attrs={"rows": 5}), help_text="解决问题的具体方案"
    )


class DecideForm(StateForm):
    decision = forms.ChoiceField(
        label="主席团决定", choices=[("", "请选择"), *MOTION_DECISIONS.items()]
    )
    committee = forms.ModelChoiceField(
        label="审议的专门委员会",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="（交专门委员会审议时选择）",
    )
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = special_committees()  # type: ignore[attr-defined]


class SittingForm(BootstrapForm):
    term = forms.ModelChoiceField(
        label="届", queryset=Term.objects.filter(is_current=True).select_related("congress")
    )
    number = forms.IntegerField(label="第几次会议", min_value=1, max_value=20)
    start_date = forms.DateField(label="开幕日期", widget=_date())
    end_date = forms.DateField(label="闭幕日期", widget=_date())
    motion_deadline = forms.DateTimeField(
        label="议案截止时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class FilterForm(BootstrapForm):
    q = forms.CharField(label="标题/编号/代表姓名", required=False, max_length=50)
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *SUGGESTION.choices]
    )
    field = forms.ChoiceField(
        label="分类", required=False, choices=[("", "全部分类"), *Field.choices]
    )
    unit = forms.ModelChoiceField(
        label="承办单位",
        required=False,
        queryset=Organization.objects.none(),
        empty_label="全部单位",
    )
    sitting = forms.ModelChoiceField(
        label="会议", required=False, queryset=Meeting.objects.none(), empty_label="全部会议"
    )
    reply_class = forms.ChoiceField(
        label="答复类别", required=False, choices=[("", "全部类别"), *ReplyClass.choices]
    )
    satisfaction = forms.ChoiceField(
        label="满意度", required=False, choices=[("", "全部"), *Satisfaction.choices]
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)
    key = forms.BooleanField(label="仅看重点督办", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = handling_units()  # type: ignore[attr-defined]
        self.fields["sitting"].queryset = Meeting.objects.filter(  # type: ignore[attr-defined]
            kind=Meeting.Kind.CONGRESS
        ).select_related("term")
        for name in ("overdue", "key"):
            self.fields[name].widget.attrs["class"] = "form-check-input"


class UnitFilterForm(BootstrapForm):
    q = forms.CharField(label="标题/编号/代表姓名", required=False, max_length=50)
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *SUGGESTION.choices]
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


PUBLIC_STATES = [(s, SUGGESTION.label(s)) for s in ("replied", "rehandling", "tracking", "closed")]


class PublicFilterForm(BootstrapForm):
    q = forms.CharField(label="关键词或代表姓名", required=False, max_length=50)
    field = forms.ChoiceField(
        label="分类", required=False, choices=[("", "全部分类"), *Field.choices]
    )
    state = forms.ChoiceField(
        label="办理状态", required=False, choices=[("", "全部"), *PUBLIC_STATES]
    )


class StatsForm(BootstrapForm):
    term = forms.ModelChoiceField(
        label="届",
        queryset=Term.objects.select_related("congress"),
        required=False,
        empty_label="全部届",
    )
    year = forms.TypedChoiceField(
        label="提出年度",
        coerce=int,
        choices=[("", "全部年度"), *year_choices()],
        required=False,
        empty_value=None,
    )

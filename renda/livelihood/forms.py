from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from renda.core.forms import BootstrapForm
from renda.core.models import Organization, Region
from renda.deputies.models import Level
from renda.meetings.models import Meeting
from renda.meetings.rules import Kind, Quorum

from .models import Call, Candidate, Project, Proposal, ProposerKind, Vote
from .rules import PassBase, VoteKind, collection_rules
from .workflows import PROPOSAL


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


class SatisfactionPaperForm(BootstrapForm):
    """纸质测评票: the paper box's totals, then 满意 / 基本满意 / 不满意 per project (unmarked
    items are the valid ballots less the three, so they are not typed)."""

    issued = forms.IntegerField(label="发出纸质票数", min_value=0)
    returned = forms.IntegerField(label="收回纸质票数", min_value=0)
    invalid = forms.IntegerField(label="废票数", min_value=0, initial=0)
    MARKS = (("satisfied", "满意"), ("basic", "基本满意"), ("dissatisfied", "不满意"))

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            for key, label in self.MARKS:
                self.fields[f"{key}_{c.pk}"] = forms.IntegerField(
                    label=f"{c.order}. {c.project.title} · {label}",
                    min_value=0,
                    initial=0,
                    error_messages={"min_value": "票数不能为负数。", "required": "请填写票数。"},
                    widget=forms.NumberInput(
                        attrs={"class": "form-control", "inputmode": "numeric"}
                    ),
                )
        for name in ("issued", "returned", "invalid"):
            self.fields[name].error_messages.update(
                {"min_value": "票数不能为负数。", "required": "请填写票数。"}
            )

    def counts(self) -> dict[int, tuple[int, int, int]]:
        data = self.cleaned_data
        return {
            c.pk: tuple(data[f"{key}_{c.pk}"] for key, _ in self.MARKS)  # type: ignore[misc]
            for c in self.candidates
        }


# --- collection and screening --------------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _regions(*levels: str) -> QuerySet[Region]:
    return Region.objects.filter(level__in=levels).order_by("code")


TOWNSHIP_LEVELS = (Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT)


class CallForm(BootstrapForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    level = forms.ChoiceField(label="层级", choices=Level.choices, initial=Level.CITY)
    region = forms.ModelChoiceField(
        label="市（县）或乡镇（街道）",
        queryset=_regions(Region.Level.COUNTY, *TOWNSHIP_LEVELS),
        help_text="市级征集选本市；乡镇人大的征集选该乡镇（街道）",
    )
    title = forms.CharField(label="公告标题", max_length=200)
    text = forms.CharField(label="公告正文", widget=forms.Textarea(attrs={"rows": 8}))
    opens_on = forms.DateField(label="征集开始日期", widget=DATE)
    closes_on = forms.DateField(label="征集截止日期", widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, region = data.get("level"), data.get("region")
        if region is not None and level == Level.CITY and region.level != Region.Level.COUNTY:
            self.add_error("region", "市级征集请选择本市")
        if region is not None and level == Level.TOWNSHIP and region.level not in TOWNSHIP_LEVELS:
            self.add_error("region", "乡镇人大的征集请选择乡镇（街道）")
        return data


class ProposalFilterForm(BootstrapForm):
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *PROPOSAL.choices]
    )
    kind = forms.ChoiceField(
        label="建议人", required=False, choices=[("", "全部"), *ProposerKind.choices]
    )
    q = forms.CharField(label="关键词", required=False, max_length=50)


class _ProposalFields(BootstrapForm):
    title = forms.CharField(label="项目名称", max_length=100)
    description = forms.CharField(
        label="项目内容和理由",
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "要做什么、在哪里、解决什么问题、惠及多少群众"}
        ),
    )
    place = forms.CharField(label="实施地点（选填）", max_length=200, required=False)
    township = forms.ModelChoiceField(
        label="所在乡镇（街道）（选填）",
        queryset=_regions(*TOWNSHIP_LEVELS),
        required=False,
        empty_label="不限",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        r = collection_rules()
        self.fields["description"].widget.attrs["maxlength"] = str(r.max_description_chars)
        self.fields["title"].widget.attrs["maxlength"] = str(r.max_title_chars)


class PublicProposalForm(_ProposalFields):
    contact_name = forms.CharField(label="您的称呼（选填）", max_length=50, required=False)
    contact_phone = forms.CharField(
        label="手机号（选填，只用于联系您，不公开）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A field people never see: a bot that fills every input gives itself away.
    website = forms.CharField(
        required=False,
        label="请勿填写",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class DeputyProposalForm(_ProposalFields):
    call = forms.ModelChoiceField(label="征集公告", queryset=Call.objects.none())

    def __init__(self, *args: Any, calls: QuerySet[Call], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls  # type: ignore[attr-defined]
        self.order_fields(["call"])


class StaffProposalForm(_ProposalFields):
    proposer_kind = forms.ChoiceField(
        label="建议人类别",
        choices=[c for c in ProposerKind.choices if c[0] != ProposerKind.DEPUTY],
    )
    proposer_name = forms.CharField(
        label="建议单位（部门、乡镇、村委会填写）", max_length=100, required=False
    )
    contact_name = forms.CharField(label="联系人（选填）", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话（选填）", max_length=20, required=False)
    field_order = ["proposer_kind", "proposer_name"]


class ConvertForm(BootstrapForm):
    call = forms.ModelChoiceField(label="转入征集公告", queryset=Call.objects.none())
    title = forms.CharField(label="项目名称", max_length=100)
    description = forms.CharField(
        label="项目内容和理由（默认取原文）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.exclude(state=Call.State.DRAFT)  # type: ignore[attr-defined]


def _check(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "通过"), ("no", "不通过")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class ScreeningForm(BootstrapForm):
    assessment = forms.CharField(label="可行性评估", widget=forms.Textarea(attrs={"rows": 5}))
    estimated_cost = forms.DecimalField(
        label="估算投资（元）", min_value=0, max_digits=16, decimal_places=2
    )
    funding_source = forms.CharField(label="资金来源", max_length=200)
    lead_unit = forms.ModelChoiceField(
        label="牵头单位", queryset=Organization.objects.filter(is_active=True).order_by("code")
    )
    completion_date = forms.DateField(label="计划完成日期", widget=DATE)
    burden_ok = _check("不增加群众和企业负担")
    burden_reason = forms.CharField(label="理由（不通过时必填）", max_length=500, required=False)
    debt_ok = _check("不新增政府债务风险")
    debt_reason = forms.CharField(label="理由（不通过时必填）", max_length=500, required=False)
    stability_ok = _check("无社会稳定风险")
    stability_reason = forms.CharField(label="理由（不通过时必填）", max_length=500, required=False)


class RejectForm(BootstrapForm):
    reason = forms.CharField(
        label="不予采纳的理由（向社会公开）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(BootstrapForm):
    into = forms.ModelChoiceField(label="合并到（保留的建议）", queryset=Proposal.objects.none())

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (  # type: ignore[attr-defined]
            Proposal.objects.filter(call_id=proposal.call_id)
            .exclude(pk=proposal.pk)
            .exclude(state__in=["merged", "rejected"])
            .defer("contact_name", "contact_phone")
            .order_by("title")
        )


class CarryForm(BootstrapForm):
    call = forms.ModelChoiceField(label="转入征集公告", queryset=Call.objects.none())

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.exclude(state=Call.State.DRAFT).filter(  # type: ignore[attr-defined]
            year__gt=proposal.call.year, level=proposal.call.level
        )


class BuildListForm(BootstrapForm):
    meeting = forms.ModelChoiceField(
        label="人民代表大会会议",
        queryset=Meeting.objects.filter(kind=Kind.CONGRESS).exclude(state="closed"),
    )
    title = forms.CharField(label="名单名称", max_length=200)
    seats = forms.IntegerField(label="应选数 N", min_value=1, max_value=100, initial=10)
    extra = forms.IntegerField(label="差额数 k（候选 N + k 个）", min_value=1, max_value=50)
    proposals = forms.ModelMultipleChoiceField(
        label="候选项目（审查通过的项目建议）",
        queryset=Proposal.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["extra"].initial = collection_rules().extra_candidates
        self.fields["title"].initial = f"{call.year}年民生实事候选项目"
        self.fields["proposals"].queryset = (  # type: ignore[attr-defined]
            Proposal.objects.filter(call=call, state="accepted")
            .defer("contact_name", "contact_phone")
            .order_by("-supporters", "title")
        )


# --- 满意度测评 and 整改 ---------------------------------------------------------------------


def _evaluating_meetings() -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(kind__in=[Kind.CONGRESS, Kind.STANDING])
        .exclude(state="closed")
        .order_by("-start_at")
    )


def _counted_selections() -> QuerySet[Vote]:
    """票决 whose every round is counted: their chosen projects are known."""
    return (
        Vote.objects.filter(kind=VoteKind.SELECTION, rounds__state="counted")
        .exclude(rounds__state__in=["draft", "open", "closed"])
        .select_related("meeting")
        .distinct()
        .order_by("-created_at")
    )


class SatisfactionVoteForm(BootstrapForm):
    meeting = forms.ModelChoiceField(
        label="测评会议",
        queryset=Meeting.objects.none(),
        help_text="年终由常委会会议测评，或在下一次人民代表大会会议上由全体代表测评",
    )
    evaluates = forms.ModelChoiceField(
        label="测评哪一次票决选出的项目", queryset=Vote.objects.none()
    )
    title = forms.CharField(
        label="测评名称",
        max_length=200,
        required=False,
        help_text="留空为“××年度民生实事项目满意度测评”",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting, evaluates = self.fields["meeting"], self.fields["evaluates"]
        assert isinstance(meeting, forms.ModelChoiceField)
        assert isinstance(evaluates, forms.ModelChoiceField)
        meeting.queryset = _evaluating_meetings()
        evaluates.queryset = _counted_selections()


class SatisfactionRulesForm(RulesForm):
    pass_base = forms.ChoiceField(
        label="参加测评人数以此计（满意票须超过其半数）", choices=PassBase.choices
    )
    quorum = forms.ChoiceField(label="开始测评须签到", choices=Quorum.choices)


class RectificationReplyForm(BootstrapForm):
    reply = forms.CharField(
        label="整改情况报告",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="写明整改措施、完成情况和群众反映，报常委会再测评",
    )


class RectificationDeadlineForm(BootstrapForm):
    deadline = forms.DateField(label="整改期限", widget=DATE)
    reason = forms.CharField(label="调整理由", max_length=200)


class ReevaluateForm(BootstrapForm):
    meeting = forms.ModelChoiceField(label="再测评会议", queryset=Meeting.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meeting = self.fields["meeting"]
        assert isinstance(meeting, forms.ModelChoiceField)
        meeting.queryset = _evaluating_meetings()

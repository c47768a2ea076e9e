"""Input shape for the deputy pages. Rules that protect the data live in the services and the
database; these forms check what a person typed and say, in Chinese, what is wrong with it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from renda.accounts.models import User
from renda.core.forms import BootstrapForm
from renda.core.models import Organization, Region
from renda.core.roles import Role
from renda.lib.idcard import (
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    is_mobile,
    normalise_id_number,
)

from .extensions import facts
from .models import (
    ActivityParticipant,
    Constituency,
    Delegation,
    Deputy,
    DutyRecord,
    GroupActivity,
    Term,
)
from .services.duty import AUTOMATIC_KINDS

PARTY_SUGGESTIONS = (
    "中共党员",
    "中共预备党员",
    "民革党员",
    "民盟盟员",
    "民建会员",
    "民进会员",
    "农工党党员",
    "致公党党员",
    "九三学社社员",
    "台盟盟员",
    "无党派人士",
    "群众",
)
EDUCATION_SUGGESTIONS = ("研究生", "大学", "大专", "中专", "高中", "初中", "小学")
ROLE_SUGGESTIONS = ("主任委员", "副主任委员", "委员", "组长", "副组长", "成员")
# Bodies a deputy can be a member of; handling units and data providers are not among them.
MEMBERSHIP_KINDS = (
    Organization.Kind.CONGRESS,
    Organization.Kind.STANDING_COMMITTEE,
    Organization.Kind.SPECIAL_COMMITTEE,
    Organization.Kind.TOWNSHIP_CONGRESS,
    Organization.Kind.OTHER,
)


def _date_input() -> forms.DateInput:
    # An ISO value is what <input type="date"> expects, whatever the locale formats say.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeputyFilterForm(BootstrapForm):
    q = forms.CharField(
        label="姓名/手机号/身份证号",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "姓名，或完整的手机号、身份证号"}),
    )
    # The blind-index token that replaces a searched number in the URL (see selectors).
    qi = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label="层级",
        required=False,
        choices=[("", "全部层级"), ("city", "市级"), ("township", "乡镇级")],
    )
    region = forms.ModelChoiceField(
        label="乡镇（街道）",
        required=False,
        empty_label="全部乡镇（街道）",
        queryset=Region.objects.filter(level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]),
    )
    delegation = forms.CharField(label="代表团（组）", required=False, max_length=50)
    category = forms.ChoiceField(
        label="代表构成", required=False, choices=[("", "全部构成"), *Deputy.Category.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *Deputy.Status.choices]
    )
    term = forms.ModelChoiceField(
        label="届",
        required=False,
        queryset=Term.objects.select_related("congress"),
        empty_label="全部届",
    )


class DeputyForm(BootstrapForm):
    """Create (with `term`) or edit (with `deputy`) a deputy. `deputy_fields()` gives the
    keyword arguments of `services.create_deputy` / `update_deputy`."""

    term = forms.ModelChoiceField(
        label="届",
        queryset=Term.objects.filter(is_current=True).select_related("congress"),
        empty_label="请选择",
    )
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="身份证号", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    mobile = forms.CharField(
        label="手机号",
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label="性别", required=False, choices=[("", "按身份证号识别"), *Deputy.Gender.choices]
    )
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=_date_input(), help_text="留空则按身份证号填写"
    )
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    party = forms.CharField(
        label="政治面貌", max_length=30, widget=forms.TextInput(attrs={"list": "party-options"})
    )
    education = forms.CharField(
        label="学历",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"list": "education-options"}),
    )
    employer = forms.CharField(label="工作单位", max_length=100, required=False)
    occupation = forms.CharField(label="职务", max_length=100, required=False)
    category = forms.ChoiceField(
        label="代表构成", choices=[("", "请选择"), *Deputy.Category.choices]
    )
    region = forms.ModelChoiceField(
        label="所在乡镇（街道）",
        empty_label="请选择",
        queryset=Region.objects.filter(level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]),
    )
    delegation = forms.ModelChoiceField(
        label="代表团（组）",
        required=False,
        empty_label="无",
        queryset=Delegation.objects.filter(term__is_current=True),
    )
    constituency = forms.ModelChoiceField(
        label="选区",
        required=False,
        empty_label="无",
        queryset=Constituency.objects.filter(term__is_current=True),
    )
    elected_on = forms.DateField(label="当选日期", widget=_date_input())
    username = forms.CharField(
        label="登录账号",
        max_length=150,
        required=False,
        help_text="代表本人的登录用户名。关联后，代表可在手机上查看本人档案。",
    )
    bio = forms.CharField(
        label="简介（公开）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="会在“人大之家”代表主页上公开，请勿填写联系方式等个人信息。",
    )

    def __init__(self, *args: Any, deputy: Deputy | None = None, **kwargs: Any) -> None:
        self.deputy = deputy
        if deputy is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(deputy)
        super().__init__(*args, **kwargs)
        for extra in facts():
            self.fields[extra.name] = extra.form_field(deputy)
        if deputy is not None:
            # The term of a seat does not change; a new term means a new registration.
            del self.fields["term"]
            # Keep the record's own delegation and constituency choosable even if their term
            # is no longer current.
            self.fields["delegation"].queryset = Delegation.objects.filter(term=deputy.term_id)  # type: ignore[attr-defined]
            self.fields["constituency"].queryset = Constituency.objects.filter(term=deputy.term_id)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(deputy: Deputy) -> dict[str, Any]:
        plain = [
            "name",
            "id_number",
            "mobile",
            "gender",
            "birth_date",
            "ethnicity",
            "party",
            "education",
            "employer",
            "occupation",
            "category",
            "elected_on",
            "bio",
        ]
        initial: dict[str, Any] = {name: getattr(deputy, name) for name in plain}
        for name in ["region", "delegation", "constituency"]:
            initial[name] = getattr(deputy, f"{name}_id")
        for extra in facts():
            initial[extra.name] = extra.initial(deputy)
        initial["username"] = deputy.user.username if deputy.user_id else ""  # type: ignore[union-attr]
        return initial

    def clean_id_number(self) -> str:
        number = normalise_id_number(self.cleaned_data["id_number"])
        if problem := id_number_problem(number):
            raise ValidationError(problem)
        return number

    def clean_mobile(self) -> str:
        mobile = self.cleaned_data["mobile"].strip().replace(" ", "").replace("-", "")
        if mobile and not is_mobile(mobile):
            raise ValidationError("手机号应为 11 位数字，以 1 开头")
        return mobile

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_username(self) -> User | None:
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError("没有这个登录账号")
        if user.role != Role.DEPUTY:
            raise ValidationError("只能关联角色为“人大代表”的账号")
        taken = Deputy.objects.filter(user=user)
        if self.deputy is not None:
            taken = taken.exclude(pk=self.deputy.pk)
        if taken.exists():
            raise ValidationError("该账号已关联其他代表档案")
        return user

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        number = data.get("id_number")
        if number:
            # The ID number carries the birth date and gender; the two must agree with it.
            born, gender = birth_date_from_id(number), gender_from_id(number)
            if not data.get("birth_date"):
                data["birth_date"] = born
            elif data["birth_date"] != born:
                self.add_error("birth_date", f"与身份证号不一致（身份证号为 {born:%Y-%m-%d}）")
            if not data.get("gender"):
                data["gender"] = gender
            elif data["gender"] != gender:
                self.add_error("gender", "与身份证号不一致")
        term = self.deputy.term if self.deputy is not None else data.get("term")
        for name, label in [("delegation", "代表团（组）"), ("constituency", "选区")]:
            chosen = data.get(name)
            if chosen is not None and term is not None and chosen.term_id != term.pk:
                self.add_error(name, f"所选{label}不属于{term}")
        elected = data.get("elected_on")
        if elected and elected > timezone.localdate():
            self.add_error("elected_on", "当选日期不能晚于今天")
        return data

    SECTIONS = (
        ("身份", "", ("term", "name", "id_number", "gender", "birth_date", "ethnicity")),
        (
            "代表信息",
            "",
            (
                "party",
                "education",
                "employer",
                "occupation",
                "category",
                "region",
                "delegation",
                "constituency",
                "elected_on",
            ),
        ),
        ("联系方式与账号", "仅机关工作人员和代表本人可见，不公开", ("mobile", "username")),
        ("公开简介", "", ("bio",)),
    )

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """The form's fields grouped into the cards of the page."""
        return [
            (title, note, [self[name] for name in self._with_facts(title, names)])
            for title, note, names in self.SECTIONS
        ]

    def _with_facts(self, title: str, names: tuple[str, ...]) -> list[str]:
        """The card's fields, the facts other apps keep before its last field."""
        extra = [f.name for f in facts() if f.section == title]
        listed = [*names[:-1], *extra, *names[-1:]] if extra else list(names)
        return [name for name in listed if name in self.fields]

    def deputy_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in [
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "party",
                "education",
                "occupation",
                "employer",
                "category",
                "region",
                "constituency",
                "delegation",
                "id_number",
                "mobile",
                "elected_on",
                "bio",
            ]
        }
        fields["user"] = data["username"]
        fields["facts"] = {extra.name: data[extra.name] for extra in facts() if extra.name in data}
        return fields


class EndMandateForm(BootstrapForm):
    ended_on = forms.DateField(label="终止日期", widget=_date_input())
    end_reason = forms.ChoiceField(
        label="终止原因", choices=[("", "请选择"), *Deputy.EndReason.choices]
    )


class MembershipForm(BootstrapForm):
    organization = forms.ModelChoiceField(
        label="机构",
        empty_label="请选择",
        queryset=Organization.objects.filter(kind__in=MEMBERSHIP_KINDS, is_active=True),
    )
    role = forms.CharField(
        label="职务",
        max_length=50,
        initial="成员",
        widget=forms.TextInput(attrs={"list": "role-options"}),
    )
    start_date = forms.DateField(label="起始日期", widget=_date_input())
    end_date = forms.DateField(label="终止日期", required=False, widget=_date_input())

    def __init__(self, *args: Any, deputy: Deputy, **kwargs: Any) -> None:
        self.deputy = deputy
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and start < self.deputy.elected_on:
            self.add_error("start_date", "起始日期不能早于当选日期")
        if start and end and end < start:
            self.add_error("end_date", "终止日期不能早于起始日期")
        return data


class EndMembershipForm(BootstrapForm):
    end_date = forms.DateField(label="终止日期", widget=_date_input())


# --- duty records and scores ------------------------------------------------------------------


def active_deputies(term: Term | None = None) -> QuerySet[Deputy]:
    qs = Deputy.objects.filter(status=Deputy.Status.ACTIVE, term__is_current=True)
    if term is not None:
        qs = qs.filter(term=term)
    return qs.select_related("region").order_by("region__code", "name")


class DeputyChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Deputy) -> str:
        return f"{obj.name}（{obj.region.name}）"


class DeputyMultipleChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Deputy) -> str:
        return f"{obj.name}（{obj.region.name}）"


class DutyRecordForm(BootstrapForm):
    deputy = DeputyChoice(label="代表", queryset=Deputy.objects.none(), empty_label="请选择")
    kind = forms.ChoiceField(
        label="履职类别",
        choices=[("", "请选择")]
        + [c for c in DutyRecord.Kind.choices if c[0] not in AUTOMATIC_KINDS],
    )
    occurred_on = forms.DateField(label="日期", widget=_date_input())
    title = forms.CharField(label="事项", max_length=200)
    details = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(
        label="佐证材料", help_text="签到表、照片或通知（PDF、Word、Excel 或图片）"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = active_deputies()  # type: ignore[attr-defined]


class ScoreRuleForm(BootstrapForm):
    kind = forms.ChoiceField(label="履职类别", choices=[("", "请选择"), *DutyRecord.Kind.choices])
    points = forms.DecimalField(label="每项分值", max_digits=6, decimal_places=2)
    yearly_cap = forms.DecimalField(
        label="年度上限", max_digits=7, decimal_places=2, required=False, min_value=0
    )
    valid_from = forms.DateField(label="生效日期", widget=_date_input())
    note = forms.CharField(label="依据", max_length=200, required=False)


def year_choices() -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this, this - 6, -1)]


class RankingForm(BootstrapForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=year_choices, required=False)
    group = forms.ChoiceField(
        label="分组",
        choices=[("delegation", "按代表团（组）"), ("region", "按乡镇（街道）")],
        required=False,
    )
    delegation = forms.ModelChoiceField(
        label="代表团（组）", queryset=Delegation.objects.none(), required=False, empty_label="全部"
    )
    region = forms.ModelChoiceField(
        label="乡镇（街道）",
        required=False,
        empty_label="全部",
        queryset=Region.objects.filter(level__in=[Region.Level.TOWNSHIP, Region.Level.SUBDISTRICT]),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegation"].queryset = Delegation.objects.filter(term__is_current=True)  # type: ignore[attr-defined]


# --- 代表述职 and 代表小组活动 ----------------------------------------------------------------

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_COUNT_ERRORS = {
    "required": "请填写人数。",
    "invalid": "请填写整数。",
    "min_value": "人数不能为负数。",
}


def current_terms() -> QuerySet[Term]:
    return Term.objects.filter(is_current=True).select_related("congress")


class ReportingPlanForm(BootstrapForm):
    term = forms.ModelChoiceField(label="届", queryset=Term.objects.none(), empty_label="请选择")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="计划名称", max_length=200)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = current_terms()  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class ReportingAssignmentForm(BootstrapForm):
    deputy = DeputyChoice(label="代表", queryset=Deputy.objects.none(), empty_label="请选择")
    constituency = forms.ModelChoiceField(
        label="选区", queryset=Constituency.objects.none(), required=False, empty_label="不指定"
    )
    audience = forms.CharField(
        label="述职对象",
        max_length=200,
        required=False,
        help_text="例如：禾青镇代表联络站代表性选民 30 人；只选了选区时可不填",
    )
    scheduled_on = forms.DateField(label="述职日期", widget=_date_input())
    venue = forms.CharField(label="述职地点", max_length=200)

    def __init__(self, *args: Any, term: Term, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = active_deputies(term)  # type: ignore[attr-defined]
        self.fields["constituency"].queryset = Constituency.objects.filter(term=term)  # type: ignore[attr-defined]


class ReportTextForm(BootstrapForm):
    report_text = forms.CharField(
        label="述职报告",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "请填写述职报告。"},
    )


class EvaluationForm(BootstrapForm):
    satisfied = forms.IntegerField(label="满意", min_value=0, error_messages=_COUNT_ERRORS)
    basically_satisfied = forms.IntegerField(
        label="基本满意", min_value=0, error_messages=_COUNT_ERRORS
    )
    dissatisfied = forms.IntegerField(label="不满意", min_value=0, error_messages=_COUNT_ERRORS)


class ActivityForm(BootstrapForm):
    term = forms.ModelChoiceField(label="届", queryset=Term.objects.none(), empty_label="请选择")
    kind = forms.ChoiceField(
        label="活动类别", choices=[("", "请选择"), *GroupActivity.Kind.choices]
    )
    title = forms.CharField(label="活动名称", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=_DATETIME)
    place = forms.CharField(label="活动地点", max_length=200)
    description = forms.CharField(
        label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    delegation = forms.ModelChoiceField(
        label="代表团（组）",
        queryset=Delegation.objects.none(),
        required=False,
        empty_label="不指定",
    )
    invitees = DeputyMultipleChoice(
        label="邀请代表", queryset=Deputy.objects.none(), required=False
    )
    open_signup = forms.BooleanField(label="本届在任代表均可报名", required=False)
    capacity = forms.IntegerField(
        label="名额",
        min_value=1,
        required=False,
        help_text="空表示不限",
        error_messages={"min_value": "名额至少为 1。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = current_terms()  # type: ignore[attr-defined]
        self.fields["delegation"].queryset = Delegation.objects.filter(term__is_current=True)  # type: ignore[attr-defined]
        self.fields["invitees"].queryset = active_deputies()  # type: ignore[attr-defined]


class AttendanceForm(BootstrapForm):
    """One choice (出席 / 请假 / 缺席) and a note per deputy on the roster; a signed-up deputy
    starts as present, everybody else as absent."""

    CHOICES = [
        (ActivityParticipant.Attendance.PRESENT, "出席"),
        (ActivityParticipant.Attendance.LEAVE, "请假"),
        (ActivityParticipant.Attendance.ABSENT, "缺席"),
    ]

    def __init__(self, *args: Any, rows: list[ActivityParticipant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            initial = row.attendance or ("present" if row.signed_up_at else "absent")
            self.fields[f"att_{row.deputy_id}"] = forms.ChoiceField(
                label=row.deputy.name,
                choices=self.CHOICES,
                initial=initial,
                error_messages={
                    "required": "请选择出勤情况。",
                    "invalid_choice": "请选择出勤情况。",
                },
            )
            self.fields[f"note_{row.deputy_id}"] = forms.CharField(
                label="备注", max_length=200, required=False, initial=row.note
            )

    def attendance(self) -> dict[int, str]:
        return {r.deputy_id: self.cleaned_data[f"att_{r.deputy_id}"] for r in self.rows}

    def notes(self) -> dict[int, str]:
        return {r.deputy_id: self.cleaned_data[f"note_{r.deputy_id}"] for r in self.rows}

    def pairs(self) -> list[tuple[ActivityParticipant, Any, Any]]:
        return [(r, self[f"att_{r.deputy_id}"], self[f"note_{r.deputy_id}"]) for r in self.rows]

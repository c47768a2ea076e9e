"""The deputy registry, after Popolo: a congress (Organization) has terms; a deputy holds a
seat in one term, belongs to a delegation and a constituency, and has dated memberships."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.fields import EncryptedCharField, make_blind_index
from renda.core.models import Organization, Region, TimeStampedModel


class Level(models.TextChoices):
    CITY = "city", "市级"
    TOWNSHIP = "township", "乡镇级"


class Term(TimeStampedModel):
    """届: e.g. 冷水江市第十八届人民代表大会."""

    congress = models.ForeignKey(
        Organization,
        verbose_name="人民代表大会",
        on_delete=models.PROTECT,
        related_name="terms",
        limit_choices_to={"kind__in": ["congress", "township_congress"]},
    )
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    number = models.PositiveSmallIntegerField("届次")
    start_date = models.DateField("起始日期")
    end_date = models.DateField("届满日期", null=True, blank=True)
    is_current = models.BooleanField("本届", default=True)

    class Meta:
        ordering = ["congress", "-number"]
        verbose_name = verbose_name_plural = "届"
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="term_unique_number"),
            models.UniqueConstraint(
                fields=["congress"], condition=Q(is_current=True), name="term_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.congress.name}第{self.number}届"


class Delegation(TimeStampedModel):
    """代表团 (city deputies, one per township) or 代表小组 (township deputies)."""

    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, related_name="delegations"
    )
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="乡镇（街道）", on_delete=models.PROTECT)

    class Meta:
        ordering = ["term", "region__code", "name"]
        verbose_name = verbose_name_plural = "代表团（组）"
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="delegation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Constituency(TimeStampedModel):
    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, related_name="constituencies"
    )
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT)
    seats = models.PositiveSmallIntegerField("应选代表名额", default=1)

    class Meta:
        ordering = ["term", "region__code", "name"]
        verbose_name = verbose_name_plural = "选区"
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="constituency_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Deputy(TimeStampedModel):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    class Category(models.TextChoices):
        WORKER = "worker", "工人"
        FARMER = "farmer", "农民"
        PROFESSIONAL = "professional", "专业技术人员"
        CADRE = "cadre", "党政领导干部"
        ENTERPRISE = "enterprise", "企业负责人"
        MILITARY = "military", "解放军"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        ACTIVE = "active", "在任"
        SUSPENDED = "suspended", "暂停执行代表职务"
        ENDED = "ended", "代表资格终止"

    class EndReason(models.TextChoices):
        RESIGNED = "resigned", "辞职"
        RECALLED = "recalled", "罢免"
        MOVED = "moved", "迁出或调离本行政区域"
        DECEASED = "deceased", "死亡"
        OTHER = "other", "其他"

    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, related_name="deputies"
    )
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期")
    party = models.CharField("政治面貌", max_length=30)
    education = models.CharField("学历", max_length=30, blank=True)
    occupation = models.CharField("职务", max_length=100, blank=True)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    category = models.CharField("代表构成", max_length=16, choices=Category.choices)
    region = models.ForeignKey(
        Region, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT, related_name="deputies"
    )
    constituency = models.ForeignKey(
        Constituency,
        verbose_name="选区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputies",
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name="代表团（组）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputies",
    )
    id_number = EncryptedCharField("身份证号")
    id_number_index = models.CharField(max_length=64, editable=False)
    mobile = EncryptedCharField("手机号", blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    elected_on = models.DateField("当选日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=16, choices=EndReason.choices, blank=True)
    bio = models.TextField("简介", blank=True)

    class Meta:
        ordering = ["region__code", "name", "id"]
        verbose_name = verbose_name_plural = "代表"
        constraints = [
            # One person holds at most one seat per term.
            models.UniqueConstraint(
                fields=["term", "id_number_index"], name="deputy_unique_per_term"
            ),
            models.CheckConstraint(
                condition=Q(status="ended", ended_on__isnull=False) | ~Q(status="ended"),
                name="deputy_ended_has_date",
                violation_error_message="代表资格终止须填写终止日期",
            ),
        ]
        indexes = [
            models.Index(fields=["id_number_index"]),
            models.Index(fields=["term", "status"]),
        ]

    def extra_facts(self) -> list[tuple[str, str]]:
        """(label, text) of the facts other apps keep about the deputy (extensions.py)."""
        from .extensions import facts

        return [(fact.label, fact.display(self)) for fact in facts()]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived search columns follow the encrypted values they index.
        self.id_number_index = make_blind_index(self.id_number)
        self.mobile_index = make_blind_index(self.mobile)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def level(self) -> str:
        return self.term.level


class Membership(TimeStampedModel):
    """A dated membership of a deputy in a body: standing committee, a special committee,
    the presidium of a sitting… (Popolo Membership)."""

    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(Organization, verbose_name="机构", on_delete=models.PROTECT)
    role = models.CharField("职务", max_length=50, default="成员")
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        ordering = ["deputy", "start_date"]
        verbose_name = verbose_name_plural = "任职"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_dates_ordered",
                violation_error_message="终止日期不能早于起始日期",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.organization} · {self.role}"


class DutyRecord(models.Model):
    """履职档案: one thing a deputy did. Append-only: created by the service that caused it
    (a submitted suggestion, a completed station duty…) or by staff with evidence; never edited.
    Scores are computed from these rows by versioned score rules, never typed in."""

    class Kind(models.TextChoices):
        MEETING_ATTENDANCE = "meeting_attendance", "出席会议"
        MEETING_LEAVE = "meeting_leave", "请假缺席会议"
        MEETING_ABSENCE = "meeting_absence", "无故缺席会议"
        INSPECTION = "inspection", "视察"
        RESEARCH = "research", "专题调研"
        TRAINING = "training", "学习培训"
        GROUP_ACTIVITY = "group_activity", "代表小组活动"
        ACTIVITY_LEAVE = "activity_leave", "请假未参加代表活动"
        ACTIVITY_ABSENCE = "activity_absence", "缺席代表活动"
        STATION_DUTY = "station_duty", "进站履职"
        SUGGESTION = "suggestion", "提出建议"
        MOTION = "motion", "领衔或联名议案"
        REPORT_TO_CONSTITUENTS = "report_to_constituents", "向选民述职"
        COMMENDATION = "commendation", "表彰奖励"
        OTHER = "other", "其他"

    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="duty_records"
    )
    kind = models.CharField("类别", max_length=32, choices=Kind.choices)
    occurred_on = models.DateField("日期")
    title = models.CharField("事项", max_length=200)
    details = models.TextField("说明", blank=True)
    evidence = models.FileField("佐证材料", upload_to="duty/%Y/", blank=True)
    # What caused the record, e.g. ("suggestions.suggestion", "42"): makes creation idempotent.
    source_type = models.CharField("来源类型", max_length=64, blank=True)
    source_id = models.CharField("来源ID", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = verbose_name_plural = "履职记录"
        indexes = [models.Index(fields=["deputy", "occurred_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "kind", "source_type", "source_id"],
                condition=~Q(source_type=""),
                name="dutyrecord_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deputy} {self.occurred_on} {self.get_kind_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("履职记录只能新增，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("履职记录不能删除")


class ScoreRule(models.Model):
    """履职积分规则, versioned: points per duty-record kind, an optional yearly cap, valid from
    a date. A record scores by the newest rule of its kind valid on the record's date. Rules
    are never edited: a change is a new version with a later `valid_from`."""

    kind = models.CharField("履职类别", max_length=32, choices=DutyRecord.Kind.choices)
    points = models.DecimalField("每项分值", max_digits=6, decimal_places=2)
    yearly_cap = models.DecimalField(
        "年度上限",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="该类别一年最多计的分；空表示不设上限",
    )
    valid_from = models.DateField("生效日期")
    note = models.CharField("依据", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = verbose_name_plural = "履职积分规则"
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="scorerule_one_per_day"),
            models.CheckConstraint(
                condition=Q(yearly_cap__isnull=True) | Q(yearly_cap__gte=0),
                name="scorerule_cap_not_negative",
                violation_error_message="年度上限不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points} 分（{self.valid_from} 起）"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("积分规则只能新增版本，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


# --- 代表述职 and 代表小组活动 (issue 15, item 6) ------------------------------------------


class ReportingPlan(TimeStampedModel):
    """年度代表述职计划: which deputies of a term report to which constituents in a year."""

    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, related_name="reporting_plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "term"]
        verbose_name = verbose_name_plural = "代表述职计划"
        constraints = [
            models.UniqueConstraint(
                fields=["term", "year"],
                name="reportingplan_one_per_year",
                violation_error_message="该届本年度已有述职计划",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReportingAssignment(TimeStampedModel):
    """One deputy's 述职 in a plan: to whom (a constituency, or constituents described in
    words, e.g. a station's representative voters), when and where; the report text; and the
    constituents' evaluation (满意 / 基本满意 / 不满意 counts) entered by staff."""

    plan = models.ForeignKey(
        ReportingPlan, verbose_name="述职计划", on_delete=models.CASCADE, related_name="assignments"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="reporting"
    )
    constituency = models.ForeignKey(
        Constituency, verbose_name="选区", null=True, blank=True, on_delete=models.PROTECT
    )
    audience = models.CharField("述职对象", max_length=200)
    scheduled_on = models.DateField("述职日期")
    venue = models.CharField("述职地点", max_length=200)
    report_text = models.TextField("述职报告", blank=True)
    report_submitted_at = models.DateTimeField("报告提交时间", null=True, blank=True)
    report_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    satisfied = models.IntegerField("满意", null=True, blank=True)
    basically_satisfied = models.IntegerField("基本满意", null=True, blank=True)
    dissatisfied = models.IntegerField("不满意", null=True, blank=True)
    evaluated_at = models.DateTimeField("测评登记时间", null=True, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_on", "id"]
        verbose_name = verbose_name_plural = "代表述职安排"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "deputy"],
                name="reporting_once_per_plan",
                violation_error_message="该代表已列入本年度述职计划",
            ),
            models.CheckConstraint(
                condition=(Q(satisfied__isnull=True) | Q(satisfied__gte=0))
                & (Q(basically_satisfied__isnull=True) | Q(basically_satisfied__gte=0))
                & (Q(dissatisfied__isnull=True) | Q(dissatisfied__gte=0)),
                name="reporting_counts_not_negative",
                violation_error_message="测评人数不能为负数",
            ),
            # The three counts and the time they were entered come together or not at all.
            models.CheckConstraint(
                condition=Q(
                    satisfied__isnull=True,
                    basically_satisfied__isnull=True,
                    dissatisfied__isnull=True,
                    evaluated_at__isnull=True,
                )
                | Q(
                    satisfied__isnull=False,
                    basically_satisfied__isnull=False,
                    dissatisfied__isnull=False,
                    evaluated_at__isnull=False,
                ),
                name="reporting_counts_together",
                violation_error_message="满意、基本满意、不满意人数须一并登记",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} {self.plan.year}年述职"

    @property
    def evaluated(self) -> bool:
        return self.evaluated_at is not None

    @property
    def total_votes(self) -> int:
        return (self.satisfied or 0) + (self.basically_satisfied or 0) + (self.dissatisfied or 0)


class GroupActivity(TimeStampedModel):
    """代表小组活动: a 视察, 调研 or 专题活动 of a delegation (代表团/代表小组) or of invited
    deputies; deputies sign up, staff record attendance afterwards, and the attendance becomes
    duty records once."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", "视察"
        RESEARCH = "research", "调研"
        THEMED = "themed", "专题活动"

    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField("活动类别", max_length=16, choices=Kind.choices)
    title = models.CharField("活动名称", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    place = models.CharField("活动地点", max_length=200)
    description = models.TextField("活动内容", blank=True)
    delegation = models.ForeignKey(
        Delegation,
        verbose_name="代表团（组）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    open_signup = models.BooleanField("本届代表均可报名", default=False)
    capacity = models.PositiveSmallIntegerField("名额", null=True, blank=True)
    attendance_recorded_at = models.DateTimeField("出勤登记时间", null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = verbose_name_plural = "代表小组活动"
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="activity_capacity_positive",
                violation_error_message="名额至少为 1",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActivityParticipant(models.Model):
    """A deputy on an activity's roster: invited (the delegation's members and the invitees,
    fixed when the activity is created) or signed up; attendance once staff record it."""

    class Attendance(models.TextChoices):
        UNRECORDED = "", "未登记"
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    activity = models.ForeignKey(
        GroupActivity, verbose_name="活动", on_delete=models.CASCADE, related_name="participants"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="activity_rows"
    )
    invited = models.BooleanField("受邀", default=False)
    signed_up_at = models.DateTimeField("报名时间", null=True, blank=True)
    attendance = models.CharField(
        "出勤", max_length=8, choices=Attendance.choices, blank=True, default=""
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["activity", "deputy__name", "id"]
        verbose_name = verbose_name_plural = "活动参加人员"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "deputy"],
                name="activity_participant_once",
                violation_error_message="该代表已在活动名单中",
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=["", "present", "leave", "absent"]),
                name="activity_attendance_valid",
                violation_error_message="出勤情况无效",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.deputy}"

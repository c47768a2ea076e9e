"""Deputies' motions (议案) and suggestions (建议、批评和意见), their handling by units, the
deputies' ratings, public disclosure, and the versioned duty-score rules.

Rules and sources: docs/reference/deputies_security.md §1, docs/reference/civic.md §5. The two workflows
(states and transitions as data) are in `workflows.py`; only `services.py` writes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.models import Organization, TimeStampedModel
from renda.deputies.models import Deputy, Term

from . import workflows


class Field(models.TextChoices):
    """分类 (by field of government work). Each maps to the special committee that follows
    it up (`FIELD_COMMITTEES`), used for escalation of overdue items."""

    ECONOMY = "economy", "经济发展"
    URBAN = "urban", "城乡建设"
    TRANSPORT = "transport", "交通运输"
    AGRICULTURE = "agriculture", "农业农村"
    EDUCATION = "education", "教育科技文化"
    HEALTH = "health", "医疗卫生"
    SOCIAL = "social", "社会保障与民政"
    ENVIRONMENT = "environment", "生态环境"
    LAW = "law", "政法与社会治理"
    OTHER = "other", "其他"


# Field → code of the special committee that supervises it (demo codes; see core.demo_data).
FIELD_COMMITTEES = {
    Field.ECONOMY: "RD-CJW",
    Field.URBAN: "RD-HZW",
    Field.TRANSPORT: "RD-CJW",
    Field.AGRICULTURE: "RD-NNW",
    Field.EDUCATION: "RD-JKWW",
    Field.HEALTH: "RD-JKWW",
    Field.SOCIAL: "RD-SJW",
    Field.ENVIRONMENT: "RD-HZW",
    Field.LAW: "RD-JSW",
    Field.OTHER: "RD-FZW",
}


class ReplyClass(models.TextChoices):
    """NPC practice: the class stamped on the first page of the reply."""

    A = "A", "A类（已解决或采纳）"
    B = "B", "B类（正在解决或列入计划）"
    C = "C", "C类（因条件限制暂时难以解决）"
    D = "D", "D类（留作参考）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class SerialCounter(models.Model):
    """The next number per scope (e.g. "s:term-3:sitting-5"), taken under a row lock so that
    two registrations at once never get the same number."""

    scope = models.CharField(max_length=64, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数器"

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"


class Motion(TimeStampedModel):
    """议案: ≥10 deputies (city level; configurable per level), only during a sitting before
    the presidium's deadline, with 案由/案据/方案. The presidium places it on the agenda,
    refers it to a special committee, refuses it, or converts it into a 建议."""

    workflow_code = "motion"

    term = models.ForeignKey(Term, verbose_name="届", on_delete=models.PROTECT, related_name="+")
    # The congress session (a meetings.Meeting of kind "congress") it was filed in.
    sitting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
        limit_choices_to={"kind": "congress"},
    )
    serial = models.PositiveIntegerField("序号", null=True, blank=True)
    code = models.CharField("编号", max_length=40, blank=True)
    title = models.CharField("标题", max_length=200)
    cause = models.TextField("案由")
    basis = models.TextField("案据")
    plan = models.TextField("方案")
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name="领衔代表", on_delete=models.PROTECT, related_name="led_motions"
    )
    state = models.CharField(
        "状态", max_length=32, choices=workflows.MOTION.choices, default=workflows.MOTION.initial
    )
    due_at = models.DateTimeField("期限", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    committee = models.ForeignKey(
        Organization,
        verbose_name="审议的专门委员会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField("主席团决定", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "议案"
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "serial"],
                condition=Q(serial__isnull=False),
                name="motion_unique_serial",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code or '议案草稿'} {self.title}"


class Suggestion(TimeStampedModel):
    """建议、批评和意见: by one deputy (or several jointly) at any time."""

    workflow_code = "suggestion"

    class Source(models.TextChoices):
        ONLINE = "online", "代表网上提交"
        PAPER = "paper", "纸质提交（工作人员代录）"
        MOTION = "motion", "议案转为建议"

    class Mode(models.TextChoices):
        LEAD = "lead", "主办+协办"
        SPLIT = "split", "分办"

    term = models.ForeignKey(Term, verbose_name="届", on_delete=models.PROTECT, related_name="+")
    sitting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
        limit_choices_to={"kind": "congress"},
        help_text="空表示闭会期间提出",
    )
    serial = models.PositiveIntegerField("序号", null=True, blank=True)
    code = models.CharField("编号", max_length=40, blank=True, db_index=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    field = models.CharField("分类", max_length=16, choices=Field.choices, blank=True)
    committee = models.ForeignKey(
        Organization,
        verbose_name="督办专门委员会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name="领衔代表", on_delete=models.PROTECT, related_name="led_suggestions"
    )
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.ONLINE)
    motion = models.OneToOneField(
        Motion,
        verbose_name="原议案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="converted_suggestion",
    )
    state = models.CharField(
        "状态",
        max_length=32,
        choices=workflows.SUGGESTION.choices,
        default=workflows.SUGGESTION.initial,
    )
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    mode = models.CharField("办理方式", max_length=8, choices=Mode.choices, blank=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    is_key = models.BooleanField("重点督办", default=False)
    key_reason = models.CharField("督办说明", max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="并入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_items",
    )
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=16, choices=Satisfaction.choices, blank=True
    )
    rehandle_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    # Disclosure: the deputy may ask that the item is not published; staff review before it is.
    allow_public = models.BooleanField("同意公开", default=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_title = models.CharField("公开标题", max_length=200, blank=True)
    public_content = models.TextField("公开内容", blank=True)
    public_reply = models.TextField("公开答复", blank=True)
    # Reminder bookkeeping for the nightly job (one reminder a day, one escalation).
    reminded_on = models.DateField("最近提醒日期", null=True, blank=True)
    escalated_at = models.DateTimeField("升级督办时间", null=True, blank=True)
    # Character bigrams of title + content, for duplicate detection (similarity.py).
    shingles = models.TextField("特征", blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "代表建议"
        constraints = [
            models.UniqueConstraint(
                fields=["term", "sitting", "serial"],
                condition=Q(serial__isnull=False),
                name="suggestion_unique_serial",
            ),
            models.UniqueConstraint(
                fields=["term", "serial"],
                condition=Q(serial__isnull=False, sitting__isnull=True),
                name="suggestion_unique_serial_between_sittings",
            ),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(duplicate_of__isnull=False),
                name="suggestion_merged_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["term", "-created_at"]),
            models.Index(fields=["published_at"]),
            models.Index(fields=["field", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.code or '建议'} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Signature(models.Model):
    """附议/联名: a deputy on a suggestion or a motion. The lead deputy's row is confirmed
    from the start; a co-signer is invited and confirms (or declines) themself."""

    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    motion = models.ForeignKey(
        Motion, null=True, blank=True, on_delete=models.CASCADE, related_name="signatures"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField("领衔", default=False)
    invited_at = models.DateTimeField("邀请时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "id"]
        verbose_name = verbose_name_plural = "联名代表"
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, motion__isnull=True)
                | Q(suggestion__isnull=True, motion__isnull=False),
                name="signature_one_subject",
            ),
            models.UniqueConstraint(
                fields=["suggestion", "deputy"],
                condition=Q(suggestion__isnull=False),
                name="signature_once_per_suggestion",
            ),
            models.UniqueConstraint(
                fields=["motion", "deputy"],
                condition=Q(motion__isnull=False),
                name="signature_once_per_motion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} {'领衔' if self.is_lead else '联名'}"


class Assignment(models.Model):
    """交办: one unit's part in handling a suggestion. A returned or superseded assignment stays
    as history (active=False)."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "协办"
        SPLIT = "split", "分办"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        Organization,
        verbose_name="承办单位",
        on_delete=models.PROTECT,
        related_name="suggestion_assignments",
        limit_choices_to={"is_handling_unit": True},
    )
    role = models.CharField("承办方式", max_length=8, choices=Role.choices)
    active = models.BooleanField("有效", default=True)
    assigned_at = models.DateTimeField("交办时间")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="交办人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_until = models.DateTimeField("可退回截止")
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    opinion_due_at = models.DateTimeField("协办意见期限", null=True, blank=True)
    opinion = models.TextField("协办意见", blank=True)
    opinion_at = models.DateTimeField("协办意见时间", null=True, blank=True)

    class Meta:
        ordering = ["suggestion", "role", "id"]
        verbose_name = verbose_name_plural = "交办记录"
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "unit"],
                condition=Q(active=True),
                name="assignment_one_active_per_unit",
            ),
            models.UniqueConstraint(
                fields=["suggestion"],
                condition=Q(active=True, role="lead"),
                name="assignment_one_active_lead",
            ),
        ]
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()}"


class HandlingNote(models.Model):
    """A unit's record of contact with the deputy (沟通) or of progress (进展)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "与代表沟通"
        PROGRESS = "progress", "办理进展"

    class Method(models.TextChoices):
        MEETING = "meeting", "当面座谈"
        SITE = "site", "实地察看"
        PHONE = "phone", "电话沟通"
        OTHER = "other", "其他"

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="notes")
    unit = models.ForeignKey(
        Organization, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    method = models.CharField("方式", max_length=16, choices=Method.choices, blank=True)
    occurred_on = models.DateField("日期")
    content = models.TextField("内容")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = verbose_name_plural = "办理记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Reply(models.Model):
    """答复: classed A/B/C/D. In split handling each unit answers its own part; the item is
    answered when every split unit has. The letter is generated as Word (letters.py); the unit
    uploads the signed, sealed scan."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="replies")
    unit = models.ForeignKey(
        Organization, verbose_name="答复单位", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("办理轮次")
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices)
    content = models.TextField("答复内容")
    signer = models.CharField("签发人", max_length=50)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    due_at = models.DateTimeField("当时的办理期限", null=True, blank=True)
    on_time = models.BooleanField("按期答复", default=True)
    signed_scan = models.FileField("盖章答复件", upload_to="suggestions/replies/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("答复时间", auto_now_add=True)

    class Meta:
        ordering = ["round", "created_at", "id"]
        verbose_name = verbose_name_plural = "答复"
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "unit", "round"], name="reply_once_per_unit_round"
            ),
            models.CheckConstraint(
                condition=Q(reply_class__in=["A", "B", "C", "D"]),
                name="reply_has_class",
                violation_error_message="请选择答复类别（A/B/C/D）",
            ),
        ]
        indexes = [models.Index(fields=["unit", "round"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.reply_class}"


class Evaluation(models.Model):
    """The lead deputy's rating of one round of answers (办理情况征询意见表)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="evaluations")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("办理轮次")
    rating = models.CharField("评价", max_length=16, choices=Satisfaction.choices)
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        ordering = ["round"]
        verbose_name = verbose_name_plural = "办理评价"
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "round"], name="evaluation_once_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} 第{self.round}轮 {self.get_rating_display()}"


class Attachment(models.Model):
    """A file on a suggestion or motion: the deputy's material, or the unit's photos and short
    videos of the handling. Downloaded only through a permission-checked view."""

    class Kind(models.TextChoices):
        MATERIAL = "material", "附件材料"
        HANDLING = "handling", "办理照片/视频"

    suggestion = models.ForeignKey(
        Suggestion, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    motion = models.ForeignKey(
        Motion, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    file = models.FileField("文件", upload_to="suggestions/files/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    unit = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = verbose_name_plural = "附件"
        constraints = [
            models.CheckConstraint(
                condition=Q(suggestion__isnull=False, motion__isnull=True)
                | Q(suggestion__isnull=True, motion__isnull=False),
                name="attachment_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.name.lower().rsplit(".", 1)[-1] in {"jpg", "jpeg", "png"}

"""代表工作站点: the station registry (一站一点), its clerks, the 六个一 checklist and annual plan,
on-duty rosters (DutySlot / DutyAssignment), receptions and constituent opinions (社情民意).

Sources for the rules: docs/reference/civic.md §5.2 and docs/reference/deputies_security.md §1.5.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.fields import EncryptedCharField, make_blind_index
from renda.core.models import Organization, Region, TimeStampedModel

from ..workflows import OPINION


class Station(TimeStampedModel):
    """A liaison station or liaison point (一站一点)."""

    class Kind(models.TextChoices):
        STATION = "station", "代表联络站"
        POINT = "point", "代表联络点"

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="所在乡镇（街道）", on_delete=models.PROTECT)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    is_active = models.BooleanField("在用", default=True)
    # WGS-84, for the offline schematic map on the portal; optional.
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    area_m2 = models.PositiveIntegerField("面积（平方米）", null=True, blank=True)
    head_name = models.CharField("站长", max_length=50, blank=True)
    # The station's public office telephone (shown on the portal); never a personal mobile.
    phone = models.CharField("联系电话", max_length=30, blank=True)
    description = models.TextField("简介", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "代表工作站点"
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_range",
                violation_error_message="纬度应在 -90 到 90 之间",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_range",
                violation_error_message="经度应在 -180 到 180 之间",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StationClerk(TimeStampedModel):
    """A staff account assigned to work for a station (联络员). A STAFF user with at least one
    active assignment is a station clerk and sees only those stations; a STAFF user with none
    works for the county office and sees every station. (The roles are fixed: a clerk is not
    a new role but staff scoped to stations.)"""

    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.CASCADE, related_name="clerks"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="联络员",
        on_delete=models.PROTECT,
        related_name="station_clerkships",
    )
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        ordering = ["station", "user"]
        verbose_name = verbose_name_plural = "站点联络员"
        constraints = [
            models.UniqueConstraint(fields=["station", "user"], name="stationclerk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.user}"


class StationMember(TimeStampedModel):
    """进站: the station a deputy works at (at most one). Stations own the link (it moved here
    from ``Deputy.station`` so that deputies, the lower layer, knows nothing of stations)."""

    deputy = models.OneToOneField(
        "deputies.Deputy",
        verbose_name="代表",
        on_delete=models.CASCADE,
        related_name="station_member",
    )
    station = models.ForeignKey(
        Station, verbose_name="进站联络站", on_delete=models.PROTECT, related_name="members"
    )

    class Meta:
        ordering = ["station", "deputy"]
        verbose_name = verbose_name_plural = "进站代表"

    def __str__(self) -> str:
        return f"{self.station} · {self.deputy}"


class ChecklistItem(TimeStampedModel):
    """One item of the standardisation checklist. The county's own text of "六个一" was not
    found (reference §1.5), so the six items are the ones the issue names; the wording of each
    is editable per station."""

    class Item(models.TextChoices):
        SITE = "site", "一个固定场所"
        TEAM = "team", "一支联络员队伍"
        DUTY = "duty", "一套代表进站制度"
        RULES = "rules", "一套工作制度"
        PROCESS = "process", "一套办理流程"
        PLATFORM = "platform", "一个服务平台"

    class Status(models.TextChoices):
        TODO = "todo", "未达标"
        DOING = "doing", "建设中"
        DONE = "done", "已达标"

    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.CASCADE, related_name="checklist"
    )
    item = models.CharField("项目", max_length=16, choices=Item.choices)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.TODO)
    note = models.TextField("情况说明", blank=True)
    evidence = models.FileField("佐证材料", upload_to="stations/evidence/%Y/", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["station", "id"]
        verbose_name = verbose_name_plural = "站点规范化建设（六个一）"
        constraints = [
            models.UniqueConstraint(fields=["station", "item"], name="checklist_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_item_display()}"


class AnnualPlan(TimeStampedModel):
    """站长 makes an annual work plan (reference §1.5)."""

    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    content = models.TextField("计划内容")
    reception_days = models.PositiveSmallIntegerField("计划接待日数", default=12)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["station", "-year"]
        verbose_name = verbose_name_plural = "年度工作计划"
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="plan_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="plan_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.year}年工作计划"


class DutySlot(TimeStampedModel):
    """进站 / 接待日: one reception session with the deputies on duty."""

    class Status(models.TextChoices):
        DRAFT = "draft", "未发布"
        PUBLISHED = "published", "已公告"
        CANCELLED = "cancelled", "已取消"

    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.PROTECT, related_name="slots"
    )
    date = models.DateField("接待日期")
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    place = models.CharField("地点", max_length=200, blank=True)
    topic = models.CharField("主题", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("公告时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="安排人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["date", "start_time", "id"]
        verbose_name = verbose_name_plural = "进站接待日"
        indexes = [models.Index(fields=["station", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="slot_times_ordered",
                violation_error_message="结束时间应晚于开始时间",
            ),
            models.UniqueConstraint(
                fields=["station", "date", "start_time"],
                condition=~Q(status="cancelled"),
                name="slot_unique_time",
                violation_error_message="该站点在这个时间已有接待安排",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.date:%Y-%m-%d} {self.start_time:%H:%M}"


class DutyAssignment(TimeStampedModel):
    """A deputy on duty at a slot; check-in and check-out on a phone. A checked-out assignment
    is a completed duty and has created a duty record (履职档案) for the deputy."""

    slot = models.ForeignKey(
        DutySlot, verbose_name="接待日", on_delete=models.CASCADE, related_name="assignments"
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="值班代表",
        on_delete=models.PROTECT,
        related_name="station_duties",
    )
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)

    class Meta:
        ordering = ["slot", "deputy__name"]
        verbose_name = verbose_name_plural = "值班代表"
        indexes = [models.Index(fields=["deputy", "checked_out_at"])]
        constraints = [
            models.UniqueConstraint(fields=["slot", "deputy"], name="assignment_unique_deputy"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=models.F("checked_in_at")),
                name="assignment_checkout_after_checkin",
                violation_error_message="签退时间应晚于签到时间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.deputy}"

    @property
    def completed(self) -> bool:
        return self.checked_out_at is not None


class Category(models.TextChoices):
    """What a constituent's matter is about (for routing and statistics)."""

    CONSTRUCTION = "construction", "城乡建设"
    TRANSPORT = "transport", "交通出行"
    ENVIRONMENT = "environment", "生态环境"
    EDUCATION = "education", "教育"
    HEALTH = "health", "医疗卫生"
    SOCIAL = "social", "社会保障"
    AGRICULTURE = "agriculture", "农业农村"
    ECONOMY = "economy", "经济发展"
    SAFETY = "safety", "社会治安"
    GOVERNANCE = "governance", "政务服务"
    OTHER = "other", "其他"


class Reception(TimeStampedModel):
    """One constituent received at a station (接访登记)."""

    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.PROTECT, related_name="receptions"
    )
    slot = models.ForeignKey(
        DutySlot,
        verbose_name="接待日",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="receptions",
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="接待代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receptions",
    )
    received_at = models.DateTimeField("接待时间", db_index=True)
    matter = models.TextField("反映事项")
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    # Optional and encrypted at rest (PIPL: minimal personal data, protected).
    constituent_name = EncryptedCharField("群众姓名", blank=True)
    constituent_phone = EncryptedCharField("联系电话", blank=True)
    constituent_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = verbose_name_plural = "接待登记"
        indexes = [models.Index(fields=["station", "received_at"])]

    def __str__(self) -> str:
        return f"{self.station} {self.received_at:%Y-%m-%d} 接待"

    def save(self, *args: object, **kwargs: object) -> None:
        self.constituent_phone_index = make_blind_index(self.constituent_phone)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Photo(TimeStampedModel):
    """A photo of a station (public) or of a reception (staff only)."""

    station = models.ForeignKey(
        Station, verbose_name="站点", on_delete=models.CASCADE, related_name="photos"
    )
    reception = models.ForeignKey(
        Reception,
        verbose_name="接待登记",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.FileField("照片", upload_to="stations/photos/%Y/%m/")
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "站点照片"

    def __str__(self) -> str:
        return self.caption or self.image.name

    @property
    def is_public(self) -> bool:
        return self.reception_id is None


class Opinion(TimeStampedModel):
    """社情民意: a constituent's opinion, from a reception, the public web form or a station's
    QR code, followed to closure through the ``opinion`` workflow (core.workflow)."""

    workflow_code = OPINION.code

    class Source(models.TextChoices):
        RECEPTION = "reception", "进站接待"
        WEB = "web", "网上提交"
        QR = "qr", "扫码提交"
        LIAISON = "liaison", "双联联系"

    class ReplyClass(models.TextChoices):
        SOLVED = "A", "A类：已解决或基本解决"
        PLANNED = "B", "B类：正在解决或列入计划"
        DEFERRED = "C", "C类：因条件限制暂时难以解决"
        EXPLAINED = "D", "D类：留作参考或解释说明"

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    class RatingAuth(models.TextChoices):
        """How the rater proved to be the constituent (issue 13 item 3): the tracking code
        alone is not enough, insiders may have seen it."""

        RATING_CODE = "rating_code", "评价码（群众本人）"
        SMS_CODE = "sms_code", "短信验证码（群众本人）"
        STAFF_ON_BEHALF = "staff_on_behalf", "站点回访代录"

    # Unguessable (secrets); what the constituent keeps to follow the opinion without account.
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    # The hidden one-time token of the form that created it: a double click or a retry of the
    # same form finds this row instead of making a second one (unique, see constraints).
    form_token = models.CharField(max_length=64, null=True, blank=True, editable=False)
    station = models.ForeignKey(
        Station,
        verbose_name="站点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
    )
    source = models.CharField("来源", max_length=12, choices=Source.choices)
    reception = models.OneToOneField(
        Reception,
        verbose_name="接待登记",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion",
    )
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    content = models.TextField("意见内容")
    location = models.CharField("事发地点", max_length=200, blank=True)
    contact_name = EncryptedCharField("联系人", blank=True)
    contact_phone = EncryptedCharField("联系电话", blank=True)
    contact_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    state = models.CharField(
        "状态", max_length=16, choices=OPINION.choices, default=OPINION.initial
    )
    due_at = models.DateTimeField("办理期限", null=True, blank=True)
    unit = models.ForeignKey(
        Organization,
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="station_opinions",
        limit_choices_to={"is_handling_unit": True},
    )
    is_complex = models.BooleanField("复杂事项", default=False)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    feedback = models.TextField("向群众反馈", blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    # Shown to the constituent when not accepted: why, and which channel is the right one.
    decision_note = models.TextField("不予受理说明", blank=True)
    rating = models.CharField("群众评价", max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    rating_auth = models.CharField(
        "评价验证方式", max_length=16, choices=RatingAuth.choices, blank=True
    )
    # The 评价码: a second secret shown once, on the submission's confirmation, and kept here
    # only as a password hash. Without it (or the SMS code) nobody rates as the constituent.
    rating_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    # Conversion into a deputy's suggestion (建议): the deputy it went to. The suggestion the
    # deputy drafted from it is a core.SourceLink (services/suggestions.py), not a field here.
    converted_deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name="转交代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="converted_opinions",
    )
    reminded_on = models.DateField("最近催办日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "社情民意"
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["station", "created_at"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["form_token"],
                condition=Q(form_token__isnull=False),
                name="opinion_unique_form_token",
            ),
            models.CheckConstraint(
                condition=~Q(state="assigned") | Q(unit__isnull=False),
                name="opinion_assigned_has_unit",
                violation_error_message="已交办的意见必须有承办单位",
            ),
        ]

    # The plain 评价码 on the instance submit_opinion has just created, for the one page that
    # shows it; never stored, empty on every instance read from the database.
    rating_code: str = ""

    def __str__(self) -> str:
        return f"社情民意 {self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "contact_phone" in update_fields:  # type: ignore[operator]
            self.contact_phone_index = make_blind_index(self.contact_phone)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def solved(self) -> bool:
        return self.reply_class == self.ReplyClass.SOLVED and self.state in SOLVED_STATES

    @property
    def number(self) -> str:
        """编号: how internal pages, exports, notices and the audit log name the opinion. The
        tracking code is the constituent's key and never appears there."""
        return f"MY{self.pk or 0:06d}"

    @property
    def formatted_code(self) -> str:
        return _in_fours(self.tracking_code)

    @property
    def formatted_rating_code(self) -> str:
        return _in_fours(self.rating_code)


def _in_fours(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# A problem counts as solved when the last answer says so (class A) and the constituent has
# not rejected it (a dissatisfied rating reopens the item).
SOLVED_STATES = ("replied", "closed")
SOLVED_Q = Q(reply_class="A", state__in=SOLVED_STATES)


class OpinionAttachment(TimeStampedModel):
    opinion = models.ForeignKey(
        Opinion, verbose_name="社情民意", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to="stations/opinions/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "意见附件"

    def __str__(self) -> str:
        return self.name


# 双联 (issue 15 item 3): its models live beside these; imported here so Django registers them.
from .liaison import Constituent, LiaisonContact, LiaisonRule, SCLiaison  # noqa: E402, F401

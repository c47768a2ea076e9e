"""The gate before the appointment vote (任前必考、不漏一人) and what follows it.

An appointment list (提请任命名单) of a nominating body (一府一委两院) names its nominees with
their proposed posts. It must reach the standing committee at least `lead_days` days before
the meeting (10 unless staff set otherwise) and then becomes an item of that meeting's agenda
(meetings' put_on_agenda, the list named as the source). Each nominee's exam status is never
stored: it is derived from released attempts of the sittings the list enrolled them in
(core source links Nomination → Enrolment), or from an exemption that names an earlier pass
and a reason. A list goes to the vote only when every nominee has passed or is exempt.

After the vote staff record each nominee's result with its counts; an appointed nominee gets
an AppointmentRecord (任免记录), which is where the 宪法宣誓 date is kept and where the next
list looks for an earlier pass (exemption)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.models import Organization

from .attempts import Attempt
from .bank import Topic
from .papers import PositionCategory


def default_lead_days() -> int:
    """提请任命 at least this many days before the meeting (a setting, 10 by default)."""
    return int(getattr(settings, "EXAM_APPOINTMENT_LEAD_DAYS", 10))


class ListState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提请（列入议程）"
    VOTING = "voting", "交付表决"
    VOTED = "voted", "已表决"


class AppointmentList(models.Model):
    title = models.CharField("名称", max_length=200)
    nominating_body = models.ForeignKey(
        Organization, models.PROTECT, related_name="appointment_lists", verbose_name="提请机关"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        models.PROTECT,
        related_name="appointment_lists",
        verbose_name="常委会会议",
    )
    lead_days = models.PositiveSmallIntegerField(
        "提前提请天数", default=default_lead_days, help_text="须在会议召开前至少这么多天提请"
    )
    state = models.CharField(
        "状态", max_length=12, choices=ListState.choices, default=ListState.DRAFT
    )
    submitted_at = models.DateTimeField("提请时间", null=True, blank=True)
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="议程",
    )
    vote_opened_at = models.DateTimeField("交付表决时间", null=True, blank=True)
    voted_at = models.DateTimeField("表决完成时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = verbose_name_plural = "提请任命名单"
        constraints = (
            models.CheckConstraint(
                condition=Q(state__in=ListState.values), name="exams_applist_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=ListState.DRAFT) | Q(submitted_at__isnull=False),
                name="exams_applist_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=ListState.VOTED) | Q(voted_at__isnull=False),
                name="exams_applist_voted_has_time",
            ),
        )

    def __str__(self) -> str:
        return self.title


class VoteResult(models.TextChoices):
    NONE = "", "未表决"
    PASSED = "passed", "通过"
    REJECTED = "rejected", "未通过"


class Nomination(models.Model):
    """One nominee on one list: the person (a user with the nominee role), the post and its
    position category (which decides the blueprint). The exemption, the editable advice to
    withdraw and the vote result live here; the exam status is derived (services)."""

    appointment_list = models.ForeignKey(
        AppointmentList, models.CASCADE, related_name="nominations", verbose_name="名单"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="nominations",
        verbose_name="拟任命人员",
    )
    post = models.CharField("拟任职务", max_length=200)
    position_category = models.CharField(
        "岗位类别", max_length=16, choices=PositionCategory.choices
    )
    order = models.PositiveSmallIntegerField("序号")
    # 免考: only with an earlier pass (an appointment record or a released, passed attempt).
    exempt_reason = models.CharField("免考理由", max_length=500, blank=True)
    exempt_record = models.ForeignKey(
        "AppointmentRecord",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="此前任免记录",
    )
    exempt_attempt = models.ForeignKey(
        Attempt,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="此前合格答卷",
    )
    exempted_at = models.DateTimeField("免考登记时间", null=True, blank=True)
    # 建议撤回提请 after a failed makeup: drafted by the system, edited by staff.
    advice_text = models.TextField("建议撤回提请意见", blank=True)
    result = models.CharField(
        "表决结果", max_length=10, choices=VoteResult.choices, default="", blank=True
    )
    votes_for = models.PositiveIntegerField("赞成", null=True, blank=True)
    votes_against = models.PositiveIntegerField("反对", null=True, blank=True)
    abstentions = models.PositiveIntegerField("弃权", null=True, blank=True)
    result_recorded_at = models.DateTimeField("结果登记时间", null=True, blank=True)

    class Meta:
        ordering = ("appointment_list", "order")
        verbose_name = verbose_name_plural = "拟任命人员"
        constraints = (
            models.UniqueConstraint(
                fields=("appointment_list", "user"), name="exams_nomination_once"
            ),
            models.UniqueConstraint(
                fields=("appointment_list", "order"), name="exams_nomination_order"
            ),
            models.CheckConstraint(condition=~Q(post=""), name="exams_nomination_post"),
            models.CheckConstraint(
                condition=Q(position_category__in=PositionCategory.values),
                name="exams_nomination_category_valid",
            ),
            # An exemption has a reason and exactly one earlier pass; no reason, no link.
            models.CheckConstraint(
                condition=(
                    Q(exempt_reason="", exempt_record__isnull=True, exempt_attempt__isnull=True)
                    | (
                        ~Q(exempt_reason="")
                        & (
                            Q(exempt_record__isnull=False, exempt_attempt__isnull=True)
                            | Q(exempt_record__isnull=True, exempt_attempt__isnull=False)
                        )
                    )
                ),
                name="exams_nomination_exempt_linked",
            ),
            models.CheckConstraint(
                condition=Q(result="")
                | Q(
                    votes_for__isnull=False,
                    votes_against__isnull=False,
                    abstentions__isnull=False,
                    result_recorded_at__isnull=False,
                ),
                name="exams_nomination_result_has_counts",
            ),
            models.CheckConstraint(
                condition=Q(result__in=VoteResult.values), name="exams_nomination_result_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} · {self.post}"

    @property
    def is_exempt(self) -> bool:
        return bool(self.exempt_reason)


class AppointmentRecord(models.Model):
    """任免记录: an appointment the standing committee voted, with its oath (宪法宣誓)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="appointment_records",
        verbose_name="被任命人",
    )
    nomination = models.OneToOneField(
        Nomination, models.PROTECT, related_name="record", verbose_name="提请"
    )
    post = models.CharField("职务", max_length=200)
    position_category = models.CharField(
        "岗位类别", max_length=16, choices=PositionCategory.choices
    )
    nominating_body = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name="提请机关"
    )
    appointed_on = models.DateField("任命日期")
    oath_on = models.DateField("宪法宣誓日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-appointed_on", "-pk")
        verbose_name = verbose_name_plural = "任免记录"
        constraints = (
            models.CheckConstraint(
                condition=Q(oath_on__isnull=True) | Q(oath_on__gte=models.F("appointed_on")),
                name="exams_record_oath_after_appointment",
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} · {self.post}"


def material_path(instance: StudyMaterial, filename: str) -> str:
    return f"exams/study/{filename}"


class StudyMaterial(models.Model):
    """学习资料 for nominees: statute texts by law, published by staff. Never a question."""

    title = models.CharField("标题", max_length=200)
    topic = models.ForeignKey(
        Topic, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="法律"
    )
    body = models.TextField("正文", blank=True)
    attachment = models.FileField("附件", upload_to=material_path, blank=True)
    published = models.BooleanField("已发布", default=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("topic__order", "title", "pk")
        verbose_name = verbose_name_plural = "学习资料"
        constraints = (
            models.CheckConstraint(condition=~Q(title=""), name="exams_material_title"),
            models.CheckConstraint(
                condition=~Q(body="") | ~Q(attachment=""), name="exams_material_has_content"
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="exams_material_published_has_time",
            ),
        )

    def __str__(self) -> str:
        return self.title

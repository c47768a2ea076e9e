"""Exam sittings (考试场次) and who sits them (Enrolment, with the admission slip's number and
seat). An examinee is a user with the nominee role. Today staff add them by hand with a
reason; the appointment list (a later issue) enrols its nominees through the same service and
names itself as the source (core.sources), so no column waits for it here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.fields import EncryptedCharField

from .papers import Blueprint


class SittingMode(models.TextChoices):
    INDIVIDUAL = "individual", "一人一卷"
    FORMS = "forms", "平行卷抽签（A/B卷）"


class ExamSitting(models.Model):
    title = models.CharField("名称", max_length=120)
    starts_at = models.DateTimeField("开考时间")
    ends_at = models.DateTimeField("截止时间")
    duration_minutes = models.PositiveSmallIntegerField("考试时长（分钟）")
    pass_mark = models.DecimalField("及格分", max_digits=6, decimal_places=2)
    venue = models.CharField("考场", max_length=200)
    # CIDR networks examinees may answer from (["10.1.2.0/24"]); empty = anywhere.
    allowed_networks = models.JSONField("允许的IP范围", default=list, blank=True)
    # Shown to the proctor, read out in the room: encrypted at rest, never hashed.
    password = EncryptedCharField("考场口令")
    blueprint = models.ForeignKey(
        Blueprint, models.PROTECT, related_name="sittings", verbose_name="组卷规则"
    )
    mode = models.CharField(
        "组卷方式", max_length=12, choices=SittingMode.choices, default=SittingMode.INDIVIDUAL
    )
    form_count = models.PositiveSmallIntegerField("平行卷套数", default=2)
    # Two graders' marks of a short answer further apart than this share of the question's
    # score go to a third grader (services.grading).
    grading_gap_percent = models.PositiveSmallIntegerField(
        "评分差异阈值（%）",
        default=20,
        help_text="两位评阅人给分相差超过该题分值的此比例时，交第三人评阅。",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-starts_at", "pk")
        verbose_name = verbose_name_plural = "考试场次"
        constraints = (
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="exams_sitting_window"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="exams_sitting_duration"
            ),
            models.CheckConstraint(condition=Q(pass_mark__gt=0), name="exams_sitting_pass_mark"),
            models.CheckConstraint(
                condition=Q(mode__in=SittingMode.values), name="exams_sitting_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(form_count__gte=2, form_count__lte=6), name="exams_sitting_forms_2_6"
            ),
        )

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    sitting = models.ForeignKey(ExamSitting, models.PROTECT, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="exam_enrolments"
    )
    seat = models.PositiveSmallIntegerField("座位号")
    slip_number = models.CharField("准考证号", max_length=30, unique=True)
    reason = models.CharField("报名依据", max_length=300)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("sitting", "seat")
        verbose_name = verbose_name_plural = "考生"
        constraints = (
            models.UniqueConstraint(fields=("sitting", "user"), name="exams_enrolment_once"),
            models.UniqueConstraint(fields=("sitting", "seat"), name="exams_enrolment_seat"),
            models.CheckConstraint(condition=~Q(reason=""), name="exams_enrolment_reason"),
        )

    def __str__(self) -> str:
        return self.slip_number

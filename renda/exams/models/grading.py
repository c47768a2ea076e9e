"""Marks given by hand (阅卷). A short answer is marked by two graders who see a paper code,
never the examinee's name (round 1 and round 2). When their marks differ by more than the
sitting's `grading_gap_percent` of the question's score, a third grader marks it (round 3)
and the third mark is the final one; otherwise the final score is the mean of the two.
`Answer.score` holds the final score once it is known (services.grading writes it).

One grader marks an answer once (unique answer × grader), and each round is given once
(unique answer × round), so the same person can never be both graders of one answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .attempts import Answer


class GradingRound(models.IntegerChoices):
    FIRST = 1, "一评"
    SECOND = 2, "二评"
    THIRD = 3, "三评（仲裁）"


class GraderMark(models.Model):
    answer = models.ForeignKey(Answer, models.CASCADE, related_name="marks")
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("评阅轮次", choices=GradingRound.choices)
    score = models.DecimalField("给分", max_digits=5, decimal_places=2)
    comment = models.CharField("评语", max_length=500, blank=True)
    marked_at = models.DateTimeField("评阅时间", auto_now_add=True)

    class Meta:
        ordering = ("answer", "round")
        verbose_name = verbose_name_plural = "评阅记录"
        constraints = (
            models.UniqueConstraint(fields=("answer", "grader"), name="exams_mark_once_per_grader"),
            models.UniqueConstraint(fields=("answer", "round"), name="exams_mark_once_per_round"),
            models.CheckConstraint(condition=Q(round__in=(1, 2, 3)), name="exams_mark_round_1_3"),
            models.CheckConstraint(condition=Q(score__gte=0), name="exams_mark_score_nonnegative"),
        )

    def __str__(self) -> str:
        return f"{self.answer_id} 第{self.round}评"

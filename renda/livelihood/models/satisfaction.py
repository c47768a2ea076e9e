"""满意度测评 → 整改 → 再测评 (civic.md §4.6): a project the year-end satisfaction vote grades
不满意 gets a `Rectification` for its lead unit with a deadline; the unit reports what it did
(its reply); a later satisfaction vote on the project (the re-evaluation, linked here) grades
it again and closes the rectification, or, graded 不满意 again, opens the next one (linked to
this one as `previous`).

The satisfaction vote itself is a `Vote` of kind satisfaction (models/votes.py): same rounds,
same participation and ballot tables, same chain and freeze.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from renda.core.models import Organization, TimeStampedModel

from ..rules import SatisfactionChoice
from .votes import Project, Vote


class Rectification(TimeStampedModel):
    class State(models.TextChoices):
        OPEN = "open", "整改中"
        REPLIED = "replied", "已报送整改情况"
        REEVALUATING = "reevaluating", "再测评中"
        CLOSED = "closed", "已再测评"

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="rectifications"
    )
    vote = models.ForeignKey(
        Vote, verbose_name="测评", on_delete=models.PROTECT, related_name="rectifications"
    )
    lead_unit = models.ForeignKey(
        Organization, verbose_name="整改单位", on_delete=models.PROTECT, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        verbose_name="上一次整改",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The counts that graded it 不满意, copied from the counted round (its result stays there).
    tally = models.JSONField("测评票数", default=dict)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    deadline = models.DateField("整改期限")
    reply = models.TextField("整改情况报告", blank=True)
    replied_at = models.DateTimeField("报送时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reevaluation = models.ForeignKey(
        Vote,
        verbose_name="再测评",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reevaluated",
    )
    outcome = models.CharField(
        "再测评结果", max_length=16, choices=SatisfactionChoice.choices, blank=True
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = verbose_name_plural = "满意度测评整改"
        constraints = [
            models.UniqueConstraint(fields=["vote", "project"], name="livelihood_rectify_once"),
            models.CheckConstraint(
                condition=Q(state="open") | (~Q(reply="") & Q(replied_at__isnull=False)),
                name="livelihood_rectify_reply_before_reevaluation",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "replied"]) | Q(reevaluation__isnull=False),
                name="livelihood_rectify_reevaluation_linked",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="livelihood_rectify_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(reevaluation__isnull=True) | ~Q(reevaluation=models.F("vote")),
                name="livelihood_rectify_reevaluation_is_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} 整改"


class SatisfactionPaperTally(models.Model):
    """纸质测评票: the scrutineers' count of the 测评票 cast on paper in one round of a
    satisfaction vote, by members who voted on paper when the electronic system failed (all of
    them, or those who had not yet voted electronically). Kept apart from the electronic
    ballots, which it never changes; the round's grades are counted on the two together
    (services/paper.py)."""

    round = models.OneToOneField(
        "livelihood.Round", on_delete=models.PROTECT, related_name="satisfaction_paper"
    )
    issued = models.PositiveIntegerField("发出纸质票数")
    returned = models.PositiveIntegerField("收回纸质票数")
    invalid = models.PositiveIntegerField("废票数")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "纸质测评票计票"
        constraints = [
            models.CheckConstraint(
                condition=Q(invalid__lte=models.F("returned")),
                name="livelihood_spaper_invalid_le_returned",
            ),
            models.CheckConstraint(
                condition=Q(returned__lte=models.F("issued")),
                name="livelihood_spaper_returned_le_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"纸质测评票 收回{self.returned}张"

    @property
    def valid(self) -> int:
        return self.returned - self.invalid


class SatisfactionPaperCount(models.Model):
    """One project's marks on the valid paper 测评票; those left unmarked (弃权) are the
    valid ballots less the three."""

    tally = models.ForeignKey(
        SatisfactionPaperTally, on_delete=models.CASCADE, related_name="counts"
    )
    candidate = models.ForeignKey(
        "livelihood.Candidate", on_delete=models.PROTECT, related_name="+"
    )
    satisfied = models.PositiveIntegerField("满意")
    basic = models.PositiveIntegerField("基本满意")
    dissatisfied = models.PositiveIntegerField("不满意")

    class Meta:
        verbose_name = verbose_name_plural = "纸质测评票计票（分项）"
        constraints = [
            models.UniqueConstraint(fields=["tally", "candidate"], name="livelihood_spaper_once")
        ]

    def __str__(self) -> str:
        return f"{self.satisfied}/{self.basic}/{self.dissatisfied}"

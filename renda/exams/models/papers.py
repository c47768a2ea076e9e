"""Blueprints (组卷规则) and papers (试卷).

A blueprint is a list of cells, each a stratum of the bank: section (公共部分 or the part of
the blueprint's position category) × question type × law (a topic and its subtree) ×
difficulty range, with how many questions to draw and the score of each. Cells of one
blueprint never overlap (services.papers refuses it), so that each cell draws from its own
pool and "is there enough" is a count per cell, checked when the blueprint is saved.

Papers are drawn per examinee (individual mode) or as parallel forms (A/B卷) of a sitting.
A paper's questions point at `QuestionVersion` (PROTECT): the wording, options and key an
examinee saw never change. Exposure control counts `PaperQuestion` rows per version: how
many examinees were shown it (a parallel form that was never drawn by lot exposed nothing).

For the attempt (a later issue): `Enrolment.paper` is the examinee's paper, made before the
sitting (individual mode: "生成试卷"; forms mode: after the lot draw). Its `PaperQuestion`
rows are the frozen layout — `order` is the question order and `option_order` the order in
which the version's options are shown (a list of indexes into `QuestionVersion.options`;
empty for true/false, fill-in and short answer). Show them exactly in that order, map the
examinee's choice back through `option_order` before grading, and never re-shuffle.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .bank import QuestionType, QuestionVersion, Topic


class PositionCategory(models.TextChoices):
    """Which related part a nominee sits (reference/exam.md §0)."""

    GOVERNMENT = "government", "政府"
    COURT = "court", "法院"
    PROCURATORATE = "procuratorate", "检察院"
    SUPERVISORY = "supervisory", "监察委"
    CONGRESS = "congress", "人大机关"


class Section(models.TextChoices):
    COMMON = "common", "公共部分"
    POSITION = "position", "岗位部分"


# The order question types appear in on a paper (the order of a printed Chinese paper).
TYPE_ORDER = {t: i for i, t in enumerate(QuestionType.values)}


class Blueprint(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    position_category = models.CharField(
        "岗位类别", max_length=20, choices=PositionCategory.choices
    )
    parallel_forms = models.PositiveSmallIntegerField(
        "平行卷套数",
        default=1,
        help_text="保存时按此套数检查题库是否够用（各套之间不重复）；只出个人卷填 1。",
    )
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("name",)
        verbose_name = verbose_name_plural = "组卷规则"
        constraints = (
            models.CheckConstraint(
                condition=Q(parallel_forms__gte=1, parallel_forms__lte=6),
                name="exams_blueprint_forms_1_6",
            ),
            models.CheckConstraint(
                condition=Q(position_category__in=PositionCategory.values),
                name="exams_blueprint_category_valid",
            ),
        )

    def __str__(self) -> str:
        return self.name

    @property
    def section_labels(self) -> dict[str, str]:
        return {
            Section.COMMON: Section.COMMON.label,
            Section.POSITION: f"{self.get_position_category_display()}部分",
        }


class BlueprintCell(models.Model):
    blueprint = models.ForeignKey(Blueprint, models.CASCADE, related_name="cells")
    order = models.PositiveSmallIntegerField("行号")
    section = models.CharField("部分", max_length=10, choices=Section.choices)
    topic = models.ForeignKey(Topic, models.PROTECT, related_name="+", verbose_name="法律")
    type = models.CharField("题型", max_length=20, choices=QuestionType.choices)
    difficulty_min = models.PositiveSmallIntegerField("难度下限", default=1)
    difficulty_max = models.PositiveSmallIntegerField("难度上限", default=5)
    count = models.PositiveSmallIntegerField("题数")
    score = models.DecimalField("每题分值", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ("blueprint", "order")
        verbose_name = verbose_name_plural = "组卷规则行"
        constraints = (
            models.UniqueConstraint(fields=("blueprint", "order"), name="exams_cell_unique_order"),
            models.CheckConstraint(
                condition=Q(difficulty_min__gte=1)
                & Q(difficulty_max__lte=5)
                & Q(difficulty_min__lte=models.F("difficulty_max")),
                name="exams_cell_difficulty_range",
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="exams_cell_count_positive"),
            models.CheckConstraint(
                condition=Q(score__gt=0, score__lte=100), name="exams_cell_score_range"
            ),
            models.CheckConstraint(
                condition=Q(section__in=Section.values), name="exams_cell_section_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=QuestionType.values), name="exams_cell_type_valid"
            ),
        )

    def __str__(self) -> str:
        return f"{self.blueprint_id}#{self.order}"

    @property
    def total(self) -> Decimal:
        return self.score * self.count


class ParallelForm(models.Model):
    """One of a sitting's A/B卷: drawn together with its siblings so that no question is on
    two of them, and dealt so that their mean difficulties match."""

    sitting = models.ForeignKey("ExamSitting", models.CASCADE, related_name="forms")
    label = models.CharField("卷别", max_length=2)
    seed = models.BigIntegerField("随机种子")
    draw_input = models.JSONField("抽题依据", default=dict)
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2)
    mean_difficulty = models.DecimalField("平均难度", max_digits=4, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("sitting", "label")
        verbose_name = verbose_name_plural = "平行卷"
        constraints = (
            models.UniqueConstraint(fields=("sitting", "label"), name="exams_form_unique_label"),
        )

    def __str__(self) -> str:
        return f"{self.label}卷"


class FormQuestion(models.Model):
    form = models.ForeignKey(ParallelForm, models.CASCADE, related_name="questions")
    version = models.ForeignKey(QuestionVersion, models.PROTECT, related_name="form_uses")
    order = models.PositiveSmallIntegerField("题序")
    section = models.CharField("部分", max_length=10, choices=Section.choices)
    score = models.DecimalField("分值", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ("form", "order")
        constraints = (
            models.UniqueConstraint(fields=("form", "order"), name="exams_formq_unique_order"),
            models.UniqueConstraint(fields=("form", "version"), name="exams_formq_unique_version"),
        )

    def __str__(self) -> str:
        return f"{self.form_id}#{self.order}"


class FormLot(models.Model):
    """The lot drawn at the sitting (抽签): which form everybody sits. One per sitting — a
    second draw is refused by the database, so nobody can draw again for a better result."""

    sitting = models.OneToOneField("ExamSitting", models.PROTECT, related_name="lot")
    form = models.ForeignKey(ParallelForm, models.PROTECT, related_name="+")
    seed = models.BigIntegerField("随机种子")
    drawn_at = models.DateTimeField("抽签时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    witness = models.CharField("监督人", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽签记录"

    def __str__(self) -> str:
        return f"抽签 {self.sitting_id}"


class Paper(models.Model):
    """An examinee's paper. `seed` and `draw_input` make the draw auditable: rerunning
    services.papers.redraw(paper) from them gives the same questions in the same order."""

    enrolment = models.OneToOneField("Enrolment", models.PROTECT, related_name="paper")
    form = models.ForeignKey(
        ParallelForm, models.PROTECT, null=True, blank=True, related_name="papers"
    )
    seed = models.BigIntegerField("随机种子")
    draw_input = models.JSONField("抽题依据", default=dict)
    total_score = models.DecimalField("总分", max_digits=6, decimal_places=2)
    mean_difficulty = models.DecimalField("平均难度", max_digits=4, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "试卷"

    def __str__(self) -> str:
        return f"试卷 {self.pk}"


class PaperQuestion(models.Model):
    paper = models.ForeignKey(Paper, models.CASCADE, related_name="questions")
    version = models.ForeignKey(QuestionVersion, models.PROTECT, related_name="paper_uses")
    order = models.PositiveSmallIntegerField("题序")
    section = models.CharField("部分", max_length=10, choices=Section.choices)
    score = models.DecimalField("分值", max_digits=5, decimal_places=2)
    # Indexes into version.options in the order shown (frozen when the paper is made).
    option_order = models.JSONField("选项顺序", default=list, blank=True)

    class Meta:
        ordering = ("paper", "order")
        constraints = (
            models.UniqueConstraint(fields=("paper", "order"), name="exams_paperq_unique_order"),
            models.UniqueConstraint(
                fields=("paper", "version"), name="exams_paperq_unique_version"
            ),
            models.CheckConstraint(condition=Q(score__gt=0), name="exams_paperq_score_positive"),
        )

    def __str__(self) -> str:
        return f"{self.paper_id}#{self.order}"

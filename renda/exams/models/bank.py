"""The question bank: topics (a tree by law), questions (a stable identity with a status) and
their versions (immutable content). Editing a question adds a version and moves
`Question.current` to it; old versions stay, because attempts and papers refer to them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from renda.exams.formats.content import TYPE_LABELS, OptionData, QuestionData


class Topic(models.Model):
    """知识点: a law (宪法, 监督法 …) or a part of one; staff extend the tree."""

    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("order", "name", "pk")
        verbose_name = verbose_name_plural = "知识点"
        constraints = (
            models.UniqueConstraint(
                fields=("parent", "name"), name="exams_topic_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=("name",),
                condition=Q(parent__isnull=True),
                name="exams_topic_unique_root_name",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="exams_topic_name_not_blank"),
        )

    def __str__(self) -> str:
        return self.path_label

    @property
    def path(self) -> tuple[str, ...]:
        names: list[str] = []
        node: Topic | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))

    @property
    def path_label(self) -> str:
        return " / ".join(self.path)

    @property
    def law(self) -> str:
        """The law a question of this topic cites by default: the root of the tree."""
        return self.path[0]


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    READY = "ready", "可用"
    RETIRED = "retired", "停用"


class QuestionType(models.TextChoices):
    SINGLE = "single", TYPE_LABELS["single"]
    MULTIPLE = "multiple", TYPE_LABELS["multiple"]
    TRUE_FALSE = "true_false", TYPE_LABELS["true_false"]
    FILL_IN = "fill_in", TYPE_LABELS["fill_in"]
    SHORT_ANSWER = "short_answer", TYPE_LABELS["short_answer"]


class QuestionTag(models.Model):
    name = models.CharField("标签", max_length=50, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name = verbose_name_plural = "试题标签"

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question's stable identity: what papers draw and statistics count. Only `ready`
    questions may be drawn into papers (later); `retired` ones stay for the record."""

    code = models.CharField("编号", max_length=40, unique=True)
    topic = models.ForeignKey(
        Topic, models.PROTECT, related_name="questions", verbose_name="知识点"
    )
    status = models.CharField(
        "状态", max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT
    )
    current = models.OneToOneField(
        "QuestionVersion",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="当前版本",
    )
    tags = models.ManyToManyField(QuestionTag, blank=True, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("code",)
        verbose_name = verbose_name_plural = "试题"
        constraints = (
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values), name="exams_question_status_valid"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="exams_question_code_not_blank"),
        )
        indexes = (models.Index(fields=("topic", "status")),)

    def __str__(self) -> str:
        return self.code


class QuestionVersion(models.Model):
    """One immutable wording of a question. `options` is a list of {"text", "weight" (percent
    as a decimal string), "feedback"}; `answer` holds the key of the non-choice types:
    {"accepted": [...]} (fill-in), {"truth": bool} (true/false), {"reference": "…"} (short
    answer, what graders mark against)."""

    question = models.ForeignKey(Question, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    type = models.CharField("题型", max_length=20, choices=QuestionType.choices)
    stem = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.JSONField("答案", default=dict, blank=True)
    explanation = models.TextField("解析", blank=True)
    difficulty = models.PositiveSmallIntegerField("难度")
    score = models.DecimalField("默认分值", max_digits=5, decimal_places=2)
    article_law = models.CharField("法律", max_length=100, blank=True)
    article = models.CharField("条文", max_length=100, blank=True)
    article_text = models.TextField("条文内容", blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("question", "-number")
        verbose_name = verbose_name_plural = "试题版本"
        constraints = (
            models.UniqueConstraint(
                fields=("question", "number"), name="exams_version_unique_number"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="exams_version_number_from_1"),
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=5),
                name="exams_version_difficulty_1_5",
            ),
            models.CheckConstraint(
                condition=Q(score__gt=0, score__lte=100), name="exams_version_score_range"
            ),
            models.CheckConstraint(
                condition=Q(type__in=QuestionType.values), name="exams_version_type_valid"
            ),
            models.CheckConstraint(condition=~Q(stem=""), name="exams_version_stem_not_blank"),
        )

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A version is what an attempt showed: it never changes once written.
        if not self._state.adding:
            raise ValidationError("试题版本生成后不能修改；修改试题会生成新版本。")
        super().save(*args, **kwargs)

    @property
    def citation(self) -> str:
        law = self.article_law or (self.question.topic.law if self.question_id else "")
        return f"《{law}》{self.article}" if self.article else ""

    def to_data(
        self, *, topic: tuple[str, ...] = (), tags: tuple[str, ...] = (), code: str = ""
    ) -> QuestionData:
        answer = self.answer or {}
        return QuestionData(
            type=self.type,
            stem=self.stem,
            options=tuple(
                OptionData(o["text"], Decimal(str(o.get("weight", "0"))), o.get("feedback", ""))
                for o in self.options
            ),
            accepted=tuple(answer.get("accepted", ())),
            truth=answer.get("truth"),
            reference_answer=answer.get("reference", ""),
            explanation=self.explanation,
            difficulty=self.difficulty,
            score=self.score,
            article_law=self.article_law,
            article=self.article,
            article_text=self.article_text,
            tags=tags,
            topic=topic,
            code=code,
        )

"""Forms of the bank's staff pages. A question is edited as plain fields: options one per
line, the answer as letters (as on the Excel template), so one set of conversion rules
(exams/imports.py) serves the sheet and the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from renda.core.forms import BootstrapForm

from .formats import FORMATS
from .formats.content import (
    FILL_IN,
    MULTIPLE,
    SHORT_ANSWER,
    SINGLE,
    TRUE_FALSE,
    TYPE_LABELS,
    QuestionData,
)
from .formats.defaults import DEFAULT_DIFFICULTY
from .imports import LETTERS, _letters, _weights
from .models import QuestionStatus, Topic

TF_CHOICES = (("", "—"), ("true", "正确"), ("false", "错误"))


class TopicChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.path_label)


class QuestionForm(BootstrapForm):
    topic = TopicChoiceField(Topic.objects.select_related("parent"), label="知识点")
    type = forms.ChoiceField(label="题型", choices=list(TYPE_LABELS.items()))
    code = forms.CharField(
        label="编号", max_length=40, required=False, help_text="不填时系统自动编号"
    )
    stem = forms.CharField(label="题干", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    options = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="选择题每行一个选项，依次为 A、B、C……（最多 8 个）",
    )
    answer = forms.CharField(
        label="正确选项", required=False, max_length=20, help_text="单选如 B；多选如 A,C"
    )
    weights = forms.CharField(
        label="得分比例",
        required=False,
        max_length=200,
        help_text="多选题部分给分时填写，如 A:50,C:50；不填则正确选项平分",
    )
    truth = forms.ChoiceField(label="判断题答案", choices=TF_CHOICES, required=False)
    accepted = forms.CharField(
        label="填空题答案",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个可接受的答案",
    )
    reference_answer = forms.CharField(
        label="简答题参考答案", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    explanation = forms.CharField(
        label="解析", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    difficulty = forms.IntegerField(
        label="难度", min_value=1, max_value=5, initial=DEFAULT_DIFFICULTY
    )
    score = forms.DecimalField(
        label="分值", min_value=Decimal("0.01"), max_value=Decimal(100), decimal_places=2
    )
    article_law = forms.CharField(
        label="引用法律", required=False, max_length=100, help_text="不填为知识点所属法律"
    )
    article = forms.CharField(
        label="条文", required=False, max_length=100, help_text="如 第三十三条"
    )
    article_text = forms.CharField(
        label="条文内容", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.CharField(
        label="标签", required=False, max_length=500, help_text="多个标签用逗号分隔"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("type")
        texts = [
            line.strip() for line in (cleaned.get("options") or "").splitlines() if line.strip()
        ]
        cleaned["option_texts"] = texts
        if kind in (SINGLE, MULTIPLE):
            if len(texts) > len(LETTERS):
                self.add_error("options", f"选项最多 {len(LETTERS)} 个")
            try:
                right = _letters(cleaned.get("answer") or "", len(texts))
                if kind == SINGLE and len(right) > 1:
                    raise ValueError("单选题只能有一个正确选项")
                cleaned["option_weights"] = (
                    _weights(cleaned.get("weights") or "", right, len(texts))
                    if kind == MULTIPLE
                    else [Decimal(100) if i in right else Decimal(0) for i in range(len(texts))]
                )
            except ValueError as exc:
                self.add_error("answer", str(exc))
        if kind == TRUE_FALSE and not cleaned.get("truth"):
            self.add_error("truth", "请选择判断题的答案")
        return cleaned

    def to_data(self) -> QuestionData:
        from .formats.content import OptionData

        c = self.cleaned_data
        kind = c["type"]
        options: tuple[OptionData, ...] = ()
        if kind in (SINGLE, MULTIPLE):
            options = tuple(
                OptionData(t, w)
                for t, w in zip(c["option_texts"], c["option_weights"], strict=True)
            )
        return QuestionData(
            type=kind,
            stem=c["stem"],
            options=options,
            accepted=tuple(a for a in (c.get("accepted") or "").splitlines() if a.strip())
            if kind == FILL_IN
            else (),
            truth=(c.get("truth") == "true") if kind == TRUE_FALSE else None,
            reference_answer=c.get("reference_answer", "") if kind == SHORT_ANSWER else "",
            explanation=c.get("explanation", ""),
            difficulty=c["difficulty"],
            score=c["score"],
            article_law=c.get("article_law", ""),
            article=c.get("article", ""),
            article_text=c.get("article_text", ""),
            tags=tuple(
                t.strip() for t in (c.get("tags") or "").replace("，", ",").split(",") if t.strip()
            ),
            code=c.get("code", ""),
        )


def initial_from(data: QuestionData, topic: Topic) -> dict[str, Any]:
    from .formats.content import weight_text

    right = [LETTERS[i] for i, o in enumerate(data.options) if o.weight > 0]
    return {
        "topic": topic.pk,
        "type": data.type,
        "code": data.code,
        "stem": data.stem,
        "options": "\n".join(o.text for o in data.options),
        "answer": ",".join(right),
        "weights": ",".join(
            f"{LETTERS[i]}:{weight_text(o.weight)}" for i, o in enumerate(data.options) if o.weight
        )
        if data.type == MULTIPLE
        else "",
        "truth": "" if data.truth is None else ("true" if data.truth else "false"),
        "accepted": "\n".join(data.accepted),
        "reference_answer": data.reference_answer,
        "explanation": data.explanation,
        "difficulty": data.difficulty,
        "score": data.score,
        "article_law": data.article_law,
        "article": data.article,
        "article_text": data.article_text,
        "tags": ",".join(data.tags),
    }


class ImportForm(BootstrapForm):
    format = forms.ChoiceField(label="文件格式", choices=[(k, f.label) for k, f in FORMATS.items()])
    file = forms.FileField(label="文件", help_text="UTF-8 编码的文本文件（GIFT、Aiken）或 XML 文件")
    topic = TopicChoiceField(
        Topic.objects.select_related("parent"),
        label="默认知识点",
        required=False,
        help_text="文件中没有分类（如 Aiken 文件）时，题目归入此知识点",
    )
    status = forms.ChoiceField(
        label="导入后状态",
        choices=[
            (QuestionStatus.DRAFT, "草稿（核对后再设为可用）"),
            (QuestionStatus.READY, "可用"),
        ],
        initial=QuestionStatus.DRAFT,
    )
    create_topics = forms.BooleanField(label="自动新建文件中不存在的知识点", required=False)

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("文件不能超过 5 MB，请拆分后分批导入")
        return upload


class TopicForm(BootstrapForm):
    name = forms.CharField(label="名称", max_length=100)
    parent = TopicChoiceField(
        Topic.objects.select_related("parent"), label="上级知识点", required=False
    )
    order = forms.IntegerField(label="排序", min_value=0, initial=0, required=False)


class RenameTopicForm(BootstrapForm):
    name = forms.CharField(label="名称", max_length=100)
    order = forms.IntegerField(label="排序", min_value=0, required=False)

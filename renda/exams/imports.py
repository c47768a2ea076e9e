"""The Excel template of the question bank, through the import framework (core.imports): one
row per question, served at /imports/exam_questions/. The same columns are what the Excel
export writes, so an exported sheet imports back into the same questions.

Decisions staff should know (also on the template's 填写说明 sheet):
- 知识点 must already exist (a law, or 法律/章 for a sub-topic): a typo would otherwise make a
  second 宪法 nobody notices.
- 答案: 单选 one letter; 多选 letters (A,C or AC); 判断 正确/错误 (对/错, √/×); 填空 every
  accepted answer, separated by |; 简答 is marked against 参考答案.
- 多选 gives each right option an equal share of the score unless 得分比例 says otherwise
  (A:50,C:50; a negative share takes marks away).
- A row whose 编号 is already in the bank updates that question (a new version when the
  content differs); imported questions are drafts until staff mark them 可用."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from renda.core.imports import Column, ImportContext, ImportRow, ImportSpec, integer, text
from renda.core.models import ImportBatch

from .formats.content import (
    FILL_IN,
    FULL,
    MULTIPLE,
    SHORT_ANSWER,
    SINGLE,
    TRUE_FALSE,
    TYPE_LABELS,
    OptionData,
    ParsedQuestion,
    QuestionData,
    problems,
    to_decimal,
    weight_text,
)
from .formats.defaults import DEFAULT_DIFFICULTY, default_score
from .permissions import can_manage_bank

LETTERS = string.ascii_uppercase[:8]
TYPE_CHOICES = {label: key for key, label in TYPE_LABELS.items()} | {
    label[:2]: key for key, label in TYPE_LABELS.items()
}
TRUE_WORDS = {"正确", "对", "是", "√", "T", "TRUE"}
FALSE_WORDS = {"错误", "错", "否", "×", "F", "FALSE"}


def _decimal(raw: Any) -> Decimal:
    return to_decimal(raw, "分值")


class QuestionImportSpec(ImportSpec):
    kind = "exam_questions"
    title = "任前考试题库"
    back_url_name = "exams:bank"
    notes = (
        "知识点须是系统中已有的知识点（法律名称，如“宪法”；下级知识点写作“宪法/国家机构”）。",
        "答案：单选题写一个字母；多选题写多个字母（如 A,C 或 AC）；判断题写“正确”或“错误”；"
        "填空题写全部可接受的答案，用 | 分隔；简答题填写“参考答案”列。",
        "多选题各正确选项默认平分分值；要部分给分时在“得分比例”中写 A:50,C:50（负数表示倒扣）。",
        "编号已在题库中的行会更新那道题（内容有变化时生成新版本）；导入的新题为草稿，核对后再设为可用。",
    )
    columns: ClassVar[tuple[Column, ...]] = (
        Column("code", "编号", parse=text(40), example="XF-0001", help="可不填，系统自动编号"),
        Column(
            "topic", "知识点", required=True, parse=text(200), example="宪法", aliases=("法律",)
        ),
        Column("type", "题型", required=True, choices=TYPE_CHOICES, example="单选题"),
        Column(
            "stem",
            "题干",
            required=True,
            parse=text(4000),
            example="中华人民共和国的一切权力属于（　）。",
        ),
        *(
            Column(f"option_{letter}", f"选项{letter}", parse=text(1000), example=example)
            for letter, example in zip(
                LETTERS, ("人民", "国家机关", "人民政府", "", "", "", "", ""), strict=True
            )
        ),
        Column("answer", "答案", parse=text(2000), example="A"),
        Column(
            "weights", "得分比例", parse=text(200), help="仅多选题需要部分给分时填写，如 A:50,C:50"
        ),
        Column("reference", "参考答案", parse=text(4000), help="简答题的评分要点"),
        Column("explanation", "解析", parse=text(4000), example="宪法第二条第一款。"),
        Column(
            "difficulty", "难度", parse=integer, example=1, help="1（最易）到 5（最难），不填为 3"
        ),
        Column(
            "score",
            "分值",
            parse=_decimal,
            example=2,
            help="不填时单选 2、多选 3、判断 1、填空 2、简答 10",
        ),
        Column(
            "article_law",
            "引用法律",
            parse=text(100),
            help="条文所属的法律；不填为知识点所属的法律",
        ),
        Column("article", "条文", parse=text(100), example="第二条", aliases=("法条", "条文号")),
        Column("article_text", "条文内容", parse=text(4000)),
        Column("tags", "标签", parse=text(500), help="多个标签用逗号分隔"),
    )

    def can_import(self, user: Any) -> bool:
        return can_manage_bank(user)

    def prepare(self, context: ImportContext) -> None:
        from .services.transfer import topic_index

        context.data["topics"] = topic_index()
        context.data["codes"] = {}

    def validate_row(self, row: ImportRow, context: ImportContext) -> None:
        from .services.transfer import _find_topic

        if row["topic"] and _find_topic(context.data["topics"], split_topic(row["topic"])) is None:
            row.error("topic", f"知识点「{row['topic']}」不存在，请先在知识点管理中添加")
        code = row["code"]
        if code:
            first = context.data["codes"].setdefault(code, row.number)
            if first != row.number:
                row.error("code", f"编号与第 {first} 行重复")
        if row["type"] is None or row["stem"] is None:
            return
        try:
            data = row_data(row)
        except ValueError as exc:
            row.error("answer", str(exc))
            return
        for message in problems(data):
            row.error("", message)

    def commit(self, rows: Iterable[ImportRow], actor: Any, batch: ImportBatch) -> dict[str, Any]:
        from .services.transfer import import_questions, plan_import

        parsed = [ParsedQuestion(row.number, row_data(row)) for row in rows]
        plan = plan_import(parsed)
        if plan.errors:
            raise ValidationError([str(e) for e in plan.errors])
        return import_questions(actor=actor, plan=plan, source="xlsx", file_name=batch.file_name)

    def describe(self, summary: Any) -> str:
        return (
            f"新增 {summary.get('create', 0)} 题，更新 {summary.get('update', 0)} 题，"
            f"未变 {summary.get('unchanged', 0)} 题（新题为草稿）"
        )


def split_topic(raw: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[/／]", raw) if p.strip())


def _letters(raw: str, count: int) -> list[int]:
    letters = [c for c in raw.upper() if c not in " ,，、;；"]
    if not letters or any(c not in LETTERS[:count] for c in letters):
        raise ValueError(f"答案「{raw}」应为选项字母（A–{LETTERS[max(count - 1, 0)]}）")
    if len(set(letters)) != len(letters):
        raise ValueError(f"答案「{raw}」中有重复的字母")
    return [LETTERS.index(c) for c in letters]


def _weights(raw: str, right: list[int], count: int) -> list[Decimal]:
    weights = [Decimal(0)] * count
    if raw:
        for part in re.split(r"[,，;；、]", raw):
            if not part.strip():
                continue
            letter, _, value = part.partition(":") if ":" in part else part.partition("：")
            index = LETTERS.find(letter.strip().upper())
            if index < 0 or index >= count or not value.strip():
                raise ValueError(f"得分比例「{part.strip()}」应写成 A:50")
            weights[index] = to_decimal(value, "得分比例")
        return weights
    share = (FULL / len(right)).quantize(Decimal("0.00001"), rounding=ROUND_DOWN)
    for index in right:
        weights[index] = share
    weights[right[-1]] += FULL - share * len(right)
    return weights


def row_data(row: ImportRow) -> QuestionData:
    kind = row["type"]
    texts = [row[f"option_{letter}"] for letter in LETTERS]
    while texts and not texts[-1]:
        texts.pop()
    answer = row["answer"] or ""
    options: tuple[OptionData, ...] = ()
    extra: dict[str, Any] = {}
    if kind in (SINGLE, MULTIPLE):
        right = _letters(answer, len(texts))
        if kind == SINGLE and len(right) > 1:
            raise ValueError("单选题只能有一个答案字母；有多个正确选项的请设为多选题")
        weights = (
            _weights(row["weights"] or "", right, len(texts))
            if kind == MULTIPLE
            else [FULL if i in right else Decimal(0) for i in range(len(texts))]
        )
        options = tuple(OptionData(t or "", w) for t, w in zip(texts, weights, strict=True))
    elif kind == TRUE_FALSE:
        word = answer.strip().upper()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError(f"判断题的答案「{answer}」应为“正确”或“错误”")
        extra["truth"] = word in TRUE_WORDS
    elif kind == FILL_IN:
        extra["accepted"] = tuple(a.strip() for a in answer.split("|") if a.strip())
    else:
        extra["reference_answer"] = row["reference"] or answer
    return QuestionData(
        type=kind,
        stem=row["stem"] or "",
        options=options,
        explanation=row["explanation"] or "",
        difficulty=row.get("difficulty", DEFAULT_DIFFICULTY),
        score=row.get("score", default_score(kind)),
        article_law=row["article_law"] or "",
        article=row["article"] or "",
        article_text=row["article_text"] or "",
        tags=tuple(t.strip() for t in re.split(r"[,，、;；]", row["tags"] or "") if t.strip()),
        topic=split_topic(row["topic"] or ""),
        code=row["code"] or "",
        **extra,
    )


HEADERS = [c.header for c in QuestionImportSpec.columns]


def excel_row(data: QuestionData) -> list[Any]:
    """One question as a row of the template (the Excel export)."""
    texts = [o.text for o in data.options] + [""] * (len(LETTERS) - len(data.options))
    answer, weights = "", ""
    if data.type in (SINGLE, MULTIPLE):
        answer = ",".join(LETTERS[i] for i, o in enumerate(data.options) if o.weight > 0)
        if data.type == MULTIPLE:
            weights = ",".join(
                f"{LETTERS[i]}:{weight_text(o.weight)}"
                for i, o in enumerate(data.options)
                if o.weight
            )
    elif data.type == TRUE_FALSE:
        answer = "正确" if data.truth else "错误"
    elif data.type == FILL_IN:
        answer = "|".join(data.accepted)
    return [
        data.code,
        "/".join(data.topic),
        TYPE_LABELS[data.type],
        data.stem,
        *texts[: len(LETTERS)],
        answer,
        weights,
        data.reference_answer if data.type == SHORT_ANSWER else "",
        data.explanation,
        data.difficulty,
        weight_text(data.score),
        data.article_law,
        data.article,
        data.article_text,
        ",".join(data.tags),
    ]


def excel_exportable(data: QuestionData) -> bool:
    """The sheet has eight option columns and no per-option feedback."""
    return (
        len(data.options) <= len(LETTERS)
        and not any(o.feedback for o in data.options)
        and (data.type != SINGLE or all(o.weight in (0, FULL) for o in data.options))
        and not (data.type == FILL_IN and any("|" in a for a in data.accepted))
    )

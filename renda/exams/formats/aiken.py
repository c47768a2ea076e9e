"""Aiken, the simplest question format Moodle reads (qformat_aiken): single choice only, no
categories, no feedback. A question is its stem on ONE line, then its choices `A) …` or
`A. …` (letter, `)` or `.`, an optional space), then `ANSWER: B`. Blank lines between
questions are ignored.

The file carries no topic, difficulty or score: the import page asks for the topic, and the
defaults of formats.defaults apply. Export writes only single choice questions whose stem
fits on one line and whose options are right or wrong (no partial weights); the others are
listed as skipped."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .content import FULL, SINGLE, LineError, OptionData, ParsedQuestion, ParseResult, QuestionData
from .defaults import DEFAULT_DIFFICULTY, default_score

_CHOICE = re.compile(r"^([A-Z])[).][ \t]?(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.IGNORECASE)


@dataclass
class _Open:
    line: int
    stem: str
    choices: list[str] = field(default_factory=list)


def parse_aiken(source: str, *, default_topic: tuple[str, ...] = ()) -> ParseResult:
    result = ParseResult()
    current: _Open | None = None
    last = 0
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        last = number
        if not line:
            continue
        choice, answer = _CHOICE.match(line), _ANSWER.match(line)
        if current is None:
            if choice:
                result.errors.append(LineError(number, "选项出现在题干之前：每道题先写一行题干"))
            elif answer:
                result.errors.append(LineError(number, "ANSWER 行之前没有题目"))
            else:
                current = _Open(number, line)
            continue
        if answer:
            _finish(result, current, number, answer[1].strip(), default_topic)
            current = None
        elif choice:
            expected = string.ascii_uppercase[len(current.choices)]
            if choice[1] != expected:
                result.errors.append(
                    LineError(number, f"选项字母应为 {expected}，而不是 {choice[1]}")
                )
            current.choices.append(choice[2].strip())
        elif current.choices:
            result.errors.append(LineError(number, "选项之后应是“ANSWER: 字母”一行"))
        else:
            result.errors.append(
                LineError(number, "Aiken 格式的题干只能写在一行；或者这一行缺少选项字母 A) B) …")
            )
    if current is not None:
        result.errors.append(
            LineError(current.line, f"这道题缺少“ANSWER: 字母”一行（文件在第 {last} 行结束）")
        )
    if not default_topic and result.questions:
        result.errors.insert(0, LineError(0, "Aiken 文件不含知识点：请在导入时选择知识点"))
    return result.check()


def _finish(
    result: ParseResult, current: _Open, number: int, answer: str, topic: tuple[str, ...]
) -> None:
    if len(current.choices) < 2:
        result.errors.append(LineError(current.line, "选择题至少要有两个选项"))
        return
    if len(answer) > 1 and re.match(r"^[A-Za-z]\s*[,，、;；]", answer):
        result.errors.append(LineError(number, "Aiken 格式只有单选题，答案只能是一个字母"))
        return
    letter = answer[:1].upper()
    if len(answer) != 1 or letter not in string.ascii_uppercase[: len(current.choices)]:
        result.errors.append(LineError(number, f"答案「{answer}」不是本题的选项字母"))
        return
    right = string.ascii_uppercase.index(letter)
    options = tuple(
        OptionData(text, FULL if index == right else Decimal(0))
        for index, text in enumerate(current.choices)
    )
    data = QuestionData(
        type=SINGLE,
        stem=current.stem,
        options=options,
        difficulty=DEFAULT_DIFFICULTY,
        score=default_score(SINGLE),
        topic=topic,
    )
    result.questions.append(ParsedQuestion(current.line, data))


def exportable(data: QuestionData) -> bool:
    return (
        data.type == SINGLE
        and "\n" not in data.stem
        and 2 <= len(data.options) <= 26
        and all(o.weight in (0, FULL) and "\n" not in o.text for o in data.options)
    )


def export_aiken(questions: Iterable[QuestionData]) -> tuple[str, list[QuestionData]]:
    """(the file, the questions Aiken cannot hold)."""
    out: list[str] = []
    skipped: list[QuestionData] = []
    for data in questions:
        if not exportable(data):
            skipped.append(data)
            continue
        out.append(data.stem)
        right = ""
        for letter, option in zip(string.ascii_uppercase, data.options, strict=False):
            out.append(f"{letter}) {option.text}")
            if option.weight == FULL:
                right = letter
        out += [f"ANSWER: {right}", ""]
    return "\n".join(out), skipped

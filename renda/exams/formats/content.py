"""A question's content as plain data, shared by the bank's services, the parsers and the
exporters of every file format (no Django here, so the formats stay pure Python).

`QuestionData` is what one version of a question says. `problems()` lists, in Chinese, what
makes it unusable in an exam; the services refuse a question with any problem and the
parsers report them against the line the question starts on.

Weights follow Moodle: an option's weight is a percentage of the question's score. A single
choice question needs one option at 100 %; a multiple choice question's positive weights must
add up to 100 % (partial credit), negative weights take marks away."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
FILL_IN = "fill_in"
SHORT_ANSWER = "short_answer"
TYPES = (SINGLE, MULTIPLE, TRUE_FALSE, FILL_IN, SHORT_ANSWER)
TYPE_LABELS = {
    SINGLE: "单选题",
    MULTIPLE: "多选题",
    TRUE_FALSE: "判断题",
    FILL_IN: "填空题",
    SHORT_ANSWER: "简答题",
}
CHOICE_TYPES = (SINGLE, MULTIPLE)

FULL = Decimal(100)
# Moodle writes thirds as 33.33333: a sum within this of 100 counts as 100.
WEIGHT_TOLERANCE = Decimal("0.01")
MAX_SCORE = Decimal(100)
MAX_OPTIONS = 26  # A–Z
STEM_MAX = 4000
OPTION_MAX = 1000


@dataclass(frozen=True)
class OptionData:
    text: str
    weight: Decimal = Decimal(0)  # percent of the score, -100..100
    feedback: str = ""

    @property
    def correct(self) -> bool:
        return self.weight > 0


@dataclass(frozen=True)
class QuestionData:
    type: str
    stem: str
    options: tuple[OptionData, ...] = ()
    accepted: tuple[str, ...] = ()  # fill_in: every answer accepted as right
    truth: bool | None = None  # true_false: the right answer
    reference_answer: str = ""  # short_answer: the model answer graders mark against
    explanation: str = ""  # shown after grading (Moodle's general feedback)
    difficulty: int = 3
    score: Decimal = Decimal(2)
    article_law: str = ""  # the law the article belongs to; blank = the topic's law
    article: str = ""  # e.g. 第三十三条
    article_text: str = ""
    tags: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()  # topic path from the root, e.g. ("宪法",)
    code: str = ""  # the bank's stable id (GIFT ::name::, Moodle idnumber)

    def content(self) -> dict[str, object]:
        """What a version says, in canonical JSON form: the same content, the same dict.
        Topic, tags and code belong to the question, not to a version, and are left out."""
        return {
            "type": self.type,
            "stem": self.stem,
            "options": [
                {"text": o.text, "weight": weight_text(o.weight), "feedback": o.feedback}
                for o in self.options
            ],
            "accepted": list(self.accepted),
            "truth": self.truth,
            "reference_answer": self.reference_answer,
            "explanation": self.explanation,
            "difficulty": self.difficulty,
            "score": weight_text(self.score),
            "article_law": self.article_law,
            "article": self.article,
            "article_text": self.article_text,
        }

    def fingerprint(self) -> str:
        payload = json.dumps(self.content(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def with_topic(self, topic: tuple[str, ...]) -> QuestionData:
        return replace(self, topic=topic)


def weight_text(value: Decimal) -> str:
    """A Decimal without trailing zeros and never in exponent form: 100, 33.33333, -50."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def to_decimal(raw: object, what: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what}「{raw}」不是数字") from None
    if not value.is_finite():
        raise ValueError(f"{what}「{raw}」不是数字")
    return value


def normalise(text: str) -> str:
    """For comparing option texts and accepted answers: case, width of spaces, runs of spaces."""
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip().casefold()


def _duplicates(texts: list[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for text in texts:
        key = normalise(text)
        if key in seen and text not in repeated:
            repeated.append(text)
        seen.add(key)
    return repeated


def _choice_problems(data: QuestionData) -> list[str]:
    found: list[str] = []
    if len(data.options) < 2:
        found.append("选择题至少要有两个选项")
    if len(data.options) > MAX_OPTIONS:
        found.append(f"选项不能超过 {MAX_OPTIONS} 个")
    if any(not o.text.strip() for o in data.options):
        found.append("选项内容不能为空")
    if any(len(o.text) > OPTION_MAX for o in data.options):
        found.append(f"选项内容不能超过 {OPTION_MAX} 字")
    found.extend(f"选项「{text}」重复" for text in _duplicates([o.text for o in data.options]))
    if any(abs(o.weight) > FULL for o in data.options):
        found.append("选项的得分比例应在 -100% 到 100% 之间")
    positive = [o.weight for o in data.options if o.weight > 0]
    if not positive:
        found.append("没有正确答案：至少要有一个选项是正确的")
    elif data.type == SINGLE and max(positive) != FULL:
        found.append("单选题必须有一个得分比例为 100% 的正确选项")
    elif data.type == SINGLE and positive.count(FULL) > 1:
        found.append("单选题只能有一个正确选项；有多个正确选项的请设为多选题")
    elif data.type == MULTIPLE and abs(sum(positive) - FULL) > WEIGHT_TOLERANCE:
        total = weight_text(sum(positive, Decimal(0)))
        found.append(f"多选题各正确选项的得分比例之和应为 100%，现为 {total}%")
    return found


def problems(data: QuestionData) -> list[str]:
    """Everything that keeps this content from being a usable question (empty when fine)."""
    found: list[str] = []
    if data.type not in TYPES:
        return [f"题型「{data.type}」不受支持，应为单选、多选、判断、填空或简答"]
    if not data.stem.strip():
        found.append("题干不能为空")
    elif len(data.stem) > STEM_MAX:
        found.append(f"题干不能超过 {STEM_MAX} 字")
    if not 1 <= data.difficulty <= 5:
        found.append("难度应为 1 到 5 的整数")
    if data.score <= 0 or data.score > MAX_SCORE:
        found.append(f"分值应大于 0、不超过 {weight_text(MAX_SCORE)}")
    elif data.score != data.score.quantize(Decimal("0.01")):
        found.append("分值最多保留两位小数")
    if data.type in CHOICE_TYPES:
        found.extend(_choice_problems(data))
    elif data.options:
        found.append(f"{TYPE_LABELS[data.type]}不应有选项")
    if data.type == TRUE_FALSE and data.truth is None:
        found.append("判断题没有正确答案：应为“正确”或“错误”")
    if data.type == FILL_IN:
        answers = [a for a in data.accepted if a.strip()]
        if not answers:
            found.append("填空题没有正确答案：至少要有一个可接受的答案")
        found.extend(f"可接受的答案「{a}」重复" for a in _duplicates(list(data.accepted)))
    if any(not t.strip() or len(t) > 50 for t in data.tags):
        found.append("标签不能为空，且每个不超过 50 字")
    return found


@dataclass
class LineError:
    line: int  # 1-based line of the file; 0 when the whole file is at fault
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


@dataclass
class ParsedQuestion:
    line: int  # where the question starts in the file
    data: QuestionData


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    def check(self) -> ParseResult:
        """Add the content problems of every parsed question, at its first line."""
        for parsed in self.questions:
            for message in problems(parsed.data):
                self.errors.append(LineError(parsed.line, message))
        self.errors.sort(key=lambda e: e.line)
        return self

    @property
    def ok(self) -> bool:
        return not self.errors


def split_path(path: str) -> tuple[str, ...]:
    """A category path as topic names: Moodle's context prefixes and our export root dropped."""
    parts = [p.strip() for p in re.split(r"(?<!/)/(?!/)", path) if p.strip()]
    parts = [p.replace("//", "/") for p in parts]
    while parts and (parts[0].startswith("$") or parts[0] in ROOT_NAMES):
        parts.pop(0)
    return tuple(parts)


# The first segment of a category path that is a container, not a topic.
EXPORT_ROOT = "任前法律考试"
ROOT_NAMES = frozenset({"top", "Top", "默认", "Default", EXPORT_ROOT})


def join_path(topic: tuple[str, ...]) -> str:
    return "/".join([EXPORT_ROOT, *(t.replace("/", "//") for t in topic)])

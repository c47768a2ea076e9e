"""GIFT, Moodle's text format for questions (syntax as Moodle's qformat_gift reads it).

One question per block, blocks separated by blank lines; `//` starts a comment line;
`$CATEGORY: a/b` switches the category (our topic) for the questions after it; `::名::`
names a question; the answers are one `{…}`: `=right ~wrong` (single choice), `~%50%a
~%50%b ~c` (multiple choice with partial credit, no `=`), `{T}` / `{FALSE}` (true/false),
`{=a =b}` (fill-in: every accepted answer), `{}` (short answer, an essay in Moodle). `#`
after an answer is that answer's feedback, `####` the general feedback (our explanation).
`\\ \\~ \\= \\# \\{ \\} \\:` escape the special characters and `\\n` is a new line. Text after
`}` is Moodle's "missing word" form: the blank becomes ____ in the stem.

Refused, with the line: numerical (`{#…}`) and matching (`->`) questions, which the bank does
not hold, descriptions (no `{…}`), and broken braces, names and weights.

What GIFT cannot say (difficulty, score, the article, tags, a short answer's reference
answer) travels in comment lines Moodle ignores: `// [difficulty:3] [score:2] [law:宪法]
[article:第二条] [article_text:…] [reference:…] [tag:…] [id:…]`; `[tag:]` and `[id:]` are
Moodle's own. A value escapes `\\` `]` and new lines as `\\\\`, `\\]`, `\\n`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .content import (
    FILL_IN,
    FULL,
    MULTIPLE,
    SHORT_ANSWER,
    SINGLE,
    TRUE_FALSE,
    LineError,
    OptionData,
    ParsedQuestion,
    ParseResult,
    QuestionData,
    join_path,
    split_path,
    to_decimal,
    weight_text,
)
from .defaults import DEFAULT_DIFFICULTY, default_score

BLANK = "____"
# Private-use characters stand for escaped specials while the block is taken apart.
_ESCAPES = {
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
}
_BACKSLASH = "\ue000"
_NEWLINE = "\ue007"
_UNESCAPE = {v: k for k, v in _ESCAPES.items()} | {_BACKSLASH: "\\", _NEWLINE: "\n"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_META = re.compile(r"\[([a-z_]+):((?:\\.|[^\]\\])*)\]")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]")
_TRUE = {"T", "TRUE"}
_FALSE = {"F", "FALSE"}


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _escape_pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for char, mark in _ESCAPES.items():
        text = text.replace("\\" + char, mark)
    return text.replace("\\n", _NEWLINE)


def _unescape(text: str) -> str:
    for mark, char in _UNESCAPE.items():
        text = text.replace(mark, char)
    return text


def _clean(text: str, is_html: bool = False) -> str:
    """Unescape, and turn Moodle's HTML into the plain text the bank holds."""
    text = _unescape(text)
    if is_html:
        text = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text.strip()


@dataclass
class _Block:
    start: int  # the file line of the block's first line
    lines: list[str] = field(default_factory=list)


def _blocks(source: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        if not line.strip():
            current = None
            continue
        if current is None:
            current = _Block(number)
            blocks.append(current)
        current.lines.append(line)
    return blocks


def _meta(block: _Block) -> tuple[dict[str, list[tuple[int, str]]], list[str]]:
    """Comment lines → their [key:value] pairs (with the line), and the other lines with
    comments blanked so that positions still map to file lines."""
    found: dict[str, list[tuple[int, str]]] = {}
    kept: list[str] = []
    for offset, line in enumerate(block.lines):
        if line.strip().startswith("//"):
            for key, value in _META.findall(line):
                value = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value)
                found.setdefault(key, []).append((block.start + offset, value.strip()))
            kept.append("")
        else:
            kept.append(line)
    return found, kept


def parse_gift(source: str, *, default_topic: tuple[str, ...] = ()) -> ParseResult:
    """Every question of a GIFT file, or the errors with their lines (then nothing is used)."""
    result = ParseResult()
    topic = default_topic
    for block in _blocks(source):
        try:
            meta, lines = _meta(block)
            text = "\n".join(lines).strip("\n")
            if not text.strip():
                continue
            first = block.start + next(i for i, line in enumerate(lines) if line.strip())
            stripped = text.lstrip()
            if stripped.startswith("$CATEGORY:"):
                head, _, rest = stripped.partition("\n")
                topic = split_path(head[len("$CATEGORY:") :].strip())
                if not topic:
                    raise _Refused(first, "$CATEGORY: 后面没有分类名称")
                if not rest.strip():
                    continue
                first += 1
                text = rest
            data = _question(_escape_pre(text), first, meta)
        except _Refused as refused:
            result.errors.append(LineError(refused.line, refused.message))
            continue
        if not topic:
            result.errors.append(
                LineError(first, "没有指定知识点：请在文件中写 $CATEGORY: 或在导入时选择知识点")
            )
            continue
        result.questions.append(ParsedQuestion(first, data.with_topic(topic)))
    return result.check()


def _question(text: str, first: int, meta: dict[str, list[tuple[int, str]]]) -> QuestionData:
    body = text.strip()
    name = ""
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _Refused(first, "题目名称缺少结尾的 ::")
        name = _clean(body[2:end])
        body = body[end + 2 :].strip()
    start, finish = body.find("{"), body.find("}")
    if start < 0 and finish < 0:
        raise _Refused(first, "没有答案部分 {…}：说明性文字不是试题，请删除或补上答案")
    if finish < 0 or body.count("{") > body.count("}"):
        raise _Refused(first, "大括号不成对：缺少 }（文字里的大括号请写成 \\{ 和 \\}）")
    if start < 0 or finish < start or body.count("}") > body.count("{"):
        raise _Refused(first, "大括号不成对：缺少 {（文字里的大括号请写成 \\{ 和 \\}）")
    if body.count("{") > 1:
        raise _Refused(first, "一道题只能有一个答案部分 {…}")
    answer = body[start + 1 : finish].strip()
    after = body[finish + 1 :].strip()
    stem_raw = body[:start].rstrip() + (BLANK + after if after else "")
    is_html = bool(_FORMAT.match(stem_raw)) and stem_raw.startswith("[html]")
    stem_raw = _FORMAT.sub("", stem_raw)
    explanation = ""
    if "####" in answer:
        cut = answer.rfind("####")
        explanation = _clean(answer[cut + 4 :], is_html)
        answer = answer[:cut].strip()
    common = _common(meta, name)
    stem = _clean(stem_raw, is_html)
    return _typed(answer, first, stem, explanation, is_html, common)


def _typed(
    answer: str, first: int, stem: str, explanation: str, is_html: bool, common: dict[str, object]
) -> QuestionData:
    if answer == "":
        return _make(SHORT_ANSWER, stem, explanation, common)
    if answer.startswith("#"):
        raise _Refused(first, "不支持数值题（{#…}）：题库只有单选、多选、判断、填空和简答题")
    if "~" in answer:
        kind = SINGLE if "=" in answer else MULTIPLE
        return _make(kind, stem, explanation, common, options=_options(answer, first, is_html))
    if "=" in answer and "->" in answer:
        raise _Refused(first, "不支持匹配题（=…->…）：题库只有单选、多选、判断、填空和简答题")
    verdict = answer.split("#", 1)[0].strip()
    if verdict in _TRUE | _FALSE:
        return _make(TRUE_FALSE, stem, explanation, common, truth=verdict in _TRUE)
    if not answer.startswith("="):
        raise _Refused(
            first, "答案部分无法识别：填空答案应以 = 开头，选项以 = 或 ~ 开头，判断题写 T 或 F"
        )
    accepted = []
    for part in answer.split("="):
        part = part.strip()
        if not part:
            continue
        weight = _WEIGHT.match(part)
        if weight:
            if Decimal(weight[1]) != FULL:
                raise _Refused(first, "填空题的每个答案都应是全对的答案，不支持部分得分（%…%）")
            part = part[weight.end() :]
        accepted.append(_clean(part.split("#", 1)[0], is_html))
    return _make(FILL_IN, stem, explanation, common, accepted=tuple(accepted))


def _options(answer: str, first: int, is_html: bool) -> tuple[OptionData, ...]:
    options = []
    for part in answer.replace("=", "~=").split("~"):
        part = part.strip()
        if not part:
            continue
        weight = Decimal(0)
        if part.startswith("="):
            weight, part = FULL, part[1:]
        elif match := _WEIGHT.match(part):
            weight, part = Decimal(match[1]), part[match.end() :]
        elif re.match(r"^%[^%\s]{0,8}%", part):
            raise _Refused(first, f"得分比例「{part[:12]}」格式有误，应写成 ~%50%选项")
        text, _, feedback = part.partition("#")
        options.append(OptionData(_clean(text, is_html), weight, _clean(feedback, is_html)))
    return tuple(options)


def _common(meta: dict[str, list[tuple[int, str]]], name: str) -> dict[str, object]:
    def one(key: str) -> str:
        values = meta.get(key)
        return values[-1][1] if values else ""

    common: dict[str, object] = {
        "code": one("id") or name,
        "tags": tuple(v for _, v in meta.get("tag", []) if v),
        "article_law": one("law"),
        "article": one("article"),
        "article_text": one("article_text"),
        "reference_answer": one("reference"),
    }
    if "difficulty" in meta:
        line, raw = meta["difficulty"][-1]
        if not raw.isdigit():
            raise _Refused(line, f"难度「{raw}」应为 1 到 5 的整数")
        common["difficulty"] = int(raw)
    if "score" in meta:
        line, raw = meta["score"][-1]
        try:
            common["score"] = to_decimal(raw, "分值")
        except ValueError as exc:
            raise _Refused(line, str(exc)) from None
    return common


def _make(
    kind: str, stem: str, explanation: str, common: dict[str, object], **extra: object
) -> QuestionData:
    values: dict[str, object] = {
        "difficulty": DEFAULT_DIFFICULTY,
        "score": default_score(kind),
        **common,
        **extra,
    }
    if kind != SHORT_ANSWER:
        values["reference_answer"] = ""
    return QuestionData(type=kind, stem=stem, explanation=explanation, **values)  # type: ignore[arg-type]


# --- export ------------------------------------------------------------------------------


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "#=~{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _meta_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("]", "\\]").replace("\r", "").replace("\n", "\\n")


def _meta_line(data: QuestionData) -> str:
    pairs = [("difficulty", str(data.difficulty)), ("score", weight_text(data.score))]
    for key, value in (
        ("law", data.article_law),
        ("article", data.article),
        ("article_text", data.article_text),
        ("reference", data.reference_answer),
    ):
        if value:
            pairs.append((key, value))
    pairs.extend(("tag", tag) for tag in data.tags)
    return "// " + " ".join(f"[{k}:{_meta_value(v)}]" for k, v in pairs)


def _answers(data: QuestionData) -> list[str]:
    if data.type == TRUE_FALSE:
        return ["TRUE" if data.truth else "FALSE"]
    if data.type == FILL_IN:
        return [f"={_escape(a)}" for a in data.accepted]
    if data.type == SHORT_ANSWER:
        return []
    lines = []
    for option in data.options:
        if data.type == SINGLE and option.weight == FULL:
            mark = "="
        elif option.weight == 0:
            # A text that itself starts with % would read as a weight.
            mark = "~%0%" if option.text.startswith("%") else "~"
        else:
            mark = f"~%{weight_text(option.weight)}%"
        feedback = f"#{_escape(option.feedback)}" if option.feedback else ""
        lines.append(f"{mark}{_escape(option.text)}{feedback}")
    return lines


def export_gift(questions: Iterable[QuestionData]) -> str:
    """A GIFT file Moodle can import and `parse_gift` reads back into the same questions."""
    out = ["// 任前法律考试题库（GIFT 格式）", ""]
    topic: tuple[str, ...] | None = None
    for data in questions:
        if data.topic != topic:
            topic = data.topic
            out += [f"$CATEGORY: {join_path(topic)}", ""]
        name = f"::{_escape(data.code)}::" if data.code else ""
        out.append(_meta_line(data))
        answers = _answers(data)
        feedback = f"####{_escape(data.explanation)}" if data.explanation else ""
        head = f"{name}{_escape(data.stem)}"
        if data.type == TRUE_FALSE or not answers:
            out.append(f"{head}{{{''.join(answers)}{feedback}}}")
        else:
            out.append(head + "{")
            out += [f"\t{line}" for line in answers]
            if feedback:
                out.append(f"\t{feedback}")
            out.append("}")
        out.append("")
    return "\n".join(out)

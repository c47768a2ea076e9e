"""Moodle XML (qformat_xml): `<quiz>` holding `<question type="…">` elements; a category is
a pseudo-question `<question type="category"><category><text>$course$/宪法</text>…`.

Read: multichoice (`<single>` true → single choice, false → multiple choice; each `<answer
fraction="…">` with `<text>` and `<feedback>`), truefalse, shortanswer (→ fill-in; every
answer must be fully right), essay (→ short answer, `<graderinfo>` is the reference
answer). `<name>`/`<idnumber>` give the code, `<generalfeedback>` the explanation,
`<defaultgrade>` the score, `<tags>` the tags. Our own elements `<difficulty>`,
`<articlelaw>`, `<article>`, `<articletext>` carry what Moodle has no field for; Moodle
ignores them. Numerical, matching, cloze and the other types are refused with the line.

Safety: the file comes from outside. It is parsed by expat with no DTD: a file with a
`<!DOCTYPE>` (where entity expansion and external entities live) is refused outright, so
neither "billion laughs" nor a file read through an entity is possible."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal
from xml.parsers import expat

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

_MOODLE_TYPES = {
    "multichoice": "选择题",
    "truefalse": "判断题",
    "shortanswer": "填空题",
    "essay": "简答题",
    "numerical": "数值题",
    "calculated": "计算题",
    "calculatedsimple": "计算题",
    "calculatedmulti": "计算题",
    "match": "匹配题",
    "multianswer": "完形填空（Cloze）题",
    "ddwtos": "拖放题",
    "gapselect": "选词填空题",
    "description": "说明文字",
}


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Builder:
    """ElementTree elements from expat events, each with the line it starts on."""

    def __init__(self) -> None:
        self.lines: dict[int, int] = {}
        self.root: ET.Element | None = None
        self.stack: list[ET.Element] = []
        self.parser = expat.ParserCreate()
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True

    def _doctype(self, *args: object) -> None:
        raise _Refused(self.parser.CurrentLineNumber, "文件含有 DOCTYPE 声明，出于安全原因不予导入")

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        element = ET.Element(tag, attrs)
        self.lines[id(element)] = self.parser.CurrentLineNumber
        if self.stack:
            self.stack[-1].append(element)
        else:
            self.root = element
        self.stack.append(element)

    def _end(self, tag: str) -> None:
        self.stack.pop()

    def _text(self, data: str) -> None:
        if not self.stack:
            return
        current = self.stack[-1]
        if len(current):
            current[-1].tail = (current[-1].tail or "") + data
        else:
            current.text = (current.text or "") + data

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 0)


def _read(source: str | bytes, result: ParseResult) -> _Builder | None:
    builder = _Builder()
    try:
        if isinstance(source, str):
            builder.parser.Parse(source.encode("utf-8"), True)
        else:
            builder.parser.Parse(source, True)
    except _Refused as refused:
        result.errors.append(LineError(refused.line, refused.message))
        return None
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        result.errors.append(LineError(exc.lineno, f"XML 格式错误（{reason}），请检查标签是否成对"))
        return None
    if builder.root is None or builder.root.tag != "quiz":
        result.errors.append(LineError(1, "不是 Moodle XML 题库文件：根元素应为 <quiz>"))
        return None
    return builder


def _text_of(element: ET.Element | None, path: str = "text") -> str:
    """The text of `element/path`, HTML turned into plain text when the format says html."""
    if element is None:
        return ""
    node = element.find(path) if path else element
    raw = (node.text or "") if node is not None else ""
    if element.get("format", "") in ("html", "moodle_auto_format"):
        raw = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", "\n", raw, flags=re.I)
        raw = html.unescape(re.sub(r"<[^>]+>", "", raw))
    return raw.strip()


def parse_moodle_xml(source: str | bytes, *, default_topic: tuple[str, ...] = ()) -> ParseResult:
    result = ParseResult()
    builder = _read(source, result)
    if builder is None:
        return result
    assert builder.root is not None
    topic = default_topic
    for element in builder.root:
        line = builder.line(element)
        if element.tag != "question":
            result.errors.append(
                LineError(line, f"<quiz> 里只能有 <question>，不能有 <{element.tag}>")
            )
            continue
        kind = element.get("type", "")
        if kind == "category":
            topic = split_path(_text_of(element.find("category")))
            if not topic:
                result.errors.append(LineError(line, "分类（category）没有名称"))
            continue
        try:
            data = _question(element, kind, line)
        except _Refused as refused:
            result.errors.append(LineError(refused.line, refused.message))
            continue
        if not topic:
            result.errors.append(
                LineError(line, "没有指定知识点：请在文件中加分类（category）或在导入时选择知识点")
            )
            continue
        result.questions.append(ParsedQuestion(line, data.with_topic(topic)))
    return result.check()


def _answers(element: ET.Element, line: int) -> list[tuple[Decimal, str, str]]:
    found = []
    for answer in element.findall("answer"):
        try:
            fraction = to_decimal(answer.get("fraction", "0"), "得分比例（fraction）")
        except ValueError as exc:
            raise _Refused(line, str(exc)) from None
        found.append((fraction, _text_of(answer), _text_of(answer.find("feedback"))))
    return found


def _question(element: ET.Element, kind: str, line: int) -> QuestionData:
    if kind not in ("multichoice", "truefalse", "shortanswer", "essay"):
        label = _MOODLE_TYPES.get(kind, f"「{kind}」类型")
        raise _Refused(line, f"不支持{label}：题库只有单选、多选、判断、填空和简答题")
    stem = _text_of(element.find("questiontext"))
    common = _common(element, line)
    answers = _answers(element, line)
    if kind == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        options = tuple(
            OptionData(text, fraction, feedback) for fraction, text, feedback in answers
        )
        return _make(SINGLE if single else MULTIPLE, stem, common, options=options)
    if kind == "truefalse":
        right = [text.lower() for fraction, text, _ in answers if fraction == FULL]
        if len(right) != 1 or right[0] not in ("true", "false"):
            raise _Refused(line, "判断题应有一个得分比例为 100 的答案 true 或 false")
        return _make(TRUE_FALSE, stem, common, truth=right[0] == "true")
    if kind == "shortanswer":
        if any(fraction != FULL for fraction, _, _ in answers):
            raise _Refused(
                line, '填空题的每个答案都应是全对的答案（fraction="100"），不支持部分得分'
            )
        return _make(FILL_IN, stem, common, accepted=tuple(text for _, text, _ in answers))
    reference = _text_of(element.find("graderinfo"))
    return _make(SHORT_ANSWER, stem, common, reference_answer=reference)


def _common(element: ET.Element, line: int) -> dict[str, object]:
    common: dict[str, object] = {
        "code": (element.findtext("idnumber") or "").strip() or _text_of(element.find("name")),
        "explanation": _text_of(element.find("generalfeedback")),
        "tags": tuple(t for t in (_text_of(tag) for tag in element.findall("tags/tag")) if t),
        "article_law": (element.findtext("articlelaw") or "").strip(),
        "article": (element.findtext("article") or "").strip(),
        "article_text": (element.findtext("articletext") or "").strip(),
    }
    grade = element.findtext("defaultgrade")
    if grade and grade.strip():
        try:
            common["score"] = to_decimal(grade, "分值（defaultgrade）")
        except ValueError as exc:
            raise _Refused(line, str(exc)) from None
    difficulty = (element.findtext("difficulty") or "").strip()
    if difficulty:
        if not difficulty.isdigit():
            raise _Refused(line, f"难度「{difficulty}」应为 1 到 5 的整数")
        common["difficulty"] = int(difficulty)
    return common


def _make(kind: str, stem: str, common: dict[str, object], **extra: object) -> QuestionData:
    values: dict[str, object] = {
        "difficulty": DEFAULT_DIFFICULTY,
        "score": default_score(kind),
        **common,
        **extra,
    }
    return QuestionData(type=kind, stem=stem, **values)  # type: ignore[arg-type]


# --- export ------------------------------------------------------------------------------


def _sub_text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "text").text = text
    return element


def _question_element(quiz: ET.Element, data: QuestionData) -> None:
    kind = {
        SINGLE: "multichoice",
        MULTIPLE: "multichoice",
        TRUE_FALSE: "truefalse",
        FILL_IN: "shortanswer",
        SHORT_ANSWER: "essay",
    }[data.type]
    question = ET.SubElement(quiz, "question", {"type": kind})
    _sub_text(question, "name", data.code or data.stem[:40])
    _sub_text(question, "questiontext", data.stem, format="plain_text")
    _sub_text(question, "generalfeedback", data.explanation, format="plain_text")
    ET.SubElement(question, "defaultgrade").text = weight_text(data.score)
    ET.SubElement(question, "penalty").text = "0"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = data.code
    if data.type in (SINGLE, MULTIPLE):
        ET.SubElement(question, "single").text = "true" if data.type == SINGLE else "false"
        ET.SubElement(question, "shuffleanswers").text = "true"
        ET.SubElement(question, "answernumbering").text = "ABCD"
        for option in data.options:
            answer = _sub_text(
                question,
                "answer",
                option.text,
                fraction=weight_text(option.weight),
                format="plain_text",
            )
            _sub_text(answer, "feedback", option.feedback, format="plain_text")
    elif data.type == TRUE_FALSE:
        for value in ("true", "false"):
            right = (value == "true") == bool(data.truth)
            answer = _sub_text(
                question,
                "answer",
                value,
                fraction="100" if right else "0",
                format="moodle_auto_format",
            )
            _sub_text(answer, "feedback", "", format="plain_text")
    elif data.type == FILL_IN:
        ET.SubElement(question, "usecase").text = "0"
        for accepted in data.accepted:
            answer = _sub_text(question, "answer", accepted, fraction="100", format="plain_text")
            _sub_text(answer, "feedback", "", format="plain_text")
    else:
        ET.SubElement(question, "responseformat").text = "editor"
        ET.SubElement(question, "responserequired").text = "1"
        ET.SubElement(question, "responsefieldlines").text = "10"
        ET.SubElement(question, "attachments").text = "0"
        _sub_text(question, "graderinfo", data.reference_answer, format="plain_text")
    ET.SubElement(question, "difficulty").text = str(data.difficulty)
    ET.SubElement(question, "articlelaw").text = data.article_law
    ET.SubElement(question, "article").text = data.article
    ET.SubElement(question, "articletext").text = data.article_text
    if data.tags:
        tags = ET.SubElement(question, "tags")
        for tag in data.tags:
            _sub_text(tags, "tag", tag)


def export_moodle_xml(questions: Iterable[QuestionData]) -> bytes:
    quiz = ET.Element("quiz")
    topic: tuple[str, ...] | None = None
    for data in questions:
        if data.topic != topic:
            topic = data.topic
            category = ET.SubElement(quiz, "question", {"type": "category"})
            _sub_text(category, "category", "$course$/" + join_path(topic))
        _question_element(quiz, data)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)

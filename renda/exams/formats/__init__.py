"""The question-file formats the bank reads and writes, in pure Python: GIFT, Aiken and
Moodle XML (the Excel template goes through core.imports, see exams/imports.py).

Each format gives `parse(text, default_topic=…) -> ParseResult` (questions, or line-numbered
Chinese errors; a file with any error is used not at all) and `export(questions) -> (bytes,
skipped)`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .aiken import export_aiken, parse_aiken
from .content import (
    TYPE_LABELS,
    TYPES,
    LineError,
    OptionData,
    ParsedQuestion,
    ParseResult,
    QuestionData,
    problems,
)
from .gift import export_gift, parse_gift
from .moodle_xml import export_moodle_xml, parse_moodle_xml


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    extension: str
    content_type: str
    parse: Callable[..., ParseResult]
    export: Callable[[Iterable[QuestionData]], tuple[bytes, list[QuestionData]]]


def _gift(questions: Iterable[QuestionData]) -> tuple[bytes, list[QuestionData]]:
    return export_gift(questions).encode("utf-8"), []


def _aiken(questions: Iterable[QuestionData]) -> tuple[bytes, list[QuestionData]]:
    text, skipped = export_aiken(questions)
    return text.encode("utf-8"), skipped


def _xml(questions: Iterable[QuestionData]) -> tuple[bytes, list[QuestionData]]:
    return export_moodle_xml(questions), []


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("gift", "GIFT", "txt", "text/plain; charset=utf-8", parse_gift, _gift),
        Format("aiken", "Aiken", "txt", "text/plain; charset=utf-8", parse_aiken, _aiken),
        Format(
            "moodle_xml",
            "Moodle XML",
            "xml",
            "application/xml; charset=utf-8",
            parse_moodle_xml,
            _xml,
        ),
    )
}

__all__ = [
    "FORMATS",
    "TYPES",
    "TYPE_LABELS",
    "Format",
    "LineError",
    "OptionData",
    "ParseResult",
    "ParsedQuestion",
    "QuestionData",
    "problems",
]

"""Question files in and out. An import is planned first (every topic resolved, every code
matched, every problem found, with the file's line), then written in ONE transaction: a file
with any error writes nothing. A question whose code is already in the bank is updated (a
new version when its content differs, nothing when it is the same), so importing the same
export twice changes nothing. Every export is audited with the codes it let out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renda.core import audit

from ..formats import FORMATS
from ..formats.content import LineError, ParsedQuestion, QuestionData
from ..models import Question, QuestionStatus, Topic
from ..permissions import require_bank_manager
from .bank import clean_data, create_question, create_topic, edit_question


@dataclass
class PlannedQuestion:
    line: int
    data: QuestionData
    existing: Question | None
    action: str  # "create" | "update" | "unchanged"


@dataclass
class ImportPlan:
    items: list[PlannedQuestion] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    new_topics: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.items)

    def counts(self) -> dict[str, int]:
        counted = Counter(item.action for item in self.items)
        return {key: counted.get(key, 0) for key in ("create", "update", "unchanged")}


def topic_index() -> dict[tuple[str, ...], Topic]:
    topics = {t.pk: t for t in Topic.objects.all()}

    def path(topic: Topic) -> tuple[str, ...]:
        names = []
        node: Topic | None = topic
        while node is not None:
            names.append(node.name)
            node = topics.get(node.parent_id) if node.parent_id else None
        return tuple(reversed(names))

    return {path(t): t for t in topics.values()}


def _find_topic(index: dict[tuple[str, ...], Topic], path: tuple[str, ...]) -> Topic | None:
    if path in index:
        return index[path]
    # A file from elsewhere may name the law alone, or nest it under its own categories.
    ends = [topic for known, topic in index.items() if known[-len(path) :] == path]
    if len(ends) == 1:
        return ends[0]
    named = [topic for known, topic in index.items() if known[-1] == path[-1]]
    return named[0] if len(named) == 1 else None


def plan_import(parsed: list[ParsedQuestion], *, create_topics: bool = False) -> ImportPlan:
    """What an import would do; reads only."""
    plan = ImportPlan()
    index = topic_index()
    seen: dict[str, int] = {}
    codes = [clean_data(p.data).code for p in parsed if p.data.code.strip()]
    existing = {
        q.code: q
        for q in Question.objects.filter(code__in=codes).select_related("current", "topic")
    }
    for item in parsed:
        data = clean_data(item.data)
        if data.code:
            if data.code in seen:
                plan.errors.append(
                    LineError(item.line, f"编号「{data.code}」与第 {seen[data.code]} 行的题目重复")
                )
                continue
            seen[data.code] = item.line
        topic = _find_topic(index, data.topic)
        if topic is None:
            if not create_topics:
                plan.errors.append(
                    LineError(
                        item.line,
                        f"知识点「{'/'.join(data.topic)}」不存在：请先在知识点管理中添加，或勾选“自动新建知识点”",
                    )
                )
                continue
            if data.topic not in plan.new_topics:
                plan.new_topics.append(data.topic)
        question = existing.get(data.code) if data.code else None
        plan.items.append(
            PlannedQuestion(item.line, data, question, _action(question, data, topic))
        )
    if not plan.items and not plan.errors:
        plan.errors.append(LineError(0, "文件中没有试题"))
    return plan


def _action(question: Question | None, data: QuestionData, topic: Topic | None) -> str:
    if question is None:
        return "create"
    if question.status == QuestionStatus.RETIRED:
        return "update"  # refused when written, with the line
    same_content = (
        question.current is not None and question.current.fingerprint == data.fingerprint()
    )
    same_topic = topic is not None and topic.pk == question.topic_id
    same_tags = sorted(question.tags.values_list("name", flat=True)) == sorted(data.tags)
    return "unchanged" if same_content and same_topic and same_tags else "update"


def _ensure_topic(actor: Any, index: dict[tuple[str, ...], Topic], path: tuple[str, ...]) -> Topic:
    found = _find_topic(index, path)
    if found is not None:
        return found
    parent: Topic | None = None
    for depth in range(1, len(path) + 1):
        prefix = path[:depth]
        node = index.get(prefix)
        if node is None:
            node = create_topic(actor=actor, name=prefix[-1], parent=parent)
            index[prefix] = node
        parent = node
    assert parent is not None
    return parent


@transaction.atomic
def import_questions(
    *,
    actor: Any,
    plan: ImportPlan,
    status: str = QuestionStatus.DRAFT,
    source: str,
    file_name: str = "",
) -> dict[str, int]:
    """Write a clean plan; any refusal undoes the whole file (the message names the line)."""
    require_bank_manager(actor)
    if not plan.ok:
        raise ValidationError([str(e) for e in plan.errors] or ["文件中没有试题"])
    index = topic_index()
    details = {"import": source, "file_name": file_name}
    for item in plan.items:
        if item.action == "unchanged":
            continue
        try:
            topic = _ensure_topic(actor, index, item.data.topic)
            if item.existing is None:
                create_question(
                    actor=actor, topic=topic, data=item.data, status=status, audit_details=details
                )
            else:
                edit_question(
                    actor=actor,
                    question=item.existing,
                    data=item.data,
                    topic=topic,
                    audit_details=details,
                )
        except ValidationError as exc:
            raise ValidationError([f"第 {item.line} 行：{m}" for m in exc.messages]) from exc
    counts = plan.counts()
    audit.record(
        actor=actor,
        action="exam.bank_import",
        details={"format": source, "file_name": file_name, **counts},
    )
    return counts


def _excel(datas: list[QuestionData]) -> tuple[bytes, list[QuestionData]]:
    from renda.lib.excel import build_xlsx

    from ..imports import HEADERS, QuestionImportSpec, excel_exportable, excel_row

    kept = [d for d in datas if excel_exportable(d)]
    rows = (excel_row(d) for d in kept)
    return build_xlsx(QuestionImportSpec.title, HEADERS, rows), [d for d in datas if d not in kept]


def record_import_refused(*, actor: Any, format: str, file_name: str, errors: list[str]) -> None:
    """A refused file wrote nothing, but someone tried: the attempt is on the record."""
    require_bank_manager(actor)
    audit.record(
        actor=actor,
        action="exam.bank_import_refused",
        outcome="failure",
        details={
            "format": format,
            "file_name": file_name,
            "errors": len(errors),
            "first": errors[0] if errors else "",
        },
    )


# --- export ------------------------------------------------------------------------------------


def question_data(question: Question) -> QuestionData:
    assert question.current is not None
    return question.current.to_data(
        topic=question.topic.path,
        tags=tuple(sorted(t.name for t in question.tags.all())),
        code=question.code,
    )


def export_questions(
    *, actor: Any, questions: Iterable[Question], format: str
) -> tuple[bytes, list[str]]:
    """The file of `questions` in `format`, and the codes the format could not hold. Audited
    with every exported code: a bank export is the most sensitive thing staff can do here."""
    require_bank_manager(actor)
    chosen = [q for q in questions if q.current is not None]
    chosen.sort(key=lambda q: (q.topic.path, q.code))
    datas = [question_data(q) for q in chosen]
    if format == "xlsx":
        content, skipped = _excel(datas)
    else:
        content, skipped = FORMATS[format].export(datas)
    skipped_codes = [d.code for d in skipped]
    audit.record(
        actor=actor,
        action="exam.bank_export",
        details={
            "format": format,
            "count": len(chosen) - len(skipped_codes),
            "codes": [q.code for q in chosen if q.code not in set(skipped_codes)],
            "skipped": skipped_codes,
        },
    )
    return content, skipped_codes

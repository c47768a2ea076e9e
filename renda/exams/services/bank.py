"""Topics and questions. A question's content lives in versions: `create_question` writes
version 1, `edit_question` writes version n+1 (when the content changed) and moves
`current`; nothing ever updates or deletes a version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from renda.core import audit

from ..formats.content import QuestionData, problems
from ..models import Question, QuestionStatus, QuestionTag, QuestionVersion, Topic
from ..permissions import require_bank_manager


def clean_data(data: QuestionData) -> QuestionData:
    """Texts stripped, so that the same question typed twice is the same content."""
    from dataclasses import replace

    return replace(
        data,
        stem=data.stem.strip(),
        options=tuple(
            replace(o, text=o.text.strip(), feedback=o.feedback.strip()) for o in data.options
        ),
        accepted=tuple(a.strip() for a in data.accepted if a.strip()),
        reference_answer=data.reference_answer.strip(),
        explanation=data.explanation.strip(),
        article_law=data.article_law.strip(),
        article=data.article.strip(),
        article_text=data.article_text.strip(),
        tags=tuple(dict.fromkeys(t.strip() for t in data.tags if t.strip())),
        code=data.code.strip(),
    )


def check_data(data: QuestionData) -> None:
    found = problems(data)
    if found:
        raise ValidationError(found)


# --- topics ----------------------------------------------------------------------------------


@transaction.atomic
def create_topic(*, actor: Any, name: str, parent: Topic | None = None, order: int = 0) -> Topic:
    require_bank_manager(actor)
    topic = Topic(name=name.strip(), parent=parent, order=order)
    _check_topic(topic)
    topic.save()
    audit.record(
        actor=actor, action="exam.topic_create", target=topic, details={"path": topic.path_label}
    )
    return topic


@transaction.atomic
def rename_topic(*, actor: Any, topic: Topic, name: str, order: int | None = None) -> Topic:
    require_bank_manager(actor)
    old = topic.path_label
    topic.name = name.strip()
    if order is not None:
        topic.order = order
    _check_topic(topic)
    topic.save()
    audit.record(
        actor=actor,
        action="exam.topic_edit",
        target=topic,
        details={"from": old, "to": topic.path_label},
    )
    return topic


def _check_topic(topic: Topic) -> None:
    if not topic.name:
        raise ValidationError({"name": "请填写知识点名称"})
    siblings = Topic.objects.filter(parent=topic.parent, name=topic.name).exclude(pk=topic.pk)
    if siblings.exists():
        raise ValidationError({"name": f"同一级下已有知识点「{topic.name}」"})
    topic.full_clean(validate_constraints=False)


# --- questions -------------------------------------------------------------------------------


def _version_fields(data: QuestionData) -> dict[str, Any]:
    content = data.content()
    answer: dict[str, Any] = {}
    if data.accepted:
        answer["accepted"] = list(data.accepted)
    if data.truth is not None:
        answer["truth"] = data.truth
    if data.reference_answer:
        answer["reference"] = data.reference_answer
    return {
        "type": data.type,
        "stem": data.stem,
        "options": content["options"],
        "answer": answer,
        "explanation": data.explanation,
        "difficulty": data.difficulty,
        "score": data.score,
        "article_law": data.article_law,
        "article": data.article,
        "article_text": data.article_text,
        "fingerprint": data.fingerprint(),
    }


def _new_version(
    actor: Any, question: Question, data: QuestionData, number: int
) -> QuestionVersion:
    version = QuestionVersion(
        question=question, number=number, created_by=_user(actor), **_version_fields(data)
    )
    version.full_clean(exclude=["question"], validate_constraints=False)
    version.save()
    return version


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _set_tags(question: Question, names: Iterable[str]) -> None:
    tags = [QuestionTag.objects.get_or_create(name=name)[0] for name in names]
    question.tags.set(tags)


def _free_code(code: str, exclude: int | None = None) -> None:
    if len(code) > 40:
        raise ValidationError({"code": "编号不能超过 40 个字符"})
    others = Question.objects.filter(code=code)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"code": f"编号「{code}」已被另一道题使用"})


@transaction.atomic
def create_question(
    *,
    actor: Any,
    topic: Topic,
    data: QuestionData,
    status: str = QuestionStatus.DRAFT,
    audit_details: dict[str, Any] | None = None,
) -> Question:
    """A new question with version 1. Without a code the bank numbers it (TK-00042)."""
    require_bank_manager(actor)
    data = clean_data(data)
    check_data(data)
    if status not in (QuestionStatus.DRAFT, QuestionStatus.READY):
        raise ValidationError({"status": "新题只能是草稿或可用"})
    if data.code:
        _free_code(data.code)
    question = Question.objects.create(
        code=data.code or f"new-{uuid.uuid4().hex}",
        topic=topic,
        status=status,
        created_by=_user(actor),
    )
    if not data.code:
        question.code = _generated_code(question.pk)
    question.current = _new_version(actor, question, data, 1)
    question.save(update_fields=["code", "current", "updated_at"])
    _set_tags(question, data.tags)
    audit.record(
        actor=actor,
        action="exam.question_create",
        target=question,
        details={
            "code": question.code,
            "type": data.type,
            "topic": topic.path_label,
            **(audit_details or {}),
        },
    )
    return question


def _generated_code(pk: int) -> str:
    code, suffix = f"TK-{pk:05d}", 1
    while Question.objects.filter(code=code).exists():
        suffix += 1
        code = f"TK-{pk:05d}-{suffix}"
    return code


@transaction.atomic
def edit_question(
    *,
    actor: Any,
    question: Question,
    data: QuestionData,
    topic: Topic | None = None,
    audit_details: dict[str, Any] | None = None,
) -> QuestionVersion | None:
    """Save an edit: a new version when the content changed (returned), else None; topic,
    tags and code belong to the question and change in place. A retired question is not
    edited: restore it first."""
    require_bank_manager(actor)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.status == QuestionStatus.RETIRED:
        raise ValidationError("已停用的试题不能修改，请先恢复。")
    data = clean_data(data)
    check_data(data)
    changed: list[str] = []
    if data.code and data.code != locked.code:
        _free_code(data.code, exclude=locked.pk)
        locked.code = data.code
        changed.append("code")
    if topic is not None and topic.pk != locked.topic_id:
        locked.topic = topic
        changed.append("topic")
    current = locked.current
    version = None
    if current is None or current.fingerprint != data.fingerprint():
        number = (current.number if current else 0) + 1
        version = _new_version(actor, locked, data, number)
        locked.current = version
        changed.append("content")
    old_tags = sorted(locked.tags.values_list("name", flat=True))
    if old_tags != sorted(data.tags):
        _set_tags(locked, data.tags)
        changed.append("tags")
    if not changed:
        return None
    locked.save()
    audit.record(
        actor=actor,
        action="exam.question_edit",
        target=locked,
        details={
            "code": locked.code,
            "changed": changed,
            "version": locked.current.number if locked.current else None,
            **(audit_details or {}),
        },
    )
    question.refresh_from_db()
    return version


def _set_status(
    actor: Any, question: Question, status: str, allowed: set[str], action: str, refusal: str
) -> Question:
    require_bank_manager(actor)
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.status not in allowed:
        raise ValidationError(refusal.format(status=locked.get_status_display()))
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action=action,
        target=locked,
        details={"code": locked.code, "from": before, "to": status},
    )
    question.refresh_from_db()
    return locked


@transaction.atomic
def mark_question_ready(*, actor: Any, question: Question) -> Question:
    return _set_status(
        actor,
        question,
        QuestionStatus.READY,
        {QuestionStatus.DRAFT},
        "exam.question_ready",
        "试题当前为“{status}”，只有草稿可以设为可用。",
    )


@transaction.atomic
def retire_question(*, actor: Any, question: Question) -> Question:
    """A retired question is never drawn again; papers that used it keep their version."""
    return _set_status(
        actor,
        question,
        QuestionStatus.RETIRED,
        {QuestionStatus.DRAFT, QuestionStatus.READY},
        "exam.question_retire",
        "试题当前为“{status}”，不能再停用。",
    )


@transaction.atomic
def restore_question(*, actor: Any, question: Question) -> Question:
    """Back to draft: staff look at it again before it is drawn."""
    return _set_status(
        actor,
        question,
        QuestionStatus.DRAFT,
        {QuestionStatus.RETIRED},
        "exam.question_restore",
        "试题当前为“{status}”，只有停用的试题可以恢复。",
    )


# --- who looked at the bank --------------------------------------------------------------------


def record_question_view(
    *, actor: Any, question: Question, version: QuestionVersion | None = None
) -> None:
    """Every look at a question's content is audited: leaked questions are the known failure."""
    require_bank_manager(actor)
    audit.record(
        actor=actor,
        action="exam.question_view",
        target=question,
        details={"code": question.code, "version": version.number if version else None},
    )


def record_bank_list_view(*, actor: Any, filters: dict[str, Any], shown: list[str]) -> None:
    require_bank_manager(actor)
    audit.record(
        actor=actor, action="exam.bank_list_view", details={"filters": filters, "codes": shown}
    )

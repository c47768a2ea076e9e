"""The bank's services: versions, statuses, the content rules and who may write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from renda.core.models import AuditEvent
from renda.exams import services
from renda.exams.formats.content import OptionData
from renda.exams.models import QuestionStatus, QuestionVersion, Topic

from .factories import law, make_question, single

pytestmark = pytest.mark.django_db


def test_the_laws_are_topics_from_the_start() -> None:
    names = set(Topic.objects.filter(parent=None).values_list("name", flat=True))
    assert {"宪法", "监督法", "代表法", "民法典", "人民检察院组织法"} <= names


def test_create_writes_version_one_and_numbers_the_question(world: Any) -> None:
    question = make_question(world.staff)
    assert question.code.startswith("TK-")
    assert question.status == QuestionStatus.DRAFT
    assert question.current is not None and question.current.number == 1
    assert question.current.citation == "《宪法》第二条"
    assert [t.name for t in question.tags.all()] == ["国家根本制度"]
    assert AuditEvent.objects.filter(
        action="exam.question_create", target_id=str(question.pk)
    ).exists()


def test_an_edit_makes_a_new_version_and_keeps_the_old_one(world: Any) -> None:
    question = make_question(world.staff)
    first = question.current
    version = services.edit_question(
        actor=world.staff, question=question, data=single(stem="一切权力属于谁？")
    )
    assert version is not None and version.number == 2
    question.refresh_from_db()
    assert question.current == version
    assert first is not None
    first.refresh_from_db()
    assert first.stem == "中华人民共和国的一切权力属于（　）。"
    assert list(question.versions.values_list("number", flat=True)) == [2, 1]


def test_saving_the_same_content_makes_no_version(world: Any) -> None:
    question = make_question(world.staff)
    assert services.edit_question(actor=world.staff, question=question, data=single()) is None
    assert question.versions.count() == 1


def test_a_version_cannot_be_changed_once_written(world: Any) -> None:
    version = make_question(world.staff).current
    assert version is not None
    version.stem = "改过的题干"
    with pytest.raises(ValidationError):
        version.save()


@pytest.mark.parametrize(
    "data, message",
    [
        (single(options=(OptionData("人民"), OptionData("国家机关"))), "没有正确答案"),
        (
            single(options=(OptionData("人民", Decimal(100)), OptionData("人民 "))),
            "选项「人民」重复",
        ),
        (
            single(
                type="multiple",
                options=(OptionData("甲", Decimal(50)), OptionData("乙", Decimal(40))),
            ),
            "得分比例之和应为 100%，现为 90%",
        ),
        (single(type="fill_in", options=(), accepted=()), "填空题没有正确答案"),
        (single(type="true_false", options=()), "判断题没有正确答案"),
        (single(difficulty=6), "难度应为 1 到 5"),
        (single(score=Decimal(0)), "分值应大于 0"),
        (single(stem="  "), "题干不能为空"),
    ],
)
def test_unusable_questions_are_refused_in_chinese(world: Any, data: Any, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        make_question(world.staff, data)
    assert any(message in m for m in refused.value.messages), refused.value.messages
    assert not QuestionVersion.objects.exists()


def test_retire_and_restore(world: Any) -> None:
    question = make_question(world.staff)
    services.mark_question_ready(actor=world.staff, question=question)
    assert question.status == QuestionStatus.READY
    services.retire_question(actor=world.staff, question=question)
    assert question.status == QuestionStatus.RETIRED
    with pytest.raises(ValidationError):
        services.edit_question(actor=world.staff, question=question, data=single(stem="新"))
    with pytest.raises(ValidationError):
        services.retire_question(actor=world.staff, question=question)
    services.restore_question(actor=world.staff, question=question)
    assert question.status == QuestionStatus.DRAFT
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"exam.question_ready", "exam.question_retire", "exam.question_restore"} <= actions


@pytest.mark.parametrize("persona", ["sc_member", "deputy", "nominee", "handling_officer"])
def test_only_exam_administrators_write_the_bank(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        make_question(world.users[persona])


def test_codes_are_unique(world: Any) -> None:
    make_question(world.staff, single(code="XF-1"))
    with pytest.raises(ValidationError, match="已被另一道题使用"):
        make_question(world.staff, single(code="XF-1"))


def test_the_database_keeps_the_invariants(world: Any) -> None:
    question = make_question(world.staff)
    fields = {
        "type": "single",
        "stem": "x",
        "difficulty": 3,
        "score": Decimal(1),
        "fingerprint": "0" * 64,
    }
    for bad in (
        {"number": 1},
        {"number": 2, "difficulty": 0},
        {"number": 2, "score": Decimal(0)},
        {"number": 2, "type": "numerical"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            QuestionVersion.objects.create(question=question, **{**fields, **bad})
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.create(name="宪法")


def test_topics_extend_the_tree(world: Any) -> None:
    child = services.create_topic(actor=world.staff, name="国家机构", parent=law())
    assert child.path == ("宪法", "国家机构")
    with pytest.raises(ValidationError, match="同一级下已有"):
        services.create_topic(actor=world.staff, name="国家机构", parent=law())
    services.rename_topic(actor=world.staff, topic=child, name="国家机构（第三章）")
    assert Topic.objects.get(pk=child.pk).path_label == "宪法 / 国家机构（第三章）"

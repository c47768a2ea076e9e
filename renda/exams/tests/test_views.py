"""The bank's pages: who may open them, that every look and every export is on the audit
log, and the file import's preview → confirm (a bad file writes nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from renda.core.models import AuditEvent
from renda.exams.models import Question, Topic

from .factories import make_question, single

pytestmark = pytest.mark.django_db

GIFT = "$CATEGORY: 任前法律考试/宪法\n\n::XF-9::一切权力属于{=人民 ~国家机关}\n\n::XF-10::判断{T}\n"


@pytest.mark.parametrize("persona", ["sc_member", "deputy", "nominee", "audit_admin"])
def test_nobody_but_exam_administrators_sees_a_question(
    world: Any, client_for: Any, persona: str
) -> None:
    question = make_question(world.staff)
    client = client_for(persona)
    for url in (
        reverse("exams:bank"),
        reverse("exams:question_detail", args=[question.pk]),
        reverse("exams:bank_export") + "?format=gift",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "人民" not in response.content.decode()
    assert not AuditEvent.objects.filter(
        action__in=["exam.question_view", "exam.bank_export"]
    ).exists()


def test_the_list_filters_and_is_audited(world: Any, client_for: Any) -> None:
    make_question(world.staff, single(code="XF-1"))
    make_question(
        world.staff,
        single(code="XF-2", type="true_false", options=(), truth=False, stem="判断题干"),
    )
    client = client_for("staff")
    page = client.get(
        reverse("exams:bank"), {"type": "true_false", "difficulty": "x"}
    ).content.decode()
    assert "XF-2" in page and "XF-1" not in page
    event = AuditEvent.objects.filter(action="exam.bank_list_view").latest("id")
    assert event.details["codes"] == ["XF-2"] and event.details["filters"] == {"type": "true_false"}
    assert "XF-1" in client.get(reverse("exams:bank"), {"q": "权力"}).content.decode()


def test_a_question_page_shows_versions_and_is_audited(world: Any, client_for: Any) -> None:
    question = make_question(world.staff)
    client = client_for("staff")
    response = client.post(
        reverse("exams:question_edit", args=[question.pk]),
        {
            "topic": question.topic_id,
            "type": "single",
            "code": question.code,
            "stem": "新的题干",
            "options": "人民\n国家机关",
            "answer": "A",
            "difficulty": 2,
            "score": "2",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("exams:question_detail", args=[question.pk])).content.decode()
    assert "新的题干" in page and "第 2 版" in page and "第 1 版" in page
    old = client.get(
        reverse("exams:question_detail", args=[question.pk]), {"version": 1}
    ).content.decode()
    assert "中华人民共和国的一切权力属于" in old and "历史版本" in old
    views = AuditEvent.objects.filter(action="exam.question_view", target_id=str(question.pk))
    assert [e.details["version"] for e in views.order_by("id")][-2:] == [2, 1]


def test_the_form_refuses_a_question_without_a_right_answer(world: Any, client_for: Any) -> None:
    topic = Topic.objects.get(name="宪法")
    response = client_for("staff").post(
        reverse("exams:question_create"),
        {
            "topic": topic.pk,
            "type": "multiple",
            "stem": "题",
            "options": "甲\n乙",
            "answer": "A",
            "weights": "A:40",
            "difficulty": 3,
            "score": "3",
        },
    )
    assert response.status_code == 200
    assert "现为 40%" in response.content.decode()
    assert not Question.objects.exists()


def test_every_export_is_audited_with_its_codes(world: Any, client_for: Any) -> None:
    make_question(world.staff, single(code="XF-1"))
    client = client_for("staff")
    for kind in ("gift", "aiken", "moodle_xml", "xlsx"):
        response = client.get(reverse("exams:bank_export"), {"format": kind})
        assert response.status_code == 200 and response["Content-Disposition"].startswith(
            "attachment"
        )
    exports = AuditEvent.objects.filter(action="exam.bank_export").order_by("id")
    assert [(e.details["format"], e.details["codes"], e.details["skipped"]) for e in exports] == [
        ("gift", ["XF-1"], []),
        ("aiken", ["XF-1"], []),
        ("moodle_xml", ["XF-1"], []),
        # The sheet has no column for an option's feedback: the question is left out, and said so.
        ("xlsx", [], ["XF-1"]),
    ]


def _upload(client: Any, text: str, **extra: Any) -> Any:
    data = {
        "format": "gift",
        "status": "draft",
        "file": SimpleUploadedFile("题.txt", text.encode()),
        **extra,
    }
    return client.post(reverse("exams:bank_import"), data)


def test_import_previews_then_confirms(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    preview = _upload(client, GIFT)
    page = preview.content.decode()
    assert "新增 2 题" in page and not Question.objects.exists()
    payload = preview.context["payload"]
    done = client.post(reverse("exams:bank_import"), {"payload": payload})
    assert done.status_code == 302
    assert set(Question.objects.values_list("code", flat=True)) == {"XF-9", "XF-10"}
    assert AuditEvent.objects.filter(action="exam.bank_import", details__create=2).exists()
    # Confirming the same file again changes nothing.
    client.post(reverse("exams:bank_import"), {"payload": payload})
    assert Question.objects.get(code="XF-9").versions.count() == 1


def test_a_bad_file_shows_its_lines_and_writes_nothing(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    page = _upload(client, GIFT + "\n何年{#1822}\n").content.decode()
    assert "第 7 行" in page and "不支持数值题" in page
    assert not Question.objects.exists()
    assert AuditEvent.objects.filter(action="exam.bank_import_refused").exists()


def test_a_tampered_preview_is_refused(world: Any, client_for: Any) -> None:
    response = client_for("staff").post(
        reverse("exams:bank_import"), {"payload": "x:y:z"}, follow=True
    )
    assert "预览已过期或被改动" in response.content.decode()
    assert not Question.objects.exists()


def test_topics_page_adds_a_topic(world: Any, client_for: Any) -> None:
    parent = Topic.objects.get(name="宪法")
    client_for("staff").post(reverse("exams:topics"), {"name": "国家机构", "parent": parent.pk})
    assert Topic.objects.filter(name="国家机构", parent=parent).exists()

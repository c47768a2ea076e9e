"""The handling unit's workspace: only its own items; reply, return, co-opinion, letter."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from renda.conftest import login
from renda.suggestions import services
from renda.suggestions.models import Assignment, Reply

from .factories import assigned, replied, scene

pytestmark = pytest.mark.django_db


def test_it_shows_an_officer_only_his_units_items(
    world: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    sc = scene(world)
    mine = assigned(sc, title="关于住建局承办的排水建议")
    theirs = services.assign_suggestion(
        actor=world.staff,
        suggestion=services.register_suggestion(
            actor=world.staff,
            suggestion=services.submit_suggestion(
                actor=world.deputy,
                suggestion=services.create_suggestion(
                    actor=world.deputy,
                    deputy=sc.me,
                    title="关于交通局承办的公交建议",
                    content="公交线路太少，建议增开城乡公交。",
                ),
            ),
            field="transport",
        ),
        mode="lead",
        lead_unit=sc.other_unit,
    )
    client = client_for("handling_officer")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("suggestions:unit_home")).content.decode()
    assert mine.title in page and theirs.title not in page
    assert client.get(reverse("suggestions:detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("suggestions:reply", args=[theirs.pk]),
        {"reply_class": "A", "content": "已办理完毕的答复内容。", "signer": "某"},
    )
    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_it_refuses_a_reply_without_a_class(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    response = client_for("handling_officer").post(
        reverse("suggestions:reply", args=[s.pk]),
        {
            "content": "已列入计划，明年实施改造工程。",
            "signer": "刘局长",
            "expected_state": "assigned",
        },
    )
    assert "请选择答复类别" in response.content.decode()
    assert not Reply.objects.exists()
    s.refresh_from_db()
    assert s.state == "assigned"


def test_it_refuses_a_reply_once_closed(world: Any) -> None:
    from django.core.exceptions import ValidationError

    sc = scene(world)
    s = replied(sc)
    services.rate_suggestion(actor=world.deputy, suggestion=s, rating="satisfied")
    with pytest.raises(ValidationError, match="已办结"):
        services.reply_suggestion(
            actor=world.handling_officer,
            suggestion=s,
            reply_class="A",
            content="再次答复的内容文字。",
            signer="刘局长",
        )
    assert Reply.objects.count() == 1


def test_it_refuses_a_return_after_seven_working_days(world: Any, client_for: Any) -> None:
    sc = scene(world)
    s = assigned(sc)
    Assignment.objects.filter(suggestion=s).update(
        return_until=timezone.now() - dt.timedelta(days=1)
    )
    response = client_for("handling_officer").post(
        reverse("suggestions:return", args=[s.pk]),
        {"reason": "不属于本局职责", "expected_state": "assigned"},
    )
    assert "不能退回" in response.content.decode()
    s.refresh_from_db()
    assert s.state == "assigned"


def test_it_sends_the_co_units_opinion_to_the_lead_unit(world: Any, client_for: Any) -> None:
    sc = scene(world, others=1)
    s = assigned(sc, co=True)
    other = login(client_for("anonymous"), sc.other_officer)
    page = other.get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert "协办意见（送主办单位）" in page and "答复代表" not in page
    other.post(reverse("suggestions:opinion", args=[s.pk]), {"opinion": "同意列入道路改造计划。"})
    assert (
        Assignment.objects.get(suggestion=s, unit=sc.other_unit).opinion == "同意列入道路改造计划。"
    )
    assert world.handling_officer.notifications.filter(title__contains="协办意见").exists()


def test_it_generates_the_reply_letter_and_takes_the_signed_scan(
    world: Any, client_for: Any, pdf: Any
) -> None:
    sc = scene(world)
    s = replied(sc, reply_class="B")
    reply = s.replies.get()
    client = client_for("handling_officer")
    response = client.get(reverse("suggestions:reply_letter", args=[reply.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "张建国代表" in text and s.code in text and "B" in text and "刘局长" in text
    client.post(reverse("suggestions:reply_scan", args=[reply.pk]), {"signed_scan": pdf})
    reply.refresh_from_db()
    assert reply.signed_scan


def test_it_refuses_a_renamed_file(world: Any, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sc = scene(world)
    s = replied(sc)
    fake = SimpleUploadedFile("答复件.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for("handling_officer").post(
        reverse("suggestions:reply_scan", args=[s.replies.get().pk]),
        {"signed_scan": fake},
        follow=True,
    )
    assert "内容与扩展名不符" in response.content.decode()
    assert not s.replies.get().signed_scan


def test_it_records_contact_and_photos(world: Any, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sc = scene(world)
    s = assigned(sc)
    client = client_for("handling_officer")
    client.post(
        reverse("suggestions:note_add", args=[s.pk]),
        {
            "kind": "contact",
            "method": "site",
            "occurred_on": timezone.localdate().isoformat(),
            "content": "与代表实地察看",
        },
    )
    photo = SimpleUploadedFile(
        "现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png"
    )
    client.post(
        reverse("suggestions:attachment_add", args=[s.pk]), {"kind": "handling", "file": photo}
    )
    assert s.notes.count() == 1 and s.attachments.filter(kind="handling", unit=sc.unit).count() == 1
    page = client_for("deputy").get(reverse("suggestions:detail", args=[s.pk])).content.decode()
    assert "与代表实地察看" in page and "现场.png" in page

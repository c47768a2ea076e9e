"""Publishing: the upload is checked as uploads are elsewhere (type by content, size), and read
(text, Word preview) before anything is stored — a bad file writes nothing and says why in
Chinese; the release's rules; the database's own checks; edit and withdraw."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.documents import services
from renda.documents.models import Document
from renda.documents.rules import Audience, ReleaseMode
from renda.documents.services import Release

from .factories import docx_file, meeting_document, notified_item, pdf_file, publish

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


BAD_FILES = [
    (SimpleUploadedFile("报告.exe", b"MZ\x90\x00", "application/octet-stream"), "不支持"),
    (
        SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        "内容与扩展名不符",
    ),
    (
        SimpleUploadedFile(
            "报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "application/msword"
        ),
        "不支持",
    ),
    (SimpleUploadedFile("报告.pdf", b"", "application/pdf"), "空文件"),
    (
        SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n garbage without objects", "application/pdf"),
        "无法读取",
    ),
    (
        SimpleUploadedFile("报告.docx", b"PK\x03\x04 broken zip", "application/octet-stream"),
        "无法读取",
    ),
]


@pytest.mark.parametrize(("upload", "message"), BAD_FILES)
def test_a_bad_file_writes_nothing(world: Any, upload: Any, message: str) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refusal:
        publish(world, file=upload)
    assert message in refusal.value.message_dict["file"][0]
    assert not Document.objects.exists()
    assert stored_files() == []
    assert AuditEvent.objects.count() == events


def test_a_zip_that_is_not_a_word_file_is_refused(world: Any) -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "你好")
    with pytest.raises(ValidationError, match="不是 Word 文档"):
        publish(world, file=SimpleUploadedFile("a.docx", out.getvalue()))


def test_the_upload_page_shows_the_reason_next_to_the_file(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    response = client.post(
        reverse("documents:upload"),
        {
            "title": "政府工作报告",
            "kind": "government_work",
            "year": 2026,
            "file": SimpleUploadedFile("报告.pdf", b"<html><script>alert(1)</script>"),
            "audience": Audience.ALL_DEPUTIES,
            "release_mode": ReleaseMode.NOW,
        },
    )
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.content.decode()
    assert not Document.objects.exists()


def test_upload_page_publishes_a_good_file(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    response = client.post(
        reverse("documents:upload"),
        {
            "title": "2026年预算报告",
            "kind": "budget",
            "year": 2026,
            "file": docx_file(),
            "audience": Audience.ALL_DEPUTIES,
            "release_mode": ReleaseMode.NOW,
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:report", args=[document.pk])
    assert document.file_type == "docx" and document.file_name == "预算报告.docx"
    assert "二十五亿元" in document.text and "<table>" in document.preview_html
    assert AuditEvent.objects.filter(
        action="documents.publish", target_id=str(document.pk)
    ).exists()
    # The stored name is random; the original name is kept for the download.
    assert "预算" not in document.file.name


def test_release_rules(world: Any) -> None:
    item = notified_item(world)
    with pytest.raises(ValidationError) as refusal:
        publish(world, audience=Audience.CHOSEN)
    assert "recipients" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        publish(world, mode=ReleaseMode.AT_TIME)
    assert "release_at" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        publish(world, mode=ReleaseMode.AT_MEETING)
    assert "release_mode" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        publish(world, item=item)  # a meeting document goes to the meeting
    assert "audience" in refusal.value.message_dict
    with pytest.raises(ValidationError):
        publish(world, mode=ReleaseMode.AT_TIME, at=dt.datetime(2026, 3, 1, 9))  # naive
    assert not Document.objects.exists() and stored_files() == []


def test_only_staff_publish(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.publish_document(
            actor=world.deputy,
            file=pdf_file(),
            title="x",
            kind="report",
            year=2026,
            release=Release(audience=Audience.ALL_DEPUTIES, mode=ReleaseMode.NOW),
        )


def test_the_database_holds_the_invariants(world: Any) -> None:
    doc = publish(world)
    item = notified_item(world)
    cases = [
        {"audience": Audience.MEETING},  # a meeting audience without an item
        {"agenda_item": item},  # an item with a library audience
        {"release_mode": ReleaseMode.AT_MEETING},  # at the meeting without an item
        {"release_mode": ReleaseMode.AT_TIME, "release_at": None},
        {"state": "withdrawn"},  # withdrawn without a time
        {"file_type": "exe"},
        {"kind": "novel"},
    ]
    for change in cases:
        with pytest.raises(IntegrityError), transaction.atomic():
            Document.objects.filter(pk=doc.pk).update(**change)


def test_edit_changes_the_release_and_keeps_the_file(world: Any) -> None:
    from renda.meetings.tests.factories import a_deputy

    chosen = a_deputy(world, name="王芳")
    doc = publish(world)
    released = doc.release_at
    later = timezone.now() + dt.timedelta(days=1)
    updated = services.update_document(
        actor=world.staff,
        document=doc,
        title="新标题",
        kind="audit",
        year=2025,
        release=Release(audience=Audience.CHOSEN, mode=ReleaseMode.NOW, recipients=[chosen]),
    )
    assert updated.title == "新标题" and updated.release_at == released  # 立即 keeps its time
    assert list(updated.recipient_rows.values_list("deputy_id", flat=True)) == [chosen.pk]
    updated = services.update_document(
        actor=world.staff,
        document=doc,
        title="新标题",
        kind="audit",
        year=2025,
        release=Release(audience=Audience.ALL_DEPUTIES, mode=ReleaseMode.AT_TIME, at=later),
    )
    assert updated.release_at == later and not updated.recipient_rows.exists()
    assert AuditEvent.objects.filter(action="documents.update").count() == 2


def test_meeting_documents_are_attached_on_the_meetings_page(world: Any, client_for: Any) -> None:
    item = notified_item(world)
    client = client_for("staff")
    url = reverse("documents:meeting", args=[item.meeting_id])
    assert "暂无文件" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "政府工作报告（审议稿）",
            "kind": "report",
            "year": 2026,
            "file": pdf_file(),
            "agenda_item": item.pk,
            "release_mode": ReleaseMode.AT_MEETING,
        },
    )
    assert response.status_code == 302
    doc = Document.objects.get()
    assert doc.agenda_item == item and doc.audience == Audience.MEETING
    assert doc.release_at is None
    assert "政府工作报告（审议稿）" in client.get(url).content.decode()


def test_withdraw(world: Any, client_for: Any) -> None:
    doc = meeting_document(world, notified_item(world))
    client = client_for("staff")
    url = reverse("documents:withdraw", args=[doc.pk])
    client.post(url, {"reason": ""})
    doc.refresh_from_db()
    assert doc.state == "published"  # a reason is needed
    client.post(url, {"reason": "版本有误"})
    doc.refresh_from_db()
    assert doc.state == "withdrawn" and doc.withdraw_reason == "版本有误"
    with pytest.raises(ValidationError):
        services.withdraw_document(actor=world.staff, document=doc, reason="again")


def test_an_agenda_item_with_documents_stays_on_the_agenda(world: Any) -> None:
    from renda.meetings import services as meeting_services
    from renda.meetings.models import AgendaItem

    item = notified_item(world)
    document = meeting_document(world, item)
    with pytest.raises(ValidationError, match="已有会议文件"):
        meeting_services.remove_from_agenda(actor=world.staff, item=item)
    # Refused as a whole: the item, its place and the document are all still there.
    assert AgendaItem.objects.filter(pk=item.pk, order=item.order).exists()
    assert Document.objects.filter(pk=document.pk, agenda_item=item).exists()
